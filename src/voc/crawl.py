"""Crawling: run one source, pseudonymise and scrub what it yields, commit in batches with its cursor."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from voc.config import Settings, SourceSpec, Study
from voc.errors import VocError
from voc.privacy import pseudonymise, scrub
from voc.schema import Document
from voc.store import Store

log = logging.getLogger(__name__)
BATCH = 50


@dataclass
class CrawlResult:
    source: str
    fetched: int = 0
    new: int = 0
    status: str = "completed"
    error: str | None = None
    http: dict[str, Any] = field(default_factory=dict)


def build_source(study: Study, spec: SourceSpec, client: Any = None) -> Any:
    """Instantiate the source plug-in a `[[sources]]` block names."""
    from scrapers.base import source_class, validate_source_options
    from scrapers.http import PoliteClient

    cls = source_class(spec.type)
    options = validate_source_options(spec, where=f"{study.path}: sources ({spec.name})")
    if client is None:
        settings = Settings()
        if study.crawl.min_interval is not None:
            settings.http_min_interval = study.crawl.min_interval
        if study.crawl.max_retries is not None:
            settings.http_retries = study.crawl.max_retries
        client = PoliteClient(settings)
    return cls(spec.name, options, client=client, base_dir=study.base_dir)


def prepare(doc: Document, study: str, salt: str) -> Document:
    """Ingest rules: the study name, a pseudonym instead of the author, contact details masked."""
    doc.study = study
    doc.author_hash = pseudonymise(doc.author, salt)
    doc.author = None
    doc.text = scrub(doc.text)
    if doc.title:
        doc.title = scrub(doc.title)
    return doc


def crawl_source(store: Store, study: Study, source: Any, progress: Any = None) -> CrawlResult:
    """Fetch everything new from one source into the store.

    Documents and the cursor are committed together every BATCH documents, so a crash (even
    SIGKILL) followed by a re-run neither loses nor duplicates anything.
    """
    salt = Settings().salt or store.salt()
    result = CrawlResult(source=source.name)
    batch: list[Document] = []
    try:
        for doc in source.fetch(store.cursor(source.name)):
            batch.append(prepare(doc, study.name, salt))
            result.fetched += 1
            if progress is not None:
                progress.update(1)
            if len(batch) >= BATCH:
                result.new += store.commit_batch(batch, source.name, source.cursor())
                batch = []
        result.new += store.commit_batch(batch, source.name, source.cursor())
    except VocError as err:
        # Keep what was fetched before the failure; its cursor covers exactly that.
        result.new += store.commit_batch(batch, source.name, source.cursor())
        result.status, result.error = "failed", str(err)
        log.error("source %s failed: %s", source.name, err)
    client = getattr(source, "client", None)
    if client is not None and hasattr(client, "stats"):
        result.http = client.stats.as_dict()
    return result
