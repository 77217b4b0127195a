"""Analyze flow: segment -> extract -> embed -> topics -> personas, over what is new in the store.

Segmentation, extraction and embedding run as shard tasks: pure functions on DataFrames, so a
Dask task runner can spread them over worker processes. Only the flow process opens the store
(DuckDB allows one writer): it reads each shard's input and writes the shard's results in shard
order, so every runner writes the same rows. Topics and personas need the whole corpus at once
and run in the flow process.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NONE

from flows.common import map_in_order, study_and_store
from voc import stages

# Results live in the store, not in Prefect's result storage: the store's embedding cache (by
# content hash and model) is what lets a re-run skip finished work, so tasks cache nothing.


@task(name="segment-shard", cache_policy=NONE)
def segment_shard_task(docs: pd.DataFrame, spec: stages.ModelSpec) -> tuple[pd.DataFrame, dict[str, str]]:
    return stages.segment_shard(docs, spec)


@task(name="extract-shard", cache_policy=NONE)
def extract_shard_task(sentences: pd.DataFrame, spec: stages.ModelSpec,
                       known: dict[str, np.ndarray]) -> stages.ExtractShard:
    return stages.extract_shard(sentences, spec, known)


@task(name="embed-shard", cache_policy=NONE)
def embed_shard_task(texts: list[str], model: str) -> np.ndarray:
    return stages.embed_texts(texts, model)


def as_tasks(shard: Any, jobs: Any) -> Any:
    """The stages' shard map as Prefect tasks: one task per shard, results in shard order."""
    tasks = {stages.segment_shard: segment_shard_task, stages.extract_shard: extract_shard_task,
             stages.embed_texts: embed_shard_task}
    return map_in_order(tasks[shard], jobs)


def as_task(name: str, stage: Any) -> dict:
    """A whole-corpus stage (topics, personas) as one Prefect task in the flow process: it needs
    every insight at once, and only this process may write the store."""
    return task(name=name, cache_policy=NONE)(stage)()


@flow(name="voc-analyze")
def analyze_flow(study_path: str, refit_topics: bool = False) -> dict[str, Any]:
    """Analyse what is new in the store and refresh topics and personas (``voc.stages.analyze``;
    ``refit_topics``: refit every kind's topics instead of placing a few new insights in them).

    Runs shards on the flow's task runner: pass one with ``analyze_flow.with_options(task_runner=...)``
    (``flows.common.task_runner`` builds the default or a Dask one).
    """
    from prefect.context import FlowRunContext

    study, store = study_and_store(study_path)
    ctx = FlowRunContext.get()
    runner = type(ctx.task_runner).__name__ if ctx and ctx.task_runner else "none"
    return stages.analyze(study, store, as_tasks, as_task, runner, refit_topics)
