"""What every source shares: the registry, BaseSource, decoding bodies, and per-host politeness."""

import tomllib
from pathlib import Path

import pytest

from scrapers.base import BaseSource, registry, source_class
from scrapers.encoding import decode, sniff
from scrapers.hosts import Hosts
from scrapers.http import PoliteClient, Response
from tests.conftest import FIXTURES
from voc.config import Settings
from voc.errors import VocError

REPO = Path(__file__).resolve().parents[2]


# -- the registry ---------------------------------------------------------------------------------
def test_entry_points_are_the_only_registry():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"]["voc.sources"]
    found = registry()
    assert set(declared) <= set(found)
    for key, target in declared.items():
        module, _, attr = target.partition(":")
        assert found[key].__module__ == module and found[key].__name__ == attr
        assert found[key].key == key and issubclass(found[key], BaseSource)
    assert "_builtin" not in vars(__import__("scrapers.base", fromlist=["x"]))
    with pytest.raises(VocError, match="unknown source type 'nope'; known types: .*phpbb"):
        source_class("nope")


def test_base_source_owns_options_client_and_a_copied_cursor(tmp_path):
    cls = source_class("phpbb")
    src = cls("f", cls.Options(url="https://forum.example/viewtopic.php?t=1"))
    assert isinstance(src.client, PoliteClient) and src.cursor() == {"threads": {}}
    src._cursor["threads"]["x"] = {"posts": 1}
    copy = src.cursor()
    copy["threads"]["x"]["posts"] = 99
    assert src.cursor() == {"threads": {"x": {"posts": 1}}}
    assert src.resume({"threads": {"y": {}}}) == {"threads": {"y": {}}}
    files = source_class("file")("s", source_class("file").Options(path="a.csv"), client=object(), base_dir=tmp_path)
    assert files.client is None and files.path_of("a.csv") == tmp_path / "a.csv"  # files need no HTTP


# -- decoding bodies like a browser ---------------------------------------------------------------
FRENCH = "Le café était très bon, mais la crème brûlée « maison » — à revoir."


@pytest.mark.parametrize("content_type, body, codec", [
    ("text/html", b'<html><head><meta charset="windows-1252"></head><body>' + FRENCH.encode("cp1252"), "cp1252"),
    ("text/html", b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
     + FRENCH.encode("cp1252"), "cp1252"),  # iso-8859-1 means windows-1252 to a browser
    ("text/html; charset=utf-8", b'<meta charset="windows-1252">' + FRENCH.encode("utf-8"), "utf-8"),  # header wins
    ("text/html; charset=cp1252", b"\xef\xbb\xbf" + FRENCH.encode("utf-8"), "utf-8-sig"),  # the BOM wins
    ("text/html", FRENCH.encode("utf-8"), "utf-8"),
    ("text/html", FRENCH.encode("cp1252"), "cp1252"),  # no label: windows-1252, not a Central European guess
    ("text/html; charset=x-user-defined", b'<meta charset="gbk">' + "价格太贵了".encode("gbk"), "gbk"),
    ("application/xml", b'<?xml version="1.0" encoding="windows-1251"?><a>' + "Цена".encode("cp1251"), "cp1251"),
])
def test_bodies_are_decoded_by_bom_header_meta_then_bytes(content_type, body, codec):
    assert sniff(body, content_type) == codec
    assert FRENCH in decode(body, content_type) or "价格太贵了" in decode(body, content_type) \
        or "Цена" in decode(body, content_type)


def test_undeclared_non_latin_pages_are_detected():
    text = "建议对鼠神进行改版，这个模式太难了，希望官方能够考虑一下玩家的感受。" * 3
    assert decode(text.encode("gbk"), "text/html") == text
    russian = "Кофемашина сломалась через год, сервис отказал в гарантии. " * 3
    assert decode(russian.encode("cp1251"), "text/html") == russian


def test_a_page_in_windows_1252_declared_only_by_meta():
    raw = (FIXTURES / "forums" / "vb3_custom_cp1252.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = Response("http://x/", 200, {"content-type": "text/html"}, raw).text
    assert "“brew temp drops mid-shot”" in text and "café" in text and "£48" in text and "\ufffd" not in text


# -- one politeness state per host for a whole crawl -----------------------------------------------
class Recorder:
    def __init__(self):
        self.waits = []

    def __call__(self, seconds):
        self.waits.append(seconds)


def test_sources_on_one_host_share_its_rate_limit_and_robots(static_server, tmp_path):
    (tmp_path / "robots.txt").write_text("User-agent: *\nCrawl-delay: 7\nDisallow: /private\n")
    (tmp_path / "a.html").write_text("<html><body>a</body></html>")
    base = static_server(tmp_path)
    hosts, sleep = Hosts(), Recorder()
    first, second = (PoliteClient(Settings(http_min_interval=1.0), sleep=sleep, hosts=hosts) for _ in range(2))
    first.get(base + "/a.html")
    second.get(base + "/a.html")  # the second source's first request waits out the first's
    assert first.stats.requests == 2 and second.stats.requests == 1  # robots.txt fetched once, by the first
    # Crawl-delay (7 s) read once, and the second source books its turn after the first one's.
    assert len(sleep.waits) == 2 and 6.0 < sleep.waits[0] <= 7.0 and 13.0 < sleep.waits[1] <= 14.0
    with pytest.raises(VocError, match="robots.txt"):
        second.get(base + "/private/x")
    alone = PoliteClient(Settings(http_min_interval=1.0), sleep=Recorder())
    assert alone.hosts is not hosts  # a client on its own keeps its own state, as before


def test_an_unreachable_robots_txt_is_not_shared_so_a_retried_source_asks_again():
    import socket

    from scrapers.http import RobotsDisallowed

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # nothing listens here once the socket is closed
    hosts = Hosts()
    for attempt in range(2):
        client = PoliteClient(Settings(http_min_interval=0.0, http_retries=0), sleep=Recorder(), hosts=hosts)
        with pytest.raises(RobotsDisallowed):
            client.get(f"http://127.0.0.1:{closed}/t/1")
        assert client.stats.errors["connection_error"] >= 1, attempt  # each attempt saw the outage itself
