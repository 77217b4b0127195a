"""Any forum from one URL: pick the engine (Discourse, phpBB, XenForo, vBulletin, generic) and crawl.

Also the pieces the HTML forum engines share: the listing/thread crawl with its cursor
(:class:`ThreadCrawlSource`), pagination links, first-page tests, reply counts and forum dates.
The engine modules import these; this module imports the engines lazily so there is no cycle.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup
from dateutil import parser as dateparser
from pydantic import Field, field_validator, model_validator

from scrapers.base import Cursor, SourceOptions, parse_ts
from scrapers.http import PoliteClient, Response, check_url
from voc.schema import Document, utcnow

ENGINE_ORDER = ("discourse", "phpbb", "xenforo", "vbulletin")
EngineName = Literal["auto", "phpbb", "discourse", "xenforo", "vbulletin", "generic"]

_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2}| ?UTC)?$")
_YEAR_RE = re.compile(r"\b(19[89]\d|20\d\d)\b")
_MONTH_RE = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.I)
_LABEL_RE = re.compile(r"^(posted|published|created|date|written)\s*(on|:)?\s*", re.I)
_PAGE_RE = re.compile(r"/page[-/]?(\d+)(?=[/?#&]|$)|[?&;](page|pg)=(\d+)|[?&;](start|offset)=(\d+)",
                      re.I)
_NEXT_TEXT = {"next", "next page", "next ›", "next »", "next >", "›", "»", ">", "→", "next →"}
_PREV_TEXT = {"prev", "previous", "previous page", "‹ previous", "« previous", "‹ prev", "« prev", "‹", "«", "←",
              "← previous"}


class UrlOptions(SourceOptions):
    url: str

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        return check_url(v)


class ThreadForumOptions(UrlOptions):
    url: str = Field(description="a forum listing or one thread URL")
    max_threads: int = Field(default=200, ge=1)
    max_pages: int = Field(default=50, ge=1, description="per thread and for the listing")


# -- page helpers -----------------------------------------------------------------------------
def html_page(body: str, content_type: str) -> bool:
    """True for an HTML response (some servers send forum pages as text/plain or octet-stream)."""
    return "html" in content_type or "<html" in body[:3000].lower()


def join_url(base: str, href: str) -> str | None:
    """``urljoin`` for a link taken from a page: None when it is no URL (``http://[`` makes urljoin raise)."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def page_base(soup: BeautifulSoup, url: str) -> str:
    """The URL relative links resolve against: ``<base href>`` when the page sets one (vBulletin 4
    does, and its friendly URLs would otherwise resolve one folder too deep)."""
    base = soup.select_one("base[href]")
    return (join_url(url, base["href"]) if base else None) or url


def next_link(soup: BeautifulSoup, url: str, selectors: tuple[str, ...], by_text: bool = False) -> str | None:
    """The next page's absolute URL: the first selector with a real href, else (``by_text``)
    a link reading "Next", "›" or "»"."""
    links = [el for sel in selectors for el in soup.select(sel)]
    if by_text:
        links += [a for a in soup.find_all("a", href=True)
                  if " ".join(a.get_text(" ", strip=True).lower().split()) in _NEXT_TEXT]
    for link in links:
        href = (link.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:")):
            target = join_url(page_base(soup, url), href)
            if target and target.split("#")[0] != url.split("#")[0]:
                return target
    return None


def page_number(url: str) -> int:
    """1-based page of a thread URL (``/page-3``, ``/page3``, ``?page=3``); ``start=``/``offset=``
    only tell first page (1) from later ones (2)."""
    m = _PAGE_RE.search(url.split("#")[0])
    if not m:
        return 1
    if m.group(1) or m.group(3):
        return max(1, int(m.group(1) or m.group(3)))
    return 1 if int(m.group(5)) == 0 else 2


def is_first_page(soup: BeautifulSoup, url: str) -> bool:
    """Whether this is a thread's first page, whose first post opens the thread: no previous-page
    link (``rel=prev`` or one reading "Previous"/"‹"/"«") and no page number above 1 in the URL."""
    if soup.select_one("a[rel~=prev], link[rel~=prev]"):
        return False
    if any(" ".join(a.get_text(" ", strip=True).lower().split()) in _PREV_TEXT for a in soup.find_all("a", href=True)):
        return False
    return page_number(url) == 1


def thread_url_key(url: str) -> str:
    """host + path + query of a thread URL without fragment and page markers: the same on every page."""
    parts = urlsplit(url)
    path = re.sub(r"/page[-/]?\d+/?$", "/", parts.path)
    query = "&".join(p for p in parts.query.split("&") if p and not re.match(r"(page|pg|start|offset)=", p))
    return f"{parts.netloc}{path}" + (f"?{query}" if query else "")


def reply_count(text: str | None) -> int | None:
    """An exact count from a listing cell ("1,204", "12"); abbreviated ones ("1.2K") give None so
    the thread is checked again rather than skipped on a rounded number."""
    if not text:
        return None
    text = text.strip().replace(",", "").replace("\u202f", "").replace(" ", "")
    return int(text) if text.isdigit() else None


def parse_date(value: Any, now: datetime | None = None) -> datetime | None:
    """Forum dates to naive UTC: ISO strings, epoch seconds, and human text such as
    "March 3, 2024 at 9:15 pm", "03-14-2019, 07:52 AM" or "Today, 09:14".

    Dates without a zone are taken as they are: forum software prints them in the board's (or
    the guest's) zone, which the page does not tell us.
    """
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        return parse_ts(int(value)) if 10**8 < int(value) < 10**10 else None
    text = _LABEL_RE.sub("", " ".join(str(value).replace("\xa0", " ").split()))
    if _ISO_RE.match(text):
        return parse_ts(text)
    now = now or utcnow()
    lowered = text.lower()
    for word, delta in (("today", 0), ("yesterday", 1)):
        if word in lowered:
            text = re.sub(word, (now - timedelta(days=delta)).strftime("%Y-%m-%d"), text, flags=re.I)
            break
    else:
        if len(text) > 60 or not (_YEAR_RE.search(text) or _MONTH_RE.search(text)) or not re.search(r"\d", text):
            return None
    try:
        parsed = dateparser.parse(text.replace(" at ", " "), default=now.replace(month=1, day=1, hour=0,
                                                                                   minute=0, second=0, microsecond=0))
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.tzinfo is not None:
        return parse_ts(parsed.isoformat())
    return parsed


# -- the shared crawl -------------------------------------------------------------------------
class ThreadCrawlSource:
    """Listing pages and thread pages, both followed through pagination, with an incremental cursor.

    Engines implement the four page hooks. The cursor maps each thread URL to the posts seen, the
    last page read and the ids yielded, so a re-crawl starts from the last page and a listing that
    shows no new replies costs no request for that thread.
    """

    key: ClassVar[str]
    Options: ClassVar[type[SourceOptions]]

    def __init__(self, name: str, options: Any, client: PoliteClient | None = None, **_: Any):
        self.name = name
        self.opts = options
        self.client = client or PoliteClient()
        self._cursor: Cursor = {"threads": {}}

    # engine hooks ------------------------------------------------------------------------------
    def is_thread_page(self, soup: BeautifulSoup) -> bool:
        """Whether the start page is one thread (else it is read as a listing)."""
        raise NotImplementedError

    def parse_thread_page(self, soup: BeautifulSoup, url: str) -> list[Document]:
        """The posts of one thread page, in page order."""
        raise NotImplementedError

    def listing_threads(self, soup: BeautifulSoup, url: str) -> list[dict[str, Any]]:
        """Rows of a listing page: ``{"url", "title", "posts"}`` (posts None when unknown); none by default."""
        return []

    def next_page(self, soup: BeautifulSoup, url: str) -> str | None:
        """The absolute URL of the following thread or listing page, None on the last."""
        raise NotImplementedError

    # crawling ----------------------------------------------------------------------------------
    def cursor(self) -> Cursor:
        """A copy of the crawl state covering everything yielded so far."""
        return json.loads(json.dumps(self._cursor))

    def _soup(self, url: str) -> BeautifulSoup:
        return BeautifulSoup(self.client.get(url).text, "lxml")

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        """Every new post under ``options.url`` (a listing or one thread), oldest page first."""
        self._cursor = {"threads": dict((since or {}).get("threads", {}))}
        soup = self._soup(self.opts.url)
        if self.is_thread_page(soup):
            yield from self._thread(self.opts.url, None, soup)
            return
        listing_url: str = self.opts.url
        crawled: set[str] = set()
        for n in range(self.opts.max_pages):
            if n:
                soup = self._soup(listing_url)
            for row in self.listing_threads(soup, listing_url):
                # Threads move between listing pages while we read them (new replies bump them).
                if row["url"] in crawled:
                    continue
                if len(crawled) >= self.opts.max_threads:
                    return
                crawled.add(row["url"])
                yield from self._thread(row["url"], row["posts"], None)
            following = self.next_page(soup, listing_url)
            if following is None:
                break
            listing_url = following

    def _thread(self, url: str, listed_posts: int | None, soup: BeautifulSoup | None) -> Iterator[Document]:
        state = self._cursor["threads"].get(url, {})
        if listed_posts is not None and state.get("posts", 0) >= listed_posts:
            return  # the listing shows no new replies since the last crawl
        seen = set(state.get("ids", []))
        page_url: str | None = state.get("last_page", url)
        if page_url != url:
            soup = None
        visited: set[str] = set()
        for _ in range(self.opts.max_pages):
            if page_url is None or page_url in visited:
                break  # a pagination loop would otherwise re-read pages up to max_pages
            visited.add(page_url)
            soup = soup or self._soup(page_url)
            for doc in self.parse_thread_page(soup, page_url):
                if doc.native_id in seen:
                    continue
                seen.add(doc.native_id)
                self._remember(url, page_url, seen)
                yield doc
            self._remember(url, page_url, seen)
            page_url, soup = self.next_page(soup, page_url), None

    def _remember(self, url: str, page_url: str, seen: set[str]) -> None:
        self._cursor["threads"][url] = {"posts": len(seen), "last_page": page_url, "ids": sorted(seen)}

    # single pages (voc fetch) ------------------------------------------------------------------
    def page_documents(self, url: str, body: str) -> list[Document]:
        """The posts of one thread page (a listing page has none)."""
        return self.parse_thread_page(BeautifulSoup(body, "lxml"), url)


# -- engine choice ----------------------------------------------------------------------------
def engine_classes() -> dict[str, Any]:
    """Engine key to source class; imported here, not at the top, because the engines import us."""
    from scrapers.discourse import DiscourseSource
    from scrapers.generic import GenericSource
    from scrapers.phpbb import PhpbbSource
    from scrapers.vbulletin import VbulletinSource
    from scrapers.xenforo import XenforoSource

    return {"discourse": DiscourseSource, "phpbb": PhpbbSource, "xenforo": XenforoSource,
            "vbulletin": VbulletinSource, "generic": GenericSource}


def _discourse_extra(body: str) -> bool:
    # DiscourseSource.detect knows topic and post JSON; users also paste a site's HTML page or
    # a listing (/latest.json).
    head = body[:20000].lower()
    if 'name="generator" content="discourse' in head or "data-discourse-setup" in head:
        return True
    if not body.lstrip().startswith("{"):
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("topic_list"), dict) and "topics" in data["topic_list"]


def detect_engine(url: str, body: str, content_type: str) -> str:
    """The first engine (Discourse, phpBB, XenForo, vBulletin) that recognises the page, else "generic"."""
    classes = engine_classes()
    for name in ENGINE_ORDER:
        if classes[name].detect(url, body, content_type) or (name == "discourse" and _discourse_extra(body)):
            return name
    return "generic"


class ForumOptions(SourceOptions):
    engine: EngineName = "auto"
    url: str | None = Field(default=None, description="a listing or thread page (HTML engines)")
    base_url: str | None = Field(default=None, description="the site root (Discourse); derived from url if unset")
    category: str | None = Field(default=None, description="Discourse only; derived from a /c/ url")
    topics: list[int] = Field(default_factory=list, description="Discourse only; derived from a /t/ url")
    max_threads: int = Field(default=200, ge=1)
    max_pages: int = Field(default=50, ge=1)
    min_chars: int = Field(default=40, ge=1, description="generic engine: text a post block must carry")

    @field_validator("url", "base_url")
    @classmethod
    def _http(cls, v: str | None) -> str | None:
        return check_url(v) if v else v

    @model_validator(mode="after")
    def _some_url(self) -> ForumOptions:
        if not (self.url or self.base_url):
            raise ValueError("set url (a listing or thread page) or base_url (the forum's root)")
        return self


def _discourse_values(url: str) -> dict[str, Any]:
    """base_url, and a topic or category, from a Discourse page URL (the site may live under a path)."""
    parts = urlsplit(url)
    m = re.match(r"(.*?)/(t|c)/(.+?)(?:\.json)?/?$", parts.path)
    if not m:
        root = re.sub(r"/(latest|top|new|categories)(\.json)?/?$", "", parts.path).rstrip("/")
        return {"base_url": urlunsplit((parts.scheme, parts.netloc, root, "", ""))}
    values: dict[str, Any] = {"base_url": urlunsplit((parts.scheme, parts.netloc, m.group(1), "", ""))}
    if m.group(2) == "t":
        ids = [s for s in m.group(3).split("/") if s.isdigit()]
        if ids:
            values["topics"] = [int(ids[0])]
    else:
        values["category"] = m.group(3)
    return values


def engine_options(cls: Any, opts: ForumOptions) -> SourceOptions:
    """The engine's own Options built from the shared ones (fields it does not have are left out)."""
    values = opts.model_dump(exclude={"engine"}, exclude_none=True)
    values["url"] = opts.url or opts.base_url
    if not opts.topics:
        values.pop("topics")
    derived = _discourse_values(values["url"]) if opts.url else {}
    for key, value in derived.items():
        values.setdefault(key, value)
    values.update(max_topics=opts.max_threads, max_listing_pages=opts.max_pages)
    fields = cls.Options.model_fields
    return cls.Options.model_validate({k: v for k, v in values.items() if k in fields})


class _PrimedClient:
    """Hands the engine the start page already fetched for detection, so it is not fetched twice."""

    def __init__(self, client: Any, response: Response, url: str):
        self._client, self._response, self._url = client, response, url

    def get(self, url: str, params: dict | None = None) -> Response:
        if self._response is not None and url == self._url and not params:
            response, self._response = self._response, None
            return response
        return self._client.get(url, params=params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class ForumSource:
    """A forum of any supported engine; ``engine = "auto"`` detects it from the start page."""

    key: ClassVar[str] = "forum"
    Options = ForumOptions

    def __init__(self, name: str, options: ForumOptions, client: PoliteClient | None = None, **_: Any):
        self.name = name
        self.opts = options
        self.client = client or PoliteClient()
        self.detected_engine: str | None = None if options.engine == "auto" else options.engine
        self._engine: Any = None

    def cursor(self) -> Cursor:
        """The engine in use and its own cursor (empty before the first fetch)."""
        if self._engine is None:
            return {}
        return {"engine": self.detected_engine, "state": self._engine.cursor()}

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        """Detect the engine (unless set or recorded in the cursor), then crawl with it."""
        since = since or {}
        client: Any = self.client
        engine = self.opts.engine
        if engine == "auto":
            # Keep the engine of earlier crawls: another engine would mint other native ids and
            # the same posts would be stored twice.
            engine = since.get("engine")
            if engine is None:
                start = self.opts.url or self.opts.base_url or ""
                resp = self.client.get(start)
                engine = detect_engine(start, resp.text, resp.headers.get("content-type", ""))
                client = _PrimedClient(self.client, resp, start)
        self.detected_engine = engine
        cls = engine_classes()[engine]
        self._engine = cls(self.name, engine_options(cls, self.opts), client=client)
        yield from self._engine.fetch(since.get("state") if since.get("engine") == engine else None)
