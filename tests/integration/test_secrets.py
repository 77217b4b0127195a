"""Secrets never leave the process: planted keys appear in no output, no store table and no Prefect record.

Marker secrets are planted in the environment (STACKEXCHANGE_KEY, Reddit credentials, VOC_SALT)
and in source URLs (userinfo in a Stack Exchange api_url, an access_token in a page URL). Then
every way the issue saw the key escape is provoked against local servers: the API answers HTML
instead of JSON (after a first good page, so documents are stored), drops the connection, and
refuses it (requests puts the whole request URL, key included, in that error); the page answers
404. The crawl runs in-process under the Prefect harness and as a `voc crawl` subprocess reporting
to the same Prefect server, then `voc runs` and `voc runs --json` print the records. Every byte of
output, every table of both stores and Prefect's database are searched for the markers.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PREFIX = "LEAKMARK"  # every marker starts with it, so a partial leak is found too

STUDY = """
[study]
name = "secrets"
output_dir = "{out}"

[crawl]
min_interval = 0.0
max_retries = 0

[[sources]]
name = "se-badjson"
type = "stackexchange"
site = "coffee"
api_url = "http://voc:{userinfo}@127.0.0.1:{port}/badjson/2.3"

[[sources]]
name = "se-drop"
type = "stackexchange"
site = "coffee"
api_url = "http://127.0.0.1:{port}/drop/2.3"

[[sources]]
name = "se-refused"
type = "stackexchange"
site = "coffee"
api_url = "http://127.0.0.1:{oneshot}/2.3"

[[sources]]
name = "page"
type = "jsonld_reviews"
urls = ["http://127.0.0.1:{port}/product?access_token={token}"]
"""

QUESTION = {"question_id": 1, "title": "Grinder burrs keep clogging", "body": "<p>My conical burr grinder clogs "
            "every week with oily beans.</p>", "link": "https://coffee.stackexchange.com/q/1",
            "owner": {"user_id": 7}, "creation_date": 1700000000, "last_activity_date": 1700000500, "score": 3}
ANSWER = {"answer_id": 2, "question_id": 1, "body": "<p>Lighter roasts clog the burrs far less often.</p>",
          "owner": {"user_id": 8}, "creation_date": 1700000300, "score": 2}


class Api(BaseHTTPRequestHandler):
    """A Stack Exchange API that fails the ways real ones do, and a product page that is gone."""

    keys: list = []  # the key= of every API request: proof the planted key was really sent

    def log_message(self, *a):
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if "/2.3/" in url.path:
            self.keys.append(query.get("key", [None])[0])
        if url.path.startswith("/drop/"):
            self.close_connection = True  # no status line at all: "Connection aborted"
            return None
        if url.path == "/badjson/2.3/questions" and "min" not in query:
            data = {"items": [QUESTION], "has_more": True, "quota_remaining": 9000, "quota_max": 10000}
            return self._send(200, json.dumps(data).encode())
        if url.path == "/badjson/2.3/questions/1/answers":
            return self._send(200, json.dumps({"items": [ANSWER], "has_more": False, "quota_remaining": 8999}).encode())
        if url.path.startswith("/badjson/"):  # the next page: a proxy's error page instead of JSON
            return self._send(200, b"<html><body>Bad Gateway</body></html>", "text/html")
        return self._send(404, b"<html>gone</html>", "text/html")


def serve(handler) -> tuple[ThreadingHTTPServer, int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def one_shot_server() -> tuple[ThreadingHTTPServer, int]:
    """Serves robots.txt once, then stops listening: the API request after it is refused."""
    holder: dict = {}

    class OneShot(Api):
        def do_GET(self):
            if self.path == "/robots.txt" and "closed" not in holder:
                holder["closed"] = True
                holder["server"].shutdown()  # serve_forever runs in another thread
                holder["server"].server_close()
                return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
            self.close_connection = True
            return None

    server, port = serve(OneShot)
    holder["server"] = server
    return server, port


def study_file(folder: Path, port: int, oneshot: int, markers: dict[str, str]) -> Path:
    folder.mkdir()
    path = folder / "study.toml"
    path.write_text(STUDY.format(out=(folder / "out").as_posix(), port=port, oneshot=oneshot,
                                 userinfo=markers["userinfo"], token=markers["token"]))
    return path


def store_text(study_path: Path) -> tuple[str, dict[str, int]]:
    """Every value of every table of the study's store as text, and the row count per table."""
    from voc.config import load_study
    from voc.store import Store

    parts, counts = [], {}
    with Store(load_study(study_path).store_path) as store:
        tables = store.query("SELECT table_name FROM information_schema.tables")["table_name"].tolist()
        for table in tables:
            frame = store.query(f'SELECT * FROM "{table}"')
            counts[table] = len(frame)
            parts.append(frame.astype(str).to_csv())
    return "\n".join(parts), counts


