"""The insight classifier: one calibrated logistic head per kind.

Features: the sentence's embedding, the previous sentence's embedding (what "it" and "so I
returned it" lean on), the document's role (review, question, answer, post...), its rating and
the sentence's place in it, whether the author speaks of themselves or to "you", counts of each
kind's cue phrases, and word/bigram TF-IDF (the lexical view catches phrasings the embedding
blurs, e.g. "returned it" vs "returned to it"). Nothing needs a parse (the cue phrases are
regular expressions, not spaCy patterns on lemmas and tags), so only the sentences found to be
insights are parsed, for their aspect. Heads are fitted with balanced class weights,
then Platt-scaled on cross-validated scores (folds by document), so a stated 0.8 means about 80%
right. Everything fits in one small .npz file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import sparse

from voc.errors import VocError
from voc.extract.cues import CUES, cue_counts
from voc.schema import DOC_KINDS, INSIGHT_KINDS

TOKEN_PATTERN = r"(?u)\b\w[\w'-]*\b"
FEATURES = "context-v2"
_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|i'll|my|me|mine|we|we're|we've|our|us)\b", re.I)
_SECOND_PERSON = re.compile(r"\b(you|your|you're|you've|yours)\b", re.I)


def context_frame(texts: list[str] | pd.DataFrame) -> pd.DataFrame:
    """Sentences with their context columns (prev, doc_kind, rating, position).

    A plain list of sentences has no context: no previous sentence, unknown document kind and
    rating, first position. A frame keeps the columns it has and gets defaults for the rest.
    """
    frame = pd.DataFrame({"text": list(texts)}) if not isinstance(texts, pd.DataFrame) else texts.copy()
    defaults = {"prev": "", "doc_kind": "", "rating": np.nan, "position": 0}
    for col, value in defaults.items():
        if col not in frame.columns:
            frame[col] = value
    frame["prev"] = frame["prev"].fillna("").astype(str)
    frame["doc_kind"] = frame["doc_kind"].fillna("").astype(str)
    frame["rating"] = pd.to_numeric(frame["rating"], errors="coerce")
    frame["position"] = pd.to_numeric(frame["position"], errors="coerce").fillna(0).astype(int)
    return frame.reset_index(drop=True)


def meta_features(frame: pd.DataFrame) -> np.ndarray:
    """Who speaks where: document kind (one-hot; all zero when unknown), rating, place, person."""
    kinds = frame["doc_kind"].to_numpy()
    rating = frame["rating"].to_numpy(dtype=float)
    texts = frame["text"].tolist()
    cols = [[k == d for k in kinds] for d in DOC_KINDS]
    cols += [list(np.isnan(rating)), list(np.nan_to_num(rating) / 5.0),
             [t.rstrip().endswith("?") for t in texts], list(frame["position"].to_numpy() == 0),
             list(np.minimum(frame["position"].to_numpy(), 20) / 20.0),
             [bool(_FIRST_PERSON.search(t)) for t in texts], [bool(_SECOND_PERSON.search(t)) for t in texts]]
    return np.asarray(cols, dtype=np.float32).T.reshape(len(frame), -1)


def cue_features(texts: list[str]) -> np.ndarray:
    rows = [[min(counts[k], 2) / 2.0 for k in CUES] for counts in map(cue_counts, texts)]
    return np.asarray(rows, dtype=np.float32).reshape(len(texts), len(CUES))


def dense_features(embeddings: np.ndarray, prev: np.ndarray, meta: np.ndarray, cues: np.ndarray) -> np.ndarray:
    # The previous sentence weighs half: it explains the sentence, it is not the sentence. Cue
    # counts are scaled up so a few dense features are not drowned by 768 embedding dims.
    return np.hstack([embeddings, 0.5 * prev, meta, 3.0 * cues]).astype(np.float32)


def sentence_features(sentences: list[str] | pd.DataFrame, embedder: Any, store: Any = None,
                      progress: bool = False) -> np.ndarray:
    """Dense features of sentences (see ``context_frame`` for the context columns).

    Training and scoring both build features here, so the two can never drift apart.
    """
    from voc.embed import embed_cached

    frame = context_frame(sentences)
    texts, prevs = frame["text"].tolist(), frame["prev"].tolist()
    wanted = list(dict.fromkeys(texts + [p for p in prevs if p]))
    vectors = dict(zip(wanted, embed_cached(wanted, embedder, store, progress=progress))) if wanted else {}
    dim = embedder.dim if not vectors else len(next(iter(vectors.values())))
    emb = np.stack([vectors[t] for t in texts]) if texts else np.zeros((0, dim), np.float32)
    zero = np.zeros(dim, np.float32)
    prev = np.stack([vectors[p] if p else zero for p in prevs]) if prevs else np.zeros((0, dim), np.float32)
    return dense_features(emb, prev, meta_features(frame), cue_features(texts))


@dataclass
class Lexicon:
    """Word and bigram TF-IDF with a frozen vocabulary (sublinear tf, l2-normalised rows)."""

    vocab: np.ndarray
    idf: np.ndarray

    @classmethod
    def fit(cls, texts: list[str], min_df: int = 2) -> "Lexicon":
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, sublinear_tf=True, token_pattern=TOKEN_PATTERN)
        vec.fit(texts)
        vocab = vec.get_feature_names_out()
        return cls(vocab=np.asarray(vocab, dtype=str), idf=vec.idf_.astype(np.float32))

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        from sklearn.feature_extraction.text import CountVectorizer

        counts = CountVectorizer(vocabulary=list(self.vocab), ngram_range=(1, 2),
                                 token_pattern=TOKEN_PATTERN).transform(texts).astype(np.float32)
        counts.data = 1.0 + np.log(counts.data)
        tf = counts.multiply(self.idf.reshape(1, -1)).tocsr()
        norms = np.sqrt(np.asarray(tf.multiply(tf).sum(1)).ravel()) + 1e-9
        return sparse.diags(1.0 / norms) @ tf


@dataclass
class InsightClassifier:
    """Calibrated one-vs-rest logistic heads, one per insight kind."""

    coef: np.ndarray            # (kinds, dense + lexical features)
    intercept: np.ndarray       # (kinds,)
    platt: np.ndarray           # (kinds, 2): calibrated p = sigmoid(a * z + b)
    thresholds: dict[str, float]
    lexicon: Lexicon
    embedding_model: str
    kinds: tuple[str, ...] = INSIGHT_KINDS
    meta: dict[str, Any] = field(default_factory=dict)
    method: ClassVar[str] = "cues+embedding+lexical"

    def score_frame(self, frame: pd.DataFrame, embedder: Any, store: Any = None, progress: bool = False) -> np.ndarray:
        """Calibrated probabilities of ``context_frame`` rows."""
        return self.proba(sentence_features(frame, embedder, store, progress), frame["text"].tolist())

    def design(self, dense: np.ndarray, texts: list[str]) -> sparse.csr_matrix:
        expected = self.coef.shape[1] - len(self.lexicon.vocab)
        if self.meta.get("features") != FEATURES:
            raise VocError(f"this insight classifier was trained with an older voc (features "
                           f"{self.meta.get('features', 'v0')!r}, not {FEATURES!r}); retrain it with `voc train`")
        if dense.shape[1] != expected:
            raise VocError(
                f"the insight classifier expects {expected} dense features but got {dense.shape[1]}: it was "
                f"trained with embedding model {self.embedding_model!r}; run `voc train` for this model")
        return sparse.hstack([sparse.csr_matrix(dense), self.lexicon.transform(texts)]).tocsr()

    def decision(self, dense: np.ndarray, texts: list[str]) -> np.ndarray:
        return np.asarray(self.design(dense, texts) @ self.coef.T) + self.intercept

    def proba(self, dense: np.ndarray, texts: list[str]) -> np.ndarray:
        z = self.decision(dense, texts)
        return 1.0 / (1.0 + np.exp(-(z * self.platt[:, 0] + self.platt[:, 1])))

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"thresholds": self.thresholds, "embedding_model": self.embedding_model,
                "kinds": list(self.kinds), **self.meta}
        np.savez_compressed(path, coef=self.coef.astype(np.float32), intercept=self.intercept, platt=self.platt,
                            vocab=self.lexicon.vocab, idf=self.lexicon.idf, meta=json.dumps(meta))
        return path

    @classmethod
    def load(cls, path: Path) -> "InsightClassifier":
        if not path.exists():
            raise VocError(f"{path}: no trained insight classifier; run `voc train` to build one")
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                return cls(coef=data["coef"], intercept=data["intercept"], platt=data["platt"],
                           lexicon=Lexicon(vocab=data["vocab"], idf=data["idf"]),
                           thresholds=meta.pop("thresholds"), embedding_model=meta.pop("embedding_model"),
                           kinds=tuple(meta.pop("kinds")), meta=meta)
        except (KeyError, ValueError, OSError) as err:
            raise VocError(f"{path}: not a voc insight classifier ({err}); retrain with `voc train --out {path}`") from None


def label_matrix(labels: pd.Series, kinds: tuple[str, ...] = INSIGHT_KINDS) -> np.ndarray:
    """Parse `a;b` label strings into a 0/1 matrix (columns: ``kinds``); unknown kinds are an error naming the row."""
    Y = np.zeros((len(labels), len(kinds)), dtype=np.int8)
    for i, raw in enumerate(labels.fillna("")):
        for kind in (k.strip() for k in str(raw).split(";")):
            if not kind or kind == "none":
                continue
            if kind not in INSIGHT_KINDS:
                raise VocError(f"row {i + 2}: unknown label {kind!r}; use {', '.join(INSIGHT_KINDS)} (or leave empty)")
            if kind in kinds:
                Y[i, kinds.index(kind)] = 1
    return Y


@dataclass
class WeakLabels:
    """Extra rows that supervise only some kinds (e.g. suggestion mining -> must_have_feature)."""

    dense: np.ndarray
    texts: list[str]
    y: np.ndarray               # 0/1 for each kind in ``kinds``
    kinds: tuple[str, ...]
    weight: float = 0.3


def _platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, max_iter=1000).fit(z.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def calibrate_kind(z: np.ndarray, y: np.ndarray, kind: str, half_best: bool = False) -> tuple[float, float, float]:
    """Platt scaling of held-out scores and the calibrated threshold with the best F1.

    ``half_best``: the threshold is half the best F1 instead, which is where F1 peaks for
    calibrated probabilities (Lipton et al. 2014) and moves less with a few positives than the
    arg-max does (on 870 held-out real sentences, split in halves 60 times: macro-F1 0.482 on the
    other half against 0.474).

    Returns:
        (a, b, threshold): p = sigmoid(a * z + b); a sentence is of ``kind`` when p >= threshold.
    """
    from sklearn.metrics import f1_score

    if y.sum() < 5:
        raise VocError(f"training data has only {int(y.sum())} held-out {kind} examples; at least 5 are needed")
    a, b = _platt(z, y)
    p = 1.0 / (1.0 + np.exp(-(a * z + b)))
    grid = np.arange(0.1, 0.9, 0.02)
    scores = [f1_score(y, p >= t, zero_division=0) for t in grid]
    if half_best:
        return a, b, round(max(0.05, float(max(scores)) / 2), 3)
    return a, b, round(float(grid[int(np.argmax(scores))]), 3)


def load_classifier(path: Path) -> Any:
    """The insight classifier saved at ``path``: frozen-embedding heads, a fine-tuned encoder or
    an ensemble of the two."""
    if not path.exists():
        raise VocError(f"{path}: no trained insight classifier; run `voc train` to build one")
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format", "").startswith("voc-tuned"):
                from voc.extract.tuned import TunedClassifier

                return TunedClassifier.from_npz(data, meta)
            if meta.get("format", "").startswith("voc-ensemble"):
                from voc.extract.ensemble import EnsembleClassifier

                return EnsembleClassifier.from_npz(data, meta, path)
    except VocError:
        raise   # a component's own message says what to do; "retrain" here would overwrite the ensemble
    except (KeyError, ValueError, OSError) as err:
        raise VocError(f"{path}: not a voc insight classifier ({err}); retrain with `voc train --out {path}`") from None
    return InsightClassifier.load(path)


def fit_classifier(dense: np.ndarray, texts: list[str], Y: np.ndarray, embedding_model: str,
                   weak: WeakLabels | None = None, C: float = 1.0, seed: int = 0,
                   meta: dict[str, Any] | None = None, kinds: tuple[str, ...] = INSIGHT_KINDS,
                   groups: list[str] | None = None, calibrate: np.ndarray | None = None) -> InsightClassifier:
    """Fit the heads, calibrate them and pick each kind's threshold by cross-validated F1.

    Args:
        dense: features of the labelled sentences (``sentence_features``).
        texts: those sentences.
        Y: 0/1 matrix (sentences x kinds) in ``kinds`` order.
        weak: optional weakly labelled rows for some kinds; used for fitting, never for
            calibration or thresholds.
        groups: the document of each sentence; folds keep a document's sentences together, so a
            sentence's neighbour never tells the model its label.
        calibrate: which rows calibration and thresholds describe (default: all); real customer
            text only, when written examples are in the training rows too.
    """
    from sklearn.model_selection import GroupKFold

    lexicon = Lexicon.fit(texts + (weak.texts if weak else []))
    X_main = sparse.hstack([sparse.csr_matrix(dense), lexicon.transform(texts)]).tocsr()
    X_weak = (sparse.hstack([sparse.csr_matrix(weak.dense), lexicon.transform(weak.texts)]).tocsr()
              if weak else None)
    groups_arr = np.asarray(groups if groups is not None else [str(i) for i in range(len(texts))])
    cal = np.ones(len(texts), dtype=bool) if calibrate is None else np.asarray(calibrate, dtype=bool)
    coefs, intercepts, platts, thresholds = [], [], [], {}
    for j, kind in enumerate(kinds):
        y = Y[:, j].astype(int)
        if y[cal].sum() < 5:
            raise VocError(f"training data has only {int(y[cal].sum())} {kind} examples; at least 5 are needed")
        use_weak = weak is not None and kind in weak.kinds
        z = np.zeros(len(y))
        for train_idx, val_idx in GroupKFold(5).split(X_main, y, groups_arr):
            model = _head(C, seed).fit(*_stack(X_main[train_idx], y[train_idx], X_weak, weak, kind, use_weak))
            z[val_idx] = model.decision_function(X_main[val_idx])
        a, b, thresholds[kind] = calibrate_kind(z[cal], y[cal], kind)
        model = _head(C, seed).fit(*_stack(X_main, y, X_weak, weak, kind, use_weak))
        coefs.append(model.coef_[0])
        intercepts.append(model.intercept_[0])
        platts.append((a, b))
    return InsightClassifier(coef=np.asarray(coefs, dtype=np.float32), intercept=np.asarray(intercepts, dtype=np.float32),
                             platt=np.asarray(platts, dtype=np.float32), thresholds=thresholds, lexicon=lexicon,
                             embedding_model=embedding_model, kinds=tuple(kinds),
                             meta={"features": FEATURES, **(meta or {})})


def _head(C: float, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", max_iter=3000, random_state=seed)


def _stack(X: sparse.csr_matrix, y: np.ndarray, X_weak: sparse.csr_matrix | None, weak: WeakLabels | None,
           kind: str, use_weak: bool) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    if not use_weak or X_weak is None or weak is None:
        return X, y, np.ones(len(y))
    yw = weak.y[:, weak.kinds.index(kind)].astype(int)
    return (sparse.vstack([X, X_weak]).tocsr(), np.concatenate([y, yw]),
            np.concatenate([np.ones(len(y)), np.full(len(yw), weak.weight)]))


def expected_calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Mean |confidence - accuracy| over equal-width probability bins, weighted by bin size."""
    edges = np.linspace(0, 1, bins + 1)
    err = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if m.any():
            err += m.mean() * abs(p[m].mean() - y[m].mean())
    return float(err)
