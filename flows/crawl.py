"""Crawl flow: one task per source; a failing source fails its own task, the others go on."""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from flows.common import study_and_store
from voc.crawl import build_source, crawl_source


@task(name="crawl-source", cache_policy=NONE)
def crawl_source_task(study_path: str, source_name: str) -> dict:
    study, store = study_and_store(study_path)
    spec = next(s for s in study.sources if s.name == source_name)
    result = crawl_source(store, study, build_source(study, spec))
    get_run_logger().info("%s: %d fetched, %d new (%s)", source_name, result.fetched, result.new, result.status)
    return asdict(result)


@flow(name="voc-crawl")
def crawl_flow(study_path: str) -> dict:
    """Collect everything new from every source of a study into its store."""
    study, store = study_and_store(study_path)
    run_id = store.start_run("crawl")
    futures = [crawl_source_task.submit(study_path, s.name) for s in study.sources]
    results = [f.result() for f in futures]
    errors = [{"source": r["source"], "error": r["error"]} for r in results if r["status"] != "completed"]
    counts = {"new_documents": sum(r["new"] for r in results), "fetched": sum(r["fetched"] for r in results),
              "sources": {r["source"]: {k: r[k] for k in ("fetched", "new", "status", "http")} for r in results}}
    store.finish_run(run_id, "failed" if errors and len(errors) == len(results) else "completed", counts, errors)
    return {"run_id": run_id, **counts, "errors": errors}
