"""Discourse forums through their public JSON API (no key needed for public categories).

Topics come from /latest.json (or /c/<category>.json), pages of it via ``more_topics_url``;
each topic's posts from /t/<id>.json, and the posts beyond its first page from
/t/<id>/posts.json?post_ids[]=... in chunks of 20, as the Discourse web client does.

A single page (``voc fetch``) may also be a topic's HTML: the rendered post stream a browser
saves (``article[data-post-id]``, same ids as the API) or the crawler view Discourse serves
without JavaScript (``div.crawler-post``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from pydantic import Field, field_validator

from scrapers.base import BaseSource, Cursor, SourceOptions, html_to_text, parse_ts
from scrapers.forums.markup import Markup, read_posts
from scrapers.forums.pages import html_page, join_url, signature_score
from scrapers.http import check_url
from scrapers.jsonio import loads_json
from voc.errors import VocError
from voc.schema import Document, make_doc_id

CHUNK = 20
# The post stream as a browser renders it: the same post ids as the JSON API.
RENDERED = Markup(
    posts="article[data-post-id]", body=".cooked", pid="@data-post-id", id_prefix="post:", host_ids=False,
    author=(".names .first.username a", ".names .username a", ".names a@data-user-card"),
    date=(".post-date [data-time]", ".post-info .relative-date", "a.post-date"), link="a.post-date",
    drop=("aside.onebox",), skip=".deleted", opener="#post_1",
)
# The crawler view (no JavaScript): schema.org microdata, ids by post number.
CRAWLER = Markup(posts="div.crawler-post", body="[itemprop=text]", id_prefix="n",
                 author=("[itemprop=author] [itemprop=name]", ".creator a"), date=("time[itemprop=datePublished]",))


class DiscourseOptions(SourceOptions):
    base_url: str
    category: str | None = None
    topics: list[int] = Field(default_factory=list, description="crawl only these topic ids")
    max_topics: int = Field(default=200, ge=1)
    max_listing_pages: int = Field(default=20, ge=1)

    @field_validator("base_url")
    @classmethod
    def _http(cls, v: str) -> str:
        return check_url(v).rstrip("/")


class DiscourseSource(BaseSource):
    key: ClassVar[str] = "discourse"
    Options = DiscourseOptions
    EMPTY: ClassVar[Cursor] = {"topics": {}}
    FORUM_ENGINE: ClassVar[bool] = True
    SIGNATURES = (r"data-discourse-setup", r'class="[^"]*\bcooked\b', r"topic-post", r"crawler-post",
                  r'data-post-id="\d+"', r"discourse-(reactions|solved|topic|post)", r"/t/[^\"'/\s]+/\d+")

    # -- crawling ----------------------------------------------------------------------------
    def listing(self) -> Iterator[dict[str, Any]]:
        """Topic summaries, newest activity first, across listing pages."""
        if self.opts.topics:
            for tid in self.opts.topics:
                yield {"id": tid}
            return
        path = f"/c/{self.opts.category}.json" if self.opts.category else "/latest.json"
        url: str | None = self.opts.base_url + path
        seen: set[int] = set()
        for _ in range(self.opts.max_listing_pages):
            if url is None:
                break
            data = _answer(self.client.get(url).json(), url)
            topic_list = _dict(data.get("topic_list"))
            topics = [t for t in _list(topic_list.get("topics")) if isinstance(t, dict) and _is_int(t.get("id"))]
            fresh = [t for t in topics if t["id"] not in seen]
            if not fresh:
                break
            for topic in fresh:
                seen.add(topic["id"])
                yield topic
            more = _str(topic_list.get("more_topics_url"))
            url = join_url(self.opts.base_url + "/", more.lstrip("/")) if more else None
            if url and ".json" not in urlsplit(url).path:
                parts = urlsplit(url)
                url = f"{parts.scheme}://{parts.netloc}{parts.path}.json" + (f"?{parts.query}" if parts.query else "")

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        self._cursor = self.resume(since)
        for n, summary in enumerate(self.listing()):
            if n >= self.opts.max_topics:
                break
            tid = str(summary["id"])
            seen = self._cursor["topics"].get(tid, 0)
            if _is_int(summary.get("posts_count")) and seen >= summary["posts_count"]:
                continue  # nothing new in this topic since the last crawl
            yield from self._topic(int(tid), seen)

    def _topic(self, tid: int, seen: int) -> Iterator[Document]:
        url = f"{self.opts.base_url}/t/{tid}.json"
        data = _answer(self.client.get(url).json(), url)
        stream = _dict(data.get("post_stream"))
        posts = _posts(stream.get("posts"))
        have = {p["id"] for p in posts}
        missing = [pid for pid in _list(stream.get("stream")) if _is_int(pid) and pid not in have]
        for i in range(0, len(missing), CHUNK):
            chunk = missing[i:i + CHUNK]
            url = f"{self.opts.base_url}/t/{tid}/posts.json"
            more = _answer(self.client.get(url, params={"post_ids[]": chunk}).json(), url)
            posts.extend(_posts(_dict(more.get("post_stream")).get("posts")))
        posts.sort(key=lambda p: p["post_number"])
        numbers = {p["post_number"]: p["id"] for p in posts}
        for post in posts:
            if post.get("post_number", 0) <= seen:
                continue
            doc = post_document(self.name, self.opts.base_url, post, data, numbers)
            self._cursor["topics"][str(tid)] = post["post_number"]
            if doc is not None:
                yield doc

    # -- single pages (voc fetch) ----------------------------------------------------------
    @classmethod
    def detect_score(cls, url: str, body: str, content_type: str) -> int:
        """100 for the API's topic, posts and listing JSON; for HTML, the signatures of its pages."""
        if html_page(body, content_type) and not body.lstrip().startswith(("{", "[")):
            return signature_score(body, cls.SIGNATURES, "discourse")
        if "json" not in content_type and not body.lstrip().startswith("{"):
            return 0
        try:
            data = loads_json(body)
        except ValueError:
            return 0
        if not isinstance(data, dict):
            return 0
        listing = isinstance(data.get("topic_list"), dict) and "topics" in data["topic_list"]
        return 100 if ("post_stream" in data or "latest_posts" in data or listing) else 0

    @classmethod
    def detect(cls, url: str, body: str, content_type: str) -> bool:
        return cls.detect_score(url, body, content_type) > 0

    def page_documents(self, url: str, body: str, now: datetime | None = None,
                       notes: dict | None = None) -> list[Document]:
        """The posts of one topic page: API JSON, or the topic's HTML (``notes`` as in :func:`read_posts`)."""
        if not body.lstrip().startswith(("{", "[")) and html_page(body, ""):
            soup = BeautifulSoup(body, "lxml")
            markup = RENDERED if soup.select_one(RENDERED.posts) else CRAWLER
            return read_posts(self.name, soup, url, markup, now=now, notes=notes)
        try:
            data = loads_json(body)
        except ValueError as err:
            raise VocError(f"{url}: not a Discourse JSON page ({err})") from None
        data = _answer(data, url)
        posts = _posts(_dict(data.get("post_stream")).get("posts")) or _posts(data.get("latest_posts"))
        numbers = {p["post_number"]: p["id"] for p in posts}
        base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
        docs = [post_document(self.name, base, p, data, numbers) for p in posts]
        docs = [d for d in docs if d is not None]
        if notes is not None:
            notes.update({d.native_id: {"author": "username" if d.author else None,
                                        "date": "created_at" if d.created_at else None} for d in docs})
        return docs


