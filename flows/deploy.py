"""Deployments: a study's [schedule] becomes a cron schedule on the pipeline flow."""

from __future__ import annotations

from typing import Any

from voc.config import Study


def deployment_name(study: Study) -> str:
    return f"{study.name}-pipeline"


def study_schedule(study: Study) -> Any:
    from prefect.schedules import Cron

    return Cron(study.schedule.cron, timezone=study.schedule.timezone)


def serve_study(study: Study) -> None:
    """Serve the study's scheduled pipeline in this process until interrupted (flow.serve)."""
    from flows.pipeline import pipeline_flow

    pipeline_flow.serve(
        name=deployment_name(study),
        schedules=[study_schedule(study)],
        parameters={"study_path": str(study.path)},
        tags=["voc", study.name],
    )
