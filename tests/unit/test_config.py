import subprocess
import sys
from pathlib import Path

import pytest

from voc.config import load_study
from voc.errors import VocError

GOOD = """
[study]
name = "espresso"
product = "home espresso machines"
output_dir = "out"

[schedule]
cron = "0 7 * * 1"
timezone = "Europe/Paris"

[[sources]]
name = "survey"
type = "file"
path = "answers.csv"

[[sources]]
name = "forum"
type = "discourse"
base_url = "https://forum.example.org/"
max_topics = 50
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "study.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_valid_study_resolves_paths_relative_to_the_file(tmp_path):
    study = load_study(write(tmp_path, GOOD))
    assert study.name == "espresso"
    assert study.schedule.timezone == "Europe/Paris"
    assert [s.type for s in study.sources] == ["file", "discourse"]
    assert study.out_dir == tmp_path.resolve() / "out"
    assert study.store_path == tmp_path.resolve() / "out" / "voc.duckdb"


@pytest.mark.parametrize("bad, expected", [
    (GOOD.replace('product = "home espresso machines"', 'prodcut = "x"'), "prodcut: unknown key"),
    (GOOD.replace('cron = "0 7 * * 1"', 'cron = "every monday"'), "schedule.cron"),
    (GOOD.replace('type = "file"', 'type = "myspace"'), "unknown source type 'myspace'"),
    (GOOD.replace('max_topics = 50', 'max_topics = -3'), "max_topics"),
    (GOOD.replace('base_url = "https://forum.example.org/"', 'base_url = "ftp://forum.example.org/"'), "only http and https"),
    (GOOD.replace('path = "answers.csv"', 'pth = "answers.csv"'), "path: Field required"),
    (GOOD + '\n[[sources]]\nname = "survey"\ntype = "file"\npath = "b.csv"\n', "repeated: survey"),
])
def test_bad_study_names_file_key_and_reason(tmp_path, bad, expected):
    path = write(tmp_path, bad)
    with pytest.raises(VocError) as err:
        load_study(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_not_toml_and_missing_file(tmp_path):
    with pytest.raises(VocError, match="not valid TOML"):
        load_study(write(tmp_path, "[study\nname="))
    with pytest.raises(VocError, match="study file not found"):
        load_study(tmp_path / "nope.toml")


def test_cli_prints_one_error_line_not_a_traceback(tmp_path):
    path = write(tmp_path, GOOD.replace('name = "espresso"', 'name = "espresso"\ncolour = "red"'))
    proc = subprocess.run([sys.executable, "-m", "voc.cli", "crawl", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert "colour: unknown key" in lines[0] and "Traceback" not in proc.stderr


def test_missing_model_package_is_one_clear_line(tmp_path):
    study = write(tmp_path, GOOD.replace("[schedule]", '[models]\nspacy = "xx_not_installed_model"\n\n[schedule]'))
    (tmp_path / "s.txt").write_text("The battery dies after an hour.\n")
    proc = subprocess.run([sys.executable, "-m", "voc.cli", "classify", str(tmp_path / "s.txt"), "--study", str(study)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "spaCy model 'xx_not_installed_model' is not installed" in proc.stderr
    assert "Traceback" not in proc.stderr
