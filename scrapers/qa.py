"""Question-and-answer pages that carry schema.org ``QAPage`` / ``Question`` / ``Answer`` markup.

Community Q&A sites, product support forums and Quora-style pages mark their questions up for
search engines, as JSON-LD or microdata. That markup is the same everywhere, so one source reads
any of them: the question becomes a ``question`` Document (its title first: on Q&A sites the title
is often the whole question) and every answer (accepted or suggested) an ``answer`` Document whose
parent is the question. Votes (``upvoteCount``) become the score.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from pydantic import Field, field_validator

from scrapers import schemaorg
from scrapers.base import BaseSource, Cursor, SourceOptions
from scrapers.forums.pages import html_page
from scrapers.http import check_url
from scrapers.stackexchange import post_document
from voc.schema import Document, stable_id

_QA = {"Question", "Answer"}


class QaOptions(SourceOptions):
    urls: list[str] = Field(min_length=1, description="pages with schema.org QAPage/Question markup")

    @field_validator("urls")
    @classmethod
    def _http(cls, v: list[str]) -> list[str]:
        return [check_url(u) for u in v]


def _html(value: Any) -> str:
    """Item text as HTML for the shared question/answer builder (plain text is escaped, not parsed)."""
    text = schemaorg.string(value) or ""
    return text if "<" in text else html.escape(text).replace("\n", "<br>")


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def qa_items(soup: BeautifulSoup) -> list[tuple[dict[str, Any], str, dict[str, Any] | None]]:
    """(item, its text as HTML, the question an answer belongs to) for every Question and Answer:
    JSON-LD first, else microdata."""
    found = []
    for block in schemaorg.jsonld(soup):
        for item, parent in schemaorg.nested(block, _QA):
            found.append((item, _html(item.get("text")), parent if "Question" in schemaorg.types(parent) else None))
    if found:
        return found
    elements = {id(el): item for el, item, _ in schemaorg.microdata(soup, _QA)}
    for el, item, outer in schemaorg.microdata(soup, _QA):
        text = schemaorg.own_property(el, "text")
        question = elements.get(id(outer)) if outer is not None else None
        found.append((item, str(text) if text is not None else "", question))
    return found


def _question_id(item: dict[str, Any], host: str) -> str:
    own = schemaorg.item_id(item) or stable_id(item.get("name"), item.get("dateCreated"), str(item.get("text"))[:200])
    return f"{host}:{own}"


def page_documents(source: str, url: str, body: str, notes: dict | None = None) -> list[Document]:
    """The questions and answers of one page, questions first, answers linked to their question."""
    host = urlsplit(url).netloc
    items = qa_items(BeautifulSoup(body, "lxml"))
    docs: list[Document] = []
    for kind in ("question", "answer"):
        for n, (item, text, question) in enumerate(items):
            is_question = "Question" in schemaorg.types(item)
            if (kind == "question") != is_question or (kind == "answer" and question is None):
                continue
            qid = _question_id(item if is_question else question, host)
            own = qid if is_question else f"{host}:{schemaorg.item_id(item) or stable_id(qid, n, text[:200])}"
            author = schemaorg.person(item.get("author"))
            created = schemaorg.string(item.get("dateCreated")) or schemaorg.string(item.get("datePublished"))
            doc = post_document(
                source, kind, own, qid, text, title=schemaorg.string(item.get("name")) if is_question else None,
                url=schemaorg.string(item.get("url")) or (url if is_question else f"{url.split('#')[0]}#answer-{n}"),
                author=author, created=created, score=_number(item.get("upvoteCount")), raw_ref=url)
            if doc is None:
                continue
            docs.append(doc)
            if notes is not None:
                notes[doc.native_id] = {"author": "author" if author else None,
                                        "date": "dateCreated" if doc.created_at else None}
    return docs


class QaPageSource(BaseSource):
    """Questions and answers from pages with schema.org Q&A markup; new answers are picked up on re-crawl."""

    key: ClassVar[str] = "qa_page"
    Options = QaOptions
    EMPTY: ClassVar[Cursor] = {"pages": {}}

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        self._cursor = self.resume(since)
        for url in self.opts.urls:
            seen = set(self._cursor["pages"].get(url, []))
            for doc in page_documents(self.name, url, self.client.get(url).text):
                if doc.native_id in seen:
                    continue
                seen.add(doc.native_id)
                self._cursor["pages"][url] = sorted(seen)
                yield doc

    @classmethod
    def detect_score(cls, url: str, body: str, content_type: str) -> int:
        """30 for a page with a schema.org Question: above the generic forum reader and the review
        reader, below a clearly recognised forum engine."""
        if not html_page(body, content_type) or "question" not in body.lower():
            return 0
        return 30 if any("Question" in schemaorg.types(i) for i, _, _ in qa_items(BeautifulSoup(body, "lxml"))) else 0

    @classmethod
    def detect(cls, url: str, body: str, content_type: str) -> bool:
        return cls.detect_score(url, body, content_type) > 0

    def page_documents(self, url: str, body: str, now: datetime | None = None,
                       notes: dict | None = None) -> list[Document]:
        return page_documents(self.name, url, body, notes)
