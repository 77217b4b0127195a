"""Embedding vectors to and from the store as Arrow buffers, not a Python list per vector:
at 20,000 vectors that made writing and reading them several times faster."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


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
    lists = column.combine_chunks()
    flat = lists.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
    return flat.reshape(len(lists), -1)
