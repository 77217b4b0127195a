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

from flows.common import map_in_order, study_and_store, timed
from voc import stages
from voc.console import bar
from voc.store import Store

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


@task(name="topics", cache_policy=NONE)
def topics_task(study_path: str, run_id: str) -> dict:
    study, store = study_and_store(study_path)
    return stages.topics_stage(study, store, run_id, stages.components(study, store).embedder)


@task(name="personas", cache_policy=NONE)
def personas_task(study_path: str, run_id: str) -> dict:
    study, store = study_and_store(study_path)
    return stages.personas_stage(study, store, run_id)


def segment(store: Store, spec: stages.ModelSpec) -> dict[str, int]:
    """Segment the documents not segmented yet, shard by shard."""
    docs = store.unsegmented_documents()[["doc_id", "text"]]
    shards = stages.shard_frame(docs, stages.SEGMENT_SHARD_DOCS)
    n_sent = 0
    results = map_in_order(segment_shard_task, ({"docs": s, "spec": spec} for s in shards))
    with bar("segment", total=len(docs), unit="doc") as progress:
        for shard, (sents, langs) in zip(shards, results):
            stages.save_segments(store, shard["doc_id"].tolist(), sents, langs)
            n_sent += len(sents)
            progress.update(len(shard))
    return {"documents_segmented": len(docs), "sentences_new": n_sent, "shards": len(shards)}


def extract(store: Store, spec: stages.ModelSpec, run_id: str | None = None) -> dict[str, int]:
    """Classify the sentences this classifier has not seen, shard by shard (whole documents)."""
    model_id = spec.model_id
    todo = store.sentences_with_context(only_new_for_model=model_id)
    shards = stages.shard_frame(todo, stages.EXTRACT_SHARD_SENTENCES, by="doc_id")
    vectors = stages.VectorCache(store, spec.embedding, run_id)
    counts = {"sentences_classified": len(todo), "insights_new": 0, "embeddings_computed": 0,
              "embeddings_reused": 0, "shards": len(shards)}
    jobs = ({"sentences": s, "spec": spec, "known": vectors.known(s["text"])} for s in shards)
    with bar("extract", total=len(todo), unit="sent") as progress:
        for shard, result in zip(shards, map_in_order(extract_shard_task, jobs)):
            stages.save_extracted(store, shard["sent_id"].tolist(), result, model_id, vectors)
            stages.add_extract_counts(counts, result)
            progress.update(len(shard))
    return counts


def embed(store: Store, spec: stages.ModelSpec, run_id: str | None = None) -> dict[str, int]:
    """Make sure every insight's sentence has a cached vector before topic modelling reads them."""
    hashes, texts, reused = stages.embedding_todo(store, store.insight_texts(), spec.embedding)
    size = stages.EMBED_SHARD_TEXTS
    parts = [(hashes[i:i + size], texts[i:i + size]) for i in range(0, len(texts), size)]
    results = map_in_order(embed_shard_task, ({"texts": t, "model": spec.embedding} for _, t in parts))
    with bar("embed", total=len(texts), unit="sent") as progress:
        for (part_hashes, _), vecs in zip(parts, results):
            store.save_embeddings(part_hashes, vecs, spec.embedding, run_id)
            progress.update(len(part_hashes))
    return {"texts": len(texts) + reused, "computed": len(texts), "reused": reused, "shards": len(parts)}


@flow(name="voc-analyze")
def analyze_flow(study_path: str) -> dict[str, Any]:
    """Analyse what is new in the store and refresh topics and personas.

    Runs shards on the flow's task runner: pass one with ``analyze_flow.with_options(task_runner=...)``
    (``flows.common.task_runner`` builds the default or a Dask one).
    """
    from prefect.context import FlowRunContext

    study, store = study_and_store(study_path)
    spec = stages.ModelSpec.of(study)
    ctx = FlowRunContext.get()
    runner = type(ctx.task_runner).__name__ if ctx and ctx.task_runner else "none"
    run_id = store.start_run("analyze")
    counts: dict[str, Any] = {"runner": runner}
    seconds: dict[str, float] = {}
    stages_in_order = [("segment", lambda: segment(store, spec)), ("extract", lambda: extract(store, spec, run_id)),
                       ("embed", lambda: embed(store, spec, run_id)), ("topics", lambda: topics_task(study_path, run_id)),
                       ("personas", lambda: personas_task(study_path, run_id))]
    try:
        for name, stage in stages_in_order:
            with timed(seconds, name):
                counts[name] = stage()
    except Exception as err:
        store.finish_run(run_id, "failed", {**counts, "seconds": seconds}, [repr(err)])
        raise
    counts["seconds"] = seconds
    store.finish_run(run_id, "completed", counts, [])
    return {"run_id": run_id, **counts}
