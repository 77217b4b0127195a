"""Groupings without clustering: a kind too small or too plain to cluster is grouped by the
aspect its insights name, and buying roles by the role they name; and the result every topic
fit returns."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from voc.defaults import MIN_THEME_VOICES
from voc.kinds import ROLES
from voc.schema import voices
from voc.topics.labels import OUTLIER_LABEL
from voc.topics.names import GENERIC


@dataclass
class TopicResult:
    kind: str
    topics: pd.DataFrame        # topic_id, label, keywords, size
    assignments: pd.DataFrame   # sent_id, topic_id
    model: Any = None           # the fitted BERTopic object (None when grouped by aspect)
    method: str = "bertopic"

    @property
    def outlier_share(self) -> float:
        if self.assignments.empty:
            return 0.0
        return float((self.assignments["topic_id"] == -1).mean())


ROLE_LABELS = {r.name: f"{r.name.replace('_', ' ')} ({r.does})" for r in ROLES}


ROLE_PRIORITY = ("decision_maker", "budget_holder", "initiator", "influencer", "user", "researcher")


def by_role(kind: str, ins: pd.DataFrame) -> TopicResult:
    """Buying-role insights grouped by the role they name first: who takes part in a decision is
    what a content team needs from them, and a word cluster of "my wife" sentences says less."""
    def main_role(named: str) -> str:
        # The most telling role a sentence names: researching is what most buyers do anyway.
        found = [r for r in ROLE_PRIORITY if r in (named or "").split(";")]
        return found[0] if found else "researcher"

    roles = ins["roles"].map(main_role) if "roles" in ins.columns else pd.Series("researcher", index=ins.index)
    ranked = sorted(set(roles), key=lambda r: (-int((roles == r).sum()), r))
    ids = {r: i for i, r in enumerate(ranked)}
    rows = [{"topic_id": ids[r], "label": ROLE_LABELS.get(r, r), "keywords": [r.replace("_", " ")],
             "size": int((roles == r).sum())} for r in ranked]
    return TopicResult(kind=kind, topics=pd.DataFrame(rows, columns=["topic_id", "label", "keywords", "size"]),
                       assignments=pd.DataFrame({"sent_id": ins["sent_id"], "topic_id": roles.map(ids).astype(int)}),
                       model=None, method="role-groups")


# A judged function's particle is no head: "set up" and "sign up" are not one theme "up".
PARTICLES = frozenset("up out off in on down over back away through around about".split())


def by_aspect(kind: str, ins: pd.DataFrame, extra_stop_words: list[str] | None = None) -> TopicResult:
    """Too few insights to cluster: one topic per aspect that at least two insights name, the rest
    unassigned (topic -1).

    An aspect named once, or by one voice only (``heard_once``), is not a theme: the coffee Q&A
    study listed its six purchase triggers as six one-mention "themes" ("water", "package").
    Aspects that share their head noun are one theme when each alone is named once ("espresso
    machine" and "machine": "machine"). An aspect that cannot name a theme (a generic word such
    as "term", the study's subject, a name) leaves its insight unassigned too: a theme
    "conclusion" or "other" tells a reader nothing.
    """
    unnamed = {w.lower() for w in extra_stop_words or []} | GENERIC
    aspects = ins["aspect"].fillna("").astype(str)
    aspects = aspects.where(~aspects.str.lower().str.split().map(lambda ws: all(w in unnamed for w in ws)), "")
    sizes = Counter(aspects)  # once: an unclusterable sample of a big kind has thousands of aspects
    by_head: Counter[str] = Counter()
    for a, n in sizes.items():
        if a:
            by_head[a.split()[-1]] += n
    no_head = unnamed | PARTICLES

    def theme(a: str) -> str:
        if not a or sizes[a] > 1:
            return a
        head = a.split()[-1]
        return head if by_head[head] > 1 and head.lower() not in no_head else ""

    aspects = aspects.map({a: theme(a) for a in sizes})
    sizes = Counter(aspects)
    ids = {a: i for i, a in enumerate(a for a, n in sizes.most_common() if a and n > 1)}
    topics = pd.Series(heard_once(aspects.map(lambda a: ids.get(a, -1)).astype(int).to_numpy(), voices(ins)),
                       index=ins.index)
    rows = [{"topic_id": i, "label": a, "keywords": [a], "size": sizes[a]} for a, i in ids.items() if (topics == i).any()]
    if (topics == -1).any():
        rows.append({"topic_id": -1, "label": OUTLIER_LABEL, "keywords": [], "size": int((topics == -1).sum())})
    return TopicResult(kind=kind, topics=pd.DataFrame(rows, columns=["topic_id", "label", "keywords", "size"]),
                       assignments=pd.DataFrame({"sent_id": ins["sent_id"], "topic_id": topics}),
                       model=None, method="aspect-groups")


def heard_once(topics: np.ndarray, who: pd.Series | None) -> np.ndarray:
    """``topics`` (one id per insight, -1: none) with every topic whose insights come from fewer
    than ``MIN_THEME_VOICES`` voices (``who``, row for row: ``voc.schema.voices``) set to -1: one
    person saying a thing four times is an anecdote, not a theme. ``who`` None (no one to count)
    keeps every topic."""
    topics = np.asarray(topics)
    if who is None or not len(topics):
        return topics
    said = pd.DataFrame({"topic": topics, "voice": np.asarray(who)})
    heard = said[said["topic"] != -1].groupby("topic")["voice"].nunique()
    return np.where(np.isin(topics, heard[heard < MIN_THEME_VOICES].index.to_numpy()), -1, topics)
