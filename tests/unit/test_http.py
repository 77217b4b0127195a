"""The polite client against a local server that misbehaves the way real sites do."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scrapers.http import FetchError, PoliteClient, RobotsDisallowed, retry_after_seconds
from voc.config import Settings
from voc.errors import VocError


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
