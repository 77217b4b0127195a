"""Topic quality numbers: topics, outlier share, NPMI coherence and diversity, for voc's settings
and for BERTopic with library defaults on the same insights and embeddings."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from voc.topics import TOKEN_PATTERN, stop_words


def _doc_sets(texts: list[str], extra_stop: list[str] | None = None) -> tuple[list[set[str]], Any]:
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(stop_words=stop_words(extra_stop), token_pattern=TOKEN_PATTERN, ngram_range=(1, 1))
    X = (vec.fit_transform(texts) > 0).tocsc()
    return X, {w: i for i, w in enumerate(vec.get_feature_names_out())}


def npmi(topic_words: list[list[str]], texts: list[str], top_n: int = 10) -> float:
    """Mean normalised PMI of word pairs within each topic's top words, with sentences as the
    co-occurrence window (the insights themselves are the reference corpus)."""
    X, index = _doc_sets(texts)
    n = X.shape[0]
    scores = []
    for words in topic_words:
        unigrams = [w for w in dict.fromkeys(t for kw in words for t in kw.split()) if w in index][:top_n]
        pair_scores = []
        for a, b in itertools.combinations(unigrams, 2):
            ca, cb = X[:, index[a]], X[:, index[b]]
            pa, pb = ca.sum() / n, cb.sum() / n
            pab = ca.multiply(cb).sum() / n
            if pab == 0:
                pair_scores.append(-1.0)
                continue
            pair_scores.append(float(np.log(pab / (pa * pb)) / -np.log(pab)) if pab < 1 else 1.0)
        if pair_scores:
            scores.append(float(np.mean(pair_scores)))
    return round(float(np.mean(scores)), 4) if scores else float("nan")


def diversity(topic_words: list[list[str]], top_n: int = 10) -> float:
    """Share of unique words among all topics' top words (1.0 = no topic repeats another's words)."""
    words = [w for ws in topic_words for w in ws[:top_n]]
    return round(len(set(words)) / len(words), 4) if words else float("nan")


def topic_words(topics: np.ndarray, texts: list[str], top_n: int = 10) -> list[list[str]]:
    """Top words per topic by class-based TF-IDF over stop-word-filtered unigrams.

    Both models' partitions get their words this same way, so the comparison measures the
    topics themselves, not how each model chooses to describe them (BERTopic's defaults keep
    stop words such as "the" and "it" as keywords, which co-occur everywhere and flatter NPMI).
    """
    from sklearn.feature_extraction.text import CountVectorizer

    ids = sorted(t for t in set(topics.tolist()) if t != -1)
    joined = [" ".join(t for t, k in zip(texts, topics) if k == tid) for tid in ids]
    vec = CountVectorizer(stop_words=stop_words(), token_pattern=TOKEN_PATTERN)
    counts = vec.fit_transform(joined).toarray().astype(float)
    tf = counts / (counts.sum(1, keepdims=True) + 1e-9)
    idf = np.log(1 + counts.sum(1).mean() / (counts.sum(0) + 1))
    vocab = vec.get_feature_names_out()
    return [list(vocab[np.argsort(-row)[:top_n]]) for row in tf * idf]


def describe(topics: np.ndarray, texts: list[str]) -> dict[str, Any]:
    words = topic_words(topics, texts)
    return {"topics": len(words), "outlier_share": round(float((topics == -1).mean()), 4),
            "npmi": npmi(words, texts), "diversity": diversity(words)}


def compare(kind: str, ins: pd.DataFrame, emb: np.ndarray, study: Any, embedding_model: Any = None) -> list[dict[str, Any]]:
    """voc's topic model and BERTopic's defaults on the same insights, side by side."""
    from bertopic import BERTopic

    from voc.topics import fit_topics

    order = np.argsort(ins["sent_id"].to_numpy(), kind="stable")
    ins, emb = ins.iloc[order].reset_index(drop=True), emb[order]
    texts = ins["text"].tolist()
    ours = fit_topics(kind, ins, emb, seed=study.topics.seed, min_topic_size=study.topics.min_topic_size,
                      max_outlier_share=study.topics.max_outlier_share, embedding_model=embedding_model,
                      extra_stop_words=study.topics.stop_words)
    rows = []
    if ours.model is not None:
        rows.append({"kind": kind, "model": "voc", **describe(ours.assignments["topic_id"].to_numpy(), texts)})
    default = BERTopic()
    try:
        topics, _ = default.fit_transform(texts, embeddings=emb)
        rows.append({"kind": kind, "model": "bertopic-defaults", **describe(np.asarray(topics), texts)})
    except (ValueError, TypeError) as err:  # the defaults need more data than small corpora have
        rows.append({"kind": kind, "model": "bertopic-defaults", "topics": 0, "outlier_share": float("nan"),
                     "npmi": float("nan"), "diversity": float("nan"), "error": str(err)[:120]})
    return rows
