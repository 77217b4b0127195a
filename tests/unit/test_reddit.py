"""The reddit source against real Reddit API answers recorded by PRAW's maintainers.

Each test replays a betamax cassette from ../shared/data/reddit_praw_cassettes through PRAW
itself: praw.Reddit gets a requests.Session whose transport answers every request from the
cassette (matched on method, path, query and form body, not on auth or user agent). Reddit has
no recorded subreddit listing of these threads, so a test serves the listing from recorded
objects: the submission as /comments/<id>/ returned it, or the submissions /api/info returned.
"""

import itertools
import json
from urllib.parse import parse_qsl, urlsplit

import prawcore.rate_limit
import pytest
from requests import Session
from requests.adapters import BaseAdapter
from requests.models import Response

from scrapers.base import Source
from scrapers.reddit import ENV_VARS, RedditOptions, RedditSource, comment_document, connect
from voc.errors import VocError
from voc.schema import make_doc_id

REMOVED = {"[deleted]", "[removed]"}


def _key(method: str, url: str, body: str | bytes | None) -> tuple:
    def norm(text: str) -> tuple:
        # raw_json is added by prawcore; children lists are sets to Reddit
        pairs = [(k, ",".join(sorted(v.split(","))) if k == "children" else v)
                 for k, v in parse_qsl(text or "") if k != "raw_json"]
        return tuple(sorted(pairs))

    body = body.decode() if isinstance(body, bytes) else body
    parts = urlsplit(url)
    return method, parts.path.rstrip("/"), norm(parts.query), norm(body or "")


class Cassette(BaseAdapter):
    """A requests transport that answers from a betamax cassette (and from test-made routes)."""

    def __init__(self, path, routes=None):
        super().__init__()
        self.recorded = {}
        for it in json.loads(path.read_text())["interactions"]:
            rq = it["request"]
            body = rq.get("body") or {}
            self.recorded[_key(rq["method"], rq["uri"], body.get("string") if isinstance(body, dict) else body)] = (
                it["response"]["status"]["code"], it["response"]["body"]["string"])
        self.routes = routes or {}  # (method, path) -> (status, body or JSON, headers)
        self.log = []

    def send(self, request, **kwargs):
        key = _key(request.method, request.url, request.body)
        self.log.append(key)
        status, body, headers = (*self.recorded[key], {}) if key in self.recorded else self.routes[key[:2]]
        response = Response()
        response.status_code, response.url, response.request = status, request.url, request
        response._content = (body if isinstance(body, str) else json.dumps(body)).encode()
        response.headers.update({"content-type": "application/json; charset=UTF-8", **headers})
        return response

    def close(self):
        pass


@pytest.fixture
def replay(shared, monkeypatch, no_sleep):
    """``replay(cassette_name, routes) -> (praw.Reddit, Cassette)``; PRAW's rate-limit sleep recorded."""
    record, waits = no_sleep
    monkeypatch.setattr(prawcore.rate_limit.time, "sleep", record)
    for var, value in zip(ENV_VARS, ("test-id", "test-secret", "voc tests (by u/voc)"), strict=True):
        monkeypatch.setenv(var, value)

    def make(name, routes=None):
        cassette = Cassette(shared / "reddit_praw_cassettes" / name, routes)
        session = Session()
        session.mount("https://", cassette)
        return connect(requestor_kwargs={"session": session}), cassette

    yield make
    assert waits == []  # the cassettes carry no rate-limit headers: PRAW never had to wait


def things(node, kind):
    """Every recorded object of a kind ("t1", "t3") anywhere in a parsed answer, by id."""
    found = {}
    if isinstance(node, dict):
        if node.get("kind") == kind and isinstance(node.get("data"), dict):
            found[node["data"]["id"]] = node["data"]
        for value in node.values():
            found.update(things(value, kind))
    elif isinstance(node, list):
        for value in node:
            found.update(things(value, kind))
    return found


def bodies(shared, name):
    data = json.loads((shared / "reddit_praw_cassettes" / name).read_text())
    return [json.loads(it["response"]["body"]["string"]) for it in data["interactions"][1:]]


def keeps(comment, min_chars):
    body = comment["body"].strip()
    return body not in REMOVED and comment["author"] != "AutoModerator" and len(body) >= min_chars


def listing(children):
    return {"kind": "Listing", "data": {"children": children, "after": None, "before": None}}


# -- a thread with "load more comments" and "continue this thread" links -------------------------
FOREST = "TestCommentForest.test_replace__all.json"


@pytest.fixture
def funny(shared, replay):
    answers = bodies(shared, FOREST)
    # r/funny/new answers with the one recorded submission, exactly as /comments/3hahrw/ gave it
    reddit, cassette = replay(FOREST, {("GET", "/r/funny/new"): (200, answers[0][0], {})})
    return reddit, cassette, things(answers, "t1"), answers[0]


