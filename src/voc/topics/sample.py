"""Topics for more insights than a fit should see: fit a seeded sample, place the rest.

UMAP and HDBSCAN (and the restarts and the search over densities and topic counts) grow faster
than linearly with the number of insights, so above ``[topics] max_fit`` a kind's topics are
fitted on a sample of that size, drawn with the study's seed. Every other insight then joins the
topic whose centroid (over the sample's members) is nearest; the least similar stay outliers,
within the same outlier budget as a full fit. Labels and keywords are the sample's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from voc.config import TopicSettings
from voc.topics.fit import fit_topics, reduce_outliers
from voc.topics.groups import TopicResult, by_aspect
from voc.topics.labels import OUTLIER_LABEL
from voc.topics.names import label_names


def sample_rows(n: int, size: int, seed: int) -> np.ndarray:
    """Which of n rows (in sent_id order) the fit sees: the same rows for the same seed."""
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def sent_order(sent_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows in sent_id order, and each row's place in that order (``reduce_outliers``'
    ``rank``): how a caller works in sent_id order without a sorted copy of its vectors."""
    order = np.argsort(sent_ids, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return order, rank


def fit_sampled(kind: str, insights: pd.DataFrame, embeddings: np.ndarray, settings: TopicSettings,
                embedding_model: Any = None) -> TopicResult:
    # Rows are taken in sent_id order through ``order`` rather than by sorting a copy of the
    # vectors: MiniLM's are 1.5 KB an insight (150 MB for a kind of 100k insights), and the copy
    # lived through the whole fit.
    order, rank = sent_order(insights["sent_id"].to_numpy())
    chosen = order[sample_rows(len(order), settings.max_fit, settings.seed)]
    fitted = fit_topics(kind, insights.iloc[chosen].reset_index(drop=True), embeddings[chosen],
                        settings.model_copy(update={"max_fit": 0}), embedding_model)
    if fitted.model is None:  # the sample was grouped by aspect: so is every insight
        return by_aspect(kind, insights.iloc[order].reset_index(drop=True),
                         settings.stop_words + label_names(kind, settings.names))
    topics = np.full(len(insights), -1, dtype=int)
    by_sent = dict(zip(fitted.assignments["sent_id"], fitted.assignments["topic_id"]))
    topics[chosen] = [int(by_sent[s]) for s in insights["sent_id"].iloc[chosen]]
    # The rest start as outliers; reduce_outliers moves them to their nearest topic centroid, most
    # similar first, until the kind is within its outlier budget.
    topics = reduce_outliers(embeddings, topics, settings.max_outlier_share, rank)[order]
    sizes = pd.Series(topics).value_counts()
    rows = fitted.topics[fitted.topics["topic_id"].isin(sizes.index)].copy()
    if -1 in sizes.index and not (rows["topic_id"] == -1).any():
        # The sample had no outliers (a fixed number of clusters) but some placed insights stay out.
        rows = pd.concat([pd.DataFrame([{"topic_id": -1, "label": OUTLIER_LABEL, "keywords": [], "size": 0}]),
                          rows], ignore_index=True)
    rows["size"] = [int(sizes[t]) for t in rows["topic_id"]]
    return TopicResult(kind=kind, topics=rows.reset_index(drop=True),
                       assignments=pd.DataFrame({"sent_id": insights["sent_id"].to_numpy()[order], "topic_id": topics}),
                       model=fitted.model, method=f"{fitted.method}, fitted on {len(chosen)} of {len(insights)}")
