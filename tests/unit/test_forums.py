import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pydantic import ValidationError

from scrapers.forum import ForumOptions, ForumSource, engine_options
from scrapers.forums import generic, vbulletin, xenforo
from scrapers.forums.dates import parse_date
from scrapers.forums.detect import detect_engine, forum_engines
from scrapers.forums.pages import is_first_page, next_link, page_number, reply_count, thread_url_key
from scrapers.forums.phpbb import PhpbbSource
from scrapers.forums.phpbb import parse_posts as phpbb_posts
from scrapers.http import PoliteClient
from tests.conftest import FIXTURES, QuietHandler
from voc.config import Settings
from voc.schema import make_doc_id, utcnow

FORUMS = FIXTURES / "forums"
XF = "https://www.pedelec-talk.example"
XF_A = "/threads/range-drops-40-below-freezing-normal-or-a-bad-pack.48213/"
XF_B = "/threads/torque-vs-cadence-sensor-for-steep-hills.48377/"
XF_FORUM = "/forums/batteries-range-charging.12/"
VB4_THREAD = "/forum/threads/88412-Brevetta-Duo-pump-noise-and-temperature-swings-after-descaling"
VB4_FORUM = "/forum/forums/7-Dual-Boilers-amp-HX-Machines"
DJANGO = "/community/threads/2291-mazzo-m2-retention-and-static/"
BBPRESS = "https://www.trailheadbikes.example/support/forums/topic/display-shows-e07-after-riding-in-the-rain/"
JSONLD = "https://talk.cargobikefamilies.example/d/1873-box-bike-or-longtail-for-two-kids"


def client():
    return PoliteClient(Settings(http_min_interval=0.0), sleep=lambda s: None)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "lxml")


def site(root: Path, pages: dict[str, str]) -> Path:
    """Lay fixture files out under the URL paths they link to (``.../`` serves its index.html)."""
    for url_path, name in pages.items():
        target = root / url_path.strip("/") / "index.html" if url_path.endswith("/") else root / url_path.strip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FORUMS / name, target)
    return root


XF_SITE = {XF_FORUM: "xenforo_forum.html", XF_FORUM + "page-2": "xenforo_forum_p2.html",
           XF_A: "xenforo_thread_p1.html", XF_A + "page-2": "xenforo_thread_p2.html", XF_B: "xenforo_thread_b.html"}


class LoggingHandler(QuietHandler):
    paths: list[str] = []

    def do_GET(self) -> None:
        self.paths.append(self.path)
        super().do_GET()


def logging_handler() -> type[LoggingHandler]:
    return type("Log", (LoggingHandler,), {"paths": []})


# -- XenForo ----------------------------------------------------------------------------------
def test_xenforo_thread_pages_posts_quotes_signatures_and_deleted_placeholder():
    p1 = xenforo.parse_posts("pt", soup(FORUMS / "xenforo_thread_p1.html"), XF + XF_A)
    p2 = xenforo.parse_posts("pt", soup(FORUMS / "xenforo_thread_p2.html"), XF + XF_A + "page-2")
    assert [d.author for d in p1] == ["commuter_kat", "gravel_gus", "VoltVera", "DieterM", "commuter_kat",
                                      "hilltop_hannah", "spokes_n_volts"]  # the deleted spam post is skipped
    assert [d.author for d in p2] == ["commuter_kat", "VoltVera", "gravel_gus", "mira_rides"]
    docs = p1 + p2
    ids = {d.native_id for d in docs}
    assert len(ids) == 11 and "www.pedelec-talk.example:post-391040" not in ids
    assert [d.kind for d in docs] == ["post"] + ["comment"] * 10
    assert {d.thread_id for d in docs} == {"thread-48213"}
    assert docs[0].created_at == datetime(2023, 11, 28, 7, 41, 12)
    assert docs[0].url == XF + XF_A + "post-391022"
    assert docs[0].title == "Range drops 40% below freezing – normal or a bad pack?"
    gus = docs[1]
    assert "voltage sag" in gus.text and "The display also jumps" not in gus.text and "said:" not in gus.text
    assert gus.parent_id == make_doc_id("pt", "www.pedelec-talk.example:post-391022")
    assert "proper cell heater" not in docs[3].text  # DieterM quotes VoltVera's wish
    everything = "\n".join(d.text for d in docs)
    for signature in ("commuting year round", "Bafang M500", "battery safety sticky", "Graz"):
        assert signature not in everything
    assert "Last edited" not in everything and "Click to expand" not in everything
    assert "Spam" not in everything and "Deleted by" not in everything


