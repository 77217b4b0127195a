"""Crawls survive real failures: SIGKILL mid-crawl, rate limits, outages and truncated pages."""

import os
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import DEMO
from voc.config import load_study
from voc.crawl import build_source, crawl_source
from voc.store import Store

pytestmark = pytest.mark.slow

STUDY = """
[study]
name = "robust"
output_dir = "{out}"

[crawl]
min_interval = 0.0

[[sources]]
name = "forum"
type = "phpbb"
url = "{base}/forum/index.html"

[[sources]]
name = "community"
type = "discourse"
base_url = "{base}/discourse"
"""


class Recording(SimpleHTTPRequestHandler):
    """Serves the demo site; counts requests; misbehaves once on chosen paths."""

    hits: dict = {}
    faults: dict = {}
    delay = 0.0
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        with self.lock:
            n = self.hits[path] = self.hits.get(path, 0) + 1
        time.sleep(self.delay)
        fault = self.faults.get(path) if n == 1 else None
        if fault in (429, 503):
            self.send_response(fault)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if fault == "truncated":
            body = (DEMO / "site" / path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 3])
            self.close_connection = True
            return
        super().do_GET()


def start(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(DEMO / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def study_file(tmp, base, name):
    out = tmp / name
    out.mkdir()
    path = out / "study.toml"
    path.write_text(STUDY.format(out=out.as_posix(), base=base))
    return path


def crawl_in_process(path):
    study = load_study(path)
    with Store(study.store_path) as store:
        results = [crawl_source(store, study, build_source(study, spec)) for spec in study.sources]
        docs = store.query("SELECT doc_id, text, url, thread_id FROM documents ORDER BY doc_id")
    return results, docs


def test_sigkill_mid_crawl_then_rerun_equals_uninterrupted_crawl(tmp_path):
    handler = type("H", (Recording,), {"hits": {}, "faults": {}, "delay": 0.05, "lock": threading.Lock()})
    server, base = start(handler)
    try:
        reference_path = study_file(tmp_path, base, "reference")
        _, reference = crawl_in_process(reference_path)
        assert len(reference) > 300

        handler.hits.clear()
        killed_path = study_file(tmp_path, base, "killed")
        proc = subprocess.Popen([sys.executable, "-m", "voc.cli", "crawl", str(killed_path)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 240
        while sum(handler.hits.values()) < 25 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "the crawl finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)  # the crawler and anything it started
        proc.wait(timeout=30)

        study = load_study(killed_path)
        with Store(study.store_path) as store:
            partial_count = store.count("documents")
        assert 0 < partial_count < len(reference)  # committed batches survived the kill

        results, resumed = crawl_in_process(killed_path)
        assert all(r.status == "completed" for r in results)
        assert resumed.equals(reference)  # nothing lost, nothing duplicated
    finally:
        server.shutdown()
        server.server_close()


def test_rate_limits_outages_and_truncation_are_retried_and_recorded(prefect_harness, tmp_path):
    faults = {"/forum/viewtopic-103.html": 429, "/forum/viewtopic-105.html": 503,
              "/forum/viewtopic-107.html": "truncated", "/discourse/t/104.json": 503}
    handler = type("H", (Recording,), {"hits": {}, "faults": faults, "delay": 0.0, "lock": threading.Lock()})
    server, base = start(handler)
    try:
        path = study_file(tmp_path, base, "flaky")
        from flows.common import close_stores
        from flows.crawl import crawl_flow

        result = crawl_flow(str(path))
        close_stores()
        assert result["errors"] == []
        forum = result["sources"]["forum"]["http"]
        community = result["sources"]["community"]["http"]
        assert forum["errors"] == {"http_429": 1, "http_503": 1, "truncated": 1}
        assert community["errors"] == {"http_503": 1}
        # every page was fetched successfully exactly once; the two sources share the host's politeness,
        # so robots.txt is read once for the whole crawl
        pages = {p for p in handler.hits if p != "/robots.txt"}
        assert handler.hits["/robots.txt"] == 1
        assert forum["ok"] + community["ok"] == len(pages) + 1
        for p in pages:
            assert handler.hits[p] == (2 if p in faults else 1), p
        study = load_study(path)
        with Store(study.store_path) as store:
            run = store.runs().iloc[-1]
            assert run["status"] == "completed" and '"http_429": 1' in run["counts"]
            assert store.count("documents") == 229 + 158
    finally:
        server.shutdown()
        server.server_close()
