"""Forum engines on pages written for these tests (tests/fixtures/forums): a customised vBulletin 3
skin in windows-1252, SMF 2.1 and 2.0 (German), Vanilla; relative and localised dates."""

import shutil
from datetime import datetime

import pytest
from bs4 import BeautifulSoup

from scrapers.forum import ForumOptions, ForumSource
from scrapers.forums import generic, vbulletin
from scrapers.forums.dates import parse_date, post_date
from scrapers.forums.detect import detect_engine, forum_engines
from scrapers.forums.smf import SmfSource
from scrapers.http import PoliteClient, Response
from tests.conftest import FIXTURES
from voc.config import Settings

FORUMS = FIXTURES / "forums"
NOW = datetime(2024, 5, 27, 22, 0)


def page(name: str) -> str:
    """A fixture as the HTTP layer decodes it when the server sends no charset."""
    return Response("http://x/", 200, {"content-type": "text/html"}, (FORUMS / name).read_bytes()).text


def read(name: str, url: str, now: datetime = NOW):
    body = page(name)
    engine = detect_engine(url, body, "text/html")
    cls = forum_engines()[engine]
    notes: dict = {}
    return engine, cls(engine, cls.Options.model_construct(), client=None).page_documents(url, body, now, notes), notes


# -- dates ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, when", [
    ("3 hours ago", datetime(2024, 5, 27, 19, 0)),
    ("Yesterday at 9:15 PM", datetime(2024, 5, 26, 21, 15)),
    ("Today, 09:14", datetime(2024, 5, 27, 9, 14)),
    ("12. März 2024", datetime(2024, 3, 12)),
    ("« Antwort #1 am: 12. März 2024, 22:01:09 »", datetime(2024, 3, 12, 22, 1, 9)),
    ("vor 2 Tagen", datetime(2024, 5, 25, 22, 0)),
    ("il y a 3 jours", datetime(2024, 5, 24, 22, 0)),
    ("发表于 2024-4-5 23:20:45", datetime(2024, 4, 5, 23, 20, 45)),
    ("3 天前", datetime(2024, 5, 24, 22, 0)),
    ("posted May 20, 2024, 7:04 PM", datetime(2024, 5, 20, 19, 4)),
    ("Dec 12", datetime(2023, 12, 12)),  # no year, read in May: last December, not a future one
    ("1715002938786", datetime(2024, 5, 6, 13, 42, 18, 786000)),  # epoch milliseconds
])
def test_relative_and_localised_dates_count_from_the_fetch_time(text, when):
    assert parse_date(text, now=NOW) == when


@pytest.mark.parametrize("text", ["Posts: 378", "#1", "Permalink", "Reply", "Member", "May", "1", ""])
def test_what_is_not_a_date_stays_none(text):
    assert parse_date(text, now=NOW) is None


def test_the_post_date_wins_over_join_visit_and_edit_dates():
    html = """<div class="post">
      <div class="userinfo"><span class="date">Dec 29, 2006</span>
        <div>Joined: <time datetime="2006-12-29">x</time></div>
        <dl><dt>Last visit</dt><dd>May 26, 2024</dd></dl><div class="birthday">Mar 3, 1980</div></div>
      <div class="posthead"><a href="/t/1#post7" class="permalink">
        <time datetime="2012-09-20T11:16:00Z">Sep 20</time></a></div>
      <div class="body">I wrote this on <time datetime="2001-01-01">New Year</time>.</div>
      <div class="editnote">Last edited: May 1, 2013</div></div>"""
    post = BeautifulSoup(html, "lxml").select_one("div.post")
    found = post_date(post, skip=[post.select_one(".body")], now=NOW)
    assert found.value == datetime(2012, 9, 20, 11, 16) and found.where == "time@datetime"
    bare = BeautifulSoup('<div><div class="profile">Registered: Dec 29, 2006</div><p>text</p></div>', "lxml").div
    assert post_date(bare, now=NOW) is None  # only a join date: none, never a guess


