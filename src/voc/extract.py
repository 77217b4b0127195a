"""Insight extraction: kinds (multi-label), aspect, strength and confidence per sentence.

The classifier is a logistic-regression head per kind over the sentence embedding plus spaCy
cue-pattern counts; its weights are small and ship in models/insights/. `voc train` refits it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from voc.aspects import extract_aspect
from voc.cues import PATTERNS, baseline_labels, cue_hits, self_descriptions, strength
from voc.errors import VocError
from voc.schema import INSIGHT_COLUMNS, INSIGHT_KINDS

REPO_MODELS = Path(__file__).resolve().parents[2] / "models"
BUILTIN_HEAD = REPO_MODELS / "insights" / "classifier.npz"
LABELLED = REPO_MODELS / "insights" / "labelled.csv"
DEFAULT_THRESHOLD = 0.5


def cue_features(docs: list[Any], nlp: Any) -> np.ndarray:
    rows = []
    for doc in docs:
        hits = cue_hits(doc, nlp)
        rows.append([min(hits[k], 2) / 2.0 for k in PATTERNS])
    return np.asarray(rows, dtype=np.float32).reshape(len(docs), len(PATTERNS))


def features(embeddings: np.ndarray, cues: np.ndarray) -> np.ndarray:
    # Cue counts are scaled up so a few dense features are not drowned by 384 embedding dims.
    return np.hstack([embeddings, 3.0 * cues]).astype(np.float32)


@dataclass
class InsightClassifier:
    """One-vs-rest logistic heads, one per insight kind."""

    coef: np.ndarray            # (kinds, features)
    intercept: np.ndarray       # (kinds,)
    thresholds: dict[str, float]
    embedding_model: str
    kinds: tuple[str, ...] = INSIGHT_KINDS
    meta: dict[str, Any] = field(default_factory=dict)

    def proba(self, X: np.ndarray) -> np.ndarray:
        if X.shape[1] != self.coef.shape[1]:
            raise VocError(
                f"the insight classifier expects {self.coef.shape[1]} features but got {X.shape[1]}: "
                f"it was trained with embedding model {self.embedding_model!r}; run `voc train` for this model")
        z = X @ self.coef.T + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"thresholds": self.thresholds, "embedding_model": self.embedding_model,
                "kinds": list(self.kinds), **self.meta}
        np.savez_compressed(path, coef=self.coef, intercept=self.intercept, meta=json.dumps(meta))
        return path

    @classmethod
    def load(cls, path: Path) -> "InsightClassifier":
        if not path.exists():
            raise VocError(f"{path}: no trained insight classifier; run `voc train` to build one")
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            return cls(coef=data["coef"], intercept=data["intercept"], thresholds=meta.pop("thresholds"),
                       embedding_model=meta.pop("embedding_model"), kinds=tuple(meta.pop("kinds")), meta=meta)


def classifier_path(name: str) -> Path:
    return BUILTIN_HEAD if name in ("builtin", "", None) else Path(name).expanduser()


def fit_classifier(X: np.ndarray, Y: np.ndarray, embedding_model: str, seed: int = 0,
                   meta: dict[str, Any] | None = None) -> InsightClassifier:
    """Fit one logistic head per kind and pick each kind's threshold by cross-validated F1.

    Args:
        X: feature matrix (sentences x features).
        Y: 0/1 matrix (sentences x kinds) in INSIGHT_KINDS order.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    coefs, intercepts, thresholds = [], [], {}
    for j, kind in enumerate(INSIGHT_KINDS):
        y = Y[:, j]
        if y.sum() < 5:
            raise VocError(f"training data has only {int(y.sum())} {kind} examples; at least 5 are needed")
        model = LogisticRegression(C=2.0, class_weight="balanced", max_iter=2000, random_state=seed)
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        p = cross_val_predict(model, X, y, cv=folds, method="predict_proba")[:, 1]
        grid = np.arange(0.2, 0.9, 0.025)
        scores = [f1_score(y, p >= t, zero_division=0) for t in grid]
        thresholds[kind] = round(float(grid[int(np.argmax(scores))]), 3)
        model.fit(X, y)
        coefs.append(model.coef_[0])
        intercepts.append(model.intercept_[0])
    return InsightClassifier(coef=np.asarray(coefs, dtype=np.float32), intercept=np.asarray(intercepts, dtype=np.float32),
                             thresholds=thresholds, embedding_model=embedding_model, meta=meta or {})


