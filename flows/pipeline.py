"""The whole pipeline: crawl -> analyze -> report, with one run record summarising the three."""

from __future__ import annotations

from typing import Any

from prefect import flow, task
from prefect.cache_policies import NONE

from flows.analyze import analyze_flow
from flows.common import check_runner, study_and_store, task_runner, timed
from flows.crawl import crawl_flow
from flows.report import report_flow
from voc.privacy.redact import redact


@task(name="alerts", cache_policy=NONE, retries=2, retry_delay_seconds=10)
def alerts_task(study_path: str, report_html: str) -> dict[str, Any]:
    """Notify the study's Apprise URLs of new and rising themes (nothing when there are none)."""
    from voc.alerts import alert_after_run

    study, store = study_and_store(study_path)
    return alert_after_run(study, store, report_html)


def _summary(crawl: dict[str, Any], analysis: dict[str, Any], runner: str) -> dict[str, Any]:
    """What a scheduled run did, in a line of `voc runs`: what was new and what was reused."""
    extract, embed = analysis["extract"], analysis["embed"]
    return {
        "runner": runner, "crawl_run": crawl["run_id"], "analyze_run": analysis["run_id"],
        "new_documents": crawl["new_documents"],
        "documents_analysed": analysis["segment"]["documents_segmented"],
        "sentences_new": analysis["segment"]["sentences_new"],
        "insights_new": extract["insights_new"],
        "embeddings": {"computed": extract["embeddings_computed"] + embed["computed"],
                       "reused": extract["embeddings_reused"] + embed["reused"]},
        "personas": analysis["personas"].get("personas"),
    }


@flow(name="voc-pipeline")
def pipeline_flow(study_path: str, runner: str = "default", dask_address: str | None = None,
                  dask_workers: int | None = None, source_retries: int = 2,
                  retry_delay_seconds: float | None = None, refit_topics: bool = False) -> dict[str, Any]:
    """Collect what is new, analyse only that, then refresh topics, personas and the report.

    Args:
        study_path: the study file.
        runner: where analysis shards run: "default" (this process) or "dask".
        dask_address: an existing Dask scheduler (tcp://host:8786); None starts a local cluster.
        dask_workers: worker processes of the local Dask cluster (None: about one per core).
        source_retries: extra attempts for a source that failed on network errors.
        retry_delay_seconds: wait before each such attempt (default: VOC_SOURCE_RETRY_DELAY, 30 s).
        refit_topics: refit every kind's topics instead of placing a few new insights in the
            previous run's topics (``voc.topics.carry``).
    """
    check_runner(runner, dask_address, dask_workers)
    _study, store = study_and_store(study_path)
    run_id = store.start_run("pipeline")
    crawl: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    try:
        with timed(seconds, "crawl"):
            crawl = crawl_flow(study_path, retries=source_retries, retry_delay_seconds=retry_delay_seconds)
        analyze = analyze_flow.with_options(task_runner=task_runner(runner, dask_address, dask_workers))
        analysis = analyze(study_path, refit_topics)
        seconds.update(analysis.get("seconds") or {})
        with timed(seconds, "report"):
            report = report_flow(study_path, analysis["run_id"])
        errors = list(crawl["errors"])
        try:
            with timed(seconds, "alerts"):
                alerts = alerts_task(study_path, str(report["html"]))
        except Exception as err:  # a notification that did not go out must not cost the run
            alerts = {"alerts": None, "sent": 0}
            errors.append({"source": "alerts", "error": redact(str(err)), "type": type(err).__name__})
    except Exception as err:
        store.finish_run(run_id, "failed", {"runner": runner, "crawl_run": crawl.get("run_id"), "seconds": seconds},
                         crawl.get("errors", []) + [redact(repr(err))])
        raise
    # A failed source leaves the run "partial": everything else is fresh, that source is not.
    store.finish_run(run_id, "completed" if not errors else "partial",
                     {**_summary(crawl, analysis, runner), "alerts": alerts, "seconds": seconds}, errors)
    return {"run_id": run_id, "crawl": crawl, "analyze": analysis, "report": report, "alerts": alerts}
