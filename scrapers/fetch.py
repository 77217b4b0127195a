"""`voc fetch URL`: the Documents one page yields, the engine that read them, and how they were found.

Authors are shown as pseudonyms made with a salt thrown away after the command (never the names,
and never the pseudonyms a crawl stores), so a user trying a new forum can see whether authors were
found, and whether two posts share one, without the names leaving the page.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scrapers.forums.crawl import fetched_at
from scrapers.forums.detect import best, page_sources
from scrapers.http import PoliteClient
from voc.errors import VocError
from voc.privacy.pseudonyms import pseudonymise
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


def throwaway_salt() -> str:
    """A salt for this command only: the pseudonyms it makes match nothing stored."""
    return secrets.token_hex(16)


def rows(result: PageResult, salt: str) -> list[dict[str, Any]]:
    """The documents as JSON rows, each author as a throwaway pseudonym, with where author and date were found."""
    out = []
    for doc in result.docs:
        note = result.notes.get(doc.native_id, {})
        row = {**doc.to_json(), "author_hash": pseudonymise(doc.author, salt)}
        row.update(author_found=doc.author is not None, author_from=note.get("author"),
                   date_found=doc.created_at is not None, date_from=note.get("date"))
        out.append(row)
    return out


def summary(result: PageResult) -> str:
    """One line: engine, posts, how many with an author and a date, the date range, posts left out."""
    docs, n = result.docs, len(result.docs)
    dates = sorted(d.created_at for d in docs if d.created_at)
    span = f" ({dates[0]:%Y-%m-%d %H:%M} .. {dates[-1]:%Y-%m-%d %H:%M})" if dates else ""
    left = sum("skipped" in note for note in result.notes.values())
    return (f"engine: {result.engine}; posts: {n}; authors found: {sum(bool(d.author) for d in docs)}/{n}; "
            f"dates found: {len(dates)}/{n}{span}" + (f"; left out: {left}" if left else ""))


def explain(result: PageResult, salt: str) -> list[str]:
    """Per document where its author and date were found (element, or "-" for not found), then
    the blocks left out and why, then :func:`summary`."""
    lines = []
    for row in rows(result, salt):
        author = f"{row['author_hash']} from {row['author_from']}" if row["author_found"] else "-"
        date = f"{row['created_at'][:16].replace('T', ' ')} from {row['date_from']}" if row["date_found"] else "-"
        lines.append(f"{row['kind']:8} {row['url'] or result.url}\n         author: {author}; date: {date}; "
                     f"text: {len(row['text'])} chars")
    lines += [f"left out {native}: {note['skipped']}" for native, note in result.notes.items() if "skipped" in note]
    return [*lines, summary(result)]
