"""schema.org data on a page, as JSON-LD and microdata read into one shape.

Pages mark up what they show for search engines: reviews (``Review``, ``AggregateRating``), forum
posts (``DiscussionForumPosting``, ``Comment``), Q&A (``QAPage``, ``Question``, ``Answer``). Both
syntaxes are read into dicts keyed like JSON-LD (``@type``, ``@id``, properties), so the review,
forum and Q&A readers each work on one shape. A broken JSON-LD block is skipped; it must not hide
the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from bs4 import BeautifulSoup, Tag
from pydantic import Field, field_validator

from scrapers.base import BaseSource, Cursor, SourceOptions, html_to_text
from scrapers.forums.pages import html_page
from scrapers.http import check_url
from scrapers.jsonio import loads_json
from voc.schema import Document

# Where JSON-LD nests one item in another: a graph, a page's main entity, comments, answers, parts.
NESTING = ("@graph", "mainEntity", "comment", "hasPart", "acceptedAnswer", "suggestedAnswer", "answer")


def types(node: Any) -> set[str]:
    """The schema.org type names of a node (``"https://schema.org/Question"`` gives "Question")."""
    if not isinstance(node, dict):
        return set()
    found = node.get("@type") or []
    return {str(t).rstrip("/").rsplit("/", 1)[-1] for t in (found if isinstance(found, list) else [found])}


def string(value: Any) -> str | None:
    """A value that should be text, None when it is not (pages put lists and objects anywhere)."""
    return value if isinstance(value, str) else None


def person(value: Any) -> str | None:
    """A name from an author value: a string, a Person object or a list of them (the first)."""
    value = (value or [None])[0] if isinstance(value, list) else value
    value = value.get("name") or value.get("alternateName") if isinstance(value, dict) else value
    return str(value).strip() if value and str(value).strip() else None


def item_id(item: Any) -> str | None:
    """An item's own id: ``identifier``, else the fragment of its ``url`` or ``@id``."""
    if not isinstance(item, dict):
        return None
    link = string(item.get("url")) or string(item.get("@id")) or ""
    identifier = item.get("identifier")
    return (str(identifier) if isinstance(identifier, (str, int)) and not isinstance(identifier, bool) else "") \
        or link.partition("#")[2] or None


def text_of(value: Any) -> str:
    """Item text as plain text: HTML is converted, plain text keeps its line breaks."""
    text = string(value) or ""
    return html_to_text(text) if "<" in text else "\n".join(" ".join(ln.split()) for ln in text.splitlines()).strip()


# -- JSON-LD --------------------------------------------------------------------------------------
def jsonld(soup: BeautifulSoup) -> list[Any]:
    """The parsed JSON-LD blocks of a page."""
    blocks = []
    for script in soup.find_all("script", type=re.compile(r"application/ld\+json", re.I)):
        try:
            # strict=False: raw newlines inside strings are common on real pages.
            blocks.append(loads_json(script.string or script.get_text() or "", strict=False))
        except ValueError:
            continue
    return blocks


def walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every object in JSON-LD data (lists, ``@graph`` and nesting all flattened)."""
    if isinstance(data, list):
        for item in data:
            yield from walk(item)
    elif isinstance(data, dict):
        yield data
        for value in data.values():
            yield from walk(value)


def nested(data: Any, wanted: set[str], parent: dict | None = None) -> Iterator[tuple[dict, dict | None]]:
    """Items of the ``wanted`` types with the nearest enclosing item of a wanted type (or None),
    following the properties that nest content (:data:`NESTING`)."""
    if isinstance(data, list):
        for item in data:
            yield from nested(item, wanted, parent)
    elif isinstance(data, dict):
        hit = bool(types(data) & wanted)
        if hit:
            yield data, parent
        for key in NESTING:
            if key in data:
                yield from nested(data[key], wanted, data if hit else parent)


# -- microdata ------------------------------------------------------------------------------------
def _value(el: Tag) -> Any:
    if el.has_attr("itemscope"):
        return microdata_item(el)
    for attr in ("content", "datetime", "href", "src", "value"):
        if el.has_attr(attr):
            return el[attr]
    return html_to_text(el)  # keeps paragraph breaks; quotes and code are dropped


def microdata_item(scope: Tag) -> dict[str, Any]:
    """The properties of one itemscope (nested items as dicts, the first value of a repeated
    property), like a JSON-LD node; ``@id`` is the element's id."""
    item: dict[str, Any] = {"@type": scope.get("itemtype", "")}
    if scope.get("id"):
        item["@id"] = f"#{scope['id']}"
    stack = list(scope.children)
    while stack:
        el = stack.pop(0)
        if not isinstance(el, Tag):
            continue
        for prop in (el.get("itemprop") or "").split():
            item.setdefault(prop, _value(el))
        if not el.has_attr("itemscope"):
            stack[:0] = list(el.children)  # a nested item owns its own properties
    return item


