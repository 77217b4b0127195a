"""`voc fetch URL`: the Documents one page yields, the engine that read them, and how they were found."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scrapers.forums.crawl import fetched_at
from scrapers.forums.detect import best, page_sources
from scrapers.http import PoliteClient
from voc.errors import VocError
from voc.schema import Document


@dataclass
class PageResult:
    """What one page yielded: the engine, its documents, and per document where its author and
    date were found (``notes``: ``{native_id: {"author": where, "date": where}}``, plus blocks
    left out, ``{"skipped": why}``)."""

    url: str
    engine: str
    docs: list[Document]
    fetched_at: datetime
    notes: dict[str, dict[str, Any]] = field(default_factory=dict)


def page_engines() -> dict:
    """Registered sources that can parse a single page (they implement detect_score/page_documents)."""
    return page_sources()


def read_page(url: str, engine: str = "auto", client: PoliteClient | None = None) -> PageResult:
    """Fetch one page and read it with the named engine, or the one that recognises it best.

    Raises:
        VocError: no source recognises the page, the engine is unknown, or the fetch failed.
    """
    client = client or PoliteClient()
    resp = client.get(url)
    body = resp.text
    ctype = resp.headers.get("content-type", "")
    engines = page_engines()
    if engine == "auto":
        engine = best(engines, url, body, ctype)[0] or ""
        if not engine:
            raise VocError(f"{url}: no source recognises this page (tried {', '.join(sorted(engines))}); "
                           "pass --engine to force one")
    elif engine not in engines:
        raise VocError(f"unknown engine {engine!r}; page engines are {', '.join(sorted(engines))}")
    cls = engines[engine]
    source = cls(engine, cls.Options.model_construct(), client=client)
    when, notes = fetched_at(resp.headers), {}
    docs = source.page_documents(url, body, now=when, notes=notes)
    return PageResult(url, engine, docs, when, notes)


def fetch_page(url: str, engine: str = "auto", client: PoliteClient | None = None) -> tuple[str, list[Document]]:
    """The engine that read the page and the Documents it yielded."""
    result = read_page(url, engine, client)
    return result.engine, result.docs
