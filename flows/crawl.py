"""Crawl flow: one task per source; a failing source fails its own task, the others go on.

A source's task is retried (from its cursor, so nothing is fetched twice) only when the network
or the server failed it; bad configuration, 4xx answers and robots.txt refusals fail at once.
Sources on the same host run one after another, so a host never sees more than the study's
`min_interval` allows; sources on different hosts run in parallel. All sources of one crawl share
one per-host politeness state (robots.txt, Crawl-delay, the time of the last request).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from prefect import allow_failure, flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner

from flows.common import study_and_store
from voc.console import bar
from voc.crawl import build_source, crawl_source, finish_crawl, source_host
from voc.privacy.redact import redact, redact_data

# The crawl's progress bar per study file, which its source tasks (threads of this process) update.
_bars: dict[str, Any] = {}
# The crawl's per-host politeness (scrapers.hosts.Hosts) per study file, shared by its source tasks.
_hosts: dict[str, Any] = {}

# Network errors that can escape a source without passing through the polite client's
# FetchError (a source's own socket code, say); these are worth a retry too.
NETWORK_EXCEPTIONS: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)


class SourceFailed(Exception):
    """A source stopped before its end; carries the partial CrawlResult as a dict.

    Prefect stores and logs this exception, so its message and result are redacted here.
    """

    def __init__(self, message: str, result: dict[str, Any]):
        message, result = redact(message), redact_data(result)
        super().__init__(message, result)  # both in args, so the exception pickles whole
        self.result = result

    def __str__(self) -> str:
        return str(self.args[0])


def retry_on_network_errors(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect retry condition: retry a source only when the network or the server failed it."""
    import requests

    exc = state.result(raise_on_failure=False)
    if isinstance(exc, SourceFailed):
        return bool(exc.result.get("transient"))
    return isinstance(exc, NETWORK_EXCEPTIONS + (requests.ConnectionError, requests.Timeout))


@task(name="crawl-source", cache_policy=NONE, retries=2, retry_delay_seconds=30,
      retry_condition_fn=retry_on_network_errors)
def crawl_source_task(study_path: str, source_name: str) -> dict:
    study, store = study_and_store(study_path)
    spec = next(s for s in study.sources if s.name == source_name)
    source = build_source(study, spec, hosts=_hosts.get(study_path))
    result = crawl_source(store, study, source, progress=_bars.get(study_path))
    get_run_logger().info("%s: %d fetched, %d new (%s)", source_name, result.fetched, result.new, result.status)
    if result.status == "failed":
        raise SourceFailed(result.error or "failed", asdict(result))
    return asdict(result)


def _attempts(future: Any) -> int | None:
    """How many times Prefect ran a task (1 + retries used), for the run record."""
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            return client.read_task_run(future.task_run_id).run_count
    except Exception:  # the record is still useful without it
        return None


def _outcome(name: str, future: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A source's counts and, if its task failed, the error for the run record."""
    value = future.result(raise_on_failure=False)
    attempts = _attempts(future)
    if not isinstance(value, BaseException):
        return {**value, "attempts": attempts}, None
    partial = value.result if isinstance(value, SourceFailed) else {"fetched": 0, "new": 0, "http": {}}
    counts = {**partial, "source": name, "status": "failed", "attempts": attempts}
    return counts, {"source": name, "error": redact(str(value)), "type": type(value).__name__, "attempts": attempts}


# Crawl tasks write to the store, so they always run as threads of the flow process, whatever
# runner analysis uses; a few threads are plenty for I/O-bound sources.
@flow(name="voc-crawl", task_runner=ThreadPoolTaskRunner(max_workers=4))
def crawl_flow(study_path: str, retries: int = 2, retry_delay_seconds: float | None = None) -> dict:
    """Collect everything new from every source of a study into its store.

    Args:
        study_path: the study file.
        retries: extra attempts for a source that failed on network errors.
        retry_delay_seconds: wait before each such attempt (default: VOC_SOURCE_RETRY_DELAY, 30 s).
    """
    if retry_delay_seconds is None:
        from voc.config import Settings

        retry_delay_seconds = Settings().source_retry_delay
    study, store = study_and_store(study_path)
    run_id = store.start_run("crawl")
    before = store.count("documents")
    from scrapers.hosts import Hosts

    with bar("crawl", unit="doc") as progress:
        _bars[study_path], _hosts[study_path] = progress, Hosts()
        try:
            futures = _submit_sources(study, study_path, retries, retry_delay_seconds)
            outcomes = {name: _outcome(name, future) for name, future in futures.items()}
        finally:
            _bars.pop(study_path, None)
            _hosts.pop(study_path, None)
    return finish_crawl(store, run_id, before, outcomes)


def _submit_sources(study: Any, study_path: str, retries: int, retry_delay_seconds: float) -> dict[str, Any]:
    """One task per source; sources on one host wait for each other (one politeness budget)."""
    futures: dict[str, Any] = {}
    last_on_host: dict[str, Any] = {}
    for spec in study.sources:
        host = source_host(spec)
        crawl = crawl_source_task.with_options(
            task_run_name=f"crawl-{spec.name}", retries=retries, retry_delay_seconds=retry_delay_seconds,
            # Tags let a Prefect server cap crawls: `prefect concurrency-limit create voc-crawl 2`.
            tags={"voc-crawl", f"voc-source:{study.name}/{spec.name}"})
        wait = [allow_failure(last_on_host[host])] if host in last_on_host else None
        futures[spec.name] = crawl.submit(study_path, spec.name, wait_for=wait)
        if host:
            last_on_host[host] = futures[spec.name]
    return futures
