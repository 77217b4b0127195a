"""Q&A and review sources: Stack Exchange (API and data dump), schema.org reviews, app stores.

API responses and pages are fixtures we wrote in tests/fixtures/qa_reviews, served from a local
server; the data-dump tests replay the real coffee.stackexchange.com Posts.xml from ../shared.
"""

import json
import re
import shutil
import threading
import tracemalloc
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from scrapers.appstore import AppStoreOptions, AppStoreSource
from scrapers.googleplay import GooglePlayOptions, GooglePlaySource
from scrapers.http import PoliteClient
from scrapers.jsonld import JsonLdOptions, JsonLdReviewSource
from scrapers.reviews import keep_rating, normalise_rating
from scrapers.se_dump import SeDumpOptions, StackExchangeDumpSource
from scrapers.stackexchange import StackExchangeOptions, StackExchangeSource
from tests.conftest import FIXTURES
from voc.config import Settings
from voc.errors import VocError
from voc.schema import make_doc_id

FIX = FIXTURES / "qa_reviews"


def load(name):
    return json.loads((FIX / name).read_text(encoding="utf-8"))


def recording_client(log):
    """No politeness interval; every sleep the client is asked for lands in ``log``."""
    return PoliteClient(Settings(http_min_interval=0.0), sleep=lambda s: log.append(("sleep", s)))


# -- shared review rules --------------------------------------------------------------------
def test_keep_rating_matches_the_file_import_rule():
    assert [r for r in (0, 1, 2, 3, 4, 4.5, 5) if keep_rating(r)] == [2, 3, 4]
    assert keep_rating(None) and keep_rating(5, None, 5) and not keep_rating(1, None, None)


def test_normalise_rating_scales():
    assert normalise_rating("4") == 4.0  # 1-5 stars unchanged
    assert normalise_rating(8, best=10, worst=0) == 4.0
    assert normalise_rating("5.5", best="10") == 3.0  # 1-10 onto 1-5
    assert normalise_rating("4,5 von 5") == 4.5
    assert normalise_rating(None) is None and normalise_rating("n/a") is None


# -- Stack Exchange API ----------------------------------------------------------------------
class FakeSE(BaseHTTPRequestHandler):
    """Answers like api.stackexchange.com from the recorded pages, routed by path and query."""

    log: list = []
    quota_out = False

    def log_message(self, *a):
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.log.append(("get", parts.path, query))
        if parts.path == "/2.3/questions":
            body = self._questions(query)
        elif parts.path.startswith("/2.3/questions/") and parts.path.endswith("/answers"):
            ids = {int(i) for i in parts.path.split("/")[3].split(";")}
            body = load("se_answers.json")
            body["items"] = [a for a in body["items"] if a["question_id"] in ids]
        elif parts.path == "/2.3/search/advanced":
            body = load("se_questions_page2.json")
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _questions(self, query):
        if "min" not in query:
            return load("se_questions_quota.json" if self.quota_out else "se_questions_page1.json")
        page2 = load("se_questions_page2.json")
        if int(query["min"]) == page2["items"][0]["last_activity_date"]:
            return page2
        # any later min: what the API would list, i.e. the questions active since then
        items = load("se_questions_page1.json")["items"] + page2["items"][1:]
        return {"items": [q for q in items if q["last_activity_date"] >= int(query["min"])],
                "has_more": False, "quota_max": 300, "quota_remaining": 280}


@pytest.fixture
def se_api():
    FakeSE.log, FakeSE.quota_out = [], False
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSE)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/2.3"
    server.shutdown()
    server.server_close()


def se_source(api, **opts):
    options = StackExchangeOptions(site="coffee", api_url=api, **opts)
    return StackExchangeSource("coffee_se", options, client=recording_client(FakeSE.log))


def api_calls(log):
    return [entry for entry in log if entry[0] == "get" and entry[1] != "/robots.txt"]


