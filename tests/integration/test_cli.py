"""The `voc` commands a user types, run as subprocesses."""

import json
import subprocess
import sys

import pytest

from voc.extract.insights import LABELLED

pytestmark = pytest.mark.slow


def voc(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "voc.cli", *args], capture_output=True, text=True, input=stdin, timeout=600)


def test_eval_json_on_a_labelled_csv(tmp_path):
    import pandas as pd

    df = pd.read_csv(LABELLED, keep_default_na=False)
    path = tmp_path / "labels.csv"
    df[df["split"] == "test"][["text", "labels"]].to_csv(path, index=False)
    proc = voc("eval", str(path), "--json", "--baseline")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert set(result["per_kind"]) == {"pain_point", "objection", "purchase_trigger", "must_have_feature",
                                       "success_factor", "buying_role"}
    assert 0 < result["macro_f1"] <= 1 and result["macro_f1"] > result["baseline"]["macro_f1"]
    assert result["n"] == len(df[df["split"] == "test"])


def test_eval_rejects_unknown_labels(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,labels\nThe app crashes,pain_point;complaint\n")
    proc = voc("eval", str(path))
    assert proc.returncode == 2 and "unknown label 'complaint'" in proc.stderr and "Traceback" not in proc.stderr


def test_fine_tune_names_a_missing_suggestions_file_before_reading_anything(tmp_path):
    proc = voc("train", "--fine-tune", "--suggestions", str(tmp_path / "s.csv"), "--out", str(tmp_path / "t.npz"))
    assert proc.returncode == 2 and f"{tmp_path / 's.csv'}: file not found" in proc.stderr, proc.stderr
    assert not (tmp_path / "t.npz").exists()


def test_ensemble_needs_the_options_its_heads_were_trained_with(tmp_path):
    # The shipped heads learnt from weak suggestion labels at weight 0.5: without them the held-out
    # heads would not be those heads, so the build stops before fitting anything.
    proc = voc("train", "--ensemble", "--out", str(tmp_path / "e.npz"))
    assert proc.returncode == 2 and "pass the same --suggestions and --weak-weight" in proc.stderr, proc.stderr
    assert not (tmp_path / "e.npz").exists()


def test_classify_names_the_classifier_it_runs():
    text = "My old one died last week so I bought this.\n"
    default = [json.loads(line) for line in voc("classify", stdin=text).stdout.splitlines()]
    heads = voc("classify", "--classifier", "builtin", stdin=text)
    assert heads.returncode == 0, heads.stderr
    heads = [json.loads(line) for line in heads.stdout.splitlines()]
    assert "purchase_trigger" in default[0]["kinds"] and "purchase_trigger" in heads[0]["kinds"]
    assert default[0]["kinds"] != heads[0]["kinds"]      # two classifiers, two confidences
    bad = voc("classify", "--classifier", "nope.npz", stdin=text)
    assert bad.returncode == 2 and "nope.npz: no trained insight classifier" in bad.stderr


def test_classify_reads_stdin_and_prints_jsonl():
    proc = voc("classify", stdin="My old one died last week so I bought this.\nThe weather is nice today.\n")
    assert proc.returncode == 0, proc.stderr
    recs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(recs) == 2
    assert "purchase_trigger" in recs[0]["kinds"] and recs[1]["kinds"] == {}
    assert set(recs[0]) >= {"text", "kinds", "aspect", "strength"}


def test_fetch_detects_engines_on_the_demo_site(demo_server):
    proc = voc("fetch", demo_server + "/forum/viewtopic-108-p2.html")
    assert proc.returncode == 0, proc.stderr
    assert "engine: phpbb" in proc.stderr
    docs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(docs) == 15 and all(d["url"].startswith(demo_server) for d in docs)
    proc = voc("fetch", demo_server + "/discourse/t/105.json")
    assert proc.returncode == 0 and "engine: discourse" in proc.stderr and proc.stdout.strip()


def test_init_writes_a_valid_starter_study(tmp_path):
    path = tmp_path / "mine" / "study.toml"
    proc = voc("init", str(path))
    assert proc.returncode == 0, proc.stderr
    from voc.config import load_study

    study = load_study(path)
    assert study.name == "mine" and study.sources[0].type == "file"


def test_analyze_takes_the_runner_options_of_run(tmp_path):
    path = tmp_path / "study.toml"
    assert voc("init", str(path)).returncode == 0
    proc = voc("analyze", str(path), "--runner", "spark")
    assert proc.returncode == 2 and "spark" in proc.stderr and "Traceback" not in proc.stderr
    proc = voc("analyze", str(path), "--dask-workers", "2")
    assert proc.returncode == 2 and "--runner dask" in proc.stderr and "Traceback" not in proc.stderr
    assert "--dask-address" in voc("analyze", "--help").stdout


def test_a_failed_source_makes_crawl_exit_3_and_says_which(tmp_path):
    (tmp_path / "ok.csv").write_text("id,text\n1,The lid cracked after a week.\n")
    study = tmp_path / "study.toml"
    study.write_text(f"""[study]
name = "exits"
output_dir = "{tmp_path / 'out'}"

[[sources]]
name = "good"
type = "file"
path = "ok.csv"

[[sources]]
name = "gone"
type = "file"
path = "missing-*.csv"
""")
    proc = voc("crawl", str(study))
    assert proc.returncode == 3, proc.stderr
    assert json.loads(proc.stdout)["status"] == "partial"
    assert "voc: source gone failed:" in proc.stderr and "no file matches" in proc.stderr
    assert "Traceback" not in proc.stderr