def test_xenforo_listing_rows_and_prefixed_title():
    rows = xenforo.listing_threads(soup(FORUMS / "xenforo_forum.html"), XF + XF_FORUM)
    assert [(r["url"], r["posts"]) for r in rows] == [(XF + XF_A, 11), (XF + XF_B, 3)]
    assert rows[1]["title"] == "Torque vs cadence sensor for steep hills?"  # the "Question" prefix is a link too
    docs = xenforo.parse_posts("pt", soup(FORUMS / "xenforo_thread_b.html"), XF + XF_B)
    assert docs[0].title == "Torque vs cadence sensor for steep hills?" and docs[0].thread_id == "thread-48377"
    assert [d.kind for d in docs] == ["post", "comment", "comment"]


def test_xenforo_listing_crawl_pagination_and_incremental_recrawl(tmp_path, static_server):
    handler = logging_handler()
    base = static_server(site(tmp_path, XF_SITE), handler)
    src = xenforo.XenforoSource("pt", xenforo.XenforoOptions(url=base + XF_FORUM), client=client())
    docs = list(src.fetch(None))
    assert len(docs) == len({d.native_id for d in docs}) == 14  # 11 + 3; B listed again on page 2
    assert sum(d.kind == "post" for d in docs) == 2
    assert [p for p in handler.paths if p != "/robots.txt"] == [XF_FORUM, XF_A, XF_A + "page-2", XF_B,
                                                                 XF_FORUM + "page-2"]
    again = xenforo.XenforoSource("pt", xenforo.XenforoOptions(url=base + XF_FORUM), client=client())
    assert list(again.fetch(src.cursor())) == []
    # A new reply: the listing count goes up and the crawl resumes from the thread's last page.
    page2 = tmp_path / XF_A.strip("/") / "page-2"
    html = page2.read_text()
    start = html.rindex("<article class=", 0, html.index('data-author="mira_rides"'))
    last = html[start:html.index("</article>\n", start) + len("</article>\n")]
    reply = last.replace("392301", "392399").replace("Found this thread by searching", "Ordered the cover")
    page2.write_text(html.replace(last, last + reply))
    listing = tmp_path / XF_FORUM.strip("/") / "index.html"
    listing.write_text(listing.read_text().replace("<dt>Replies</dt><dd>10</dd>", "<dt>Replies</dt><dd>11</dd>"))
    handler.paths.clear()
    new = list(xenforo.XenforoSource("pt", xenforo.XenforoOptions(url=base + XF_FORUM), client=client())
               .fetch(again.cursor()))
    assert [d.native_id for d in new] == ["127.0.0.1:" + base.rsplit(":", 1)[1] + ":post-392399"]
    assert new[0].text.startswith("Ordered the cover") and XF_A not in handler.paths  # page 1 not re-read


# -- vBulletin --------------------------------------------------------------------------------
def test_vbulletin4_thread():
    url = "https://www.espressocorner.example" + VB4_THREAD
    docs = vbulletin.parse_posts("ec", soup(FORUMS / "vb4_thread.html"), url)
    assert [d.author for d in docs] == ["beanhound", "crema_carl", "Ana_Lisboa", "beanhound", "tech_tomasz",
                                        "latte_leo"]  # the deleted post has no message
    assert len({d.native_id for d in docs}) == 6 and {d.thread_id for d in docs} == {"t=88412"}
    assert [d.kind for d in docs] == ["post"] + ["comment"] * 5
    assert docs[0].created_at == datetime(2019, 3, 14, 7, 52) and docs[3].created_at == datetime(2019, 3, 16, 10, 5)
    assert docs[0].url == url + "?p=1204711#post1204711"
    assert docs[0].title == "Brevetta Duo: pump noise and temperature swings after descaling"
    carl = docs[1]
    assert "scale came loose" in carl.text and "rattles for a few seconds" not in carl.text
    assert "Originally Posted by" not in carl.text
    assert carl.parent_id == make_doc_id("ec", "www.espressocorner.example:post1204711")
    assert "Run a couple of litres" not in docs[3].text
    everything = "\n".join(d.text for d in docs)
    assert "I've owned the Brevetta Duo for 11 months" in everything  # vB4's blockquote wrapper is kept
    for noise in ("way too many beans", "pressure-profiled", "Authorized service for", "Reply With Quote",
                  "Join Date", "deleted by"):
        assert noise not in everything