# -- a customised vBulletin 3 skin, windows-1252 declared only by <meta> ----------------------------
VB3 = "http://www.coffeecorner.example/forums/showthread.php?t=45117"


def test_customised_vbulletin3_is_recognised_and_dated_by_its_posts():
    engine, docs, notes = read("vb3_custom_cp1252.html", VB3)
    assert engine == "vbulletin"  # no "vBulletin" anywhere on the page: its template ids tell
    assert len(docs) == 10 and [d.author for d in docs[:3]] == ["doserdan", "crema_carl", "doserdan"]
    assert (docs[0].created_at, docs[-1].created_at) == (datetime(2012, 9, 20, 11, 16), datetime(2012, 10, 2, 8, 40))
    assert all(notes[d.native_id]["date"] == "td.postdate" for d in docs)  # never "Registered: Dec 29, 2006"
    assert docs[0].text.endswith("A new one is £48 and I’d rather not guess.") and "Silvia (v3" in docs[0].text
    assert "“brew temp drops mid-shot”" in docs[1].text and "Café" not in docs[5].text  # location is not text
    assert "How long do you leave it" not in docs[2].text and "Quote:" not in docs[2].text
    assert not any("too many grinders" in d.text or "Last edited" in d.text for d in docs)
    assert docs[0].kind == "post" and docs[0].native_id == "www.coffeecorner.example:post881201"


def test_the_generic_engine_also_takes_the_post_date_not_the_join_date():
    docs = generic.parse_page("cc", BeautifulSoup(page("vb3_custom_cp1252.html"), "lxml"), VB3, now=NOW)
    assert len(docs) == 10 and {d.created_at.year for d in docs} == {2012}
    assert [d.created_at for d in docs] == [d.created_at for d in
                                            vbulletin.parse_posts("cc", BeautifulSoup(page("vb3_custom_cp1252.html"),
                                                                                      "lxml"), VB3)]


# -- SMF --------------------------------------------------------------------------------------------
def test_smf21_topic_with_relative_dates():
    engine, docs, notes = read("smf_topic.html", "https://forum.robovac-owners.example/index.php?topic=4821.0")
    assert engine == "smf" and [d.author for d in docs] == ["roomba_rita", "dockdoctor", "roomba_rita", "henrik_k"]
    assert [d.created_at for d in docs] == [datetime(2024, 5, 27, 21, 15, 33), datetime(2024, 5, 27, 20, 2, 10),
                                            datetime(2024, 5, 26, 11, 2, 10), datetime(2024, 5, 20, 6, 48, 51)]
    assert docs[2].parent_id == docs[1].doc_id and "Pull the dock 10 cm" not in docs[2].text  # quote out, parent kept
    assert not any("Maps or it didn't happen" in d.text for d in docs)  # signatures are not text
    assert docs[0].url.endswith("?topic=4821.msg58102#msg58102") and notes[docs[0].native_id]["date"] == "a.smalltext"
    # The same page read a day later: "Today" and "Yesterday" move with the fetch time, nothing else does.
    later = read("smf_topic.html", "https://forum.robovac-owners.example/index.php?topic=4821.0",
                 now=datetime(2024, 5, 28, 8, 0))[1]
    assert [d.created_at.day for d in later] == [28, 28, 27, 20]


def test_smf20_topic_in_german():
    engine, docs, _ = read("smf20_topic_de.html", "https://kaffee-forum.example/index.php?topic=812.0")
    assert engine == "smf" and [d.author for d in docs] == ["kaffeeklaus", "baristabernd", "kaffeeklaus"]
    assert [d.created_at for d in docs] == [datetime(2024, 3, 12, 21, 15, 33), datetime(2024, 3, 12, 22, 1, 9),
                                            datetime(2024, 3, 14, 7, 48, 55)]
    assert docs[1].text.startswith("Das klingt nach Kalkbrocken") and "Dabei seit" not in docs[0].text


