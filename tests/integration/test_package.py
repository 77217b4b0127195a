"""The wheel a user gets from `pip install .`: it must work outside the checkout.

The wheel is built and installed into a throwaway venv. Its dependencies come from the main
venv (installed from the lock) through a path entry, so the test takes seconds, not minutes;
voc itself, its classifier and its labelled data must come from the wheel.
"""

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    # Built from a copy: setuptools writes voc.egg-info into the tree it builds, and in the checkout
    # its entry points would be read, half written, by tests running beside this one (make test
    # runs two workers) and shadow the installed ones afterwards.
    tree = tmp / "tree"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, tree / name)
    for name in ("src", "scrapers", "flows"):  # the packages pyproject.toml lists
        shutil.copytree(REPO / name, tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                            "-w", str(tmp / "dist"), str(tree)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    wheel = next((tmp / "dist").glob("voc-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # A plain path line: the main venv's .pth files (voc's editable finder among them) are not run.
    (site / "zz_locked_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    inst = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--quiet", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert inst.returncode == 0, inst.stderr
    return venv, tmp / "elsewhere", site


def run(venv, cwd, *args, stdin=None):
    cwd.mkdir(exist_ok=True)
    return subprocess.run([str(venv / "bin" / args[0]), *args[1:]], cwd=cwd, capture_output=True, text=True,
                          input=stdin, timeout=600, env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"})


def test_the_wheel_carries_the_classifier_and_its_data(wheel_venv):
    venv, cwd, site = wheel_venv
    proc = run(venv, cwd, "python", "-c",
               "import voc, voc.extract.insights as e; print(voc.__file__); print(e.BUILTIN_HEAD); print(e.LABELLED);"
               "print(e.REAL_LABELS); print(voc.Study.__module__)")
    assert proc.returncode == 0, proc.stderr
    module, head, labelled, real, facade = proc.stdout.split()
    for path in (module, head, labelled, real):
        assert Path(path).is_relative_to(site) and Path(path).exists(), path
    assert facade == "voc.api"


def test_installed_voc_classifies_and_evaluates_from_any_folder(wheel_venv, tmp_path):
    venv, cwd, _ = wheel_venv
    from voc import __version__

    assert run(venv, cwd, "voc", "--version").stdout.strip() == f"voc {__version__}"
    assert run(venv, cwd, "python", "-m", "voc", "--version").stdout.strip() == f"voc {__version__}"
    proc = run(venv, cwd, "voc", "classify", stdin="My old laptop finally died so I started looking for a new one.\n")
    assert proc.returncode == 0, proc.stderr
    rec = json.loads(proc.stdout)
    assert "purchase_trigger" in rec["kinds"]
    labels = tmp_path / "small.csv"
    labels.write_text("text,labels\n"
                      "\"The app logs me out every time I switch networks.\",pain_point\n"
                      "\"Thanks for the quick reply!\",\n")
    proc = run(venv, cwd, "voc", "eval", str(labels), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["n"] == 2


def test_every_dependency_of_the_wheel_is_installed(wheel_venv):
    venv, cwd, _ = wheel_venv
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "check"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
