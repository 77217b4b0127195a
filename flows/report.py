"""Report flow: HTML, Markdown and exports for the latest analysis."""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NONE

from flows.common import study_and_store
from voc.report import write_report


@task(name="write-report", cache_policy=NONE)
def report_task(study_path: str, run_id: str | None = None) -> dict:
    study, store = study_and_store(study_path)
    return {k: str(v) for k, v in write_report(study, store, run_id).items()}


@flow(name="voc-report")
def report_flow(study_path: str, run_id: str | None = None) -> dict:
    return report_task(study_path, run_id)
