"""Reviews that product pages publish as schema.org data: JSON-LD or microdata.

Shops mark up reviews for search engines (``<script type="application/ld+json">`` with a
Product whose ``review`` lists Reviews, a top-level list, or an ``@graph``; or microdata with
``itemtype=".../Review"``). That markup is the same on every shop, so one source reads them all
without site-specific selectors. Ratings are normalised with bestRating/worstRating.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from bs4 import BeautifulSoup, Tag
from pydantic import Field, field_validator

from scrapers.base import Cursor, html_to_text, loads_json, parse_ts
from scrapers.http import PoliteClient, check_url
from scrapers.reviews import ReviewOptions, json_ref, normalise_rating, review_document, to_number
from voc.schema import Document, stable_id

_TYPE_RE = re.compile(r"schema\.org/(Review|AggregateRating)$", re.I)


class JsonLdOptions(ReviewOptions):
    urls: list[str] = Field(min_length=1, description="product pages to read")

    @field_validator("urls")
    @classmethod
    def _http(cls, v: list[str]) -> list[str]:
        return [check_url(u) for u in v]


def _types(node: dict[str, Any]) -> set[str]:
    t = node.get("@type") or []
    return {str(x).rsplit("/", 1)[-1] for x in (t if isinstance(t, list) else [t])}


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a JSON-LD block (lists, @graph and nesting all flattened)."""
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)


def _jsonld_nodes(soup: BeautifulSoup) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for script in soup.find_all("script", type=re.compile(r"application/ld\+json", re.I)):
        raw = script.string or script.get_text() or ""
        try:
            # strict=False: shops often leave raw newlines inside review strings.
            data = loads_json(raw, strict=False)
        except ValueError:
            continue  # one broken block must not hide the others
        nodes.extend(_walk(data))
    return nodes


def _microdata_value(el: Tag) -> Any:
    if el.has_attr("itemscope"):
        return _microdata_item(el)
    for attr in ("content", "datetime", "href", "src", "value"):
        if el.has_attr(attr):
            return el[attr]
    return html_to_text(el)  # keeps a reviewBody's paragraph breaks


def _microdata_item(scope: Tag) -> dict[str, Any]:
    """The properties of one itemscope (nested items as dicts), like a JSON-LD node."""
    item: dict[str, Any] = {"@type": scope.get("itemtype", "")}
    stack = list(scope.children)
    while stack:
        el = stack.pop(0)
        if not isinstance(el, Tag):
            continue
        for prop in (el.get("itemprop") or "").split():
            item.setdefault(prop, _microdata_value(el))
        if not el.has_attr("itemscope"):
            stack[:0] = list(el.children)  # a nested item owns its own properties
    return item


def _microdata_nodes(soup: BeautifulSoup) -> list[dict[str, Any]]:
    return [_microdata_item(el) for el in soup.find_all(itemtype=_TYPE_RE)]


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
    nodes = _jsonld_nodes(soup) + _microdata_nodes(soup)
    reviews = [n for n in nodes if "Review" in _types(n)]
    aggregate = next((n for n in nodes if "AggregateRating" in _types(n)), None)
    return reviews, aggregate


class JsonLdReviewSource:
    key: ClassVar[str] = "jsonld_reviews"
    Options = JsonLdOptions

    def __init__(self, name: str, options: JsonLdOptions, client: PoliteClient | None = None, **_: Any):
        self.name = name
        self.opts = options
        self.client = client or PoliteClient()
        self._cursor: Cursor = {"pages": {}}

    def cursor(self) -> Cursor:
        return json.loads(json.dumps(self._cursor))

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        self._cursor = {"pages": dict((since or {}).get("pages", {}))}
        for url in self.opts.urls:
            seen = list(self._cursor["pages"].get(url, []))
            on_page = []
            for doc_id, doc in self._reviews(url, self.client.get(url).text):
                on_page.append(doc_id)
                if doc_id in seen or doc is None:
                    continue
                seen.append(doc_id)
                self._cursor["pages"][url] = seen
                yield doc
            # Only what the page still shows is remembered, so the cursor stays page-sized.
            self._cursor["pages"][url] = on_page

    def _reviews(self, url: str, body: str) -> Iterator[tuple[str, Document | None]]:
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

    # -- single pages (voc fetch) ----------------------------------------------------------
    @classmethod
    def detect(cls, url: str, body: str, content_type: str) -> bool:
        if "html" not in content_type and "<html" not in body[:2000].lower():
            return False
        lowered = body.lower()
        if "application/ld+json" not in lowered and "schema.org/review" not in lowered:
            return False
        return bool(page_reviews(body)[0])

    def page_documents(self, url: str, body: str) -> list[Document]:
        return [doc for _, doc in self._reviews(url, body) if doc is not None]