def label_matrix(labels: pd.Series) -> np.ndarray:
    """Parse `a;b` label strings into a 0/1 matrix; unknown kinds are an error naming the row."""
    Y = np.zeros((len(labels), len(INSIGHT_KINDS)), dtype=np.int8)
    for i, raw in enumerate(labels.fillna("")):
        for kind in (k.strip() for k in str(raw).split(";")):
            if not kind or kind == "none":
                continue
            if kind not in INSIGHT_KINDS:
                raise VocError(f"row {i + 2}: unknown label {kind!r}; use {', '.join(INSIGHT_KINDS)} (or leave empty)")
            Y[i, INSIGHT_KINDS.index(kind)] = 1
    return Y


class Extractor:
    """Everything extraction needs, passed in: the spaCy pipeline, the embedder, the classifier."""

    def __init__(self, nlp: Any, embedder: Any, classifier: InsightClassifier,
                 thresholds: dict[str, float] | None = None, store: Any = None):
        self.nlp = nlp
        self.embedder = embedder
        self.classifier = classifier
        self.thresholds = {**classifier.thresholds, **(thresholds or {})}
        self.store = store

    @property
    def model_id(self) -> str:
        return f"{self.embedder.name}+{self.classifier.meta.get('version', 'head')}"

    def score(self, texts: list[str], progress: bool = False) -> tuple[np.ndarray, list[Any]]:
        """Per-kind probabilities and parsed docs for a list of sentences."""
        from voc.embed import embed_cached

        docs = list(self.nlp.pipe(texts, batch_size=128))
        emb = embed_cached(texts, self.embedder, self.store, progress=progress)
        X = features(emb, cue_features(docs, self.nlp))
        return self.classifier.proba(X), docs

    def predict_labels(self, texts: list[str]) -> list[set[str]]:
        P, _ = self.score(texts)
        return [{k for j, k in enumerate(INSIGHT_KINDS) if P[i, j] >= self.thresholds.get(k, DEFAULT_THRESHOLD)}
                for i in range(len(texts))]

    def classify(self, texts: list[str], progress: bool = False) -> list[dict[str, Any]]:
        """One record per sentence: kinds with confidence, aspect and (for features) strength."""
        P, docs = self.score(texts, progress=progress)
        out = []
        for i, (text, doc) in enumerate(zip(texts, docs)):
            kinds = {k: round(float(P[i, j]), 3) for j, k in enumerate(INSIGHT_KINDS)
                     if P[i, j] >= self.thresholds.get(k, DEFAULT_THRESHOLD)}
            out.append({
                "text": text,
                "kinds": kinds,
                "aspect": extract_aspect(doc) if kinds else None,
                "strength": strength(text) if "must_have_feature" in kinds else None,
                "self_descriptions": self_descriptions(text),
            })
        return out


def extract_frame(sentences: pd.DataFrame, extractor: Extractor, progress: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Insights and author self-descriptions for a frame of sentences (sent_id, doc_id, text, author_hash)."""
    records = extractor.classify(list(sentences["text"]), progress=progress)
    rows, attrs = [], []
    for sent, rec in zip(sentences.itertuples(index=False), records):
        for kind, conf in rec["kinds"].items():
            rows.append({"sent_id": sent.sent_id, "kind": kind, "aspect": rec["aspect"],
                         "strength": rec["strength"] if kind == "must_have_feature" else None,
                         "confidence": conf, "method": "cues+embedding-logreg"})
        for phrase in rec["self_descriptions"]:
            attrs.append({"doc_id": sent.doc_id, "author_hash": getattr(sent, "author_hash", None),
                          "attribute": phrase, "sent_id": sent.sent_id})
    return (pd.DataFrame(rows, columns=INSIGHT_COLUMNS),
            pd.DataFrame(attrs, columns=["doc_id", "author_hash", "attribute", "sent_id"]))


def baseline_predict(texts: list[str]) -> list[set[str]]:
    return [baseline_labels(t) for t in texts]
