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
from typing import Any, ClassVar
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from scrapers import schemaorg
from scrapers.stackexchange import post_document
from voc.schema import Document, stable_id

_QA = {"Question", "Answer"}


class QaOptions(schemaorg.PageListOptions):
    """Pages with schema.org QAPage/Question markup."""


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


def page_items(source: str, url: str, body: str) -> Iterator[tuple[str, Document | None]]:
    """(native id, Document) for the questions of one page, then their answers (linked to their question)."""
    host = urlsplit(url).netloc
    items = qa_items(BeautifulSoup(body, "lxml"))
    for kind in ("question", "answer"):
        for n, (item, text, question) in enumerate(items):
            is_question = "Question" in schemaorg.types(item)
            if (kind == "question") != is_question or (kind == "answer" and question is None):
                continue
            qid = _question_id(item if is_question else question, host)
            own = qid if is_question else f"{host}:{schemaorg.item_id(item) or stable_id(qid, n, text[:200])}"
            created = schemaorg.string(item.get("dateCreated")) or schemaorg.string(item.get("datePublished"))
            yield f"{kind}:{own}", post_document(
                source, kind, own, qid, text, title=schemaorg.string(item.get("name")) if is_question else None,
                url=schemaorg.string(item.get("url")) or (url if is_question else f"{url.split('#')[0]}#answer-{n}"),
                author=schemaorg.person(item.get("author")), created=created,
                score=_number(item.get("upvoteCount")), raw_ref=url)


def page_documents(source: str, url: str, body: str) -> list[Document]:
    """The questions and answers of one page, questions first."""
    return [doc for _, doc in page_items(source, url, body) if doc is not None]


class QaPageSource(schemaorg.PageListSource):
    """Questions and answers from pages with schema.org Q&A markup; new answers are picked up on re-crawl."""

    key: ClassVar[str] = "qa_page"
    Options = QaOptions
    SCORE = 30  # above the generic forum and the review reader, below a recognised forum engine
    DATE = "dateCreated"

    @classmethod
    def finds(cls, body: str) -> bool:
        return "question" in body.lower() and any("Question" in schemaorg.types(i)
                                                  for i, _, _ in qa_items(BeautifulSoup(body, "lxml")))

    def page_items(self, url: str, body: str) -> Iterator[tuple[str, Document | None]]:
        return page_items(self.name, url, body)
