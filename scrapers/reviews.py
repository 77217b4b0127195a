"""Helpers every review source shares: rating scales, the mid-rated rule, newest-first cursors.

Reviews keep the mid-rated ones by default (2-4 stars), the same rule ``scrapers.files`` applies
to imported files: 5-star and 1-star reviews say little about *why*. Ratings are normalised to
0-5 first, so the rule means the same thing whatever scale a site uses.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from scrapers.base import Cursor, SourceOptions
from voc.schema import Document

DEFAULT_MIN_RATING = 2.0
DEFAULT_MAX_RATING = 4.0
_NUMBER_RE = re.compile(r"-?\d+(?:[.,]\d+)?")


class ReviewOptions(SourceOptions):
    """The rating window shared by all review sources (on the normalised 0-5 scale)."""

    min_rating: float = Field(default=DEFAULT_MIN_RATING, ge=0, le=5)
    max_rating: float = Field(default=DEFAULT_MAX_RATING, ge=0, le=5)

    @model_validator(mode="after")
    def _ordered(self) -> ReviewOptions:
        if self.min_rating > self.max_rating:
            raise ValueError(f"min_rating ({self.min_rating}) is above max_rating ({self.max_rating})")
        return self


def keep_rating(rating: float | None, min_rating: float | None = DEFAULT_MIN_RATING,
                max_rating: float | None = DEFAULT_MAX_RATING) -> bool:
    """Whether a review with this normalised rating is kept.

    Args:
        rating: 0-5, or None when the review has none (kept: there is nothing to filter on).
        min_rating: lowest kept rating; None means the default 2.
        max_rating: highest kept rating; None means the default 4.
    """
    if rating is None:
        return True
    lo = DEFAULT_MIN_RATING if min_rating is None else min_rating
    hi = DEFAULT_MAX_RATING if max_rating is None else max_rating
    return lo <= rating <= hi


def to_number(value: Any) -> float | None:
    """A number from what pages deliver: 4, "4.5", "4,5", "4 out of 5"; None when there is none."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = _NUMBER_RE.search(str(value))
    return float(match.group().replace(",", ".")) if match else None


def normalise_rating(value: Any, best: Any = 5, worst: Any = 1) -> float | None:
    """Map a rating from its own scale onto 0-5.

    A scale starting at 1 maps onto 1-5 stars and one starting at 0 onto 0-5, so a 1-5 star
    rating is unchanged (and 2-4 keeps meaning "2 to 4 stars"); 7/10 on a 0-10 scale is 3.5.

    Args:
        value: the rating as given (number or string).
        best: the best possible rating (schema.org bestRating; default 5).
        worst: the worst possible rating (schema.org worstRating; default 1).
    """
    raw = to_number(value)
    hi = to_number(best)
    lo = to_number(worst)
    hi = 5.0 if hi is None else hi
    lo = 1.0 if lo is None else lo
    if raw is None or hi <= lo:
        return None
    floor = 1.0 if lo >= 1 else 0.0
    scaled = floor + (5.0 - floor) * (raw - lo) / (hi - lo)
    return round(min(5.0, max(0.0, scaled)), 3)


def review_document(source: str, opts: ReviewOptions, native_id: str, text: str,
                    rating: float | None, **fields: Any) -> Document | None:
    """A kind="review" Document, or None when the text is empty or the rating is filtered out."""
    text = (text or "").strip()
    if not text or not keep_rating(rating, opts.min_rating, opts.max_rating):
        return None
    return Document(source=source, native_id=native_id, kind="review", text=text, rating=rating, **fields)


def json_ref(**values: Any) -> str:
    """A compact JSON raw_ref without the empty values."""
    return json.dumps({k: v for k, v in values.items() if v is not None}, sort_keys=True, default=str)


class NewestFirst:
    """Incremental state for a review feed that lists newest first and is read from the top.

    Such a feed can only be resumed from its top, so the watermark (the newest review of the
    last *finished* run) moves only when a run finishes. A run that dies halfway is re-read from
    the top down to the old watermark next time; the store's upserts make that overlap harmless,
    and nothing between the two is ever skipped.
    """

    def __init__(self, since: Cursor | None):
        state = since or {}
        self.newest: dict[str, Any] | None = state.get("newest")
        # An unfinished run's top is not restored: this run re-reads from the top and sees it.
        self._top: dict[str, Any] | None = None

    def reached(self, native_id: str, at: datetime | None) -> bool:
        """True once the feed gets to what the last finished run had already seen."""
        if self.newest is None:
            return False
        if native_id == self.newest["id"]:
            return True
        last = self.newest.get("at")
        # Equal timestamps are not "reached": a different review from the same second is new.
        return at is not None and last is not None and at < datetime.fromisoformat(last)

    def saw(self, native_id: str, at: datetime | None) -> None:
        """Note a review read in this run (the first one is the new top of the feed)."""
        if self._top is None:
            self._top = {"id": native_id, "at": at.isoformat() if at else None}

    def finish(self) -> None:
        """The run reached the watermark or the end of the feed: its top is the new watermark."""
        if self._top is not None:
            self.newest, self._top = self._top, None

    def state(self) -> Cursor:
        return {"newest": self.newest, "pending": self._top}
