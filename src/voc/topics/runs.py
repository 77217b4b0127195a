"""The topics stage of a run: refit per kind, or reuse the analyst's saved model and surface
what it cannot place as candidate new topics."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from voc.config import StudyConfig, TopicSettings
from voc.defaults import NAME_SAMPLE
from voc.kinds import BY_NAME
from voc.schema import INSIGHT_KINDS
from voc.store import Store
from voc.topics.fit import MIN_FOR_MODEL, fit_topics, reduce_outliers
from voc.topics.groups import TopicResult, by_role
from voc.topics.labels import OUTLIER_LABEL
from voc.topics.names import learn_names, read_words, subject_forms, subject_words
from voc.topics.sample import sent_order
from voc.topics.saved import CANDIDATE_OFFSET, SavedTopics, load_saved, place
from voc.topics.vocabulary import stem


def apply_saved(kind: str, ins: pd.DataFrame, emb: np.ndarray, saved: SavedTopics, settings: TopicSettings,
                embedding_model: Any = None) -> TopicResult:
    """Assign insights with a saved model; cluster the unplaced ones into candidate topics.

    Topic ids and labels of the saved model never change, so reports can compare runs.
    """
    # Rows stay as given (no sorted copy of the kind's vectors, as in voc.topics.sample); ``rank``
    # gives reduce_outliers the sent_id order, and the assignments come out in it.
    sent_ids = ins["sent_id"].to_numpy()
    order, rank = sent_order(sent_ids)
    topics = place(saved, emb, sent_ids.tolist())
    # Past the model's own ids: a previous run's topics (voc.topics.carry) may hold candidates already.
    first = max([CANDIDATE_OFFSET, *(t + 1 for t in saved.topic_ids)])
    labels = dict(saved.labels)
    keywords = dict(saved.keywords)
    # Outliers the analyst already saw stay outliers; only unseen, unplaced insights can form candidates.
    unplaced = np.flatnonzero((topics == -1) & ~ins["sent_id"].isin(list(saved.known)).to_numpy())
    if len(unplaced) >= MIN_FOR_MODEL:
        # Candidates keep every member: the outlier budget applies once, to the whole kind, below.
        fresh = fit_topics(kind, ins.iloc[unplaced], emb[unplaced],
                           settings.model_copy(update={"max_outlier_share": 1.0}), embedding_model)
        by_sent = dict(zip(fresh.assignments["sent_id"], fresh.assignments["topic_id"]))
        for i in unplaced:
            tid = int(by_sent[sent_ids[i]])
            topics[i] = -1 if tid == -1 else first + tid
        for r in fresh.topics.itertuples():
            if r.topic_id != -1:
                labels[first + int(r.topic_id)] = f"new: {r.label}"
                keywords[first + int(r.topic_id)] = list(r.keywords)
    topics = reduce_outliers(emb, topics, settings.max_outlier_share, rank)[order]
    sizes = pd.Series(topics).value_counts()
    rows = [{"topic_id": int(t), "label": labels.get(int(t), OUTLIER_LABEL),
             "keywords": keywords.get(int(t), []), "size": int(sizes[t])} for t in sorted(sizes.index)]
    return TopicResult(kind=kind, topics=pd.DataFrame(rows),
                       assignments=pd.DataFrame({"sent_id": sent_ids[order], "topic_id": topics.astype(int)}),
                       model=None, method="saved-model")


def topics_for(kind: str, ins: pd.DataFrame, emb: np.ndarray, settings: TopicSettings,
               saved: SavedTopics | None, embedding_model: Any = None) -> TopicResult:
    """A kind's topics the one way every caller gets them (the run, the notebook session):
    grouped by role for kinds with roles, placed with the analyst's saved model when there is
    one, else fitted."""
    if BY_NAME[kind].roles:
        return by_role(kind, ins)
    if saved is not None:
        return apply_saved(kind, ins, emb, saved, settings, embedding_model)
    return fit_topics(kind, ins, emb, settings, embedding_model)


def study_settings(study: StudyConfig, store: Store) -> TopicSettings:
    """The study's [topics] with the words that cannot name a theme alone added to its names: the
    study's subject and the product, brand and people names the corpus itself shows
    (``voc.topics.names``). The run and the notebook session both start from these."""
    corpus = read_words(store.sentence_texts(NAME_SAMPLE))  # one pass serves both readings
    subject = subject_words(study.product, study.keywords)
    names = ({n.lower() for n in study.topics.names} | subject | subject_forms(subject, corpus.words)
             | learn_names(corpus))
    return study.topics.model_copy(update={"names": sorted(names)})


def refresh_topics(study: StudyConfig, store: Store, run_id: str, embedder: Any, refit: bool = False) -> dict[str, Any]:
    """Topics for every kind, written to the store under this run; ``refit``: never place new
    insights in the previous run's topics (``voc.topics.carry``)."""
    from voc.console import bar, release_freed_memory

    settings = study_settings(study, store)
    # The report splits themes by the names learnt here (voc.report.products), the subject aside.
    subject = {stem(w) for w in subject_words(study.product, study.keywords)}
    store.set_meta(f"names:{run_id}", json.dumps(sorted(n for n in settings.names if stem(n) not in subject)))
    stats: dict[str, Any] = {}
    with bar("topics", total=len(INSIGHT_KINDS), unit="kind") as progress:
        for kind in INSIGHT_KINDS:
            stats[kind] = _refresh_kind(study, settings, store, run_id, embedder, kind, refit)
            release_freed_memory()  # a kind's fit leaves freed blocks that the next would stack on
            progress.update(1)
    return stats


def _refresh_kind(study: StudyConfig, settings: TopicSettings, store: Store, run_id: str, embedder: Any,
                  kind: str, refit: bool) -> dict[str, Any]:
    from voc.embed import embed_cached
    from voc.topics.carry import fingerprint, placed, previous_topics, record_fit

    ins = store.insights_frame(kind)
    if ins.empty:
        return {"insights": 0, "topics": 0, "candidates": 0, "outlier_share": 0.0, "method": "none"}
    emb = embed_cached(ins["text"].tolist(), embedder, store)
    saved = load_saved(study.models_dir, kind)
    fp = fingerprint(study.topics, embedder.name)
    clustered = saved is None and not BY_NAME[kind].roles
    base = previous_topics(store, kind, ins, emb, fp, study.topics.refit_share) if clustered and not refit else None
    if base is not None:
        model, new = base
        result = placed(apply_saved(kind, ins, emb, model, settings, embedder.model), new)
    else:
        result = topics_for(kind, ins, emb, settings, saved, embedder.model)
        if clustered:
            record_fit(store, kind, run_id, result, fp)
    store.save_topics(run_id, kind, result.topics, result.assignments)
    ids = result.topics["topic_id"]
    return {"insights": len(ins), "topics": int(((ids != -1) & (ids < CANDIDATE_OFFSET)).sum()),
            "candidates": int((ids >= CANDIDATE_OFFSET).sum()),
            "outlier_share": round(result.outlier_share, 4), "method": result.method}
