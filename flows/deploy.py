"""Deployments: a study's [schedule] (cron, timezone) becomes a cron schedule on the pipeline flow.

Two ways to run them:

- ``serve_studies`` (`voc schedule`): one long-lived process registers the deployments with the
  Prefect API and starts each scheduled run itself (``prefect.serve``).
- ``deploy_study`` (`voc deploy`): writes the deployment into a prefect.yaml, for a Prefect
  server with workers (`prefect deploy`, then `prefect worker start --pool voc`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from voc.config import StudyConfig, load_study
from voc.scheduling import (DEFAULT_WORK_POOL, deployment_entry, deployment_name, deployment_parameters,
                            upsert_prefect_yaml)

__all__ = ["build_deployment", "deploy_study", "deployment_name", "serve_studies", "study_schedule"]


def study_schedule(study: StudyConfig) -> Any:
    """The study's `[schedule]` as a Prefect cron schedule in its timezone."""
    from prefect.schedules import Cron

    return Cron(study.schedule.cron, timezone=study.schedule.timezone)


def build_deployment(study: StudyConfig, **parameters: Any) -> Any:
    """The study's scheduled pipeline as a Prefect deployment (not yet registered).

    Args:
        study: a loaded study (its file path becomes the `study_path` parameter).
        **parameters: pipeline options to fix for scheduled runs (runner, dask_address, ...).
    """
    from prefect.deployments.runner import EntrypointType

    from flows.common import check_runner
    from flows.pipeline import pipeline_flow

    params = deployment_parameters(study, **parameters)
    check_runner(params.get("runner", "default"), params.get("dask_address"), params.get("dask_workers"))
    return pipeline_flow.to_deployment(
        name=deployment_name(study),
        schedules=[study_schedule(study)],
        parameters=params,
        description=f"voc pipeline for study {study.name}, from {study.path}",
        tags=["voc", study.name],
        # One run at a time: the study's store is a DuckDB file with a single writer.
        concurrency_limit=1,
        # A module path resolves wherever voc is installed, whatever the working directory.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def serve_studies(study_paths: Iterable[str | Path], **parameters: Any) -> None:
    """Serve the studies' scheduled pipelines in this process until interrupted (`voc schedule`).

    Each scheduled run starts in a child process that opens the study's store for the length of
    the run, so the server process itself never holds a store open.
    """
    from prefect import serve

    deployments = [build_deployment(load_study(p), **parameters) for p in study_paths]
    serve(*deployments)


def deploy_study(study_path: str | Path, prefect_file: str | Path | None = None,
                 work_pool: str = DEFAULT_WORK_POOL, **parameters: Any) -> tuple[Path, str, str]:
    """Write or update the study's deployment in a prefect.yaml (`voc deploy`).

    Args:
        study_path: the study file (or its folder).
        prefect_file: the prefect.yaml to update; default: the one beside the study file.
        work_pool: the work pool whose workers run the deployment.
        **parameters: pipeline options to fix for scheduled runs (runner, dask_address, ...).

    Returns:
        (the prefect.yaml path, the deployment name, "added" or "updated").
    """
    import prefect

    from flows.common import check_runner

    study = load_study(study_path)
    entry = deployment_entry(study, work_pool, **parameters)
    params = entry["parameters"]
    check_runner(params.get("runner", "default"), params.get("dask_address"), params.get("dask_workers"))
    path = Path(prefect_file) if prefect_file else study.base_dir / "prefect.yaml"
    action = upsert_prefect_yaml(path, entry, prefect_version=prefect.__version__)
    return path, entry["name"], action
