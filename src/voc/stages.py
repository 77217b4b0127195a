"""Each analysis stage as one function over the store: read what is new, compute, write back.

Flows wrap these in Prefect tasks; the CLI and notebooks can call them directly. Components
(spaCy pipeline, embedder, classifier) are built in one place, ``components()``.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from voc.config import StudyConfig
from voc.console import bar, timed
from voc.defaults import (
    EMBED_SHARD_TEXTS,
    EXTRACT_SHARD_SENTENCES,
    SEGMENT_SHARD_DOCS,
    STAGE_BATCH_SHARDS,
)
from voc.shards import ShardCache, ShardMap, VectorCache, doc_batches, in_process, run_shards, shard_frame
from voc.store import Store

log = logging.getLogger(__name__)

# How a whole-corpus stage (topics, personas) runs: (stage name, the stage) -> its counts.
WholeRun = Callable[[str, Callable[[], dict[str, Any]]], dict[str, Any]]


@dataclass
class Components:
    nlp: Any
    embedder: Any
    extractor: Any


def components(study: StudyConfig, store: Store | None = None) -> Components:
    """The default spaCy pipeline, embedder and insight classifier for a study."""
    from voc.embed import get_embedder
    from voc.extract.insights import Extractor
    from voc.segment import load_spacy

    nlp = load_spacy(study.models.spacy)
    embedder = get_embedder(study.models.embedding)
    # The process's one copy, as shard workers get (a tuned encoder is built once).
    clf = _classifier(ModelSpec.of(study).classifier)
    return Components(nlp, embedder, Extractor(nlp, embedder, clf, study.extract.thresholds, store))



@dataclass(frozen=True)
class ModelSpec:
    """The study's models by name: cheap to send to a worker, which loads each model once."""

    spacy: str
    embedding: str
    classifier: str
    thresholds: tuple[tuple[str, float], ...] = ()
    languages: tuple[str, ...] = ("en",)

    @classmethod
    def of(cls, study: StudyConfig) -> "ModelSpec":
        from voc.extract.insights import classifier_path

        name = study.models.classifier
        path = classifier_path(name, study.resolve)
        return cls(study.models.spacy, study.models.embedding, str(path),
                   tuple(sorted(study.extract.thresholds.items())), tuple(study.filters.languages))

    def extractor(self, cache: Any = None) -> Any:
        """An Extractor over this process's copy of the models (loaded on first use, then kept)."""
        from voc.embed import get_embedder
        from voc.extract.insights import Extractor
        from voc.segment import load_spacy

        return Extractor(load_spacy(self.spacy), get_embedder(self.embedding), _classifier(self.classifier),
                         dict(self.thresholds), cache)

    @property
    def model_id(self) -> str:
        """The extraction model id, without loading spaCy or the embedding model."""
        from voc.embed import get_embedder
        from voc.extract.insights import Extractor

        return Extractor(None, get_embedder(self.embedding), _classifier(self.classifier)).model_id


@lru_cache(maxsize=4)
def _classifier(path: str) -> Any:
    from voc.extract.classifier import load_classifier

    return load_classifier(Path(path))


def release_classifier() -> None:
    """Let go of this process's insight classifier once extraction is over: topics and personas
    need no classifier, and the ensemble's second encoder held 150 MB through the
    topics stage, where a run peaks. A later extraction loads it again. (Shards run on Dask
    workers keep the workers' own copies.)"""
    from voc.console import release_freed_memory

    _classifier.cache_clear()
    gc.collect()
    release_freed_memory()


@dataclass
class ExtractShard:
    """What extracting one shard produced: rows for the store and the vectors it computed."""

    insights: pd.DataFrame
    attributes: pd.DataFrame
    hashes: list[str]
    vectors: np.ndarray
    reused: int

    @property
    def computed(self) -> int:
        return len(self.hashes)


def segment_shard(docs: pd.DataFrame, spec: ModelSpec) -> tuple[pd.DataFrame, dict[str, str]]:
    """Sentences and languages for a shard of documents (doc_id, text); pure, runs on any worker."""
    from voc.segment import load_splitter, segment_documents

    return segment_documents(docs, load_splitter(spec.spacy), spec.languages)


def save_segments(store: Store, doc_ids: list[str], sentences: pd.DataFrame, langs: dict[str, str]) -> None:
    store.set_languages(langs)
    store.save_sentences(sentences, doc_ids)


def extract_shard(sentences: pd.DataFrame, spec: ModelSpec, known: dict[str, np.ndarray] | None = None) -> ExtractShard:
    """Insights for a shard of whole documents' sentences; pure, runs on any worker.

    Args:
        sentences: rows of ``Store.sentences_with_context`` in document order.
        spec: the models to use (loaded once per process).
        known: cached vectors by content hash; only the other sentences are embedded.
    """
    from voc.console import release_freed_memory
    from voc.extract.insights import extract_frame

    cache = ShardCache(known)
    insights, attrs = extract_frame(sentences, spec.extractor(cache))
    release_freed_memory()  # else the process grows shard after shard (the workers' too)
    hashes = list(cache.fresh)
    vectors = np.stack([cache.fresh[h] for h in hashes]) if hashes else np.zeros((0, 0), dtype=np.float32)
    return ExtractShard(insights, attrs, hashes, vectors, cache.reused)


