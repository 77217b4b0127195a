"""Persona segments: voices by the insight topics they voice, split by k-means.

Each voice (an author; a thread where authors are few or anonymous) becomes a vector of the
insight topics it voices. k-means splits the voices into 3-8 segments; k is the one whose split
is both well separated (silhouette) and reproducible (adjusted Rand index between the full fit and
fits on subsamples), and the report says how confident that split is.

When most voices voice a single theme (anonymous reviews: one review, one voice), those vectors
are one-hot and split only into "this theme" against "the rest": no split, or one segment that
holds most voices; or each theme becomes a segment of its own, so related themes make near-twin
personas that another draw of the voices splits differently. Then every voice is placed in the
embedding space instead, at the centroids of the themes it voices (``theme_vectors``), where
related themes lie near each other and can form a segment (``split``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from voc.defaults import (
    MAX_SEGMENT_SHARE,
    MIN_FALLBACK_STABILITY,
    MIN_MEAN_VOICES,
    MIN_SEGMENT_SHARE,
    MIN_VOICES_PER_SEGMENT,
    SILHOUETTE_MEMORY_MB,
    SILHOUETTE_SAMPLE,
    STABILITY_MARGIN,
    STABILITY_ROUNDS,
    SUBSAMPLE,
)
from voc.kinds import KINDS


def voice_unit(items: pd.DataFrame, k_min: int) -> str:
    """"author", or "thread" when most insights are anonymous or authors are too few to segment."""
    authors = items["author_hash"].nunique()
    threads = items["thread_id"].nunique()
    anonymous = items["author_hash"].isna().mean()
    if threads > authors and (anonymous > 0.5 or authors < MIN_VOICES_PER_SEGMENT * k_min):
        return "thread"
    return "author"


def segmenting(items: pd.DataFrame) -> pd.DataFrame:
    """The insights of the kinds that place a voice in a segment (``voc.kinds``: ``segments``)."""
    return items[items["kind"].isin([k.name for k in KINDS if k.segments])]


def theme_keys(items: pd.DataFrame) -> pd.Series:
    """Each insight's theme as "kind:topic", the key of voice_matrix's columns."""
    return items["kind"] + ":" + items["topic_key"].astype(str)


def voice_matrix(items: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows = voices, columns = kind:topic counts, L2-normalised (a voice's mix of themes).

    No IDF weighting: on the demo corpus it made every split less reproducible (mean ARI at
    k=4 fell from 0.76 to 0.45) because rare themes voiced once pulled voices around.
    """
    items = segmenting(items)
    feat = theme_keys(items)
    # Rows in the order of each voice's first sentence, not of the voice ids: those are keyed
    # hashes, and k-means on rows in hash order would give other personas under another salt.
    key = items["sent_id"] if "sent_id" in items else pd.Series(range(len(items)), index=items.index)
    order = key.groupby(items["voice"]).min().sort_values(kind="stable").index
    counts = pd.crosstab(items["voice"], feat).reindex(order)
    X = counts.to_numpy(dtype=float, copy=True)
    X /= np.linalg.norm(X, axis=1, keepdims=True) + 1e-9
    return counts, X


def theme_centroids(features: np.ndarray, vectors: np.ndarray | Iterable[tuple[np.ndarray, np.ndarray]]) -> dict[str, np.ndarray]:
    """Each theme's ("kind:topic") mean insight vector, unit length.

    Args:
        features: the theme of each insight.
        vectors: its embedding, row for row; or chunks (rows, their vectors), so that a large
            corpus's vectors need never be in memory at once.
    """
    themes, codes = np.unique(features, return_inverse=True)
    sums: np.ndarray | None = None
    for rows, chunk in ([(np.arange(len(features)), vectors)] if isinstance(vectors, np.ndarray) else vectors):
        if sums is None:
            sums = np.zeros((len(themes), chunk.shape[1]))
        np.add.at(sums, codes[rows], chunk)
    if sums is None:
        return {}
    means = sums / np.bincount(codes, minlength=len(themes))[:, None]
    means /= np.linalg.norm(means, axis=1, keepdims=True) + 1e-9
    return {str(t): m for t, m in zip(themes, means)}


def theme_vectors(counts: pd.DataFrame, centroids: dict[str, np.ndarray]) -> np.ndarray:
    """Rows = voices (as ``voice_matrix``'s counts), placed at the count-weighted mean of their
    themes' centroids, L2-normalised."""
    C = np.stack([centroids[c] for c in counts.columns]).astype(float)
    # Every row lies in the span of the few hundred centroids: expressed in an orthonormal basis
    # of that span, lengths and angles are the same, and k-means runs on fewer columns than 384.
    _u, s, basis = np.linalg.svd(C, full_matrices=False)
    V = counts.to_numpy(dtype=float) @ (C @ basis[s > 1e-9 * s.max()].T)
    V /= np.linalg.norm(V, axis=1, keepdims=True) + 1e-9
    return V


def _kmeans(X: np.ndarray, k: int, seed: int, n_init: int = 10) -> Any:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X)


