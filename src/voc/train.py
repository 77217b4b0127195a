"""`voc train`: fit the insight classifier from the shipped labelled data plus a user's own CSVs.

The shipped test split is never trained on, so `voc eval` on it stays an honest measure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from voc.classifier import InsightClassifier, WeakLabels, fit_classifier, label_matrix, sentence_features
from voc.errors import VocError
from voc.evaluate import read_labelled
from voc.extract import LABELLED
from voc.schema import INSIGHT_KINDS, stable_id


def training_frame(extra: list[Path] | None = None, include_shipped: bool = True) -> pd.DataFrame:
    """The shipped training rows (the dev split and every labelled_train_*.csv) plus the user's CSVs.

    A user's row overrides a shipped row with the same text, so corrections take effect.
    """
    frames = []
    if include_shipped:
        for path in [LABELLED, *sorted(LABELLED.parent.glob("labelled_train_*.csv"))]:
            shipped = read_labelled(path)
            if "split" in shipped.columns:
                shipped = shipped[shipped["split"] != "test"]
            frames.append(shipped[["text", "labels"]].assign(origin=f"shipped:{path.name}"))
    for path in extra or []:
        frames.append(read_labelled(path)[["text", "labels"]].assign(origin=str(path)))
    if not frames:
        raise VocError("no training data: pass labelled CSVs or keep the shipped data (--shipped)")
    df = pd.concat(frames, ignore_index=True)
    df["key"] = df["text"].str.strip().str.lower()
    return df.drop_duplicates("key", keep="last").drop(columns="key").reset_index(drop=True)


def read_suggestions(path: Path) -> pd.DataFrame:
    """SemEval-2019 Task 9 suggestion-mining CSV (id, sentence, label; with or without header)."""
    if not path.exists():
        raise VocError(f"{path}: file not found")
    raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="latin-1")
    if raw.shape[1] < 3:
        raise VocError(f"{path}: expected columns id, sentence, label")
    raw = raw.iloc[:, :3]
    raw.columns = ["id", "text", "label"]
    raw = raw[raw["label"].isin(["0", "1"])]
    return raw.assign(text=raw["text"].str.strip('"').str.strip())


def features_for(texts: list[str], nlp: Any, embedder: Any) -> np.ndarray:
    return sentence_features(texts, nlp, embedder)[0]


def train(nlp: Any, embedder: Any, out: Path, extra: list[Path] | None = None, include_shipped: bool = True,
          suggestions: Path | None = None, weak_weight: float = 0.3, seed: int = 0) -> tuple[InsightClassifier, pd.DataFrame]:
    """Fit and save a classifier; returns it with the training frame.

    Args:
        suggestions: optional suggestion-mining CSV used as weak labels for must_have_feature only.
    """
    df = training_frame(extra, include_shipped)
    texts = list(df["text"])
    weak = None
    if suggestions is not None:
        sm = read_suggestions(suggestions)
        weak = WeakLabels(dense=features_for(list(sm["text"]), nlp, embedder), texts=list(sm["text"]),
                          y=sm[["label"]].astype(int).to_numpy(), kinds=("must_have_feature",), weight=weak_weight)
    Y = label_matrix(df["labels"])
    meta = {"version": f"head-{len(df)}-{stable_id(*texts, suggestions, weak_weight)[:8]}", "n_train": len(df),
            "sources": sorted(df["origin"].unique().tolist()),
            "weak": {"file": suggestions.name, "rows": len(weak.texts), "weight": weak_weight} if weak else None,
            "positives": {k: int(v) for k, v in zip(INSIGHT_KINDS, Y.sum(0))}}
    clf = fit_classifier(features_for(texts, nlp, embedder), texts, Y, embedder.name, weak=weak, seed=seed, meta=meta)
    clf.save(out)
    return clf, df
