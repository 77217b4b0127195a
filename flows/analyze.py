"""Analyze flow: segment -> extract -> topics -> personas, each stage a task over the store."""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NONE

from flows.common import study_and_store
from voc import stages


@task(name="segment", cache_policy=NONE)
def segment_task(study_path: str) -> dict:
    study, store = study_and_store(study_path)
    return stages.segment_stage(study, store, stages.components(study, store).nlp)


@task(name="extract", cache_policy=NONE)
def extract_task(study_path: str) -> dict:
    study, store = study_and_store(study_path)
    return stages.extract_stage(store, stages.components(study, store).extractor)


@task(name="topics", cache_policy=NONE)
def topics_task(study_path: str, run_id: str) -> dict:
    study, store = study_and_store(study_path)
    return stages.topics_stage(study, store, run_id, stages.components(study, store).embedder)


@task(name="personas", cache_policy=NONE)
def personas_task(study_path: str, run_id: str) -> dict:
    study, store = study_and_store(study_path)
    return stages.personas_stage(study, store, run_id)


@flow(name="voc-analyze")
def analyze_flow(study_path: str) -> dict:
    """Analyse what is new in the store and refresh topics and personas."""
    _study, store = study_and_store(study_path)
    run_id = store.start_run("analyze")
    counts: dict = {}
    try:
        counts["segment"] = segment_task(study_path)
        counts["extract"] = extract_task(study_path)
        counts["topics"] = topics_task(study_path, run_id)
        counts["personas"] = personas_task(study_path, run_id)
    except Exception as err:
        store.finish_run(run_id, "failed", counts, [repr(err)])
        raise
    store.finish_run(run_id, "completed", counts, [])
    return {"run_id": run_id, **counts}