def test_vbulletin3_thread_quotes_signatures_relative_dates_and_next_page():
    url = "http://www.home-espresso.example/forum/showthread.php?t=45117"
    s = soup(FORUMS / "vb3_thread.html")
    docs = vbulletin.parse_posts("he", s, url)
    assert [d.author for d in docs] == ["crema_carl", "milkjug_mo", "crema_carl", "old_gaggia_guy", "steamy_sue"]
    assert [d.native_id for d in docs][0] == "www.home-espresso.example:post45117"
    assert docs[0].kind == "post" and {d.thread_id for d in docs} == {"t=45117"}
    assert docs[1].created_at == datetime(2009, 2, 11, 22, 2)
    assert docs[4].created_at.date() == (utcnow() - timedelta(days=1)).date()  # "Yesterday, 11:20 AM"
    assert docs[1].text.startswith("Check the holes") and "Quote:" not in docs[1].text
    assert "sputters half way" not in docs[1].text and "too aggressive for a small jug" not in docs[3].text
    everything = "\n".join(d.text for d in docs)
    for signature in ("____", "hand grinder, tiny kitchen", "My restorations"):
        assert signature not in everything
    assert docs[0].title == "Casabarista Classic: steam wand losing pressure after 6 months"
    src = vbulletin.VbulletinSource("he", vbulletin.VbulletinOptions(url=url), client=client())
    assert src.next_page(s, url) == "http://www.home-espresso.example/forum/showthread.php?t=45117&page=2"


def test_vbulletin_listing_crawl(tmp_path, static_server):
    rows = vbulletin.listing_threads(soup(FORUMS / "vb4_forum.html"), "https://x" + VB4_FORUM)
    assert [r["posts"] for r in rows] == [6, 15, 1206]
    # vBulletin 4 pages set <base href> at the forum root; relative links resolve against it.
    based = BeautifulSoup('<base href="https://x/forum/" /><a id="thread_title_1" href="threads/1-a">a</a>', "lxml")
    assert vbulletin.listing_threads(based, "https://x/forum/forums/7-b")[0]["url"] == "https://x/forum/threads/1-a"
    base = static_server(site(tmp_path, {VB4_FORUM: "vb4_forum.html", VB4_THREAD: "vb4_thread.html"}))
    opts = vbulletin.VbulletinOptions(url=base + VB4_FORUM, max_threads=1)
    src = vbulletin.VbulletinSource("ec", opts, client=client())
    assert len(list(src.fetch(None))) == 6
    assert list(vbulletin.VbulletinSource("ec", opts, client=client()).fetch(src.cursor())) == []


# -- generic ----------------------------------------------------------------------------------
def test_generic_custom_forum_pages():
    p1 = generic.parse_page("cc", soup(FORUMS / "django_thread_p1.html"), "https://cremaclub.example" + DJANGO)
    p2 = generic.parse_page("cc", soup(FORUMS / "django_thread_p2.html"),
                            "https://cremaclub.example" + DJANGO + "page/2/")
    assert [d.author for d in p1] == ["linnea_k", "barista_bo", "dialled_in_dan", "linnea_k", "greta_grinds"]
    assert [d.author for d in p2] == ["mazzo_support", "dialled_in_dan"]
    assert [d.kind for d in p1 + p2] == ["post"] + ["comment"] * 6  # page 2 has a "‹ Previous" link
    assert [d.native_id for d in p1][:2] == ["cremaclub.example:c-10482", "cremaclub.example:c-10487"]
    assert p1[0].created_at == datetime(2024, 3, 14, 9, 2, 11) and p1[0].url.endswith(DJANGO + "#c-10482")
    assert {d.thread_id for d in p1 + p2} == {"cremaclub.example" + DJANGO}
    assert p1[1].text.startswith("Spritz the beans") and "16.8 to 17.5" not in p1[1].text
    assert "Spritz the beans" not in p1[3].text and "wrote:" not in p1[3].text
    everything = "\n".join(d.text for d in p1 + p2)
    for noise in ("too much coffee", "no regrets", "Reply", "Report", "Owner", "Staff", "▲"):
        assert noise not in everything
    assert p1[0].title == "Mazzo M2: retention and static are driving me nuts"