def test_se_api_pages_links_answers_and_honours_backoff(se_api, monkeypatch):
    monkeypatch.delenv("STACKEXCHANGE_KEY", raising=False)
    src = se_source(se_api, tagged=["espresso", "grinder"])
    docs = list(src.fetch(None))
    kinds = Counter(d.kind for d in docs)
    assert kinds == {"question": 5, "answer": 6}
    questions = {d.native_id: d for d in docs if d.kind == "question"}
    for ans in (d for d in docs if d.kind == "answer"):
        parent = questions[f"question:{ans.thread_id.split(':')[1]}"]
        assert ans.parent_id == parent.doc_id == make_doc_id("coffee_se", parent.native_id)
        assert ans.url.startswith("https://coffee.stackexchange.com/a/")
    q = questions["question:4102"]
    assert q.text.startswith("Why does my espresso taste sour even at 30 seconds?\n\n")
    assert "I've read" in q.text and "dose 18g" not in q.text  # entities decoded, code dropped
    assert q.url.startswith("https://coffee.stackexchange.com/questions/4102/")
    assert q.author == "user:902" and q.score == 4.0 and q.created_at == datetime(2023, 11, 14, 19, 43, 20)
    assert "I have to take the top burr out" not in next(d for d in docs if d.native_id == "answer:4112").text

    calls = api_calls(FakeSE.log)
    assert [c[1] for c in calls] == ["/2.3/questions", "/2.3/questions/4101;4102;4103/answers",
                                     "/2.3/questions", "/2.3/questions/4104;4105/answers"]
    first = calls[0][2]
    assert first["filter"] == "withbody" and first["pagesize"] == "100" and first["site"] == "coffee"
    assert first["tagged"] == "espresso;grinder" and "key" not in first
    assert calls[2][2]["min"] == "1700000300"  # keyset paging from the last activity taken
    # page 1 said backoff=10 for /questions: the client slept that long before the next
    # /questions request, and only then (the /answers method was not held back)
    sleeps = [i for i, e in enumerate(FakeSE.log) if e[0] == "sleep"]
    assert len(sleeps) == 1 and FakeSE.log[sleeps[0]][1] >= 10
    assert FakeSE.log[sleeps[0] - 1][1].endswith("/answers") and FakeSE.log[sleeps[0] + 1][1] == "/2.3/questions"
    assert src.cursor() == {"last_activity": 1700000500, "ids": [4105]}

    FakeSE.log.clear()
    again = se_source(se_api)
    assert list(again.fetch(src.cursor())) == []
    calls = api_calls(FakeSE.log)
    assert len(calls) == 1 and calls[0][2]["min"] == "1700000500"


def test_se_api_quota_exhausted_yields_then_fails(se_api, monkeypatch):
    monkeypatch.delenv("STACKEXCHANGE_KEY", raising=False)
    FakeSE.quota_out = True
    src = se_source(se_api)
    got = []
    with pytest.raises(VocError, match=r"quota exhausted.*STACKEXCHANGE_KEY"):
        for doc in src.fetch(None):
            got.append(doc)
    assert [d.native_id for d in got] == ["question:4101", "question:4102", "question:4103"]
    assert all("/answers" not in c[1] for c in api_calls(FakeSE.log))  # no request after quota 0
    # their answers were not fetched, so the cursor does not pass them: the next run re-reads them
    assert src.cursor() == {"last_activity": None, "ids": []}


def test_se_api_search_and_key_from_env_only(se_api, monkeypatch):
    monkeypatch.setenv("STACKEXCHANGE_KEY", "k3y")
    docs = list(se_source(se_api, query="gasket smell").fetch(None))
    assert {d.native_id for d in docs if d.kind == "question"} == {"question:4103", "question:4104", "question:4105"}
    search = api_calls(FakeSE.log)[0]
    assert search[1] == "/2.3/search/advanced" and search[2]["q"] == "gasket smell" and search[2]["key"] == "k3y"
    with pytest.raises(ValidationError, match="key"):
        StackExchangeOptions(site="coffee", key="in-the-study")


# -- Stack Exchange data dump (real coffee.stackexchange.com Posts.xml) ---------------------
def dump_source(path, **opts):
    return StackExchangeDumpSource("coffee_dump", SeDumpOptions(path=str(path), **opts))


def test_se_dump_counts_match_the_file(shared):
    posts = shared / "stackexchange_dumps" / "coffee" / "Posts.xml"
    types = Counter(row.get("PostTypeId") for row in ET.parse(posts).getroot())
    assert sum(types.values()) == 592 and types["1"] == 225 and types["2"] == 327  # + 40 tag wikis
    src = dump_source(posts, site_url="https://coffee.stackexchange.com")
    docs = list(src.fetch(None))
    kinds = Counter(d.kind for d in docs)
    assert kinds == {"question": types["1"], "answer": types["2"]}
    question_ids = {d.doc_id for d in docs if d.kind == "question"}
    assert all(d.parent_id in question_ids for d in docs if d.kind == "answer")
    first = docs[0]
    assert first.native_id == "question:1" and first.url == "https://coffee.stackexchange.com/q/1"
    assert first.title == "How should I store whole bean coffee?" and first.score == 20.0
    assert first.created_at == datetime(2015, 1, 27, 20, 9, 32, 720000) and "<p>" not in first.text
    assert src.cursor()["done"] and list(dump_source(posts).fetch(src.cursor())) == []


