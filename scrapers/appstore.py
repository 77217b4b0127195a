"""Apple App Store customer reviews through Apple's public RSS feed (JSON flavour, no key).

The feed lists the most recent reviews of one app in one country's store, 50 a page, and
stops at page 10 (500 reviews). Page 1 may begin with an entry describing the app itself,
which has no ``im:rating``; it is skipped. Reviews are read newest first down to the newest
one the last finished run saw (see ``scrapers.reviews.NewestFirst``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import Field, field_validator

from scrapers.base import BaseSource, Cursor, parse_ts
from scrapers.http import check_url
from scrapers.reviews import NewestFirst, ReviewOptions, json_ref, normalise_rating, review_document
from voc.errors import VocError
from voc.schema import Document

FEED_URL = "https://itunes.apple.com"
MAX_PAGES = 10  # Apple serves no page beyond 10


class AppStoreOptions(ReviewOptions):
    app_id: str = Field(pattern=r"^\d+$", description="the number in the app's URL: apps.apple.com/.../id<app_id>")
    country: str = Field(default="us", pattern=r"^[a-zA-Z]{2}$")
    max_pages: int = Field(default=MAX_PAGES, ge=1, le=MAX_PAGES)
    feed_url: str = FEED_URL

    @field_validator("feed_url")
    @classmethod
    def _http(cls, v: str) -> str:
        return check_url(v).rstrip("/")


def _label(entry: dict[str, Any], key: str) -> Any:
    value = entry.get(key)
    return value.get("label") if isinstance(value, dict) else None


class AppStoreSource(BaseSource):
    key: ClassVar[str] = "appstore"
    Options = AppStoreOptions

    def __init__(self, name: str, options: AppStoreOptions, client: Any = None, **kw: Any):
        super().__init__(name, options, client=client, **kw)
        self._mark = NewestFirst(None)

    def cursor(self) -> Cursor:
        return self._mark.state()

    def page_url(self, page: int) -> str:
        o = self.opts
        return f"{o.feed_url}/{o.country.lower()}/rss/customerreviews/page={page}/id={o.app_id}/sortby=mostrecent/json"

    def entries(self, page: int) -> list[dict[str, Any]]:
        url = self.page_url(page)
        data = self.client.get(url).json()
        feed = data.get("feed") if isinstance(data, dict) else None
        if not isinstance(feed, dict):
            raise VocError(f"{url}: not an App Store review feed (no 'feed' object); check app_id and country")
        entry = feed.get("entry") or []
        return [entry] if isinstance(entry, dict) else list(entry)  # one review comes as an object

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        self._mark = NewestFirst(since)
        for page in range(1, self.opts.max_pages + 1):
            reviews = [e for e in self.entries(page) if "im:rating" in e]  # not the app's own entry
            if not reviews:
                break
            for entry in reviews:
                native = f"review:{_label(entry, 'id')}"
                at = parse_ts(_label(entry, "updated"))
                if self._mark.reached(native, at):
                    self._mark.finish()
                    return
                self._mark.saw(native, at)
                doc = self._document(entry, native, at, page)
                if doc is not None:
                    yield doc
        self._mark.finish()

    def _document(self, entry: dict[str, Any], native: str, at: Any, page: int) -> Document | None:
        link = entry.get("link")
        link = link[0] if isinstance(link, list) and link else link
        votes = _label(entry, "im:voteSum")
        return review_document(
            self.name, self.opts, native, _label(entry, "content") or "",
            normalise_rating(_label(entry, "im:rating"), 5, 1),
            url=(link or {}).get("attributes", {}).get("href") if isinstance(link, dict) else None,
            thread_id=f"appstore:{self.opts.app_id}",
            author=(entry.get("author") or {}).get("name", {}).get("label"),
            created_at=at, title=_label(entry, "title"),
            score=float(votes) if votes not in (None, "") else None,
            raw_ref=json_ref(feed=self.page_url(page), version=_label(entry, "im:version")),
        )
