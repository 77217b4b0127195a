"""Each analysis stage as one function over the store: read what is new, compute, write back.

Flows wrap these in Prefect tasks; the CLI and notebooks can call them directly. Components
(spaCy pipeline, embedder, classifier) are built in one place, ``components()``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd

from voc.config import Settings, Study
from voc.schema import INSIGHT_KINDS
from voc.store import Store

log = logging.getLogger(__name__)


@dataclass
class Components:
    nlp: Any
    embedder: Any
    extractor: Any


def components(study: Study, store: Store | None = None) -> Components:
    """The default spaCy pipeline, embedder and insight classifier for a study."""
    from voc.embed import get_embedder
    from voc.classifier import InsightClassifier
    from voc.extract import Extractor, classifier_path
    from voc.segment import load_spacy

    nlp = load_spacy(study.models.spacy)
    embedder = get_embedder(study.models.embedding)
    clf = InsightClassifier.load(classifier_path(study.models.classifier) if study.models.classifier == "builtin"
                                 else study.resolve(study.models.classifier))
    return Components(nlp, embedder, Extractor(nlp, embedder, clf, study.extract.thresholds, store))


def segment_stage(study: Study, store: Store, nlp: Any, batch: int = 500) -> dict[str, int]:
    """Sentences for documents not segmented yet; committed per batch of documents."""
    from voc.segment import segment_documents

    docs = store.unsegmented_documents()
    n_sent = 0
    progress = Settings().progress and len(docs) > batch
    for start in range(0, len(docs), batch):
        part = docs.iloc[start:start + batch]
        sents, langs = segment_documents(part, nlp, study.filters.languages, progress=progress)
        store.set_languages(langs)
        store.save_sentences(sents, part["doc_id"].tolist())
        n_sent += len(sents)
    return {"documents_segmented": len(docs), "sentences_new": n_sent}


def extract_stage(store: Store, extractor: Any, batch: int = 1000) -> dict[str, int]:
    """Insights for sentences the current classifier has not seen; committed per batch."""
    from voc.extract import extract_frame

    todo = store.sentences_with_context(only_new_for_model=extractor.model_id)
    found = 0
    progress = Settings().progress
    for start in range(0, len(todo), batch):
        part = todo.iloc[start:start + batch]
        insights, attrs = extract_frame(part, extractor, progress=progress and len(todo) > batch)
        store.save_insights(insights, attrs, part["sent_id"].tolist(), extractor.model_id)
        found += len(insights)
    return {"sentences_classified": len(todo), "insights_new": found}


def topics_stage(study: Study, store: Store, run_id: str, embedder: Any) -> dict[str, Any]:
    """BERTopic per insight kind over every insight in the store."""
    from voc.embed import embed_cached
    from voc.topics import fit_topics

    stats: dict[str, Any] = {}
    for kind in INSIGHT_KINDS:
        ins = store.insights_frame(kind)
        if ins.empty:
            stats[kind] = {"insights": 0, "topics": 0, "outlier_share": 0.0, "method": "none"}
            continue
        emb = embed_cached(ins["text"].tolist(), embedder, store)
        result = fit_topics(kind, ins, emb, seed=study.topics.seed, min_topic_size=study.topics.min_topic_size,
                            max_outlier_share=study.topics.max_outlier_share, embedding_model=embedder.model,
                            extra_stop_words=study.topics.stop_words)
        store.save_topics(run_id, kind, result.topics, result.assignments)
        stats[kind] = {"insights": len(ins), "topics": int((result.topics["topic_id"] != -1).sum()),
                       "outlier_share": round(result.outlier_share, 4), "method": result.method}
    return stats


def topic_items(store: Store, run_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Insights joined with this run's topic assignments, and the run's topics."""
    items = store.query(
        """SELECT i.sent_id, i.kind, i.aspect, i.strength, i.confidence, s.text, s.doc_id,
                  d.url, d.source, d.created_at, d.author_hash, d.thread_id, d.rating,
                  coalesce(t.topic_id, -1) AS topic_id
           FROM insights i JOIN sentences s USING (sent_id) JOIN documents d USING (doc_id)
           LEFT JOIN insight_topics t ON t.sent_id = i.sent_id AND t.kind = i.kind AND t.run_id = ?
           ORDER BY i.sent_id, i.kind""", [run_id])
    topics = store.query("SELECT kind, topic_id, label, keywords, size FROM topics WHERE run_id = ?", [run_id])
    return items, topics


def personas_stage(study: Study, store: Store, run_id: str) -> dict[str, Any]:
    from voc.personas import build_personas

    items, topics = topic_items(store, run_id)
    attrs = store.query("SELECT doc_id, author_hash, attribute FROM attributes")
    personas, diag = build_personas(items, topics, attrs, study.personas.min_personas,
                                    study.personas.max_personas, study.topics.seed)
    if not personas.empty:
        store.save_personas(run_id, personas)
    store.set_meta(f"personas_diag:{run_id}", pd.Series(diag).to_json())
    return {"personas": len(personas), **{k: v for k, v in diag.items() if k != "kinds"}}
