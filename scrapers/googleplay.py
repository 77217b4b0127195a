"""Google Play reviews through the ``google-play-scraper`` package (no key).

NOTE: that package makes its own HTTP requests (urllib, to play.google.com), not through the
shared PoliteClient. Consequences: no robots.txt check, no per-host rate limit, no retries or
Retry-After, no size cap, not voc's User-Agent, and none of it counted in the crawl's HTTP
stats. Worse, the package swallows request errors and returns what it had, so a failure looks
like the end of the reviews. Keep ``max_reviews`` modest.

Reviews are read newest first down to the newest one the last finished run saw (see
``scrapers.reviews.NewestFirst``); ``max_reviews`` caps a run, and a feed read only from its top
cannot go back for reviews older than the cap later, so set it above the reviews per crawl.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any, ClassVar

from pydantic import Field

from scrapers.base import BaseSource, Cursor
from scrapers.reviews import NewestFirst, ReviewOptions, json_ref, normalise_rating, review_document
from voc.errors import missing_package
from voc.schema import Document

BATCH = 100  # reviews per call: one request each, so a failure loses little


class GooglePlayOptions(ReviewOptions):
    app_id: str = Field(pattern=r"^[A-Za-z][\w]*(\.[\w]+)+$", description='package name, e.g. "com.irobot.home"')
    lang: str = "en"
    country: str = "us"
    max_reviews: int = Field(default=500, ge=1, description="reviews read per run, before the rating filter")


def _utc(value: Any) -> datetime | None:
    """google-play-scraper builds ``at`` with datetime.fromtimestamp: naive *local* time."""
    if not isinstance(value, datetime):
        return None
    return value.astimezone(timezone.utc).replace(tzinfo=None)


class GooglePlaySource(BaseSource):
    key: ClassVar[str] = "googleplay"
    Options = GooglePlayOptions
    USES_HTTP: ClassVar[bool] = False  # google-play-scraper does its own HTTP (see the module docstring)

    def __init__(self, name: str, options: GooglePlayOptions, reviews_fn: Callable[..., Any] | None = None,
                 **kw: Any):
        """Args:
            reviews_fn: stands in for ``google_play_scraper.reviews`` (tests, other backends).
        """
        super().__init__(name, options, **kw)
        self.reviews_fn = reviews_fn
        self._mark = NewestFirst(None)

    def cursor(self) -> Cursor:
        return self._mark.state()

    def _backend(self) -> tuple[Callable[..., Any], Any]:
        """The reviews function and the NEWEST sort value, importing the package only if needed."""
        try:
            from google_play_scraper import Sort, reviews
        except ImportError:
            if self.reviews_fn is None:
                raise missing_package("google-play-scraper", purpose=f"source {self.name} (googleplay)") from None
            return self.reviews_fn, "newest"
        return self.reviews_fn or reviews, Sort.NEWEST

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        reviews_fn, newest = self._backend()
        self._mark = NewestFirst(since)
        token = None
        taken = 0
        while taken < self.opts.max_reviews:
            count = min(BATCH, self.opts.max_reviews - taken)
            rows, token = reviews_fn(self.opts.app_id, lang=self.opts.lang, country=self.opts.country,
                                     sort=newest, count=count, continuation_token=token)
            for row in rows:
                native = f"review:{row.get('reviewId')}"
                at = _utc(row.get("at"))
                if self._mark.reached(native, at):
                    self._mark.finish()
                    return
                self._mark.saw(native, at)
                taken += 1
                doc = self._document(row, native, at)
                if doc is not None:
                    yield doc
            if not rows or token is None or getattr(token, "token", None) is None:
                break
        self._mark.finish()

    def _document(self, row: dict[str, Any], native: str, at: datetime | None) -> Document | None:
        rid = row.get("reviewId")
        return review_document(
            self.name, self.opts, native, row.get("content") or "", normalise_rating(row.get("score"), 5, 1),
            url=f"https://play.google.com/store/apps/details?id={self.opts.app_id}&reviewId={rid}",
            thread_id=f"googleplay:{self.opts.app_id}", author=row.get("userName"), created_at=at,
            score=float(row["thumbsUpCount"]) if row.get("thumbsUpCount") is not None else None,
            raw_ref=json_ref(app=self.opts.app_id, version=row.get("reviewCreatedVersion") or row.get("appVersion")),
        )