def microdata(soup: BeautifulSoup, wanted: set[str]) -> list[tuple[Tag, dict[str, Any], Tag | None]]:
    """Items of the ``wanted`` types: (element, item, nearest enclosing element of a wanted type)."""
    found = []
    for el in soup.find_all(attrs={"itemscope": True, "itemtype": True}):
        if types({"@type": el["itemtype"].split()}) & wanted:
            outer = next((a for a in el.parents if a.has_attr("itemscope") and a.has_attr("itemtype")
                          and types({"@type": a["itemtype"].split()}) & wanted), None)
            found.append((el, microdata_item(el), outer))
    return found


def own_property(item: Tag, prop: str) -> Tag | None:
    """The element holding ``prop`` of this item itself (not of an item nested in it)."""
    return next((el for el in item.select(f"[itemprop~={prop}]")
                 if el.find_parent(attrs={"itemscope": True}) is item), None)


# -- sources that read a list of pages -------------------------------------------------------------
class PageListOptions(SourceOptions):
    urls: list[str] = Field(min_length=1, description="the pages to read")

    @field_validator("urls")
    @classmethod
    def _http(cls, v: list[str]) -> list[str]:
        return [check_url(u) for u in v]


class PageListSource(BaseSource):
    """Reads the items a fixed list of pages marks up (reviews, questions and answers).

    A subclass gives :meth:`page_items` and its ``SCORE`` for ``voc fetch``; the cursor keeps, per
    page, the ids the page still shows, so it stays page-sized and a re-crawl yields only new items.
    """

    EMPTY: ClassVar[Cursor] = {"pages": {}}
    SCORE: ClassVar[int] = 0  # how surely a page with such items is this source's (detect_score)
    DATE: ClassVar[str] = "datePublished"  # the property its dates come from, for --explain

    def page_items(self, url: str, body: str) -> Iterator[tuple[str, Document | None]]:
        """(native id, Document, or None when the item is filtered out) for every item on the page."""
        raise NotImplementedError

    @classmethod
    def finds(cls, body: str) -> bool:
        """Whether a page carries the items this source reads."""
        raise NotImplementedError

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        self._cursor = self.resume(since)
        for url in self.opts.urls:
            seen = list(self._cursor["pages"].get(url, []))
            on_page = []
            for native, doc in self.page_items(url, self.client.get(url).text):
                on_page.append(native)
                if native in seen or doc is None:
                    continue
                seen.append(native)
                self._cursor["pages"][url] = seen
                yield doc
            # Only what the page still shows is remembered, so the cursor stays page-sized.
            self._cursor["pages"][url] = on_page

    @classmethod
    def detect_score(cls, url: str, body: str, content_type: str) -> int:
        return cls.SCORE if html_page(body, content_type) and cls.finds(body) else 0

    @classmethod
    def detect(cls, url: str, body: str, content_type: str) -> bool:
        return cls.detect_score(url, body, content_type) > 0

    def page_documents(self, url: str, body: str, now: datetime | None = None,
                       notes: dict | None = None) -> list[Document]:
        docs = [doc for _, doc in self.page_items(url, body) if doc is not None]
        if notes is not None:
            notes.update({d.native_id: {"author": "author" if d.author else None,
                                        "date": self.DATE if d.created_at else None} for d in docs})
        return docs