def stability(X: np.ndarray, labels: np.ndarray, k: int, seed: int, rounds: int = STABILITY_ROUNDS) -> float | None:
    """Mean adjusted Rand index between a split and the splits of random 80% subsamples.

    Each subsample is clustered with its own seed and every voice is then assigned to the nearest
    subsample centroid, so the comparison covers all voices. 1 means the same split every time,
    0 means no better than chance. None when subsamples are too small to hold k segments.
    """
    from sklearn.metrics import adjusted_rand_score

    n = len(X)
    m = int(round(SUBSAMPLE * n))
    if m <= k:
        return None
    rng = np.random.default_rng(seed)
    scores = []
    for r in range(rounds):
        idx = rng.choice(n, size=m, replace=False)
        model = _kmeans(X[idx], k, seed + 1 + r, n_init=3)
        scores.append(adjusted_rand_score(labels, model.predict(X)))
    return float(np.mean(scores))


def choose_k(X: np.ndarray, k_min: int, k_max: int, seed: int) -> tuple[int, np.ndarray, dict[str, Any]]:
    """The k in [k_min, k_max] with the best silhouette x stability.

    Silhouette alone favours many small segments on sparse data; stability alone favours the
    fewest. Their product asks for segments that are both distinct and reproducible.

    Returns:
        (k, labels, scores) where scores holds the chosen silhouette and stability and a row per k.
    """
    import sklearn
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    # threads: a few hundred voices cost more than they save (7x here). working_memory: the
    # silhouette's distances are computed in chunks of this many MB, not in one 5,000 x 5,000
    # block (400 MB at once; 90 MB in chunks, and faster).
    with threadpool_limits(1), sklearn.config_context(working_memory=SILHOUETTE_MEMORY_MB):
        return _choose_k(X, k_min, k_max, seed, silhouette_score)


def _choose_k(X: np.ndarray, k_min: int, k_max: int, seed: int, silhouette_score: Any) -> tuple[int, np.ndarray, dict[str, Any]]:
    n = len(X)
    distinct = len(np.unique(X, axis=0))
    rows: list[dict[str, Any]] = []
    best: tuple[float, int, np.ndarray] | None = None
    # A segment of two voices among forty is an anecdote, not a persona: every segment must hold
    # MIN_SEGMENT_SHARE of the voices (and MIN_VOICES_PER_SEGMENT at least).
    smallest = max(MIN_VOICES_PER_SEGMENT, int(np.ceil(MIN_SEGMENT_SHARE * n)))
    for k in range(k_min, min(k_max, n - 1, distinct) + 1):
        labels = _kmeans(X, k, seed).labels_
        if len(set(labels)) < 2 or np.bincount(labels).min() < smallest:
            continue
        sil = float(silhouette_score(X, labels, metric="cosine", random_state=seed,
                                     sample_size=SILHOUETTE_SAMPLE if n > SILHOUETTE_SAMPLE else None))
        stab = stability(X, labels, k, seed)
        score = max(sil, 0.0) * (stab if stab is not None else 0.5)
        rows.append({"k": k, "silhouette": round(sil, 4), "stability": None if stab is None else round(stab, 4),
                     "score": round(score, 4)})
        if best is None or score > best[0] + 1e-9:
            best = (score, k, labels)
    if best is None:
        return 1, np.zeros(n, dtype=int), {"silhouette": None, "stability": None, "per_k": rows}
    chosen = next(r for r in rows if r["k"] == best[1])
    return best[1], best[2], {"silhouette": chosen["silhouette"], "stability": chosen["stability"], "per_k": rows}