def test_se_dump_tag_and_score_filters(shared):
    posts = shared / "stackexchange_dumps" / "coffee" / "Posts.xml"
    root = ET.parse(posts).getroot()
    storage = {r.get("Id") for r in root if r.get("PostTypeId") == "1" and "<storage>" in (r.get("Tags") or "")}
    answers = sum(1 for r in root if r.get("PostTypeId") == "2" and r.get("ParentId") in storage)
    docs = list(dump_source(posts, tags=["Storage"]).fetch(None))
    assert Counter(d.kind for d in docs) == {"question": len(storage), "answer": answers} and storage
    assert {d.thread_id.split(":")[1] for d in docs} == storage
    good = list(dump_source(posts, min_score=5).fetch(None))
    assert good and all(d.score >= 5 for d in good)
    kept = {d.doc_id for d in good if d.kind == "question"}
    assert all(d.parent_id in kept for d in good if d.kind == "answer")


def test_se_dump_resumes_after_a_crash(shared, tmp_path):
    posts = tmp_path / "Posts.xml"
    shutil.copy(shared / "stackexchange_dumps" / "coffee" / "Posts.xml", posts)
    whole = [d.native_id for d in dump_source(posts, tags=["espresso"]).fetch(None)]
    src = dump_source(posts, tags=["espresso"])
    stream = src.fetch(None)
    head = [next(stream).native_id for _ in range(10)]
    cursor = src.cursor()  # what the crawler committed with those 10
    rest = [d.native_id for d in dump_source(posts, tags=["espresso"]).fetch(cursor)]
    assert head + rest == whole  # answers after the resume point still find their questions
    posts.write_text(posts.read_text(encoding="utf-8-sig") + "\n", encoding="utf-8")
    assert len(list(dump_source(posts, tags=["espresso"]).fetch(cursor))) == len(whole)  # new file: re-read


