"""Tuning topics by hand: merge, rename, split off by seed words, add themes from a list.

A ``TopicSession`` holds one kind's insights, their embeddings, the current assignment and the
BERTopic object; every edit changes the assignment (topic ids never get renumbered), is logged,
and is pushed into the BERTopic object so its visualisations and keywords follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from voc.config import TopicSettings
from voc.errors import VocError
from voc.topics.labels import OUTLIER_LABEL
from voc.topics.saved import SavedTopics, TunedTopics


@dataclass
class TopicSession:
    kind: str
    insights: pd.DataFrame          # sorted by sent_id; row i <-> embeddings[i]
    embeddings: np.ndarray
    topics: np.ndarray
    labels: dict[int, str]
    model: Any = None               # BERTopic
    embedder: Any = None
    edits: list[dict[str, Any]] = field(default_factory=list)

    # -- views -------------------------------------------------------------------------------
    def topic_frame(self) -> pd.DataFrame:
        sizes = pd.Series(self.topics).value_counts()
        return pd.DataFrame([{"topic_id": int(t), "label": self.labels.get(int(t), OUTLIER_LABEL),
                              "keywords": self.keywords(int(t)), "size": int(sizes[t])} for t in sorted(sizes.index)])

    def keywords(self, topic_id: int, n: int = 8) -> list[str]:
        if self.model is None:
            return []
        return [w for w, _ in (self.model.get_topic(topic_id) or [])][:n]

    def members(self, topic_id: int) -> pd.DataFrame:
        return self.insights[self.topics == topic_id]

    def _check(self, topic_id: int) -> None:
        if topic_id not in set(self.topics.tolist()):
            raise VocError(f"{self.kind}: no topic {topic_id}; topics are {sorted(set(self.topics.tolist()))}")

    # -- edits -------------------------------------------------------------------------------
    def merge(self, topic_ids: list[int], label: str | None = None) -> int:
        """Merge topics into the first id given; the label defaults to the biggest topic's."""
        if len(topic_ids) < 2:
            raise VocError("merge needs at least two topic ids")
        for t in topic_ids:
            self._check(t)
        target = topic_ids[0]
        biggest = max(topic_ids, key=lambda t: int((self.topics == t).sum()))
        new_label = label or self.labels.get(biggest, f"topic {biggest}")
        for t in topic_ids[1:]:
            self.topics[self.topics == t] = target
            self.labels.pop(t, None)
        self.labels[target] = new_label
        self._log("merge", topics=topic_ids, into=target, label=new_label)
        return target

    def rename(self, topic_id: int, label: str) -> None:
        self._check(topic_id)
        self.labels[topic_id] = label
        self._log("rename", topic=topic_id, label=label)

    def split(self, topic_id: int, seed_words: list[str], label: str | None = None) -> int:
        """Move the members of a topic that mention any seed word into a new topic."""
        self._check(topic_id)
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in seed_words) + r")", re.I)
        hits = (self.topics == topic_id) & self.insights["text"].str.contains(pattern).to_numpy()
        if not hits.any():
            raise VocError(f"{self.kind}: no insight of topic {topic_id} mentions {', '.join(seed_words)}")
        new_id = self._next_id()
        self.topics[hits] = new_id
        self.labels[new_id] = label or " / ".join(seed_words)
        self._log("split", topic=topic_id, seed_words=seed_words, new_topic=new_id, moved=int(hits.sum()))
        return new_id

    def add_themes(self, themes: list[str], min_similarity: float = 0.45) -> dict[str, int]:
        """Zero-shot themes: insights closer to a theme's wording than to their own topic (and
        at least ``min_similarity`` to it) move to a new topic named after the theme."""
        if self.embedder is None:
            raise VocError("add_themes needs the embedder the insights were embedded with")
        theme_vecs = self.embedder.encode(list(themes))
        created: dict[str, int] = {}
        sims = self.embeddings @ theme_vecs.T
        own = self._own_similarity()
        best = sims.argmax(1)
        for j, theme in enumerate(themes):
            take = (best == j) & (sims[:, j] >= min_similarity) & (sims[:, j] > own)
            if not take.any():
                continue
            new_id = self._next_id()
            self.topics[take] = new_id
            self.labels[new_id] = theme
            created[theme] = new_id
        self._log("add_themes", themes=list(themes), created=created, min_similarity=min_similarity)
        return created

    # -- plumbing ----------------------------------------------------------------------------
    def _own_similarity(self) -> np.ndarray:
        own = np.zeros(len(self.topics))
        for t in set(self.topics.tolist()) - {-1}:
            m = self.topics == t
            c = self.embeddings[m].mean(0)
            own[m] = self.embeddings[m] @ (c / (np.linalg.norm(c) + 1e-9))
        return own

    def _next_id(self) -> int:
        return int(max([t for t in self.topics.tolist() if t < 1000] + [-1])) + 1

    def _log(self, op: str, **details: Any) -> None:
        self.edits.append({"op": op, **details})
        self.sync()

    def sync(self) -> None:
        """Push the assignment and labels into the BERTopic object.

        Keywords are recomputed with c-TF-IDF only: KeyBERT-style re-ranking re-embeds every
        keyword and would make each edit take seconds.
        """
        if self.model is None:
            return
        m = self.model
        m.update_topics(self.insights["text"].tolist(), topics=self.topics.tolist(), vectorizer_model=m.vectorizer_model,
                        ctfidf_model=m.ctfidf_model, representation_model=None)
        m.set_topic_labels({t: self.labels.get(t, OUTLIER_LABEL) for t in set(self.topics.tolist())})

    def tuned(self) -> TunedTopics:
        return TunedTopics(kind=self.kind, sent_ids=self.insights["sent_id"].tolist(), topics=self.topics.copy(),
                           labels=dict(self.labels), keywords={int(t): self.keywords(int(t)) for t in set(self.topics.tolist())},
                           edits=list(self.edits), embedding_model=getattr(self.embedder, "name", ""))


def open_session(kind: str, ins: pd.DataFrame, emb: np.ndarray, settings: TopicSettings,
                 saved: SavedTopics | None, embedder: Any) -> TopicSession:
    """A tuning session on a kind's topics as the next run would produce them (``topics_for``),
    with the saved model's edits carried over so a second save keeps the first one's."""
    from voc.topics.fit import first_model
    from voc.topics.reduce import neighbours
    from voc.topics.runs import topics_for

    order = np.argsort(ins["sent_id"].to_numpy(), kind="stable")
    ins, emb = ins.iloc[order].reset_index(drop=True), emb[order]
    result = topics_for(kind, ins, emb, settings, saved, embedder.model)
    model = result.model
    if saved is not None and result.method == "saved-model":
        # Placing with a saved model fits nothing; the session still needs a BERTopic object
        # for keywords and visualisations, which sync() then aligns with the saved assignment.
        model = first_model(len(ins), settings, embedder.model, neighbours(emb))
        model.fit(ins["text"].tolist(), embeddings=emb)
    if model is None:
        why = ("its topics are its buying roles, not clusters" if result.method == "role-groups"
               else f"only {len(ins)} insights, too few for a topic model")
        raise VocError(f"{kind}: nothing to tune: {why}")
    topics = result.assignments.set_index("sent_id").loc[ins["sent_id"], "topic_id"].to_numpy().astype(int)
    labels = {int(r.topic_id): r.label for r in result.topics.itertuples() if r.topic_id != -1}
    session = TopicSession(kind, ins, emb, topics, labels, model, embedder, list(saved.edits) if saved else [])
    session.sync()
    return session
