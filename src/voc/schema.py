"""The data contract: every stage after a scraper speaks these types or frames with these columns."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

from voc.kinds import INSIGHT_KINDS as _KINDS
from voc.kinds import KIND_TITLES as _TITLES

if TYPE_CHECKING:
    import pandas as pd

DocKind = Literal["post", "comment", "question", "answer", "review", "survey"]
DOC_KINDS: tuple[str, ...] = ("post", "comment", "question", "answer", "review", "survey")

# The kinds live in voc.kinds (one record each); these names are kept for the code that reads them.
InsightKind = str
INSIGHT_KINDS = _KINDS
KIND_TITLES = _TITLES

DOCUMENT_COLUMNS = [
    "doc_id", "study", "source", "kind", "url", "thread_id", "parent_id", "author_hash",
    "created_at", "title", "text", "rating", "score", "lang", "fetched_at", "raw_ref",
]
SENTENCE_COLUMNS = ["sent_id", "doc_id", "idx", "text", "start_char", "end_char"]
INSIGHT_COLUMNS = ["sent_id", "kind", "aspect", "strength", "confidence", "method", "roles"]
TOPIC_COLUMNS = ["run_id", "kind", "topic_id", "label", "keywords", "size"]
INSIGHT_TOPIC_COLUMNS = ["run_id", "sent_id", "kind", "topic_id"]
PERSONA_COLUMNS = [
    "run_id", "persona_id", "name", "share", "size", "items", "channels", "vocabulary",
    "self_descriptions", "quotes", "buying_process",
]


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def stable_id(*parts: object) -> str:
    """A short, stable hash of its parts; the same inputs give the same id on every machine."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:20]


def make_doc_id(source: str, native_id: str) -> str:
    """doc_id is a hash of the source name and the upstream id, so re-crawls map to the same row."""
    return stable_id(source, native_id)


@dataclass
class Document:
    """One unit of customer text as a source yields it (a post, comment, review, answer...).

    Timestamps are naive UTC. ``author_hash`` is filled by the crawler from ``author``
    (pseudonymised at ingest); ``author`` itself is never stored.
    """

    source: str
    native_id: str
    kind: str
    text: str
    url: str | None = None
    thread_id: str | None = None
    parent_id: str | None = None
    author: str | None = None
    created_at: datetime | None = None
    title: str | None = None
    rating: float | None = None
    score: float | None = None
    lang: str | None = None
    raw_ref: str | None = None
    study: str = ""
    author_hash: str | None = None
    fetched_at: datetime = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        if self.kind not in DOC_KINDS:
            raise ValueError(f"Document kind {self.kind!r} is not one of {DOC_KINDS}")
        if self.rating is not None and not 0 <= self.rating <= 5:
            raise ValueError(f"rating {self.rating} of {self.native_id} is outside 0-5; normalise it")

    @property
    def doc_id(self) -> str:
        return make_doc_id(self.source, self.native_id)

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["doc_id"] = self.doc_id
        return {c: row.get(c) for c in DOCUMENT_COLUMNS}

    def to_json(self) -> dict[str, Any]:
        """JSON-friendly view (used by `voc fetch`); dates as ISO strings."""
        row = self.to_row()
        for key in ("created_at", "fetched_at"):
            if row[key] is not None:
                row[key] = row[key].isoformat()
        return row


def sentence_id(doc_id: str, idx: int) -> str:
    return f"{doc_id}-{idx}"


def voices(items: pd.DataFrame, unit: str = "author") -> pd.Series | None:
    """The voice behind each row (an insight): its author (or thread, by ``unit``), falling back
    to the thread and then the document when that is unknown; None when the frame names none of
    them. Themes, their People column and persona segments all count voices this way."""
    order = ["thread_id", "author_hash"] if unit == "thread" else ["author_hash", "thread_id"]
    cols = [c for c in [*order, "doc_id"] if c in items.columns]
    if not cols:
        return None
    who = items[cols[0]]
    for c in cols[1:]:
        who = who.fillna(items[c])
    return who.astype(str)
