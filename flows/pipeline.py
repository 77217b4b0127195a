"""The whole pipeline: crawl -> analyze -> report."""

from __future__ import annotations

from prefect import flow

from flows.analyze import analyze_flow
from flows.crawl import crawl_flow
from flows.report import report_flow


@flow(name="voc-pipeline")
def pipeline_flow(study_path: str) -> dict:
    crawl = crawl_flow(study_path)
    analysis = analyze_flow(study_path)
    report = report_flow(study_path, analysis["run_id"])
    return {"crawl": crawl, "analyze": analysis, "report": report}
