"""Embedding vectors to and from the store as Arrow buffers, not a Python list per vector:
at 20,000 vectors that made writing and reading them several times faster. ``Vectors`` is
mixed into ``Store``: the embedding cache's reads and writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from voc.errors import VocError

if TYPE_CHECKING:
    import duckdb


def vector_table(hashes: Sequence[str], vectors: np.ndarray, model: str, run_id: str | None) -> Any:
    """An Arrow table of the embeddings table's columns, the vectors as fixed-size float32 lists."""
    import pyarrow as pa

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(hashes)
    return pa.table({"content_hash": pa.array(list(hashes), pa.string()), "model": pa.array([model] * n, pa.string()),
                     "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), vectors.shape[1]),
                     "run_id": pa.array([run_id] * n, pa.string())})


def vector_rows(column: Any) -> np.ndarray:
    """float32 rows from an Arrow list column of equal-length vectors (one model's)."""
    if len(column) == 0:
        return np.zeros((0, 0), dtype=np.float32)
    import pyarrow.compute as pc

    lists = column.combine_chunks()
    lengths = pc.list_value_length(lists)
    if pc.min(lengths).as_py() != pc.max(lengths).as_py():
        raise VocError("the embedding cache holds vectors of different lengths under one model name (was the "
                       "model at that path replaced?); delete its rows from the store's embeddings table")
    # A copy: Arrow's buffer is read-only, and callers may change what they get.
    return np.array(lists.flatten().to_numpy(zero_copy_only=False), dtype=np.float32).reshape(len(lists), -1)


class Vectors:
    """Mixed into ``Store``, which provides ``con``, ``registered``, ``transaction`` and ``_upsert``."""

    con: duckdb.DuckDBPyConnection
    registered: Any
    transaction: Any
    _upsert: Any

    def cached_embeddings(self, hashes: Sequence[str], model: str, settled_only: bool = False) -> dict[str, np.ndarray]:
        """Cached vectors by content hash.

        Args:
            settled_only: only vectors written outside analysis runs or by runs that completed.
                A run killed mid-extraction leaves vectors that its shards computed; offering
                those to the re-run would change which batch later shards embed a repeated text
                in, and with it the last bits of the vector (and so topics and personas).
        """
        settled = ("AND (e.run_id IS NULL OR e.run_id IN (SELECT run_id FROM runs WHERE status = 'completed'))"
                   if settled_only else "")
        found = self._cached(hashes, model, "e.content_hash, e.vector", settled)
        if found is None:
            return {}
        return dict(zip(found.column("content_hash").to_pylist(), vector_rows(found.column("vector"))))

    def embedded(self, hashes: Sequence[str], model: str) -> set[str]:
        """The content hashes that have a cached vector, without reading the vectors (the embed
        stage asks this of every insight in every run)."""
        found = self._cached(hashes, model, "e.content_hash")
        return set() if found is None else set(found.column("content_hash").to_pylist())

    def _cached(self, hashes: Sequence[str], model: str, columns: str, where: str = "") -> Any:
        """The embeddings rows (an Arrow table of ``columns``) of these hashes under this model;
        None when no hashes are asked for."""
        if not hashes:
            return None
        with self.registered("_h", pd.DataFrame({"content_hash": list(hashes)})):
            return self.con.sql(
                f"""SELECT {columns} FROM embeddings e
                    WHERE e.model = ? AND e.content_hash IN (SELECT content_hash FROM _h) {where}""",
                params=[model],
            ).to_arrow_table()

    def save_embeddings(self, hashes: Sequence[str], vectors: np.ndarray, model: str, run_id: str | None = None) -> None:
        if not len(hashes):
            return
        table = vector_table(hashes, vectors, model, run_id)
        with self.transaction():
            self._upsert("embeddings", table, ["content_hash", "model", "vector", "run_id"])
