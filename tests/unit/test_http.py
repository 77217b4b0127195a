"""The polite client against a local server that misbehaves the way real sites do."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scrapers.http import DeadlineExceeded, FetchError, PoliteClient, Response, RobotsDisallowed, retry_after_seconds
from voc.config import Settings, parse_study
from voc.crawl import build_source, crawl_source
from voc.errors import VocError
from voc.privacy.redact import redact, redact_data, secret_values
from voc.store import Store

FRENCH = "Les crèmes brûlées de la pâtisserie étaient très appréciées, même après la fête de Noël."


class Flaky(BaseHTTPRequestHandler):
    hits: dict = {}

    def log_message(self, *a):
        pass

    def _send(self, status, body=b"ok", headers=None, declared=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(declared if declared is not None else len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        n = self.hits[self.path] = self.hits.get(self.path, 0) + 1
        if self.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n")
        if self.path == "/rate-limited":
            return self._send(429, b"slow down", {"Retry-After": "7"}) if n == 1 else self._send(200, b"page")
        if self.path == "/unavailable":
            return self._send(503, b"", {"Retry-After": "2"}) if n <= 2 else self._send(200, b"page")
        if self.path == "/truncated":
            if n == 1:
                return self._send(200, b"<html>half a pa", declared=4000)
            return self._send(200, b"<html>whole page</html>")
        if self.path == "/missing":
            return self._send(404, b"nope")
        if self.path == "/big":
            return self._send(200, b"x" * 5000)
        if self.path == "/down":
            return self._send(500, b"boom")
        if self.path.startswith("/2.3/"):  # an API that rate-limits forever
            return self._send(429, b"", {"Retry-After": "999999"})
        if self.path.startswith("/charset/"):
            label, enc = self.path.split("/")[2:4]
            return self._send(200, FRENCH.encode(enc), {"Content-Type": f"text/html; charset={label}"})
        if self.path.startswith("/html-not-json"):
            return self._send(200, b"<html><body>502 Bad Gateway</body></html>")
        return self._send(200, b"page")


@pytest.fixture
def site():
    Flaky.hits = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(no_sleep):
    sleep, waits = no_sleep
    c = PoliteClient(Settings(http_min_interval=0.0, http_retries=3, http_backoff=1.0, http_max_bytes=4096), sleep=sleep)
    c.waits = waits
    return c


def test_429_honours_retry_after_then_succeeds(site, client):
    assert client.get(site + "/rate-limited").text == "page"
    assert 7.0 in client.waits
    assert Flaky.hits["/rate-limited"] == 2
    assert client.stats.errors["http_429"] == 1 and client.stats.retries == 1


def test_503_retried_until_it_recovers(site, client):
    assert client.get(site + "/unavailable").status == 200
    assert Flaky.hits["/unavailable"] == 3 and client.waits.count(2.0) == 2


def test_truncated_body_is_retried(site, client):
    assert client.get(site + "/truncated").text == "<html>whole page</html>"
    assert client.stats.errors["truncated"] == 1


def test_404_is_not_retried(site, client):
    with pytest.raises(FetchError, match="HTTP 404; not retried"):
        client.get(site + "/missing")
    assert Flaky.hits["/missing"] == 1


def test_persistent_500_gives_up_after_retries_with_growing_backoff(site, client):
    with pytest.raises(FetchError, match="HTTP 500 after 4 attempts"):
        client.get(site + "/down")
    assert Flaky.hits["/down"] == 4
    assert len(client.waits) == 3 and client.waits[2] > client.waits[0]


def test_robots_size_and_scheme_rules(site, client):
    with pytest.raises(RobotsDisallowed):
        client.get(site + "/private/page")
    assert "/private/page" not in Flaky.hits
    with pytest.raises(FetchError, match="exceeds the 4096-byte limit"):
        client.get(site + "/big")
    with pytest.raises(VocError, match="only http and https"):
        client.get("file:///etc/passwd")


def test_rate_limit_spaces_requests_to_one_host(site, no_sleep):
    sleep, waits = no_sleep
    c = PoliteClient(Settings(http_min_interval=5.0), sleep=sleep)
    for _ in range(3):
        c.get(site + "/page")
    assert sum(1 for w in waits if w > 4.0) >= 2  # robots.txt, then 3 pages, each 5 s apart


def test_user_agent_is_descriptive(site, client):
    assert "voc" in client.session.headers["User-Agent"]


def test_retry_after_parsing():
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None


# -- overall deadline per source --------------------------------------------------------------
def test_endless_retry_after_stops_at_the_deadline_without_waiting_past_it(site, no_sleep):
    sleep, waits = no_sleep
    c = PoliteClient(Settings(http_min_interval=0.0, http_retries=10, source_deadline=1000), sleep=sleep)
    with pytest.raises(DeadlineExceeded) as err:
        c.get(site + "/2.3/questions")
    # each wait is capped at 300 s; a fourth would end at 1,200 s, past the deadline
    assert waits == [300.0, 300.0, 300.0] and Flaky.hits["/2.3/questions"] == 4
    assert str(err.value) == (f"{site}/2.3/questions: waiting 300 s more (retry 4 of 10 after HTTP 429) would pass "
                              "this source's deadline of 1000 s (900 s spent; VOC_SOURCE_DEADLINE or [crawl] "
                              "deadline); stopped here, what was fetched is kept and the next run resumes from the cursor")


def test_a_source_fails_at_its_study_deadline_and_is_not_retried(site, no_sleep, tmp_path, monkeypatch):
    monkeypatch.setenv("VOC_SOURCE_DEADLINE", "60")
    assert Settings().source_deadline == 60.0 and Settings(http_max_redirects=2).http_max_redirects == 2
    study = parse_study({"study": {"name": "deadline"}, "crawl": {"deadline": 1000, "min_interval": 0, "max_retries": 10},
                         "sources": [{"name": "se", "type": "stackexchange", "site": "coffee", "api_url": site + "/2.3"}]},
                        tmp_path / "study.toml")
    settings = build_source(study, study.sources[0]).client.settings  # [crawl] deadline wins over the env
    assert (settings.source_deadline, settings.http_retries, settings.http_min_interval) == (1000, 10, 0)
    sleep, waits = no_sleep
    source = build_source(study, study.sources[0], client=PoliteClient(settings, sleep=sleep))
    with Store(tmp_path / "voc.duckdb") as store:
        result = crawl_source(store, study, source)
        # nothing fetched, so the next run starts where this one did
        assert store.cursor("se") == {"last_activity": None, "ids": []}
    assert result.status == "failed" and not result.transient
    assert sum(waits) <= 1000 and waits == [300.0, 300.0, 300.0]
    assert "would pass this source's deadline of 1000 s" in result.error
    assert result.http["errors"] == {"http_429": 4}


# -- charsets Python does not know -------------------------------------------------------------
@pytest.mark.parametrize("label,enc", [("utf8mb4", "utf-8"), ("x-user-defined", "utf-8"),
                                       ("x-user-defined", "latin-1"), ("no-such-charset", "latin-1"),
                                       ("base64", "utf-8"), ("iso-8859-1", "latin-1")])
def test_unknown_charsets_fall_back_like_a_browser(site, client, label, enc):
    assert client.get(f"{site}/charset/{label}/{enc}").text == FRENCH


def test_charset_labels_that_are_not_text_codecs_do_not_raise():
    body = FRENCH.encode("cp1252")
    for label in ("rot13", "zlib", "hex", "utf\x00", '"x-mac-klingon"'):
        text = Response("http://x/", 200, {"content-type": f"text/html; charset={label}"}, body).text
        assert text == FRENCH, label


# -- redaction ------------------------------------------------------------------------------------
MARK = "Mk7xQ2vB9sLpZ4wC"


def test_redact_masks_secret_parameters_userinfo_and_env_values():
    env = {"STACKEXCHANGE_KEY": "U4DMV*8nvpm3EOpvf69Rxw((", "VOC_SALT": "pepper-and-salt", "VOC_STORE": "/tmp/a/voc.duckdb",
           "GITHUB_TOKEN": "ghp_abcdefgh", "SHORT_KEY": "abc", "HOME": "/home/someone-long"}
    assert set(secret_values(env)) == {"U4DMV*8nvpm3EOpvf69Rxw((", "U4DMV%2A8nvpm3EOpvf69Rxw%28%28", "pepper-and-salt",
                                       "ghp_abcdefgh"}
    cases = {
        "https://api.x/2.3/q?filter=withbody&key=U4DMV%2A8nvpm3EOpvf69Rxw%28%28&site=coffee":
            "https://api.x/2.3/q?filter=withbody&key=***&site=coffee",
        "https://bob:hunter2@h.example/p?Access_Token=t0k&apiKey=k&X-Amz-Signature=f&author=ann&keyword=dock":
            "https://***@h.example/p?Access_Token=***&apiKey=***&X-Amz-Signature=***&author=ann&keyword=dock",
        "{'client_secret': 'abc', \"password\": \"p w\", 'site': 'coffee'}":
            "{'client_secret': '***', \"password\": \"***\", 'site': 'coffee'}",
        "/tmp/a/voc.duckdb: locked; salt pepper-and-salt, token ghp_abcdefgh":
            "/tmp/a/voc.duckdb: locked; salt ***, token ***",
        "mail ann@example.com about http://h/p?q=a@b": "mail ann@example.com about http://h/p?q=a@b",
        "http://h/p?token=a:b&sig=c: HTTP 404 (pwd=x:)": "http://h/p?token=***&sig=***: HTTP 404 (pwd=***:)",
    }
    for text, want in cases.items():
        assert redact(text, env) == want
    assert redact_data({"errors": [("key=abc", 3)], "sig=1": None}, env) == {"errors": [("key=***", 3)], "sig=***": None}


def test_fetch_errors_never_carry_the_key(site, client, monkeypatch):
    monkeypatch.setenv("STACKEXCHANGE_KEY", MARK)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    client.obey_robots = False  # else the refused robots.txt ends it first
    with pytest.raises(FetchError) as refused:
        client.get(f"http://127.0.0.1:{closed}/2.3/questions", params={"key": MARK, "site": "coffee"})
    assert "Max retries exceeded with url: /2.3/questions?key=***&site=coffee" in str(refused.value)
    with pytest.raises(FetchError) as not_json:
        client.get(f"{site}/html-not-json", params={"key": MARK}).json()
    assert str(not_json.value).startswith(f"{site}/html-not-json?key=***: response is not JSON (JSONDecodeError")
    for err in (refused.value, not_json.value):
        assert MARK not in str(err) and MARK not in err.url
