"""Between refits, a run places its new insights in the previous run's topics instead of refitting.

A refit redraws every theme (UMAP, HDBSCAN, the search over densities and topic counts), which at
100k insights is most of a run; a scheduled run that adds a few documents only needs to place
them. The previous run's topics then serve as a saved model would (``voc.topics.saved``): every
insight they hold keeps its topic, a new insight joins the nearest topic that claims it, and new
insights that no topic claims can form candidate topics ("new: ..."), which trends and alerts
report as new themes.

A kind is refitted instead when asked (``voc run --refit-topics``), when ``[topics] refit_share``
is 0, when the insights changed since the last refit (added or gone) exceed that share of the
insights it was fitted on, when the topic settings, the embedding model or voc's version changed
since, or when the last fit grouped the kind by aspect (too few insights to cluster).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from voc import __version__
from voc.config import TopicSettings
from voc.schema import stable_id
from voc.store import Store
from voc.topics.groups import TopicResult
from voc.topics.saved import SavedTopics, TunedTopics, claim_similarity


@dataclass(frozen=True)
class LastFit:
    """What the kind's topics were last fitted on (kept in the store's meta table)."""

    run_id: str
    fingerprint: str


def fingerprint(settings: TopicSettings, embedding_model: str) -> str:
    """Everything a refit would depend on apart from the insights themselves."""
    return stable_id(settings.model_dump_json(exclude={"refit_share"}), embedding_model, __version__)


def _key(kind: str) -> str:
    return f"topics_fit:{kind}"


def last_fit(store: Store, kind: str) -> LastFit | None:
    raw = store.meta(_key(kind))
    if not raw:
        return None
    fit = json.loads(raw)
    return LastFit(fit["run_id"], fit["fingerprint"])


def record_fit(store: Store, kind: str, run_id: str, result: TopicResult, fp: str) -> None:
    """Remember a clustering fit as the base of later runs; a grouping by aspect cannot place
    new insights by similarity, so it leaves no base and the next run fits again."""
    if result.model is None:
        store.set_meta(_key(kind), "")
        return
    store.set_meta(_key(kind), json.dumps({"run_id": run_id, "fingerprint": fp}))


def previous_topics(store: Store, kind: str, ins: pd.DataFrame, emb: np.ndarray, fp: str,
                    refit_share: float) -> tuple[SavedTopics, int] | None:
    """The previous run's topics of a kind as a model to place new insights with, and how many of
    ``ins`` are new to it; None when the kind should be refitted (see the module docstring)."""
    fit = last_fit(store, kind)
    runs = store.analysis_runs()
    # A fit by a run that did not complete (killed mid-topics) is no base: its re-run refits, as
    # the uninterrupted run did.
    if refit_share <= 0 or fit is None or fit.fingerprint != fp or fit.run_id not in runs:
        return None
    fitted = set(store.topic_assignments(fit.run_id, kind)["sent_id"])
    now = set(ins["sent_id"])
    if not fitted or len(now ^ fitted) > refit_share * len(fitted):
        return None
    before = store.topic_assignments(runs[-1], kind)
    topics_before = store.run_topics(runs[-1], kind)
    if before.empty or topics_before.empty:
        return None
    known = dict(zip(before["sent_id"], before["topic_id"].astype(int)))
    topics = np.asarray([known.get(s, -1) for s in ins["sent_id"]])
    ids, cents = TunedTopics(kind, list(ins["sent_id"]), topics, {}).centroids(emb)
    if not ids:
        return None
    claim = {t: claim_similarity(emb[topics == t], c) for t, c in zip(ids, cents)}
    rows = {int(r.topic_id): r for r in topics_before.itertuples()}
    saved = SavedTopics(kind=kind, topic_ids=ids, centroids=cents,
                        labels={t: str(rows[t].label) for t in ids if t in rows},
                        # The outliers' words too: the report lists them beside "Not grouped into a theme".
                        keywords={t: list(rows[t].keywords) for t in [-1, *ids] if t in rows},
                        claim=claim, embedding_model="", edits=[], known=known)
    return saved, len(now - set(known))


def placed(result: TopicResult, new: int) -> TopicResult:
    return replace(result, method=f"placed {new} new insights in the previous run's topics")
