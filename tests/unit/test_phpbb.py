from bs4 import BeautifulSoup

from scrapers.http import PoliteClient
from scrapers.forums.phpbb import PhpbbOptions, PhpbbSource, next_page, parse_posts, thread_key
from voc.config import Settings


def client():
    return PoliteClient(Settings(http_min_interval=0.0), sleep=lambda s: None)


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "lxml")


def test_real_phpbb_topic_page(shared):
    page = shared / "forum_phpbb_dostips_html" / "viewtopic1ff8.html"
    s = soup(page)
    docs = parse_posts("dostips", s, "https://www.dostips.com/forum/viewtopic.php?f=3&t=1592")
    assert len(docs) == len(s.select("div.post[id^=p] div.content")) == 15
    first = docs[0]
    assert first.author == "ice_531" and first.created_at.isoformat() == "2011-01-21T10:10:00"
    assert first.kind == "post" and all(d.kind == "comment" for d in docs[1:])
    assert first.title == "string manipulation help"
    assert "FINDSTR" not in first.text  # code blocks are not customer language
    assert "I am currently trying to get a batch file to work correctly" in first.text
    assert next_page(s, "https://www.dostips.com/forum/viewtopic.php?f=3&t=1592") is not None


def test_real_pages_of_one_topic_share_a_thread_id(shared):
    d = shared / "forum_phpbb_dostips_html"
    assert thread_key(soup(d / "viewtopic1ff8.html"), "https://x/viewtopic.php?p=1") == "t=1592"
    assert thread_key(soup(d / "viewtopic22cb.html"), "https://x/viewtopic.php?p=2") == "t=1592"


def test_real_quotes_stay_with_the_quoted_post(shared):
    s = soup(shared / "forum_phpbb_dostips_html" / "viewtopic08f5.html")
    docs = {d.native_id.split(":p")[1]: d for d in parse_posts("dostips", s, "https://www.dostips.com/forum/viewtopic.php?t=1")}
    checked = 0
    for post in s.select("div.post[id^=p]"):
        quote = post.select_one("div.content blockquote")
        if quote is None:
            continue
        quote.select_one("cite").decompose()
        quoted = " ".join(quote.get_text(" ", strip=True).split())[:30]
        if len(quoted) < 20 or "Code" in quoted:
            continue
        doc = docs[post["id"][1:]]
        assert quoted not in " ".join(doc.text.split()), post["id"]
        assert "wrote:" not in doc.text
        checked += 1
    assert checked >= 2


def test_demo_forum_listing_pagination_and_incremental_recrawl(demo_server):
    src = PhpbbSource("botvac", PhpbbOptions(url=demo_server + "/forum/index.html"), client=client())
    docs = list(src.fetch(None))
    assert len(docs) == len({d.native_id for d in docs}) == 229
    thread_108 = [d for d in docs if d.thread_id.endswith("viewtopic-108.html")]
    assert len(thread_108) == 33  # three pages: 15 + 15 + 3
    assert sum(d.kind == "post" for d in docs) == 28  # one opening post per thread
    assert all(d.author and d.created_at for d in docs)
    again = PhpbbSource("botvac", PhpbbOptions(url=demo_server + "/forum/index.html"), client=client())
    assert list(again.fetch(src.cursor())) == []
