"""The layout rules a newcomer relies on: SQL only in the store, no import cycles, short modules."""

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {"voc": REPO / "src" / "voc", "flows": REPO / "flows", "scrapers": REPO / "scrapers"}
SQL = re.compile(r"\b(SELECT|INSERT INTO|DELETE FROM|CREATE TABLE|ALTER TABLE)\b|\bUPDATE [a-z_]+ SET\b")
MAX_LINES = 400


def modules() -> dict[str, Path]:
    found = {}
    for name, root in PACKAGES.items():
        for path in root.rglob("*.py"):
            parts = [name, *path.relative_to(root).with_suffix("").parts]
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def module_level_imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules a module imports when it is imported (imports inside functions run later
    and cannot make a cycle at import time)."""
    deps = set()
    for stmt in ast.parse(path.read_text(encoding="utf-8")).body:
        for node in ast.walk(stmt) if isinstance(stmt, (ast.If, ast.Try)) else [stmt]:
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                deps |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return {d for d in deps if d in known}


def test_sql_is_written_only_in_the_store():
    offenders = [f"{path.relative_to(REPO)}:{n}" for path in modules().values()
                 if "store" not in path.relative_to(REPO).parts
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if SQL.search(line)]
    assert offenders == [], "SQL outside src/voc/store/: ask the store by name instead"


def test_the_store_answers_the_reads_the_stages_ask_for():
    # The rule above would pass if the store package went missing: check it holds the SQL.
    store = PACKAGES["voc"] / "store"
    assert len(SQL.findall((store / "reads.py").read_text(encoding="utf-8"))) >= 10
    assert "CREATE TABLE IF NOT EXISTS insights" in (store / "sql.py").read_text(encoding="utf-8")


def test_no_import_cycles_between_project_modules():
    known = modules()
    graph = {name: module_level_imports(path, known) - {name} for name, path in known.items()}
    cycles, done = [], set()

    def visit(node: str, stack: list[str]) -> None:
        for dep in sorted(graph[node]):
            if dep in stack:
                cycles.append(stack[stack.index(dep):] + [dep])
            elif dep not in done:
                visit(dep, stack + [dep])
        done.add(node)

    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    assert cycles == []


def test_modules_stay_short():
    long = {str(p.relative_to(REPO)): n for p in modules().values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"split these modules (at most {MAX_LINES} lines each)"


def all_imports(path: Path) -> set[str]:
    """Every module a file imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def importers(prefixes: tuple[str, ...]) -> set[str]:
    return {name for name, path in modules().items()
            if any(m == p or m.startswith(p + ".") for m in all_imports(path) for p in prefixes)}


def test_only_the_topics_package_knows_the_topic_libraries():
    users = importers(("bertopic", "umap", "hdbscan"))
    assert users and all(u.startswith("voc.topics.") for u in users), users


def test_the_library_does_not_depend_on_its_prefect_wiring():
    # The notebook facade and the stages run without flows/; only the command line starts flows.
    assert {u for u in importers(("flows",)) if u.startswith("voc")} == {"voc.cli"}
