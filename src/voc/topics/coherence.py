"""Topic coherence: NPMI of each topic's top words, with sentences as co-occurrence windows.

Shared by topic fitting (which picks the number of topics by it, as LDA users pick K) and by
``voc topics --evaluate`` (which reports it next to BERTopic's defaults). Every partition gets
its words the same way, class-based TF-IDF over stop-word-free unigrams, so a comparison
measures the topics and not how a model chooses to describe them.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy import sparse

from voc.topics.vocabulary import TOKEN_PATTERN, stop_words


class Coherence:
    """A reference corpus (one row per sentence) indexed once, then scored many times."""

    def __init__(self, texts: list[str], extra_stop_words: list[str] | None = None):
        from sklearn.feature_extraction.text import CountVectorizer

        vec = CountVectorizer(stop_words=stop_words(extra_stop_words), token_pattern=TOKEN_PATTERN)
        try:
            counts = vec.fit_transform(texts).tocsr()
            self.vocab = vec.get_feature_names_out()
        except ValueError:  # every sentence made only of stop words
            counts, self.vocab = sparse.csr_matrix((len(texts), 0)), np.array([], dtype=object)
        self.counts = counts.astype(np.float64)
        self.present = (counts > 0).astype(np.float64).tocsc()
        self.n = max(1, counts.shape[0])
        self.index = {w: i for i, w in enumerate(self.vocab)}
        self.df = np.asarray(self.present.sum(0)).ravel()
        self._pairs: dict[tuple[int, int], float] = {}

    def topic_words(self, topics: np.ndarray, top_n: int = 10) -> list[list[str]]:
        """Top words per topic (outliers, -1, excluded) by class-based TF-IDF."""
        topics = np.asarray(topics)
        ids = sorted(t for t in set(topics.tolist()) if t != -1)
        if not ids or not len(self.vocab):
            return [[] for _ in ids]
        position = {t: i for i, t in enumerate(ids)}
        keep = np.flatnonzero(topics != -1)
        rows = np.array([position[t] for t in topics[keep].tolist()], dtype=np.int64)
        member = sparse.csr_matrix((np.ones(len(keep)), (rows, keep)),
                                   shape=(len(ids), len(topics)))
        counts = np.asarray((member @ self.counts).todense())
        tf = counts / (counts.sum(1, keepdims=True) + 1e-9)
        idf = np.log(1 + counts.sum(1).mean() / (counts.sum(0) + 1))
        scores = tf * idf
        return [[str(self.vocab[j]) for j in np.argsort(-row, kind="stable")[:top_n] if row[j] > 0] for row in scores]

    def pair(self, a: int, b: int) -> float:
        key = (a, b) if a < b else (b, a)
        if key not in self._pairs:
            joint = self.present[:, a].multiply(self.present[:, b]).sum() / self.n
            pa, pb = self.df[a] / self.n, self.df[b] / self.n
            if joint == 0:
                value = -1.0
            elif joint >= 1:
                value = 1.0
            else:
                value = float(np.log(joint / (pa * pb)) / -np.log(joint))
            self._pairs[key] = value
        return self._pairs[key]

    def npmi(self, topic_words: list[list[str]], top_n: int = 10) -> float:
        """Mean over topics of the mean NPMI of their top-word pairs (nan when nothing to score)."""
        scores = []
        for words in topic_words:
            unigrams = [w for w in dict.fromkeys(t for kw in words for t in kw.split()) if w in self.index][:top_n]
            pairs = [self.pair(self.index[a], self.index[b]) for a, b in itertools.combinations(unigrams, 2)]
            if pairs:
                scores.append(float(np.mean(pairs)))
        return round(float(np.mean(scores)), 4) if scores else float("nan")

    def partition_npmi(self, topics: np.ndarray, top_n: int = 10) -> float:
        return self.npmi(self.topic_words(topics, top_n), top_n)


def diversity(topic_words: list[list[str]], top_n: int = 10) -> float:
    """Share of unique words among all topics' top words (1.0 = no topic repeats another's words)."""
    words = [w for ws in topic_words for w in ws[:top_n]]
    return round(len(set(words)) / len(words), 4) if words else float("nan")