def prefect_database() -> tuple[str, bytes]:
    """Prefect's database (the harness's SQLite file): every row as text, and the raw file bytes."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    APILogWorker.drain_all(timeout=30)  # logs and events are sent in the background
    EventsWorker.drain_all(timeout=30)
    path = Path(re.sub(r"^sqlite\+aiosqlite:///", "", PREFECT_SERVER_DATABASE_CONNECTION_URL.value()))
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        text = "\n".join(repr(row) for t in tables for row in con.execute(f'SELECT * FROM "{t}"'))
    finally:
        con.close()
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))  # the db and its -wal/-shm
    return text, raw


def test_planted_secrets_appear_in_no_output_store_or_prefect_record(prefect_harness, tmp_path, monkeypatch):
    from prefect.settings import PREFECT_API_URL

    from flows.common import close_stores
    from flows.crawl import crawl_flow

    tag = secrets.token_hex(4)
    markers = {"STACKEXCHANGE_KEY": f"{PREFIX}se{tag}((", "REDDIT_CLIENT_SECRET": f"{PREFIX}rs{tag}",
               "REDDIT_CLIENT_ID": f"{PREFIX}ri{tag}", "REDDIT_PASSWORD": f"{PREFIX}rp{tag}",
               "VOC_SALT": f"{PREFIX}salt{tag}", "userinfo": f"{PREFIX}ui{tag}", "token": f"{PREFIX}tk{tag}"}
    for name, value in markers.items():
        if name.isupper():
            monkeypatch.setenv(name, value)
    Api.keys = []
    server, port = serve(Api)
    in_process_gone, in_process_port = one_shot_server()
    subprocess_gone, subprocess_port = one_shot_server()
    in_process = study_file(tmp_path / "in-process", port, in_process_port, markers)
    in_subprocess = study_file(tmp_path / "subprocess", port, subprocess_port, markers)
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}", "PREFECT_API_URL": PREFECT_API_URL.value(),
           "VOC_PROGRESS": "false", "VOC_SOURCE_RETRY_DELAY": "1"}
    try:
        # The subprocess retries its network failures twice (the flow's default), a second apart;
        # it runs while the in-process flow does.
        proc = subprocess.Popen([sys.executable, "-m", "voc.cli", "crawl", str(in_subprocess)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        result = crawl_flow(str(in_process), retries=0)
        close_stores()
        out, err = proc.communicate(timeout=600)
    finally:
        server.shutdown()
        server.server_close()

    # Every failure really happened, each way, and carried the URL (masked) in its message.
    errors = {e["source"]: e["error"] for e in result["errors"]}
    assert errors["se-badjson"].startswith(f"http://***@127.0.0.1:{port}/badjson/2.3/questions?filter=withbody")
    assert "&site=coffee&key=***: response is not JSON" in errors["se-badjson"]
    assert errors["se-drop"].startswith(f"http://127.0.0.1:{port}/drop/2.3/questions: connection_error after 1 "
                                        "attempts: ('Connection aborted.'")
    assert ("Max retries exceeded with url: /2.3/questions?filter=withbody&pagesize=100&page=1&sort=activity&"
            "order=asc&site=coffee&key=***") in errors["se-refused"]
    assert errors["page"] == (f"http://127.0.0.1:{port}/product?access_token=***: HTTP 404; not retried "
                              "(client error)")
    assert result["status"] == "failed" and result["sources"]["se-badjson"]["new"] == 2
    assert Api.keys and set(Api.keys) == {markers["STACKEXCHANGE_KEY"]}  # the real key was sent

    assert proc.returncode == 3, err
    assert "voc: source se-refused failed: " in err and "key=***" in err

    runs = {}
    for study in (in_process, in_subprocess):
        for args in (["runs"], ["runs", "--json"]):
            done = subprocess.run([sys.executable, "-m", "voc.cli", *args, str(study)], env=env, capture_output=True,
                                  text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            runs[(study.parent.name, *args)] = done.stdout + done.stderr
    assert "error: se-badjson: http://***@127.0.0.1" in runs[("in-process", "runs")]
    assert '"source": "se-refused"' in runs[("subprocess", "runs", "--json")]

    stores = {}
    for study in (in_process, in_subprocess):
        stores[study.parent.name], counts = store_text(study)
        assert counts["documents"] == 2 and counts["runs"] == 1
    # raw_ref: ingest (voc.privacy.pii.scrub_url) drops the link's user:password altogether.
    assert f"http://127.0.0.1:{port}/badjson/2.3/questions/1?site=coffee" in stores["in-process"]

    prefect_text, prefect_raw = prefect_database()
    assert "key=***" in prefect_text  # the failures reached Prefect's database, redacted
    assert prefect_text.count("crawl-se-refused") >= 2  # from both crawls

    outputs = {"voc crawl stdout": out, "voc crawl stderr": err, **{" ".join(k): v for k, v in runs.items()},
               **{f"store {k}": v for k, v in stores.items()}, "Prefect database": prefect_text,
               "crawl_flow result": json.dumps(result)}
    leaks = {where: re.findall(PREFIX + r"\w*", text) for where, text in outputs.items() if PREFIX in text}
    assert leaks == {}
    assert PREFIX.encode() not in prefect_raw