def save_extracted(store: Store, sent_ids: list[str], result: ExtractShard, model_id: str, vectors: VectorCache) -> None:
    # Vectors first: if the insight write fails, the re-run at least reuses the embeddings.
    vectors.save(result.hashes, result.vectors)
    store.save_insights(result.insights, result.attributes, sent_ids, model_id)


def add_extract_counts(counts: dict[str, int], result: ExtractShard) -> None:
    counts["insights_new"] += len(result.insights)
    counts["embeddings_computed"] += result.computed
    counts["embeddings_reused"] += result.reused


def embedding_todo(store: Store, texts: Iterable[str], model: str) -> tuple[list[str], list[str], int]:
    """Distinct texts without a cached vector (hashes and texts, by hash) and how many have one."""
    from voc.embed import content_hash

    by_hash = {content_hash(t): t for t in texts}
    cached = store.embedded(list(by_hash), model)
    todo = sorted(h for h in by_hash if h not in cached)
    return todo, [by_hash[h] for h in todo], len(cached)


def embed_texts(texts: list[str], model: str) -> np.ndarray:
    """Vectors for texts with this process's copy of the embedding model; pure, runs on any worker."""
    from voc.console import release_freed_memory
    from voc.embed import get_embedder

    vectors = get_embedder(model).encode(texts)
    release_freed_memory()
    return vectors


def segment_stage(store: Store, spec: ModelSpec, map_shards: ShardMap = in_process) -> dict[str, int]:
    """Segment the documents not segmented yet, shard by shard, each shard saved as it comes."""
    doc_ids = store.unsegmented_doc_ids()
    shards = (shard for ids in doc_batches(doc_ids, None, STAGE_BATCH_SHARDS * SEGMENT_SHARD_DOCS)
              for shard in shard_frame(store.document_texts(ids), SEGMENT_SHARD_DOCS))
    n_sent = n_shards = 0
    with bar("segment", total=len(doc_ids), unit="doc") as progress:
        for shard, (sents, langs) in run_shards(map_shards, segment_shard, shards, lambda s: {"docs": s, "spec": spec}):
            save_segments(store, shard["doc_id"].tolist(), sents, langs)
            n_sent += len(sents)
            n_shards += 1
            progress.update(len(shard))
    return {"documents_segmented": len(doc_ids), "sentences_new": n_sent, "shards": n_shards}


def extract_stage(store: Store, spec: ModelSpec, run_id: str | None = None,
                  map_shards: ShardMap = in_process) -> dict[str, int]:
    """Classify the sentences this classifier has not seen, shard by shard (whole documents)."""
    model_id = spec.model_id
    docs = store.docs_to_extract(model_id)
    # Cut where the whole list would be cut (whole documents, EXTRACT_SHARD_SENTENCES or just
    # over), then read the sentences of STAGE_BATCH_SHARDS shards per query: the same shards,
    # and so the same encode batches and vectors, as reading everything at once.
    cuts = list(doc_batches(docs["doc_id"].tolist(), docs["n"].tolist(), EXTRACT_SHARD_SENTENCES))

    def shards() -> Iterator[pd.DataFrame]:
        for i in range(0, len(cuts), STAGE_BATCH_SHARDS):
            group = cuts[i:i + STAGE_BATCH_SHARDS]
            frame = store.sentences_with_context([d for ids in group for d in ids], only_new_for_model=model_id)
            starts = np.searchsorted(frame["doc_id"].to_numpy(), [ids[0] for ids in group])
            for a, b in zip(starts, [*starts[1:], len(frame)]):
                yield frame.iloc[a:b]

    vectors = VectorCache(store, spec.embedding, run_id)
    total = int(docs["n"].sum())
    counts = {"sentences_classified": total, "insights_new": 0, "embeddings_computed": 0,
              "embeddings_reused": 0, "shards": 0}
    with bar("extract", total=total, unit="sent") as progress:
        for shard, result in run_shards(map_shards, extract_shard, shards(),
                                        lambda s: {"sentences": s, "spec": spec, "known": vectors.known(s["text"])}):
            save_extracted(store, shard["sent_id"].tolist(), result, model_id, vectors)
            add_extract_counts(counts, result)
            counts["shards"] += 1
            progress.update(len(shard))
    return counts


