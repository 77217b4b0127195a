"""The crawl every HTML forum engine shares: listing pages, then thread pages, with a cursor.

An engine subclasses :class:`ThreadCrawlSource` and implements the page hooks (which page is a
thread, its posts, a listing's rows, the next page), and says how to recognise its pages
(``SIGNATURES``, ``GENERATOR``). The cursor maps each thread URL to the posts seen, the last page
read and the ids yielded, so a re-crawl starts from the last page and a listing that shows no
new replies costs no request for that thread.
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, ClassVar

from bs4 import BeautifulSoup
from pydantic import Field, field_validator

from scrapers.base import BaseSource, SourceOptions
from scrapers.forums.pages import html_page, signature_score
from scrapers.http import check_url
from voc.schema import Document, utcnow

# A page must show this many of an engine's signatures (a generator tag counts three).
MIN_SIGNATURES = 2


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


def fetched_at(headers: dict[str, str]) -> datetime:
    """When a page was fetched, by the server's Date header (naive UTC), else by our clock."""
    try:
        stamp = email.utils.parsedate_to_datetime(headers.get("date") or "")
    except (TypeError, ValueError, IndexError):
        return utcnow()
    return stamp if stamp.tzinfo is None else stamp.astimezone(timezone.utc).replace(tzinfo=None)


class ThreadCrawlSource(BaseSource):
    """Listing pages and thread pages, both followed through pagination, with an incremental cursor.

    While a page is read, ``self.now`` is its fetch time (relative dates count back from it) and
    ``self.notes``, when set (``voc fetch --explain``), collects where each post's author and
    date were found. Posts without an author or a date are counted in ``skipped``.
    """

    EMPTY: ClassVar[dict] = {"threads": {}}
    FORUM_ENGINE: ClassVar[bool] = True
    # Patterns (case-insensitive) of the engine's markup that survive restyling: template ids,
    # script hooks, URL shapes. GENERATOR matches its <meta name="generator"> or "Powered by".
    SIGNATURES: ClassVar[tuple[str, ...]] = ()
    GENERATOR: ClassVar[str | None] = None

    def __init__(self, name: str, options: Any, client: Any = None, **kw: Any):
        super().__init__(name, options, client=client, **kw)
        self.now: datetime | None = None
        self.notes: dict[str, dict[str, str | None]] | None = None

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

    # recognising pages -------------------------------------------------------------------------
    @classmethod
    def detect_score(cls, url: str, body: str, content_type: str) -> int:
        """How surely this engine wrote the page (see :func:`scrapers.forums.pages.signature_score`)."""
        if not html_page(body, content_type) or not cls.SIGNATURES:
            return 0
        return signature_score(body, cls.SIGNATURES, cls.GENERATOR, MIN_SIGNATURES)

    @classmethod
    def detect(cls, url: str, body: str, content_type: str) -> bool:
        return cls.detect_score(url, body, content_type) > 0

    # crawling ----------------------------------------------------------------------------------
    def _soup(self, url: str) -> BeautifulSoup:
        response = self.client.get(url)
        self.now = fetched_at(response.headers)
        return BeautifulSoup(response.text, "lxml")

    def fetch(self, since: dict | None) -> Iterator[Document]:
        """Every new post under ``options.url`` (a listing or one thread), oldest page first."""
        self._cursor = self.resume(since)
        soup = self._soup(self.opts.url)
        if self.is_thread_page(soup):
            yield from self._thread(self.opts.url, None, soup)
            return
        listing_url: str = self.opts.url
        crawled: set[str] = set()
        for n in range(self.opts.max_pages):
            if n:
                soup = self._soup(listing_url)
            rows = self.listing_threads(soup, listing_url)
            if not n and not rows:
                self.skipped.add("not_a_thread", listing_url, f"neither a {self.key} thread (no posts found) nor a "
                                 "listing with thread links; start from a thread or forum listing URL")
            for row in rows:
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
                self._count_missing(doc)
                self._remember(url, page_url, seen)
                yield doc
            self._remember(url, page_url, seen)
            page_url, soup = self.next_page(soup, page_url), None

    def _count_missing(self, doc: Document) -> None:
        # Never guessed: an undated post stays undated, and the crawl result says how many.
        if doc.created_at is None:
            self.skipped.add("no_date", doc.url or doc.native_id, "no date of the post's own found; left empty")
        if doc.author is None:
            self.skipped.add("no_author", doc.url or doc.native_id, "no author found; left empty")

    def _remember(self, url: str, page_url: str, seen: set[str]) -> None:
        self._cursor["threads"][url] = {"posts": len(seen), "last_page": page_url, "ids": sorted(seen)}

    # single pages (voc fetch) ------------------------------------------------------------------
    def page_documents(self, url: str, body: str, now: datetime | None = None,
                       notes: dict | None = None) -> list[Document]:
        """The posts of one thread page (a listing page has none).

        Args:
            now: when the page was fetched (relative dates count back from it); default now.
            notes: filled with where each post's author and date were found, by native id.
        """
        self.now, self.notes = now or utcnow(), notes
        try:
            return self.parse_thread_page(BeautifulSoup(body, "lxml"), url)
        finally:
            self.notes = None
