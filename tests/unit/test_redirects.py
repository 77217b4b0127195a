"""Redirects are requests too: each hop goes through the scheme check, robots.txt, the rate limit and the cap."""

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scrapers.http import FetchError, PoliteClient, RobotsDisallowed
from voc.config import Settings
from voc.crawl import is_transient

REPO = Path(__file__).resolve().parents[2]


class Site(BaseHTTPRequestHandler):
    """One origin: robots.txt from `robots`, redirects from `redirects` (path -> Location), else a page."""

    robots = "User-agent: *\nDisallow: /private/\n"
    redirects: dict = {}
    pages: dict = {}
    hits: dict = {}

    def log_message(self, *a):
        pass

    def do_GET(self):
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        if self.path == "/robots.txt" and self.robots is not None:
            body, status, extra = self.robots.encode(), 200, {}
        elif self.path in self.redirects:
            body, status, extra = b"moved", 302, {"Location": self.redirects[self.path]}
        else:
            body, status, extra = self.pages.get(self.path, b"<html>page</html>"), 200, {}
        self.send_response(status)
        for k, v in extra.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def origin():
    """Start an origin: ``base, handler = origin(robots=..., redirects=..., pages=...)``."""
    servers = []

    def start(**attrs):
        handler = type("H", (Site,), {"redirects": {}, "pages": {}, "hits": {}, **attrs})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", handler

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def client(waits, **settings):
    return PoliteClient(Settings(**{"http_min_interval": 0.0, "http_retries": 0, **settings}), sleep=waits.append)


def test_cross_origin_redirect_to_a_disallowing_origin_is_refused_after_reading_its_robots(origin):
    blocked, blocked_h = origin(robots="User-agent: *\nDisallow: /\n")
    start, start_h = origin(redirects={"/go": f"{blocked}/page"})
    with pytest.raises(RobotsDisallowed) as err:
        client([]).get(f"{start}/go")
    assert blocked_h.hits == {"/robots.txt": 1}  # its robots.txt was read; the page was not fetched
    assert str(err.value) == (f"{start}/go: redirected to {blocked}/page, which robots.txt of {blocked} "
                              "disallows; not followed")
    assert err.value.status == 302


def test_allowed_redirects_are_followed_hop_by_hop(origin):
    target, target_h = origin(pages={"/page": b"<html>landed</html>"})
    start, start_h = origin(redirects={"/a": "/b", "/b": f"{target}/page"})
    c = client([])
    resp = c.get(f"{start}/a")
    assert (resp.url, resp.text) == (f"{target}/page", "<html>landed</html>")
    assert start_h.hits == {"/robots.txt": 1, "/a": 1, "/b": 1}
    assert target_h.hits == {"/robots.txt": 1, "/page": 1}
    assert c.stats.redirects == 2 and c.stats.requests == 5


def test_same_origin_redirect_into_a_disallowed_path_is_refused(origin):
    start, start_h = origin(redirects={"/go": "/private/x"})
    with pytest.raises(RobotsDisallowed, match=r"/go: redirected to .*/private/x, which robots.txt"):
        client([]).get(f"{start}/go")
    assert "/private/x" not in start_h.hits


def test_redirect_loop_stops_at_the_hop_limit_and_waits_its_turn_each_hop(origin):
    start, start_h = origin(redirects={"/loop/a": "/loop/b", "/loop/b": "/loop/a"})
    waits: list[float] = []
    c = client(waits, http_min_interval=2.0, http_max_redirects=5)
    with pytest.raises(FetchError) as err:
        c.get(f"{start}/loop/a")
    loop_requests = sum(n for p, n in start_h.hits.items() if p.startswith("/loop/"))
    assert loop_requests == 6 == c.stats.redirects  # the first request and 5 followed hops
    assert str(err.value) == (f"{start}/loop/b: redirected to {start}/loop/a: more than 5 redirects in a row "
                              f"from {start}/loop/a (a redirect loop); not followed (VOC_HTTP_MAX_REDIRECTS)")
    # robots.txt, then six hops on one host: every hop waited its turn (2 s less the few ms the
    # previous request took) through the injected sleep
    assert len(waits) == 6 and all(w > 1.9 for w in waits)


def test_redirect_off_http_is_refused_naming_both_urls(origin):
    start, _ = origin(redirects={"/file": "file:///etc/passwd", "/ftp": "ftp://127.0.0.1/pub/x"})
    for path, target in (("/file", "file:///etc/passwd"), ("/ftp", "ftp://127.0.0.1/pub/x")):
        with pytest.raises(FetchError) as err:
            client([]).get(start + path)
        assert str(err.value) == (f"{start}{path}: redirected to {target}; not followed: only http and https "
                                  "URLs can be fetched")
        assert not is_transient(err.value)  # the next attempt would be refused the same way


def test_each_hop_has_the_size_cap(origin):
    target, _ = origin(pages={"/big": b"x" * 5000})
    start, _ = origin(redirects={"/go": f"{target}/big"})
    with pytest.raises(FetchError, match=r"/big: response of 5000 bytes exceeds the 4096-byte limit"):
        client([], http_max_bytes=4096).get(f"{start}/go")


def test_a_redirected_robots_txt_is_followed(origin):
    # RFC 9309: crawlers follow at least five redirects of robots.txt.
    start, start_h = origin(robots=None, redirects={"/robots.txt": "/rules.txt"},
                            pages={"/rules.txt": b"User-agent: *\nDisallow: /secret/\n"})
    c = client([])
    with pytest.raises(RobotsDisallowed):
        c.get(f"{start}/secret/page")
    assert c.get(f"{start}/open").status == 200
    assert start_h.hits == {"/robots.txt": 1, "/rules.txt": 1, "/open": 1}


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/pub/x"])
def test_voc_fetch_prints_one_line_for_a_refused_redirect(origin, target):
    start, _ = origin(redirects={"/go": target})
    env = {**os.environ, "VOC_HTTP_MIN_INTERVAL": "0", "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"}
    proc = subprocess.run([sys.executable, "-m", "voc.cli", "fetch", f"{start}/go"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (f"voc: error: {start}/go: redirected to {target}; not followed: only http and https "
                           "URLs can be fetched\n")