def embed_stage(store: Store, spec: ModelSpec, run_id: str | None = None,
                map_shards: ShardMap = in_process) -> dict[str, int]:
    """Make sure every insight's sentence has a cached vector before topic modelling reads them."""
    hashes, texts, reused = embedding_todo(store, store.insight_texts(), spec.embedding)
    size = EMBED_SHARD_TEXTS
    parts = [(hashes[i:i + size], texts[i:i + size]) for i in range(0, len(texts), size)]
    results = map_shards(embed_texts, ({"texts": t, "model": spec.embedding} for _, t in parts))
    with bar("embed", total=len(texts), unit="sent") as progress:
        for (part_hashes, _), vecs in zip(parts, results):
            store.save_embeddings(part_hashes, vecs, spec.embedding, run_id)
            progress.update(len(part_hashes))
    return {"texts": len(texts) + reused, "computed": len(texts), "reused": reused, "shards": len(parts)}


def topics_stage(study: StudyConfig, store: Store, run_id: str, embedder: Any, refit: bool = False) -> dict[str, Any]:
    """BERTopic per insight kind over every insight in the store (see voc.topics.runs)."""
    from voc.topics.runs import refresh_topics

    return refresh_topics(study, store, run_id, embedder, refit)


def topic_items(store: Store, run_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Insights joined with this run's topic assignments, and the run's topics."""
    return store.insights_with_topics(run_id), store.run_topics(run_id)


def theme_centroids(store: Store, themed: pd.DataFrame, model: str) -> dict[str, np.ndarray]:
    """Each theme's centroid from the insight vectors the topics stage embedded (and cached),
    read a chunk at a time: at 27k documents all themed vectors at once took 400 MB.

    ``themed``: the insights that segment voices, with topic assignments (build_personas passes them)."""
    from voc.embed import cached_rows, content_hash
    from voc.personas.segments import theme_centroids as centroids
    from voc.personas.segments import theme_keys

    hashes = themed["text"].map(content_hash).to_numpy()
    read = 0

    def counted() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        nonlocal read
        for rows, vectors in cached_rows(store, hashes, model):
            read += len(rows)
            yield rows, vectors

    cents = centroids(theme_keys(themed).to_numpy(), counted()) if len(hashes) else {}
    if read < len(hashes):  # the topics stage embeds every insight: a store edited by hand
        log.warning("%d themed insights have no %s vector: personas keep the split by theme mixes",
                    len(hashes) - read, model)
        return {}
    return cents


def personas_stage(study: StudyConfig, store: Store, run_id: str) -> dict[str, Any]:
    from voc.personas.cards import build_personas
    from voc.topics.names import subject_words

    items, topics = topic_items(store, run_id)
    attrs = store.attributes()
    personas, diag = build_personas(items, topics, attrs, study.personas.min_personas,
                                    study.personas.max_personas, study.topics.seed, study.models.spacy,
                                    lambda themed: theme_centroids(store, themed, study.models.embedding),
                                    frozenset(subject_words(study.product, study.keywords)))
    if not personas.empty:
        store.save_personas(run_id, personas)
    store.set_meta(f"personas_diag:{run_id}", pd.Series(diag).to_json())
    kept = {k: v for k, v in diag.items() if k not in ("kinds", "drafts", "per_k", "per_k_themes")}
    return {"personas": len(personas), **kept}


def run_here(name: str, stage: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run a whole-corpus stage in this process: the default (the flow runs it as a task)."""
    return stage()


def analyze(study: StudyConfig, store: Store, map_shards: ShardMap = in_process, run_whole: WholeRun = run_here,
            runner: str = "none", refit_topics: bool = False) -> dict[str, Any]:
    """Segment -> extract -> embed -> topics -> personas over what is new in the store, as one
    analysis run whose record has each stage's counts and seconds. The analyze flow and the
    notebook facade both call this; they differ only in how shards and stages run. The record's
    ``peak_rss_mb`` is this process's peak memory after each stage (shards run by Dask workers
    are not in it).
    ``refit_topics``: refit every kind's topics even when the new insights are few enough to place."""
    from voc.embed import get_embedder

    spec = ModelSpec.of(study)
    run_id = store.start_run("analyze")
    counts: dict[str, Any] = {"runner": runner}
    seconds: dict[str, float] = {}
    peaks: dict[str, int | None] = {}
    in_order: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("segment", lambda: segment_stage(store, spec, map_shards)),
        ("extract", lambda: extract_stage(store, spec, run_id, map_shards)),
        ("embed", lambda: embed_stage(store, spec, run_id, map_shards)),
        ("topics", lambda: run_whole("topics", lambda: topics_stage(study, store, run_id,
                                                                     get_embedder(study.models.embedding),
                                                                     refit_topics))),
        ("personas", lambda: run_whole("personas", lambda: personas_stage(study, store, run_id)))]
    try:
        for name, stage in in_order:
            with timed(seconds, name, peaks):
                counts[name] = stage()
            if name == "extract":
                release_classifier()
    except Exception as err:
        store.finish_run(run_id, "failed", {**counts, "seconds": seconds, "peak_rss_mb": peaks}, [repr(err)])
        raise
    counts["seconds"] = seconds
    counts["peak_rss_mb"] = peaks
    store.finish_run(run_id, "completed", counts, [])
    return {"run_id": run_id, **counts}
