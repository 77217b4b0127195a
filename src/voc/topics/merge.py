"""Merging fine clusters into topics: Ward's criterion weighted by cluster size, and absorbing
clusters too small to be a topic into their nearest neighbour. Pure numpy; ``voc.topics.fit`` picks
which partition to keep by coherence."""

from __future__ import annotations

import numpy as np


def ward_partitions(means: np.ndarray, sizes: np.ndarray, low: int, high: int) -> dict[int, np.ndarray]:
    """Agglomerate clusters (given by their mean vectors and sizes) by Ward's criterion, and
    return the partition at every count from min(high, number of clusters) down to max(1, low):
    {count: label per cluster, numbered 1.. by first member}; empty when low exceeds the clusters.

    Each step merges the pair that least increases the within-cluster sum of squares,
    n_a*n_b/(n_a+n_b) * |mean_a - mean_b|^2, i.e. what Ward clustering of the insights themselves
    would do from these clusters. Ward on bare centroids weighs a 3-insight cluster like a
    40-insight one and chained them into one catch-all topic (191 of 281 demo objections).
    """
    k = len(sizes)
    mu = means.astype(np.float64).copy()
    n = sizes.astype(np.float64).copy()
    labels = np.arange(k)
    alive = np.ones(k, dtype=bool)

    def costs(i: int) -> np.ndarray:
        return n[i] * n / (n[i] + n) * ((mu - mu[i]) ** 2).sum(1)

    cost = np.stack([costs(i) for i in range(k)])
    np.fill_diagonal(cost, np.inf)
    out: dict[int, np.ndarray] = {}
    for count in range(k, max(1, low) - 1, -1):
        if count <= high:
            # Number the clusters by their first member so equal partitions get equal labels.
            _, first = np.unique(labels, return_index=True)
            order = {c: r + 1 for r, c in enumerate(labels[np.sort(first)])}
            out[count] = np.array([order[c] for c in labels])
        if count == max(1, low):
            break
        a, b = np.unravel_index(np.argmin(cost), cost.shape)
        a, b = min(a, b), max(a, b)
        mu[a] = (mu[a] * n[a] + mu[b] * n[b]) / (n[a] + n[b])
        n[a] += n[b]
        labels[labels == b] = a
        alive[b] = False
        row = np.where(alive, costs(a), np.inf)
        row[a] = np.inf
        cost[a, :] = row
        cost[:, a] = row
        cost[b, :] = np.inf
        cost[:, b] = np.inf
    return out


def absorb_small(clusters: np.ndarray, cents: np.ndarray, sizes: np.ndarray, floor: int) -> np.ndarray:
    """Merge clusters (of fine topics) with fewer than ``floor`` insights into the nearest other one."""
    clusters = clusters.copy()
    while len(set(clusters.tolist())) > 2:
        totals = {c: int(sizes[clusters == c].sum()) for c in set(clusters.tolist())}
        small = min(totals, key=lambda c: (totals[c], c))
        if totals[small] >= floor:
            break
        mean = {c: cents[clusters == c].T @ sizes[clusters == c] for c in totals}
        mean = {c: v / (np.linalg.norm(v) + 1e-9) for c, v in mean.items()}
        target = max((c for c in totals if c != small), key=lambda c: (float(mean[small] @ mean[c]), -c))
        clusters[clusters == small] = target
    return clusters
