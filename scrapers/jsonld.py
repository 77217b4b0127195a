"""Reviews that product pages publish as schema.org data: JSON-LD or microdata.

Shops mark up reviews for search engines (``<script type="application/ld+json">`` with a
Product whose ``review`` lists Reviews, a top-level list, or an ``@graph``; or microdata with
``itemtype=".../Review"``). That markup is the same on every shop, so one source reads them all
without site-specific selectors. Ratings are normalised with bestRating/worstRating.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from bs4 import BeautifulSoup

from scrapers import schemaorg
from scrapers.base import html_to_text, parse_ts
from scrapers.reviews import ReviewOptions, json_ref, normalise_rating, review_document, to_number
from voc.schema import Document, stable_id

_TYPE_RE = re.compile(r"schema\.org/(Review|AggregateRating)$", re.I)


class JsonLdOptions(ReviewOptions, schemaorg.PageListOptions):
    """Product pages to read, and the rating window."""


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return str(value).strip() if value not in (None, "") else None


def _text(value: Any) -> str:
    text = str(value or "")
    return html_to_text(text) if "<" in text else html_to_text(f"<p>{text}</p>")


def page_reviews(body: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Review nodes of a page (JSON-LD first, then microdata) and the first AggregateRating."""
    soup = BeautifulSoup(body, "lxml")
    nodes = [node for block in schemaorg.jsonld(soup) for node in schemaorg.walk(block)]
    nodes += [schemaorg.microdata_item(el) for el in soup.find_all(itemtype=_TYPE_RE)]
    reviews = [n for n in nodes if "Review" in schemaorg.types(n)]
    aggregate = next((n for n in nodes if "AggregateRating" in schemaorg.types(n)), None)
    return reviews, aggregate


class JsonLdReviewSource(schemaorg.PageListSource):
    key: ClassVar[str] = "jsonld_reviews"
    Options = JsonLdOptions
    SCORE = 25  # more than the generic forum reader, less than a recognised forum engine or Q&A

    @classmethod
    def finds(cls, body: str) -> bool:
        lowered = body.lower()
        return ("application/ld+json" in lowered or "schema.org/review" in lowered) and bool(page_reviews(body)[0])

    def page_items(self, url: str, body: str) -> Iterator[tuple[str, Document | None]]:
        """(native id, Document or None when filtered out) for every review on the page."""
        reviews, aggregate = page_reviews(body)
        ref = json_ref(
            page=url,
            ratingValue=to_number(aggregate.get("ratingValue")) if aggregate else None,
            reviewCount=to_number(aggregate.get("reviewCount") or aggregate.get("ratingCount")) if aggregate else None,
            bestRating=to_number(aggregate.get("bestRating")) if aggregate else None,
        )
        done: set[str] = set()
        for node in reviews:
            author = _name(node.get("author"))
            date = node.get("datePublished") or node.get("dateCreated")
            text = _text(node.get("reviewBody") or node.get("description"))
            # The hash, not the position, identifies a review: new reviews shift positions.
            native = "review:" + stable_id(author, date, text)
            if native in done:
                continue  # the same review in JSON-LD and microdata
            done.add(native)
            n = len(done)
            stars = node.get("reviewRating") if isinstance(node.get("reviewRating"), dict) else {}
            rating = normalise_rating(stars.get("ratingValue"), stars.get("bestRating", 5), stars.get("worstRating", 1))
            yield native, review_document(
                self.name, self.opts, native, text, rating,
                url=f"{url.split('#')[0]}#review-{n}", thread_id=url, author=author,
                created_at=parse_ts(date), title=_name(node.get("name")) or _name(node.get("headline")),
                raw_ref=ref,
            )