def test_generic_bbpress_header_siblings():
    docs = generic.parse_page("th", soup(FORUMS / "bbpress_topic.html"), BBPRESS)
    assert [d.author for d in docs] == ["jo_rides", "Marek T.", "TrailheadSupport", "sunny_commute", "jo_rides",
                                        "pete.k"]
    assert [d.native_id.split(":")[1] for d in docs] == ["post-4021", "post-4027", "post-4033", "post-4040",
                                                        "post-4046", "post-4052"]
    assert docs[0].created_at == datetime(2024, 3, 3, 21, 15) and docs[0].url == BBPRESS + "#post-4021"
    assert docs[0].kind == "post" and all(d.kind == "comment" for d in docs[1:])
    assert "dielectric grease in" not in docs[2].text and docs[2].text.startswith("Thanks Marek")
    assert not any("Participant" in d.text or "Keymaster" in d.text for d in docs)


def test_generic_prefers_json_ld():
    docs = generic.parse_page("cb", soup(FORUMS / "jsonld_thread.html"), JSONLD)
    assert [d.native_id.split(":")[1] for d in docs] == ["1873-1", "1873-2", "1873-3", "1873-5", "1873-6", "1873-4"]
    assert docs[0].kind == "post" and docs[0].title == "Box bike or longtail for two kids?"
    assert docs[0].created_at == datetime(2024, 4, 2, 18, 14, 9)  # +02:00 to UTC
    by_id = {d.native_id.split(":")[1]: d for d in docs}
    assert by_id["1873-6"].parent_id == by_id["1873-5"].doc_id and by_id["1873-5"].parent_id == by_id["1873-3"].doc_id
    assert by_id["1873-6"].author == "mama_on_wheels" and "said:" not in by_id["1873-6"].text


def test_generic_reads_microdata():
    html = """<html><body><div itemscope itemtype="https://schema.org/DiscussionForumPosting" id="t9">
      <h1 itemprop="headline">Rear hub clicks</h1>
      <span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">ana</span></span>
      <time itemprop="datePublished" datetime="2024-05-01T10:00:00Z">May 1</time>
      <div itemprop="text"><p>The rear hub clicks under load since the last service, dealer cannot find it.</p></div>
      <div itemprop="comment" itemscope itemtype="https://schema.org/Comment" id="c1">
        <span itemprop="author">ben</span><meta itemprop="datePublished" content="2024-05-01T11:30:00Z">
        <div itemprop="text"><blockquote>dealer cannot find it</blockquote><p>Check the freehub pawls.</p></div>
      </div></div></body></html>"""
    docs = generic.parse_page("m", BeautifulSoup(html, "lxml"), "https://bikes.example/t/9")
    assert [(d.native_id, d.kind, d.author) for d in docs] == [("bikes.example:t9", "post", "ana"),
                                                             ("bikes.example:c1", "comment", "ben")]
    assert docs[1].text == "Check the freehub pawls." and docs[1].created_at == datetime(2024, 5, 1, 11, 30)


def test_generic_crawl_follows_next_text_link_and_recrawls_nothing(tmp_path, static_server):
    pages = {DJANGO: "django_thread_p1.html", DJANGO + "page/2/": "django_thread_p2.html"}
    base = static_server(site(tmp_path, pages))
    src = generic.GenericSource("cc", generic.GenericOptions(url=base + DJANGO), client=client())
    docs = list(src.fetch(None))
    assert len(docs) == len({d.native_id for d in docs}) == 7 and docs[-1].author == "dialled_in_dan"
    assert list(generic.GenericSource("cc", generic.GenericOptions(url=base + DJANGO), client=client())
                .fetch(src.cursor())) == []