def traced_peak(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_se_dump_memory_stays_flat(shared, tmp_path):
    """Streaming: 4x the rows need about the same memory, a fraction of the parsed tree's."""
    posts = shared / "stackexchange_dumps" / "coffee" / "Posts.xml"
    text = posts.read_text(encoding="utf-8-sig")
    head, _, rest = text.partition("<posts>")
    rows, _, tail = rest.rpartition("</posts>")
    shift = lambda k: re.sub(r'(Id)="(\d+)"', lambda m: f'{m[1]}="{int(m[2]) + k * 100000}"', rows)  # noqa: E731
    big = tmp_path / "Posts.xml"
    big.write_text(head + "<posts>" + "".join(shift(k) for k in range(4)) + "</posts>" + tail, encoding="utf-8")
    drain = lambda path: lambda: sum(1 for _ in dump_source(path).fetch(None))  # noqa: E731
    drain(posts)()  # imports and caches outside the measurement
    one = traced_peak(drain(posts))
    four = traced_peak(drain(big))
    tree = traced_peak(lambda: ET.parse(big))
    assert four < one * 1.5 and four < tree / 4 and four < big.stat().st_size / 3, (one, four, tree)


def test_se_dump_missing_file_names_it(tmp_path):
    with pytest.raises(VocError, match="nope.xml not found"):
        list(dump_source(tmp_path / "nope.xml").fetch(None))


# -- schema.org reviews on product pages -----------------------------------------------------
@pytest.fixture
def shop(static_server):
    return static_server(FIX)


def jsonld_source(urls, **opts):
    return JsonLdReviewSource("shop", JsonLdOptions(urls=urls, **opts), client=recording_client([]))


def test_jsonld_list_page_keeps_mid_rated_with_aggregate(shop):
    url = f"{shop}/product_jsonld.html"
    src = jsonld_source([url])
    docs = list(src.fetch(None))
    assert [(d.title, d.rating) for d in docs] == [
        ("Great carafe, fiddly lid", 4.0), ("OK, but the timer resets", 3.0), ("Water tank is hard to fill", 2.0)]
    assert len(list(jsonld_source([url], min_rating=0, max_rating=5).fetch(None))) == 5
    timer = docs[1]
    assert timer.kind == "review" and timer.author == "kayla_brews" and timer.url == f"{url}#review-3"
    assert "clock & the timer" in timer.text and timer.created_at == datetime(2024, 2, 10, 12, 45)
    assert json.loads(timer.raw_ref) == {"page": url, "ratingValue": 3.9, "reviewCount": 128.0}
    page = jsonld_source([url]).page_documents(url + "#x", (FIX / "product_jsonld.html").read_text())
    assert page[1].native_id == timer.native_id  # the id hashes author, date and body, not the URL
    assert list(jsonld_source([url]).fetch(src.cursor())) == []  # nothing new on the page


def test_jsonld_graph_normalises_ten_point_ratings(shop):
    url = f"{shop}/product_graph.html"
    every = {d.title: d for d in jsonld_source([url], min_rating=0, max_rating=5).fetch(None)}
    assert {t: d.rating for t, d in every.items()} == {
        "Perfect travel espresso": 5.0, "Good shots once you learn it": 4.0,
        "Too much effort for one cup": 3.0, "Leaks": 1.5}  # 0-10 halves; 1-10 maps onto 1-5
    assert every["Perfect travel espresso"].created_at == datetime(2024, 4, 11, 0, 30)
    assert "<b>" not in every["Good shots once you learn it"].text
    assert json.loads(every["Leaks"].raw_ref)["bestRating"] == 10.0
    kept = [d.title for d in jsonld_source([url]).fetch(None)]
    assert kept == ["Good shots once you learn it", "Too much effort for one cup"]


def test_microdata_reviews_and_page_detection(shop):
    url = f"{shop}/product_microdata.html"
    body = (FIX / "product_microdata.html").read_text()
    assert JsonLdReviewSource.detect(url, body, "text/html; charset=utf-8")
    assert not JsonLdReviewSource.detect(url, "<html><body>no reviews</body></html>", "text/html")
    assert not JsonLdReviewSource.detect(url, json.dumps(load("se_answers.json")), "application/json")
    docs = list(jsonld_source([url]).fetch(None))
    assert [(d.author, d.rating, d.title) for d in docs] == [
        ("Grace P.", 4.0, "Foams well, loud motor"), ("Ravi", 2.0, "Hard to clean")]
    assert docs[0].text == ("Makes thick foam for two lattes in under a minute.\n"
                            "The motor is loud enough to wake the kids, though.")
    assert docs[1].created_at == datetime(2024, 4, 21)
    assert json.loads(docs[0].raw_ref) == {"page": url, "ratingValue": 3.7, "reviewCount": 23.0}
    # `voc fetch URL` builds the source with default options only
    fetched = JsonLdReviewSource("jsonld_reviews", JsonLdOptions.model_construct()).page_documents(url, body)
    assert [d.native_id for d in fetched] == [d.native_id for d in docs]


# -- Apple App Store RSS ----------------------------------------------------------------------
APP = "1434567890"


def app_feed(tmp_path, pages):
    for n, data in enumerate(pages, start=1):
        folder = tmp_path / "us" / "rss" / "customerreviews" / f"page={n}" / f"id={APP}" / "sortby=mostrecent"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "json").write_text(json.dumps(data), encoding="utf-8")


def appstore_source(base, **opts):
    options = AppStoreOptions(app_id=APP, feed_url=base, **opts)
    return AppStoreSource("brewbuddy_ios", options, client=recording_client([]))


def test_appstore_pages_filter_and_incremental(tmp_path, static_server):
    pages = [load("appstore_page1.json"), load("appstore_page2.json"), load("appstore_page3.json")]
    app_feed(tmp_path, pages)
    base = static_server(tmp_path)
    src = appstore_source(base)
    docs = list(src.fetch(None))
    assert [d.native_id for d in docs] == [f"review:1100000010{i}" for i in (8, 7, 6, 4, 2)]  # 3, 2, 4, 3, 2 stars
    assert src.client.stats.requests == 4  # robots.txt + 3 pages: the empty page 3 ends the feed
    pete = docs[0]
    assert pete.author == "PourOverPete" and pete.rating == 3.0 and pete.title == "Useful but the widget is broken"
    assert pete.created_at == datetime(2024, 5, 9, 14, 12, 55) and pete.score == 5.0
    assert pete.url.startswith("https://itunes.apple.com/us/review?id=")
    assert json.loads(pete.raw_ref)["version"] == "3.4.1"
    everything = list(appstore_source(base, min_rating=0, max_rating=5).fetch(None))
    assert len(everything) == 9  # the app's own entry on page 1 is not a review
    assert src.cursor()["newest"]["id"] == "review:11000000109"

    again = appstore_source(base)
    assert list(again.fetch(src.cursor())) == [] and again.client.stats.requests == 2  # stopped on page 1
    fresh = json.loads(json.dumps(pages[0]["feed"]["entry"][2]))
    fresh["id"]["label"], fresh["updated"]["label"] = "11000000110", "2024-05-10T01:00:00-07:00"
    pages[0]["feed"]["entry"].insert(1, fresh)
    app_feed(tmp_path, pages)
    newer = appstore_source(base)
    assert [d.native_id for d in newer.fetch(again.cursor())] == ["review:11000000110"]
    assert newer.cursor()["newest"]["id"] == "review:11000000110"


