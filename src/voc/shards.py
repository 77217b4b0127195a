"""How the per-document stages (segment, extract) cut their work into shards and run them:
shards of whole documents, read from the store a batch at a time, run by any runner that yields
results in job order (in this process, or Dask under the analyze flow), each with its view of
the embedding cache."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from voc.store import Store

# How a stage runs its shards: (shard function, keyword arguments per shard) -> results in order.
ShardMap = Callable[[Callable[..., Any], Iterable[dict[str, Any]]], Iterator[Any]]


def shard_frame(frame: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    """Cut a frame into consecutive shards of ``size`` rows (extraction cuts whole documents
    with ``doc_batches`` instead)."""
    return [frame.iloc[i:i + size] for i in range(0, len(frame), size)]


class VectorCache:
    """The store's embedding cache as it was when a stage began, plus what the stage writes.

    Shards may be computed before earlier shards are written (on Dask) or after (in process).
    Offering each shard only vectors cached before the stage began gives it the same inputs
    either way, so results do not depend on the runner. A text repeated across shards is then
    embedded once per shard, which is cheap next to the guarantee.
    """

    def __init__(self, store: Store, model: str, run_id: str | None = None):
        self.store = store
        self.model = model
        self.run_id = run_id
        self.written: set[str] = set()

    def known(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        from voc.embed import content_hash

        hashes = sorted({content_hash(t) for t in texts} - self.written)
        # Not what a killed run wrote: its re-run must embed in the batches an uninterrupted run would.
        return self.store.cached_embeddings(hashes, self.model, settled_only=True)

    def save(self, hashes: list[str], vectors: np.ndarray) -> None:
        self.store.save_embeddings(hashes, vectors, self.model, self.run_id)
        self.written.update(hashes)


class ShardCache:
    """A shard's view of the embedding cache for ``embed_cached``: vectors given, fresh ones kept.

    Workers cannot open the store (one writer per DuckDB file), so the flow looks up the shard's
    cached vectors, the worker computes only the rest and returns them for the flow to save.
    """

    def __init__(self, known: dict[str, np.ndarray] | None = None):
        self.known = dict(known or {})
        self.fresh: dict[str, np.ndarray] = {}
        self.reused = 0

    def cached_embeddings(self, hashes: list[str], model: str) -> dict[str, np.ndarray]:
        hits = {h: self.known[h] for h in hashes if h in self.known}
        self.reused += len(hits)
        return hits

    def save_embeddings(self, hashes: list[str], vectors: np.ndarray, model: str) -> None:
        self.fresh.update(zip(hashes, vectors))


def in_process(shard: Callable[..., Any], jobs: Iterable[dict[str, Any]]) -> Iterator[Any]:
    """Run each shard here, one after another: the stages' default. The analyze flow passes a map
    that runs them as Prefect tasks (on Dask, several at once), with results in the same order."""
    for job in jobs:
        yield shard(**job)


def doc_batches(doc_ids: list[str], rows: list[int] | None, size: int) -> Iterator[list[str]]:
    """Consecutive runs of documents holding about ``size`` rows each (``rows`` per document; one
    row each when None): a stage reads its input a batch at a time, so a 100k-document import is
    never in memory at once."""
    batch: list[str] = []
    held = 0
    for i, doc_id in enumerate(doc_ids):
        batch.append(doc_id)
        held += rows[i] if rows is not None else 1
        if held >= size:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def run_shards(map_shards: ShardMap, shard_fn: Callable[..., Any], shards: Iterable[pd.DataFrame],
               job: Callable[[pd.DataFrame], dict[str, Any]]) -> Iterator[tuple[pd.DataFrame, Any]]:
    """(shard, result) in shard order, taking shards from ``shards`` only as the runner asks for
    jobs (a runner yields results in job order, so the oldest shard taken is the result's)."""
    taken: deque[pd.DataFrame] = deque()

    def jobs() -> Iterator[dict[str, Any]]:
        for shard in shards:
            taken.append(shard)
            yield job(shard)

    for result in map_shards(shard_fn, jobs()):
        yield taken.popleft(), result
