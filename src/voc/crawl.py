"""Crawling: run one source, pseudonymise and scrub what it yields, commit in batches with its cursor."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from voc.config import Settings, SourceSpec, StudyConfig
from voc.defaults import BATCH
from voc.errors import VocError
from voc.privacy.pii import scrub, scrub_url
from voc.privacy.pseudonyms import pseudonymise
from voc.privacy.redact import redact, redact_data
from voc.schema import Document
from voc.store import Store

log = logging.getLogger(__name__)
# Client error counters (scrapers.http.ClientStats) that mean the network or the server let us
# down, as opposed to the site refusing us or the study being wrong.
NETWORK_ERRORS = ("connection_error", "timeout", "truncated", "http_429", "http_5")


@dataclass
class CrawlResult:
    source: str
    fetched: int = 0
    new: int = 0
    status: str = "completed"
    error: str | None = None
    # True when the failure was the network or an overloaded server: worth another attempt later.
    transient: bool = False
    http: dict[str, Any] = field(default_factory=dict)
    # Lines and records the source left out (over-long, nested too deep, malformed), by kind.
    skipped: dict[str, int] = field(default_factory=dict)


def build_source(study: StudyConfig, spec: SourceSpec, client: Any = None, hosts: Any = None) -> Any:
    """Instantiate the source plug-in a `[[sources]]` block names.

    Args:
        client: the HTTP client to use (default: a new polite client with the study's settings).
        hosts: the per-host politeness state (``scrapers.hosts.Hosts``) every source of one crawl
            shares, so sources on one host share its rate limit, robots.txt and Crawl-delay.
    """
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
        if study.crawl.deadline is not None:
            settings.source_deadline = study.crawl.deadline
        client = PoliteClient(settings, hosts=hosts)
    return cls(spec.name, options, client=client, base_dir=study.base_dir)


def source_host(spec: SourceSpec) -> str | None:
    """The host a `[[sources]]` block crawls (from its first http(s) option), or None for files and APIs.

    Sources on one host share that host's politeness budget, so flows crawl them one after another.
    """
    for value in spec.options.values():
        if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
            return urlsplit(value).netloc.lower()
    return None


def is_transient(err: Exception, http_errors: dict[str, int] | None = None) -> bool:
    """Whether a source failure is a network problem that a later attempt may not hit.

    Args:
        err: what the source raised.
        http_errors: the source client's error counters (``ClientStats.errors``).

    Returns:
        True for connection errors, timeouts, truncated bodies, 429 and 5xx (after the client's
        own retries); False for bad configuration, other 4xx, robots.txt refusals and a spent
        deadline (retrying would spend it again; the next run resumes instead).
    """
    from scrapers.http import RETRY_STATUS, DeadlineExceeded, FetchError, RobotsDisallowed

    if not isinstance(err, FetchError) or isinstance(err, DeadlineExceeded):
        return False
    if isinstance(err, RobotsDisallowed):
        # An unreachable robots.txt reads as "disallow everything" (RFC 9309): when the client
        # saw network errors, the site is down rather than refusing us.
        return any(k.startswith(NETWORK_ERRORS) for k, n in (http_errors or {}).items() if n)
    return err.status is None or err.status in RETRY_STATUS


def prepare(doc: Document, study: str, salt: str) -> Document:
    """Ingest rules: the study name, a pseudonym instead of the author, personal data masked in
    the text and title (``voc.privacy.pii.scrub``) and personal parts dropped from links."""
    doc.study = study
    doc.author_hash = pseudonymise(doc.author, salt)
    doc.author = None
    doc.text = scrub(doc.text)
    if doc.title:
        doc.title = scrub(doc.title)
    doc.url = scrub_url(doc.url)
    # Forum and review sources use the page's link as thread id and raw reference too.
    if doc.thread_id and "://" in doc.thread_id:
        doc.thread_id = scrub_url(doc.thread_id)
    if doc.raw_ref and "://" in doc.raw_ref:
        doc.raw_ref = scrub_url(doc.raw_ref)
    return doc


def crawl_source(store: Store, study: StudyConfig, source: Any, progress: Any = None) -> CrawlResult:
    """Fetch everything new from one source into the store.

    Documents and the cursor are committed together every BATCH documents, so a crash (even
    SIGKILL) followed by a re-run neither loses nor duplicates anything. When the source fails,
    the documents it yielded before are committed with its cursor (which covers exactly them), so
    a re-run resumes after them. A VocError becomes a failed result; any other error is raised
    again once they are kept.
    """
    salt = store.salt()  # VOC_SALT or the key file, never the store
    result = CrawlResult(source=source.name)
    batch: list[Document] = []
    failure: Exception | None = None
    docs = source.fetch(store.cursor(source.name))
    while True:
        # Only the source is in the try: its cursor covers what it yielded, so what came before a
        # failure can be kept. A store error is raised as it is.
        try:
            doc = next(docs, None)
        except Exception as err:  # noqa: BLE001 - whatever the failure, keep what came before it
            failure = err
            break
        if doc is None:
            break
        batch.append(prepare(doc, study.name, salt))
        result.fetched += 1
        if progress is not None:
            progress.update(1)
        if len(batch) >= BATCH:
            result.new += store.commit_batch(batch, source.name, source.cursor())
            batch = []
    try:
        result.new += store.commit_batch(batch, source.name, source.cursor())
    except Exception:
        if failure is None:
            raise
        log.exception("source %s: the %d documents fetched before it failed could not be stored",
                      source.name, len(batch))
    skipped = getattr(source, "skipped", None)
    result.skipped = skipped.as_dict() if hasattr(skipped, "as_dict") else {}
    if result.skipped:
        log.warning("source %s: skipped %s", source.name,
                    ", ".join(f"{n} ({kind})" for kind, n in sorted(result.skipped.items())))
    if failure is not None and not isinstance(failure, VocError):
        raise failure
    if failure is not None:
        # Not every VocError passes the HTTP layer's redaction (a source's own message may name
        # a URL with a key in it); this text goes to logs, the run record and Prefect.
        result.status, result.error = "failed", redact(str(failure))
        log.error("source %s failed: %s", source.name, result.error)
    client = getattr(source, "client", None)
    if client is not None and hasattr(client, "stats"):
        result.http = client.stats.as_dict()
    if failure is not None:
        result.transient = is_transient(failure, result.http.get("errors"))
    return result


def finish_crawl(store: Store, run_id: str, before: int,
                 outcomes: dict[str, tuple[dict[str, Any], dict[str, Any] | None]]) -> dict[str, Any]:
    """Close a crawl run from each source's (counts, error or None): what `voc runs` shows and
    what the crawl flow and ``crawl_study`` return."""
    sources, errors = {}, []
    for name, (result, error) in outcomes.items():
        sources[name] = {k: result.get(k) for k in ("fetched", "new", "status", "attempts", "http", "skipped")
                         if k in result}
        if error:
            errors.append(error)
    # Counted in the store rather than summed over sources: a retried source's earlier attempts
    # committed documents too.
    counts = {"new_documents": store.count("documents") - before,
              "fetched": sum(s.get("fetched") or 0 for s in sources.values()), "sources": sources}
    status = "completed" if not errors else "failed" if len(errors) == len(outcomes) else "partial"
    store.finish_run(run_id, status, counts, errors)
    return redact_data({"run_id": run_id, "status": status, **counts, "errors": errors})


def crawl_study(study: StudyConfig, store: Store, progress: Any = None) -> dict[str, Any]:
    """Every source once, one after another in this process, as one crawl run (the notebook
    facade's crawl). The crawl flow runs the same ``crawl_source`` per source as Prefect tasks,
    retried on network errors and parallel across hosts, and closes its run the same way."""
    from scrapers.hosts import Hosts

    run_id = store.start_run("crawl")
    before = store.count("documents")
    hosts = Hosts()  # one politeness budget per host across the study's sources
    outcomes: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {}
    for spec in study.sources:
        try:
            result = asdict(crawl_source(store, study, build_source(study, spec, hosts=hosts), progress))
        except Exception as err:  # noqa: BLE001 - one failing source must not stop the others
            error = {"source": spec.name, "error": redact(str(err)), "type": type(err).__name__}
            outcomes[spec.name] = ({"source": spec.name, "status": "failed", "fetched": 0, "new": 0}, error)
            continue
        failed = result["status"] == "failed"
        outcomes[spec.name] = (result, {"source": spec.name, "error": result["error"], "type": "VocError"}
                               if failed else None)
    return finish_crawl(store, run_id, before, outcomes)