def test_appstore_options_are_checked():
    with pytest.raises(ValidationError, match="app_id"):
        AppStoreOptions(app_id="brewbuddy")
    with pytest.raises(ValidationError, match="max_pages"):
        AppStoreOptions(app_id=APP, max_pages=11)
    with pytest.raises(ValidationError, match="min_rating"):
        AppStoreOptions(app_id=APP, min_rating=4, max_rating=2)


# -- Google Play (google-play-scraper, injected) ----------------------------------------------
def play_reviews(rows=None):
    """A stand-in for google_play_scraper.reviews over the fixture, paging by continuation token."""
    rows = rows if rows is not None else load("googleplay_reviews.json")
    for row in rows:
        row["at"] = datetime.fromtimestamp(row["at"])  # the package builds naive *local* times
    calls = []

    def reviews(app_id, lang, country, sort, count, continuation_token=None):
        start = continuation_token.token if continuation_token else 0
        calls.append((app_id, lang, country, count, start))
        end = start + min(count, 3)
        return rows[start:end], SimpleNamespace(token=end if end < len(rows) else None)

    reviews.calls = calls
    return reviews


def test_googleplay_filter_utc_and_incremental():
    fn = play_reviews()
    src = GooglePlaySource("robovac_android", GooglePlayOptions(app_id="com.example.robovac"), reviews_fn=fn)
    docs = list(src.fetch(None))
    # 5 and 1 stars dropped, and the 3-star review without text
    assert [(d.native_id, d.rating) for d in docs] == [
        ("review:gp:AOqpTOH1b", 3.0), ("review:gp:AOqpTOH1c", 2.0),
        ("review:gp:AOqpTOH1d", 4.0), ("review:gp:AOqpTOH1g", 2.0)]
    assert docs[0].created_at == datetime.fromtimestamp(1715290000, timezone.utc).replace(tzinfo=None)
    assert docs[0].url == "https://play.google.com/store/apps/details?id=com.example.robovac&reviewId=gp:AOqpTOH1b"
    assert docs[0].author == "Amelia Hart" and docs[0].score == 12.0
    assert json.loads(docs[0].raw_ref)["version"] == "7.12.0"
    assert [c[4] for c in fn.calls] == [0, 3, 6] and fn.calls[0][:3] == ("com.example.robovac", "en", "us")

    newer = load("googleplay_reviews.json")
    newer.insert(0, {**newer[2], "reviewId": "gp:AOqpTOH1z", "at": 1715310000})
    fn2 = play_reviews(newer)
    again = GooglePlaySource("robovac_android", GooglePlayOptions(app_id="com.example.robovac"), reviews_fn=fn2)
    assert [d.native_id for d in again.fetch(src.cursor())] == ["review:gp:AOqpTOH1z"]
    assert len(fn2.calls) == 1  # stopped at the newest review of the last run


def test_googleplay_caps_and_missing_package(monkeypatch):
    fn = play_reviews()
    capped = GooglePlaySource("p", GooglePlayOptions(app_id="com.example.robovac", max_reviews=4), reviews_fn=fn)
    assert len(list(capped.fetch(None))) == 3 and [c[3] for c in fn.calls] == [4, 1]
    monkeypatch.setitem(__import__("sys").modules, "google_play_scraper", None)
    with pytest.raises(VocError, match="pip install google-play-scraper"):
        list(GooglePlaySource("p", GooglePlayOptions(app_id="com.example.robovac")).fetch(None))
    with pytest.raises(ValidationError, match="app_id"):
        GooglePlayOptions(app_id="not a package")
