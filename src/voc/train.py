"""`voc train`: fit the insight classifier from the shipped labelled data plus a user's own CSVs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from voc.embed import embed_cached
from voc.evaluate import read_labelled
from voc.schema import INSIGHT_KINDS, stable_id
from voc.extract import LABELLED, InsightClassifier, cue_features, features, fit_classifier, label_matrix


def training_frame(extra: list[Path] | None = None, include_shipped: bool = True) -> pd.DataFrame:
    """The shipped dev split (the test split stays unseen) plus every row of the user's CSVs.

    A user's row overrides a shipped row with the same text, so corrections take effect.
    """
    frames = []
    if include_shipped:
        shipped = read_labelled(LABELLED)
        if "split" in shipped.columns:
            shipped = shipped[shipped["split"] == "dev"]
        frames.append(shipped[["text", "labels"]].assign(origin="shipped"))
    for path in extra or []:
        frames.append(read_labelled(path)[["text", "labels"]].assign(origin=str(path)))
    df = pd.concat(frames, ignore_index=True)
    df["key"] = df["text"].str.strip().str.lower()
    return df.drop_duplicates("key", keep="last").drop(columns="key").reset_index(drop=True)


def train(nlp: Any, embedder: Any, out: Path, extra: list[Path] | None = None,
          include_shipped: bool = True, seed: int = 0) -> tuple[InsightClassifier, pd.DataFrame]:
    """Fit and save a classifier; returns it with the training frame."""
    df = training_frame(extra, include_shipped)
    texts = list(df["text"])
    docs = list(nlp.pipe(texts, batch_size=128))
    X = features(embed_cached(texts, embedder), cue_features(docs, nlp))
    Y = label_matrix(df["labels"])
    version = f"head-{len(df)}-{stable_id(*texts)[:8]}"
    clf = fit_classifier(X, Y, embedder.name, seed=seed,
                         meta={"version": version, "n_train": len(df),
                               "sources": sorted(df["origin"].unique().tolist()),
                               "positives": {k: int(v) for k, v in zip(INSIGHT_KINDS, Y.sum(0))}})
    clf.save(out)
    return clf, df