def test_thread_with_more_comments_through_praw(funny):
    reddit, cassette, recorded, _ = funny
    src = RedditSource("reddit", RedditOptions(subreddits=["r/funny"], replace_more_limit=32), reddit=reddit)
    assert isinstance(src, Source)
    docs = list(src.fetch(None))
    post, comments = docs[0], docs[1:]
    assert (post.kind, post.native_id, post.text) == ("post", "t3_3hahrw", "Ba Dum Tsss")
    assert post.author == "your_local_librarian" and post.score == 11702
    assert post.url == "https://www.reddit.com/r/funny/comments/3hahrw/ba_dum_tsss/"
    assert post.created_at.isoformat() == "2015-08-17T07:44:40"
    # every "more" object was expanded: 12 morechildren + 6 continue-this-thread requests
    assert sum(k[1] == "/api/morechildren" for k in cassette.log) == 12
    assert len(recorded) == 541
    expected = {f"t1_{i}" for i, c in recorded.items() if keeps(c, 20)}
    assert {d.native_id for d in comments} == expected and len(comments) == len(expected) > 300
    assert {d.kind for d in comments} == {"comment"} and {d.thread_id for d in comments} == {"t3_3hahrw"}
    ids = {d.doc_id for d in docs}
    assert all(d.parent_id in ids for d in comments)  # a tree over what is stored
    direct = [d for d in comments if recorded[d.native_id[3:]]["parent_id"] == "t3_3hahrw"]
    assert direct and all(d.parent_id == post.doc_id for d in direct)
    for d in comments:
        raw = recorded[d.native_id[3:]]
        assert d.text == raw["body"].strip() and d.score == raw["score"] and d.title == "Ba Dum Tsss"
        assert d.url == f"https://www.reddit.com/r/funny/comments/3hahrw/ba_dum_tsss/{raw['id']}/"
        assert d.created_at is not None and d.author == (None if raw["author"] == "[deleted]" else raw["author"])
    # replies to skipped (deleted, short) comments hang from their nearest kept ancestor
    def kept_ancestor(fullname):
        while fullname.startswith("t1_") and not keeps(recorded[fullname[3:]], 20):
            fullname = recorded[fullname[3:]]["parent_id"]
        return fullname

    moved = 0
    for d in comments:
        parent = recorded[d.native_id[3:]]["parent_id"]
        assert d.parent_id == make_doc_id("reddit", kept_ancestor(parent))
        moved += kept_ancestor(parent) != parent
    assert moved == 31
    assert src.cursor() == {"listings": {"funny|new|": {"newest": 1439797480.0, "seen": {"3hahrw": 543}}}}
    # nothing new: the listing is read again, the thread is not
    cassette.log.clear()
    assert list(src.fetch(src.cursor())) == []
    assert [k[1] for k in cassette.log] == ["/r/funny/new"]


def test_interrupted_thread_is_expanded_again(funny):
    reddit, cassette, first_answer = funny[0], funny[1], funny[3]
    opts = RedditOptions(subreddits=["funny"], replace_more_limit=0, min_comment_chars=0)
    first = RedditSource("reddit", opts, reddit=reddit)
    taken = list(itertools.islice(first.fetch(None), 5))
    cursor = first.cursor()
    assert cursor["listings"]["funny|new|"]["seen"] == {}  # the thread is not done yet
    again = list(RedditSource("reddit", opts, reddit=reddit).fetch(cursor))
    # without expansions, the thread is what the first answer holds
    shown = {"t3_3hahrw"} | {f"t1_{i}" for i, c in things(first_answer, "t1").items() if keeps(c, 1)}
    assert {d.native_id for d in again} == shown and {d.native_id for d in taken} < shown
    assert not any(k[1] == "/api/morechildren" for k in cassette.log)


# -- submissions across subreddits -------------------------------------------------------------
INFO = "TestReddit.test_info.json"


@pytest.fixture
def recorded_posts(shared):
    posts = {}
    for body in bodies(shared, INFO):
        posts.update(things(body, "t3"))
    return sorted(posts.values(), key=lambda p: -p["created_utc"])  # as /new orders them


def test_new_listing_stops_at_the_watermark(replay, recorded_posts):
    children = [{"kind": "t3", "data": p} for p in recorded_posts]
    reddit, cassette = replay(INFO, {("GET", "/r/all/new"): (200, listing(children), {})})
    src = RedditSource("reddit", RedditOptions(subreddits=["all"], comments=False), reddit=reddit)
    docs = list(src.fetch(None))
    expected = [p for p in recorded_posts if p["selftext"] not in REMOVED and p["author"] != "AutoModerator"]
    assert len(recorded_posts) == 97 and [d.native_id for d in docs] == [f"t3_{p['id']}" for p in expected]
    assert {d.kind for d in docs} == {"post"} and all(d.parent_id is None for d in docs)
    for doc, raw in zip(docs, expected, strict=True):
        assert doc.text == "\n\n".join(x for x in (raw["title"].strip(), raw["selftext"].strip()) if x)
        assert doc.url == "https://www.reddit.com" + raw["permalink"] and doc.thread_id == doc.native_id
        assert doc.author == raw["author"] and doc.created_at.timestamp() == pytest.approx(raw["created_utc"], abs=1)
    assert sum("\n\n" in d.text for d in docs) >= 20  # self posts keep their body
    newest = recorded_posts[0]["created_utc"]
    assert src.cursor()["listings"]["all|new|"]["newest"] == newest
    assert list(src.fetch(src.cursor())) == []
    # a cursor from an older walk: only what is newer than its watermark is read
    mark = recorded_posts[10]["created_utc"]
    fresh = RedditSource("reddit", RedditOptions(subreddits=["all"], comments=False), reddit=reddit)
    newer = list(fresh.fetch({"listings": {"all|new|": {"newest": mark, "seen": {}}}}))
    assert [d.native_id for d in newer] == [f"t3_{p['id']}" for p in expected if p["created_utc"] >= mark]
    assert 5 < len(newer) < len(docs)
    assert fresh.cursor()["listings"]["all|new|"]["newest"] == newest


