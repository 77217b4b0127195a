"""Insight extraction: kinds (multi-label), aspect, strength and confidence per sentence.

The classifier (voc.extract.classifier) scores each sentence; neighbours then fill in what a sentence
cannot say alone: "I returned it." after "It kept disconnecting." is about connectivity and is a
pain point as well as an objection.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from voc.defaults import DEFAULT_CLASSIFIER, DEFAULT_THRESHOLD
from voc.extract.aspects import extract_aspect
from voc.extract.classifier import InsightClassifier, context_frame
from voc.extract.cues import baseline_labels, buying_roles, strength
from voc.extract.rules import RULES, price_rise_kinds
from voc.extract.self_description import self_descriptions
from voc.schema import INSIGHT_COLUMNS

if TYPE_CHECKING:
    from voc.extract.ensemble import EnsembleClassifier
    from voc.extract.tuned import TunedClassifier

# Shipped with the package (importlib.resources), so an installed voc finds them from any folder.
INSIGHT_DATA = Path(str(files("voc") / "data" / "insights"))
BUILTIN_HEAD = INSIGHT_DATA / "classifier.npz"
BUILTIN_TUNED = INSIGHT_DATA / "classifier_tuned.npz"
BUILTIN_ENSEMBLE = INSIGHT_DATA / "classifier_ensemble.npz"
LABELLED = INSIGHT_DATA / "labelled.csv"
REAL_LABELS = INSIGHT_DATA / "real_labels.csv"
# Sentences that lean on what came before: consequences ("so I returned it") and bare pronouns.
LEANS_BACK = re.compile(r"^\W*(so|and|which|that's why|because of (that|this|it)|then)?\b.*\b(it|that|this|them)\b", re.I)
CONSEQUENCE = re.compile(r"\b(return(ed|ing)?|refund(ed)?|cancel(l?ed)?|sent (it|them) back|gave up|switch(ed)?|done with)\b", re.I)


# The shipped classifiers by name: frozen-embedding heads (fastest), the fine-tuned MiniLM and the
# ensemble of the two (most accurate on real text, slowest).
BUILTIN_CLASSIFIERS = {"builtin": BUILTIN_HEAD, "builtin-tuned": BUILTIN_TUNED, "builtin-ensemble": BUILTIN_ENSEMBLE}


def classifier_path(name: str | None, resolve: Any = None) -> Path:
    """The file of a classifier named in a study: a shipped one by name, else a path (``resolve``
    turns it into one relative to the study file)."""
    if name in BUILTIN_CLASSIFIERS or not name:
        return BUILTIN_CLASSIFIERS[name or DEFAULT_CLASSIFIER]
    return Path(resolve(name)) if resolve is not None else Path(name).expanduser()


class Extractor:
    """Everything extraction needs, passed in: the spaCy pipeline, the embedder, the classifier."""

    def __init__(self, nlp: Any, embedder: Any, classifier: InsightClassifier | TunedClassifier | EnsembleClassifier,
                 thresholds: dict[str, float] | None = None, store: Any = None):
        self.nlp = nlp
        self.embedder = embedder
        self.classifier = classifier
        self.thresholds = {**classifier.thresholds, **(thresholds or {})}
        self.store = store

    @property
    def model_id(self) -> str:
        precision = getattr(self.classifier, "precision", "float")
        return (f"{self.embedder.name}+{self.classifier.meta.get('version', 'head')}"
                + ("" if precision == "float" else f"+{precision}") + f"+{RULES}")

    def score(self, sentences: list[str] | pd.DataFrame, progress: bool = False) -> np.ndarray:
        """Per-kind calibrated probabilities; ``sentences`` as for ``context_frame``."""
        return self.classifier.score_frame(context_frame(sentences), self.embedder, self.store, progress)

    def _kinds(self, row: np.ndarray, text: str | None = None) -> tuple[dict[str, float], tuple[str, ...], bool]:
        """A sentence's kinds over the thresholds, after the labelling guide's rules
        (``voc.extract.rules``) when the text is given and the classifier has the kind they move
        to; the kinds the rules moved; and whether the objection is the rules' (added, or raised
        to a moved kind's confidence)."""
        kinds = {k: round(float(row[j]), 3) for j, k in enumerate(self.classifier.kinds)
                 if row[j] >= self.thresholds.get(k, DEFAULT_THRESHOLD)}
        if text is None or "objection" not in self.classifier.kinds:
            return kinds, (), False
        ruled, moved = price_rise_kinds(text, kinds, self.thresholds.get("objection", DEFAULT_THRESHOLD))
        return ruled, moved, bool(moved) and ruled.get("objection") != kinds.get("objection")

    def predict_labels(self, sentences: list[str] | pd.DataFrame) -> list[set[str]]:
        frame = context_frame(sentences)
        return self.labels(self.score(frame), list(frame["text"]))

    def labels(self, P: np.ndarray, texts: list[str] | None = None) -> list[set[str]]:
        """The kinds of each row of ``score``'s probabilities at this extractor's thresholds; with
        the sentences' texts, after the labelling guide's rules (see ``_kinds``)."""
        texts = texts if texts is not None else [None] * len(P)
        return [set(self._kinds(row, text)[0]) for row, text in zip(P, texts, strict=True)]

    def classify(self, sentences: list[str] | pd.DataFrame, groups: list[Any] | None = None,
                 progress: bool = False) -> list[dict[str, Any]]:
        """One record per sentence: kinds with confidence, aspect, strength (features), roles (buying roles).

        Args:
            sentences: sentences in document order, as texts or a frame with context columns
                (see ``voc.extract.classifier.context_frame``).
            groups: the document of each sentence; consecutive sentences of one document are
                read together (aspects and consequences carry over from the previous sentence).
        """
        frame = context_frame(sentences)
        judged = [self._kinds(row, text) for row, text in zip(self.score(frame, progress=progress), frame["text"])]
        # Only insights need a parse (their aspect); most sentences are none.
        wanted = [i for i, (kinds, _, _) in enumerate(judged) if kinds]
        docs: list[Any] = [None] * len(judged)
        for i, doc in zip(wanted, self.nlp.pipe([frame["text"][i] for i in wanted], batch_size=128)):
            docs[i] = doc
        records = []
        for i, (text, doc) in enumerate(zip(frame["text"], docs)):
            kinds, moved, by_rule = judged[i]
            records.append({
                "text": text, "kinds": kinds,
                "aspect": extract_aspect(doc) if kinds else None,
                "strength": strength(text) if "must_have_feature" in kinds else None,
                "roles": buying_roles(text) if "buying_role" in kinds else None,
                "self_descriptions": self_descriptions(text),
                "context": [], "moved": moved,
                "by_rule": ["objection"] if by_rule else [],
            })
        if groups is not None:
            apply_context(records, groups)
        return records