def test_smf_board_listing_and_crawl(tmp_path, static_server):
    board = SmfSource("ro", SmfSource.Options(url="https://x.example/index.php/board,3.0.html"))
    rows = board.listing_threads(BeautifulSoup(page("smf_board.html"), "lxml"),
                                 "https://x.example/index.php/board,3.0.html")
    assert [(r["url"], r["posts"]) for r in rows] == [("https://x.example/index.php/topic,4821.0.html", 4),
                                                     ("https://x.example/index.php/topic,3001.0.html", 1)]
    (tmp_path / "index.php").mkdir()
    shutil.copy(FORUMS / "smf_board.html", tmp_path / "index.php" / "board,3.0.html")
    shutil.copy(FORUMS / "smf_topic.html", tmp_path / "index.php" / "topic,4821.0.html")
    base = static_server(tmp_path)
    client = PoliteClient(Settings(http_min_interval=0.0), sleep=lambda s: None)
    src = ForumSource("ro", ForumOptions(url=base + "/index.php/board,3.0.html", max_threads=1), client=client)
    docs = list(src.fetch(None))
    assert src.detected_engine == "smf" and len(docs) == 4 and docs[0].author == "roomba_rita"
    again = ForumSource("ro", ForumOptions(url=base + "/index.php/board,3.0.html", max_threads=1), client=client)
    assert list(again.fetch(src.cursor())) == []  # the listing shows no new reply


# -- phpBB 3 subsilver2 ------------------------------------------------------------------------------
def test_phpbb_subsilver2_style():
    engine, docs, notes = read("phpbb_subsilver2.html", "https://pedelec-riders.example/viewtopic.php?f=4&t=9120")
    assert engine == "phpbb" and [d.author for d in docs] == ["lena_w", "Marek_T", "lena_w"]
    assert [d.created_at for d in docs] == [datetime(2024, 3, 3, 21, 15), datetime(2024, 3, 3, 22, 2),
                                            datetime(2024, 3, 4, 7, 31)]  # "Posted:", not "Joined: ... 2018"
    assert {d.thread_id for d in docs} == {"t=9120"} and docs[0].kind == "post"
    assert docs[0].text.startswith("Since it got below zero") and not any("Commuting 20 km" in d.text for d in docs)


# -- Vanilla ----------------------------------------------------------------------------------------
def test_vanilla_discussion_and_comments():
    engine, docs, _ = read("vanilla_discussion.html", "https://community.dustly.example/discussion/9912/x")
    assert engine == "vanilla"
    assert [(d.native_id.split(":")[1], d.kind, d.author) for d in docs] == [
        ("Discussion_9912", "post", "mika_h"), ("Comment_77231", "comment", "Dustly_Jonas"),
        ("Comment_77240", "comment", "homebody_ines"), ("Comment_77288", "comment", "mika_h")]
    assert docs[0].created_at == datetime(2024, 4, 9, 19, 12, 44)
    assert docs[3].created_at == datetime(2024, 4, 12, 16, 20, 3)
    assert docs[2].text.startswith("They are not, at least not on the D5") and "Like" not in docs[2].text
    assert docs[1].url == "https://community.dustly.example/discussion/comment/77231/#Comment_77231"


def test_every_engine_selector_is_valid_css():
    import soupsieve

    from scrapers.forums.markup import MarkupSource

    checked = 0
    for key, cls in forum_engines().items():
        if not issubclass(cls, MarkupSource):
            continue
        markup = cls.MARKUP
        selectors = [markup.posts, markup.body, markup.pid, markup.link, markup.skip, markup.parent, markup.opener,
                     *markup.author, *markup.date, *markup.drop, *cls.NEXT, cls.THREAD]
        for listing in cls.LISTINGS:
            selectors += [listing.link, listing.rows, listing.around, listing.replies]
        for selector in filter(None, selectors):
            css = selector.partition("@")[0]
            if css:
                soupsieve.compile(css)
                checked += 1
    assert checked > 150