# -- the JSON's shape: a hostile or broken server may answer anything ------------------------------
def _answer(data: Any, url: str) -> dict:
    if not isinstance(data, dict):
        raise VocError(f"{url}: not a Discourse API answer (a JSON object was expected); is this a Discourse forum?")
    return data


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer past float range
        return None
    return number if math.isfinite(number) else None


def _posts(value: Any) -> list[dict]:
    """The posts of a JSON list that have what a Document needs: an integer id and post number."""
    return [{**p, "post_number": p.get("post_number", 1)} for p in _list(value) if isinstance(p, dict)
            and _is_int(p.get("id")) and _is_int(p.get("post_number", 1))]


def post_document(source: str, base_url: str, post: dict, topic: dict, numbers: dict) -> Document | None:
    """One Discourse post (from :func:`_posts`) as a Document; hidden, deleted and whisper posts are skipped."""
    if post.get("hidden") or post.get("deleted_at") or post.get("post_type", 1) != 1:
        return None
    text = html_to_text(_str(post.get("cooked")) or "")
    if not text:
        return None
    tid = post.get("topic_id") if _is_int(post.get("topic_id")) else topic.get("id")
    slug = _str(post.get("topic_slug")) or _str(topic.get("slug")) or "-"
    number = post["post_number"]
    parent_no = post.get("reply_to_post_number")
    parent = make_doc_id(source, f"post:{numbers[parent_no]}") if _is_int(parent_no) and parent_no in numbers else None
    return Document(
        source=source,
        native_id=f"post:{post['id']}",
        kind="post" if number == 1 else "comment",
        text=text,
        url=f"{base_url}/t/{slug}/{tid}/{number}",
        thread_id=f"topic:{tid}",
        parent_id=parent,
        author=_str(post.get("username")),
        created_at=parse_ts(post.get("created_at")),
        title=_str(topic.get("title")) or _str(post.get("topic_title")) or _str(post.get("topic_html_title")),
        score=_number(post.get("score")),
        raw_ref=f"{base_url}/posts/{post['id']}.json",
    )