def document_context(sentences: pd.DataFrame) -> pd.DataFrame:
    """Context columns for store sentences in document order (doc_id, idx, text, doc_kind, rating):
    the previous sentence of the same document and the sentence's position in it."""
    frame = sentences.reset_index(drop=True)
    if "idx" not in frame.columns:
        frame = frame.assign(idx=frame.groupby("doc_id").cumcount())
    same_doc = frame["doc_id"].eq(frame["doc_id"].shift()) & frame["idx"].eq(frame["idx"].shift() + 1)
    prev = frame["text"].shift().where(same_doc, "")
    return frame.assign(prev=prev.fillna(""), position=frame["idx"],
                        doc_kind=frame.get("doc_kind", pd.Series("", index=frame.index)),
                        rating=frame.get("rating", pd.Series(np.nan, index=frame.index)))


def apply_context(records: list[dict[str, Any]], groups: list[Any]) -> None:
    """Let a sentence borrow from the one before it in the same document.

    A sentence with insights but no aspect of its own ("I returned it.") takes the previous
    sentence's aspect; a consequence ("so I returned it") of a pain point is a pain point too.
    """
    for i in range(1, len(records)):
        rec, prev = records[i], records[i - 1]
        if groups[i] != groups[i - 1] or not rec["kinds"] or not prev["kinds"]:
            continue
        if rec["aspect"] is None and prev["aspect"] and LEANS_BACK.search(rec["text"]):
            rec["aspect"] = prev["aspect"]
            rec["context"].append("aspect")
        if ("pain_point" in prev["kinds"] and "pain_point" not in rec["kinds"] and "pain_point" not in rec["moved"]
                and CONSEQUENCE.search(rec["text"]) and len(rec["text"]) < 80):
            rec["kinds"]["pain_point"] = round(min(prev["kinds"]["pain_point"], max(rec["kinds"].values())), 3)
            rec["context"].append("pain_point")


def extract_frame(sentences: pd.DataFrame, extractor: Extractor, progress: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Insights and author self-descriptions for sentences (sent_id, doc_id, text, author_hash), in document order."""
    records = extractor.classify(document_context(sentences), groups=list(sentences["doc_id"]), progress=progress)
    rows, attrs = [], []
    for sent, rec in zip(sentences.itertuples(index=False), records):
        for kind, conf in rec["kinds"].items():
            method = ("context" if kind in rec["context"] else "rule" if kind in rec["by_rule"]
                      else extractor.classifier.method)
            rows.append({"sent_id": sent.sent_id, "kind": kind, "aspect": rec["aspect"],
                         "strength": rec["strength"] if kind == "must_have_feature" else None,
                         "confidence": conf, "method": method,
                         "roles": ";".join(rec["roles"]) if kind == "buying_role" and rec["roles"] else None})
        for phrase in rec["self_descriptions"]:
            attrs.append({"doc_id": sent.doc_id, "author_hash": getattr(sent, "author_hash", None),
                          "attribute": phrase, "sent_id": sent.sent_id})
    return (pd.DataFrame(rows, columns=INSIGHT_COLUMNS),
            pd.DataFrame(attrs, columns=["doc_id", "author_hash", "attribute", "sent_id"]))


def baseline_predict(sentences: list[str] | pd.DataFrame) -> list[set[str]]:
    """The keyword baseline (fixed cue phrases per kind), for `voc eval --baseline`."""
    texts = sentences["text"] if isinstance(sentences, pd.DataFrame) else sentences
    return [baseline_labels(t) for t in texts]