def test_generic_generalises_to_a_real_phpbb_page(shared):
    s = soup(shared / "forum_phpbb_dostips_html" / "viewtopic1ff8.html")
    url = "https://www.dostips.com/forum/viewtopic.php?f=3&t=1592"
    docs, reference = generic.parse_page("dostips", s, url), phpbb_posts("dostips", s, url)
    assert len(docs) == 15
    assert [d.author for d in docs] == [d.author for d in reference] and docs[0].author == "ice_531"
    assert [d.created_at for d in docs] == [d.created_at for d in reference]
    assert [d.native_id for d in docs] == [d.native_id for d in reference]
    assert docs[0].kind == "post" and "FINDSTR" not in docs[0].text
    assert "I am currently trying to get a batch file to work correctly" in docs[0].text


# -- forum: engine choice ---------------------------------------------------------------------
@pytest.mark.parametrize("name, engine", [
    ("xenforo_thread_p1.html", "xenforo"), ("xenforo_thread_p2.html", "xenforo"), ("xenforo_thread_b.html", "xenforo"),
    ("xenforo_forum.html", "xenforo"), ("xenforo_forum_p2.html", "xenforo"), ("vb4_thread.html", "vbulletin"),
    ("vb4_forum.html", "vbulletin"), ("vb3_thread.html", "vbulletin"), ("django_thread_p1.html", "generic"),
    ("django_thread_p2.html", "generic"), ("bbpress_topic.html", "generic"), ("jsonld_thread.html", "generic"),
])
def test_detect_engine_on_fixtures(name, engine):
    assert detect_engine("https://example.org/x", (FORUMS / name).read_text(), "text/html; charset=utf-8") == engine


def test_detect_engine_on_real_pages(shared):
    pages = sorted((shared / "forum_phpbb_dostips_html").glob("*.html"))
    assert len(pages) == 13  # 12 topic pages and the forum listing
    for page in pages:
        body = page.read_text(errors="replace")
        assert detect_engine("https://www.dostips.com/forum/x", body, "text/html") == "phpbb", page.name
    dumps = sorted((shared / "forum_discourse_json").rglob("*.json"))
    assert len(dumps) == 10
    for page in dumps:
        assert detect_engine("https://d.example/t/1.json", page.read_text(), "application/json") == "discourse"
    assert generic.GenericSource.detect("u", (shared / "forum_phpbb_dostips_html" / "viewtopic1ff8.html")
                                        .read_text(errors="replace"), "text/html")


def test_detect_engine_on_discourse_html_and_listing_json():
    page = '<html><head><meta name="generator" content="Discourse 3.2.0 - https://github.com/discourse/discourse">'
    assert detect_engine("https://d.example/", page + "</head><body></body></html>", "text/html") == "discourse"
    listing = (Path(__file__).parents[2] / "examples/demo/site/discourse/latest.json").read_text()
    assert detect_engine("https://d.example/latest.json", listing, "application/json") == "discourse"
    assert detect_engine("https://d.example/x", "<html><body><p>Opening hours</p></body></html>", "text/html") == "generic"


def test_forum_source_auto_detects_and_delegates(tmp_path, static_server):
    handler = logging_handler()
    base = static_server(site(tmp_path, XF_SITE), handler)
    src = ForumSource("pt", ForumOptions(url=base + XF_FORUM), client=client())
    docs = list(src.fetch(None))
    assert src.detected_engine == "xenforo" and len(docs) == 14
    assert handler.paths.count(XF_FORUM) == 1  # the detection fetch is handed to the engine
    cursor = src.cursor()
    assert cursor["engine"] == "xenforo" and XF_A.strip("/") in json.dumps(cursor["state"])
    again = ForumSource("pt", ForumOptions(url=base + XF_FORUM), client=client())
    assert list(again.fetch(cursor)) == [] and again.detected_engine == "xenforo"


