"""Embedding vectors to and from the store as Arrow buffers, not a Python list per vector:
at 20,000 vectors that made writing and reading them several times faster."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from voc.errors import VocError


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