def test_top_and_search_skip_threads_without_new_comments(replay, recorded_posts):
    children = [{"kind": "t3", "data": dict(p)} for p in recorded_posts]
    routes = {("GET", "/r/all/top"): (200, listing(children), {}),
              ("GET", "/r/RobotVacuums/search"): (200, listing(children), {})}
    reddit, cassette = replay(INFO, routes)
    src = RedditSource("reddit", RedditOptions(subreddits=["all"], listing="top", comments=False), reddit=reddit)
    first = list(src.fetch(None))
    assert len(first) == 88 and list(src.fetch(src.cursor())) == []
    children[40]["data"]["num_comments"] += 3  # one thread gained comments since
    assert [d.native_id for d in src.fetch(src.cursor())] == [f"t3_{children[40]['data']['id']}"]
    assert ("t", "year") in cassette.log[-1][2]
    opts = RedditOptions(subreddits=["RobotVacuums"], listing="search", query="side brush", time_filter="month",
                         comments=False)
    searched = RedditSource("reddit", opts, reddit=reddit)
    assert len(list(searched.fetch(None))) == 88
    assert {("q", "side brush"), ("restrict_sr", "True"), ("t", "month")} <= set(cassette.log[-1][2])
    assert set(searched.cursor()["listings"]) == {"robotvacuums|search|side brush"}


# -- single comments ---------------------------------------------------------------------------
def test_recorded_comment_listing_converts(replay, shared):
    name = "TestSubredditListings.test_comments.json"
    reddit, _ = replay(name)
    raw = things(bodies(shared, name), "t1")
    comments = list(reddit.subreddit("askreddit").comments(limit=100))
    docs = {c.id: comment_document("reddit", vars(c), min_chars=20) for c in comments}
    assert len(docs) == len(raw) == 100
    assert {i for i, d in docs.items() if d} == {i for i, c in raw.items() if keeps(c, 20)}
    for cid, doc in docs.items():
        if doc is None:
            continue
        assert doc.thread_id == raw[cid]["link_id"] and doc.parent_id == make_doc_id("reddit", raw[cid]["parent_id"])
        assert doc.url == f"https://www.reddit.com/comments/{raw[cid]['link_id'][3:]}/_/{cid}/"
        assert doc.title == raw[cid]["link_title"] and doc.author == raw[cid]["author"]


# -- configuration -----------------------------------------------------------------------------
def test_missing_credentials_name_the_variables(monkeypatch):
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("REDDIT_CLIENT_ID", "only-the-id")
    src = RedditSource("reddit", RedditOptions(subreddits=["roomba"]))  # building needs no credentials
    with pytest.raises(VocError, match="missing: set REDDIT_CLIENT_SECRET, REDDIT_USER_AGENT in the environment"):
        list(src.fetch(None))
    with pytest.raises(VocError, match="praw_site 'nowhere': no such section"):
        connect("nowhere")


def test_options_are_checked():
    with pytest.raises(ValueError, match="needs query"):
        RedditOptions(subreddits=["roomba"], listing="search")
    with pytest.raises(ValueError, match="at least 1"):
        RedditOptions(subreddits=[])
    with pytest.raises(ValueError, match="Extra inputs"):
        RedditOptions(subreddits=["roomba"], sort="new")
    assert RedditOptions(subreddits=["/r/RobotVacuums/", " roomba "]).subreddits == ["RobotVacuums", "roomba"]


@pytest.mark.parametrize(("status", "headers", "message"), [
    (302, {"location": "https://www.reddit.com/subreddits/search?q=nosuchsub"}, "does not exist"),
    (403, {}, "is private or quarantined"),
    (404, {}, "was not found or is banned"),
])
def test_reddit_refusals_say_what_to_change(replay, status, headers, message):
    reddit, _ = replay(INFO, {("GET", "/r/nosuchsub/new"): (status, {"reason": "x"}, headers)})
    src = RedditSource("reddit", RedditOptions(subreddits=["nosuchsub"]), reddit=reddit)
    with pytest.raises(VocError, match=f"source reddit: r/nosuchsub {message}"):
        list(src.fetch(None))