def test_forum_source_runs_phpbb(demo_server):
    phpbb = ForumSource("botvac", ForumOptions(url=demo_server + "/forum/index.html"), client=client())
    assert len(list(phpbb.fetch(None))) == 229 and phpbb.detected_engine == "phpbb"


def test_forum_source_runs_discourse_from_a_topic_url(shared, tmp_path, static_server):
    (tmp_path / "t").mkdir()
    shutil.copy(shared / "forum_discourse_json" / "discourse_api_fixtures" / "topic.json", tmp_path / "t" / "57.json")
    base = static_server(tmp_path)
    disc = ForumSource("try", ForumOptions(url=base + "/t/57.json"), client=client())
    assert [d.native_id for d in disc.fetch(None)] == ["post:83", "post:226"] and disc.detected_engine == "discourse"


def test_engine_options_from_the_shared_ones():
    classes = forum_engines()
    disc = engine_options(classes["discourse"], ForumOptions(url="https://meta.example/forum/t/some-topic/57/3"))
    assert (disc.base_url, disc.topics) == ("https://meta.example/forum", [57])
    cat = engine_options(classes["discourse"], ForumOptions(url="https://d.example/c/espresso/12", max_threads=5))
    assert (cat.base_url, cat.category, cat.max_topics) == ("https://d.example", "espresso/12", 5)
    root = engine_options(classes["discourse"], ForumOptions(base_url="https://d.example/"))
    assert root.base_url == "https://d.example"
    xf = engine_options(classes["xenforo"], ForumOptions(engine="xenforo", url=XF + XF_FORUM, max_pages=3))
    assert (xf.url, xf.max_pages, xf.max_threads) == (XF + XF_FORUM, 3, 200)
    assert engine_options(classes["generic"], ForumOptions(url=XF, min_chars=80)).min_chars == 80
    assert isinstance(engine_options(classes["phpbb"], ForumOptions(url=XF)), PhpbbSource.Options)
    with pytest.raises(ValidationError, match="set url"):
        ForumOptions(engine="phpbb")
    with pytest.raises(ValidationError):
        ForumOptions(url="ftp://x.example/")


# -- shared helpers ---------------------------------------------------------------------------
def test_dates_pages_and_counts():
    assert parse_date("March 3, 2024 at 9:15 pm") == datetime(2024, 3, 3, 21, 15)
    assert parse_date("03-14-2019,\xa007:52 AM") == datetime(2019, 3, 14, 7, 52)
    assert parse_date("2023-11-28T07:41:12+0000") == datetime(2023, 11, 28, 7, 41, 12)
    assert parse_date("1701157272") == parse_date(1701157272) == datetime(2023, 11, 28, 7, 41, 12)
    assert parse_date("Posted: 21 Jan 2011 10:10") == datetime(2011, 1, 21, 10, 10)
    assert parse_date("Today, 09:14", now=datetime(2024, 5, 2, 12)) == datetime(2024, 5, 2, 9, 14)
    for not_a_date in ("Posts: 378", "2011", "Re: Marco's idea", "#1", "", None):
        assert parse_date(not_a_date) is None
    urls = ("/t/a.1/page-3", "/x/page2", "/t?page=4", "/v?t=1&start=0", "/v?t=1&start=15", "/t/a.1/")
    assert [page_number(u) for u in urls] == [3, 2, 4, 1, 2, 1]
    assert thread_url_key("https://h.example/t/a.1/page-3#post-9") == "h.example/t/a.1/"
    assert thread_url_key("https://h.example/v.php?t=1&start=15") == "h.example/v.php?t=1"
    assert reply_count("1,204") == 1204 and reply_count("1.2K") is None and reply_count(None) is None
    s = BeautifulSoup('<a href="#">»</a><a href="/t?page=2">Next »</a><a href="/t?page=0" rel="prev">x</a>', "lxml")
    assert next_link(s, "https://h.example/t", ("a[rel=next]",), by_text=True) == "https://h.example/t?page=2"
    assert next_link(s, "https://h.example/t", ("a[rel=next]",)) is None
    assert not is_first_page(s, "https://h.example/t")
