"""The UMAP reduction topic fitting clusters on: one configuration, exact neighbours computed once
per kind and shared by every restart, and the restarts' seeds."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from voc.defaults import MAX_RESTARTS, RESTART_BUDGET

# UMAP warns that a model fitted on precomputed neighbours (``neighbours``) cannot transform new
# data; voc places new insights by centroid (reduce_outliers, voc.topics.sample), never by transform.
warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")


def umap_model(n: int, seed: int, knn: tuple[np.ndarray, np.ndarray] | None = None) -> Any:
    """The one UMAP configuration: the restarts must reduce as the model will.

    It starts from the embeddings' principal components, not UMAP's default spectral layout:
    ARPACK's spectral layout of the same graph of 18,218 real must-have sentences differed on each
    call (coordinates up to 0.59 apart on a scale of 0.30; one BLAS thread or two), and the same
    insights got 19 topics, then 30. The principal components are the same on every call; on the
    27k-document bench store NPMI was no worse (mean over five kinds -0.054 against -0.062) and
    the topics stage took as long (197 s against 191 s).
    """
    from umap import UMAP

    return UMAP(n_neighbors=n_neighbors(n), n_components=max(2, min(5, n - 2)), min_dist=0.0,
                metric="cosine", random_state=seed, n_jobs=1, init="pca",
                precomputed_knn=(knn[0].copy(), knn[1].copy()) if knn is not None else (None, None, None))


def n_neighbors(n: int) -> int:
    return max(2, min(15, n - 1))


RANK_ROWS = 128


def neighbours(emb: np.ndarray, block: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Each embedding's exact nearest neighbours by cosine distance (itself first), as UMAP's
    ``precomputed_knn``. Below 4,096 rows UMAP computes every distance through a Python callback
    per pair (100 s of a 150 s fit on 3,500 insights); one matrix product per block of rows gives
    the same neighbours in a second, and the restarts share them. The ranking runs on
    ``RANK_ROWS`` of a block's rows at a time: its int64 positions for all 1,024 rows of 20,000
    insights took 160 MB."""
    n = len(emb)
    k = n_neighbors(n)
    unit = (emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)).astype(np.float32)
    indices = np.empty((n, k), dtype=np.int64)
    dists = np.empty((n, k), dtype=np.float32)
    for lo in range(0, n, block):
        d = unit[lo:lo + block] @ unit.T
        np.subtract(1.0, d, out=d)
        rows = np.arange(d.shape[0])
        d[rows, lo + rows] = -1.0  # itself first, even beside an identical sentence
        for r in range(0, d.shape[0], RANK_ROWS):
            part = d[r:r + RANK_ROWS]
            near = np.argpartition(part, k - 1, axis=1)[:, :k]  # k < n
            order = np.argsort(np.take_along_axis(part, near, 1), axis=1, kind="stable")
            at = slice(lo + r, lo + r + len(part))
            indices[at] = np.take_along_axis(near, order, 1)
            dists[at] = np.take_along_axis(part, indices[at], 1)
    dists = np.maximum(dists, 0.0)  # the -1 marker, and rounding below zero
    return indices, dists


def auto_restarts(n: int) -> int:
    """How many UMAP fits to choose from on n insights (see ``RESTART_BUDGET``)."""
    return int(max(1, min(MAX_RESTARTS, round(RESTART_BUDGET / max(n, 1)))))


def restart_seeds(seed: int, restarts: int) -> list[int]:
    """The study's seed first, then seeds derived from it: seed 42's restarts are not seed 43's."""
    return [seed] + [int(np.random.SeedSequence([seed, i]).generate_state(1)[0] >> 1) for i in range(1, restarts)]