def split(counts: pd.DataFrame, X: np.ndarray, k_min: int, k_max: int, seed: int,
          centroids: Callable[[], dict[str, np.ndarray]] | None = None) -> tuple[int, np.ndarray, dict[str, Any]]:
    """The segments of the voices in ``voice_matrix``'s theme space or, when ``centroids``
    (theme -> centroid) are at hand and that split is degenerate or far less reproducible
    (``STABILITY_MARGIN``), in the theme embedding space (``theme_vectors``).

    Degenerate: no k keeps every segment at MIN_SEGMENT_SHARE, or one segment holds more than
    MAX_SEGMENT_SHARE of the voices. That segment is "everyone whose themes are not another
    segment's", which no persona can describe. scores["space"] says which space split them, and
    scores["themes_stability"] the ARI of a sound theme-mix split that was replaced (None when
    the replaced split was degenerate).
    """
    n = len(X)
    if n < MIN_VOICES_PER_SEGMENT * k_min:
        return 1, np.zeros(n, dtype=int), {"silhouette": None, "stability": None, "per_k": [], "space": "themes"}
    k, labels, scores = choose_k(X, k_min, k_max, seed)
    largest = np.bincount(labels).max() / n
    degenerate = k == 1 or largest > MAX_SEGMENT_SHARE
    # A sound split this reproducible cannot be beaten by the margin: no second split to compute.
    # Nor one whose reproducibility could not be checked (too few voices): nothing says another is steadier.
    beatable = degenerate or (scores["stability"] is not None and scores["stability"] + STABILITY_MARGIN <= 1.0)
    cents = centroids() if centroids is not None and beatable else None
    if not cents:
        return k, labels, {**scores, "space": "themes"}
    k2, labels2, scores2 = choose_k(theme_vectors(counts, cents), k_min, k_max, seed)
    stable2 = scores2["stability"] or 0.0
    if degenerate:
        # Kept only when it is the better split: more than one segment, a smaller largest one, and
        # reproducible (a lopsided split beats a random one).
        better = (k2 > 1 and not (k > 1 and np.bincount(labels2).max() / n >= largest)
                  and stable2 >= MIN_FALLBACK_STABILITY)
    else:
        # A sound split by theme mixes still gives way to one that re-clustering reproduces far
        # better: pet-insurance reviews split by mixes into three claim personas (submitting,
        # reimbursement, the process) at ARI 0.44; at their themes' centroids, into one at 0.91.
        # (Each ARI is at its own best k, and fewer segments tend to reproduce better: the margin
        # is wide so that a coarser split must be clearly steadier, not only coarser.)
        better = (k2 > 1 and np.bincount(labels2).max() / n <= MAX_SEGMENT_SHARE
                  and stable2 >= max(MIN_FALLBACK_STABILITY, scores["stability"] + STABILITY_MARGIN))
    if not better:
        return k, labels, {**scores, "space": "themes"}
    # The theme-mix scores stay in the diagnostics: they show why that split was not used.
    return k2, labels2, {**scores2, "space": "theme embeddings", "per_k_themes": scores["per_k"],
                         "themes_stability": None if degenerate else scores["stability"]}


def most_segments(n_voices: int, k_min: int, k_max: int) -> int:
    """The most segments ``n_voices`` support: ``MIN_MEAN_VOICES`` each on average, never fewer
    than ``k_min`` nor more than ``k_max``. The coffee Q&A study split 35 voices into 7 personas
    of 3 to 7 voices, reproducibly (ARI 0.84) since most voices raise one theme; a judge read
    three "fed up with" cards that shared their quotes and called the seven barely distinct (2 of 5)."""
    return max(k_min, min(k_max, n_voices // MIN_MEAN_VOICES))


def confidence(k: int, n_voices: int, sil: float | None, stab: float | None, k_range: tuple[int, int],
               space: str = "themes", themes_stability: float | None = None, asked: int | None = None) -> dict[str, str]:
    """How far to trust the split, in words a content team can act on. ``themes_stability``: the
    ARI of the split by theme mixes that a split in theme-embedding space replaced for being far
    less reproducible (None: it was replaced for being lopsided). ``asked``: the study's
    max_personas when ``most_segments`` held the range under it."""
    if k <= 1 and n_voices >= MIN_VOICES_PER_SEGMENT * k_range[0]:
        return {"level": "none", "text": (
            f"The {n_voices} voices share too few distinct mixes of themes to split into {k_range[0]} or more "
            "segments, so one draft describes everyone.")}
    if k <= 1:
        return {"level": "none", "text": (
            f"Only {n_voices} voice{'s' if n_voices != 1 else ''} with themed insights: too few to split into "
            f"segments (at least {MIN_VOICES_PER_SEGMENT * k_range[0]} are needed), so one draft describes everyone.")}
    sil = sil or 0.0
    if stab is not None and stab >= 0.8 and sil >= 0.25:
        level, advice = "high", "The segments are distinct and reproducible."
    elif stab is not None and stab >= 0.6 and sil >= 0.1:
        level, advice = "moderate", "The core of each segment is reliable; voices near the boundaries could go either way."
    else:
        level, advice = "low", "Treat the segments as hypotheses: the themes are real, the boundaries between them are soft."
    stab_text = ("re-clustering 80% subsamples could not be checked (too few voices)" if stab is None else
                 f"re-clustering 80% subsamples reproduces it with a mean adjusted Rand index of {stab:.2f} (1 = identical)")
    edge = (" k is the top of the allowed range, so more segments might fit better (raise "
            "[personas] max_personas to check).") if k == k_range[1] and asked is None else ""
    if asked is not None:
        edge = (f" {n_voices} voices support at most {k_range[1]} segments ({MIN_MEAN_VOICES} voices each on "
                f"average), not the {asked} the study allows." if n_voices // MIN_MEAN_VOICES >= k_range[1] else
                f" {n_voices} voices are fewer than {MIN_MEAN_VOICES} per segment even at the study's least of "
                f"{k_range[1]} segments, so no more are drafted.")
    reason = ("one segment held most voices (or no split held)" if themes_stability is None else
              f"re-clustering reproduced its segments only at an adjusted Rand index of {themes_stability:.2f}")
    how = (f" Split by their mix of themes, {reason}, so voices were split by what their themes are about "
           "(voices of related themes together)." if space == "theme embeddings" else "")
    return {"level": level, "text": (
        f"{level.capitalize()} confidence in the {k}-segment split of {n_voices} voices (k chosen from "
        f"{k_range[0]}–{k_range[1]}): {stab_text}; separation (silhouette) {sil:.2f}. {advice}{edge}{how}")}
