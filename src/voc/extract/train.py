"""`voc train`: fit the insight classifier from the shipped labelled data plus a user's own CSVs.

Training rows are (1) the real-text labels (``voc/data/insights/real_labels.csv``, train split),
whose text is read from the real corpora in ../shared/data because most of it may not be
redistributed; (2) the sentences we wrote (``labelled*.csv``), kept as extra examples; (3) the
user's CSVs. Neither test split is ever trained on, so `voc eval` on them stays an honest measure.
Calibration and thresholds describe real text whenever real rows are there.
"""

from __future__ import annotations

import csv
import functools
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from voc.errors import VocError
from voc.extract.classifier import FEATURES, InsightClassifier, WeakLabels, fit_classifier, label_matrix, sentence_features
from voc.extract.cues import CUES
from voc.extract.evaluate import read_labelled
from voc.extract.insights import LABELLED, REAL_LABELS
from voc.schema import INSIGHT_KINDS, stable_id

log = logging.getLogger(__name__)
CONTEXT = ["prev", "doc_kind", "rating", "position"]
# Real rows that train without their document kind. Every real row has a kind, so without this the
# model meets an unknown kind (a survey or interview answer: no real one is labelled) only in the
# written rows: the demo interviews' "My wife had the final say on the budget" scored 0.23 as a
# buying role, against 0.88 read as a post.
UNKNOWN_KIND_SHARE = 0.2


def real_rows(split: str, root: Path | None = None) -> pd.DataFrame:
    """The real-text labelled sentences of one split with their text and context.

    Args:
        split: "train" or "test".
        root: ../shared/data (default: found beside the checkout or from VOC_SHARED_DATA).

    Raises:
        VocError: the real corpora are not on this machine.
    """
    from voc.extract.realtext import shared_data_dir

    if split not in ("train", "test"):
        raise VocError(f"real-text split {split!r}: the real labels have a 'train' and a 'test' split")
    root = shared_data_dir(root)
    if root is None:
        raise VocError("the real-text labels need the corpora in ../shared/data (set VOC_SHARED_DATA to "
                       "their folder); without them, train with --no-real")
    return _real_rows(split, root).copy()


@functools.lru_cache(maxsize=4)
def _real_rows(split: str, root: Path) -> pd.DataFrame:
    # Resolving re-segments every labelled document with spaCy (tens of seconds for the train
    # split); a process that trains and then evaluates needs it once.
    from voc.extract.realtext import resolve

    with REAL_LABELS.open(encoding="utf-8", newline="") as fh:
        keys = [r for r in csv.DictReader(fh) if r["split"] == split]
    done, missing = resolve(keys, root)
    if missing:
        log.warning("%d of %d real-text labels did not resolve against %s (its files changed?)",
                    len(missing), len(keys), root)
    frame = pd.DataFrame(done)
    return frame.assign(doc_kind=frame["role"], group=frame["dataset"] + "/" + frame["file"] + "#" + frame["key"],
                        origin="real:" + frame["dataset"], real=True,
                        # Rounds 1-2 were drawn at random within their sub-corpora; rounds 3 and 4
                        # favoured documents about buying and deciding, so they do not set thresholds.
                        calibrate=frame["round"].astype(int) < 3)


def training_frame(extra: list[Path] | None = None, include_shipped: bool = True, real: bool = True,
                   root: Path | None = None, blank_kinds: bool = False) -> pd.DataFrame:
    """Every training row: text, labels, context columns, its document (group), origin, real.

    A user's row overrides a shipped row with the same text, so corrections take effect.
    ``blank_kinds``: drop the document kind of ``UNKNOWN_KIND_SHARE`` of the real rows (the heads
    train so; the fine-tuned classifier reads a missing kind as a word of its own and does not).
    """
    frames = []
    if include_shipped and real:
        frames.append(real_rows("train", root))
    if include_shipped:
        for path in [LABELLED, *sorted(LABELLED.parent.glob("labelled_train_*.csv"))]:
            shipped = read_labelled(path)
            if "split" in shipped.columns:
                shipped = shipped[shipped["split"] != "test"]
            frames.append(shipped[["text", "labels"]].assign(origin=f"shipped:{path.name}", real=False))
    for path in extra or []:
        mine = read_labelled(path)
        frames.append(mine[[c for c in ["text", "labels", *CONTEXT] if c in mine.columns]].assign(origin=str(path),
                                                                                                   real=False))
    if not frames:
        raise VocError("no training data: pass labelled CSVs or keep the shipped data (--shipped)")
    df = pd.concat(frames, ignore_index=True)
    df["key"] = df["text"].str.strip().str.lower()
    df = df.drop_duplicates("key", keep="last").drop(columns="key").reset_index(drop=True)
    df["group"] = df["group"].fillna(df["text"]) if "group" in df.columns else df["text"]
    return with_blank_kinds(df) if blank_kinds else df


def with_blank_kinds(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``training_frame`` rows with the document kind of ``UNKNOWN_KIND_SHARE`` of the
    real rows dropped."""
    df = df.copy()
    if "doc_kind" in df.columns and "real" in df.columns:
        # Seeded by the row's text, so a retrain on the same rows blanks the same ones.
        blank = df["real"].fillna(False).astype(bool) & df["text"].map(
            lambda t: int(stable_id(t)[:8], 16) / 16 ** 8 < UNKNOWN_KIND_SHARE)
        df.loc[blank, "doc_kind"] = ""
    return df


def learnable(df: pd.DataFrame) -> tuple[tuple[str, ...], np.ndarray]:
    """The kinds the rows can teach and their 0/1 labels (rows x those kinds).

    A kind is learnt when the data has examples of it (a user's own CSVs may cover only some).
    """
    all_y = label_matrix(df["labels"])
    kinds = tuple(k for j, k in enumerate(INSIGHT_KINDS) if all_y[:, j].sum() >= 5)
    return kinds, all_y[:, [INSIGHT_KINDS.index(k) for k in kinds]]


def context_columns(df: pd.DataFrame) -> pd.DataFrame:
    """The text and whichever context columns the rows have."""
    return df[["text", *[c for c in CONTEXT if c in df.columns]]]


def fine_tune_classifier(out: Path, embedding_model: str, extra: list[Path] | None = None,
                         include_shipped: bool = True, real: bool = True, root: Path | None = None,
                         settings: Any = None, suggestions: Path | None = None,
                         weak_weight: float = 0.3) -> tuple[Any, pd.DataFrame]:
    """Fine-tune the bundled encoder on the same rows as ``train`` and save the tuned classifier.

    Slow on a CPU (about 45 minutes for the shipped rows on 2 cores): `voc train` without
    --fine-tune fits frozen-embedding heads in a few minutes instead. ``suggestions``: weak
    must_have_feature labels, as for the heads (``weak_rows``).
    """
    from voc.extract.classifier import context_frame
    from voc.extract.tuned import FineTuneSettings, fine_tune

    settings = settings or FineTuneSettings()
    # Checked first: reading the real rows takes a minute.
    weak = weak_rows(suggestions, weak_weight, settings.seed) if suggestions is not None else None
    df = training_frame(extra, include_shipped, real, root)
    kinds, Y = learnable(df)
    frame = context_frame(context_columns(df))
    frame["group"] = df["group"].astype(str).to_numpy()
    if "calibrate" in df.columns:
        frame["calibrate"] = df["calibrate"].fillna(False).to_numpy(dtype=bool)
    weak_meta = {"file": suggestions.name, "weight": weak_weight, "rows": len(weak.texts)} if weak else None
    meta = {"version": tuned_version(df, settings.seed, settings.epochs, weak_meta),
            "n_train": len(df), "n_real": int(df["real"].sum()), "sources": sorted(df["origin"].unique().tolist()),
            "positives": {k: int(v) for k, v in zip(kinds, Y.sum(0))}, "weak": weak_meta}
    clf = fine_tune(frame, Y, kinds, embedding_model, settings, meta, weak)
    if weak is not None and clf.meta.get("weak") is None:   # the rows teach no must-haves: none were used
        clf.meta["version"] = tuned_version(df, settings.seed, settings.epochs)
    clf.save(out)
    return clf, df


def weak_rows(path: Path, weight: float, seed: int) -> Any:
    """The suggestion-mining rows a fine-tune learns must_have_feature from: every suggestion and
    as many other sentences drawn at random (seeded). All 8,500 SemEval training rows would add 60%
    to the shipped fine-tune's steps (these 4,170 add 29%); the heads, a minute's fit, take them all.

    Raises:
        VocError: ``weight`` is not positive, or the file has no labelled rows.
    """
    from voc.extract.tuned import WeakRows

    if not weight > 0:
        raise VocError(f"--weak-weight {weight}: a weak row's weight must be above 0 (the shipped models use 0.5)")
    sm = read_suggestions(path)
    if sm.empty:
        raise VocError(f"{path}: no rows labelled 0 or 1 (expected columns id, sentence, label)")
    y = sm["label"].astype(int).to_numpy()
    rng = np.random.RandomState(seed)
    others = np.where(y == 0)[0]
    keep = np.sort(np.r_[np.where(y == 1)[0], rng.choice(others, min(len(others), int(y.sum())), replace=False)])
    return WeakRows(texts=sm["text"].iloc[keep].tolist(), y=y[keep].reshape(-1, 1), kinds=("must_have_feature",),
                    weight=weight)


def tuned_version(df: pd.DataFrame, seed: int, epochs: float, weak: dict[str, Any] | None = None) -> str:
    """The version of a classifier fine-tuned on ``training_frame`` rows ``df`` (its rows, seed,
    epochs and weak rows)."""
    extra = () if weak is None else (weak["file"], weak["weight"], weak["rows"])
    return f"tuned-{len(df)}-{stable_id(*df['text'], seed, epochs, *extra)[:8]}"


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


def train(embedder: Any, out: Path, extra: list[Path] | None = None, include_shipped: bool = True,
          suggestions: Path | None = None, weak_weight: float = 0.3, seed: int = 0, real: bool = True,
          root: Path | None = None) -> tuple[InsightClassifier, pd.DataFrame]:
    """Fit and save a classifier; returns it with the training frame.

    Args:
        suggestions: optional suggestion-mining CSV used as weak labels for must_have_feature only.
        real: include the real-text labels (their text comes from ``root``, ../shared/data).
    """
    df = training_frame(extra, include_shipped, real, root, blank_kinds=True)
    clf = fit_heads(df, embedder, suggestions, weak_weight, seed)
    clf.save(out)
    return clf, df


def fit_heads(df: pd.DataFrame, embedder: Any, suggestions: Path | None = None, weak_weight: float = 0.3,
              seed: int = 0) -> InsightClassifier:
    """The frozen-embedding heads fitted on ``training_frame`` rows (and the weak suggestion rows)."""
    texts = list(df["text"])
    weak = None
    if suggestions is not None:
        sm = read_suggestions(suggestions)
        weak = WeakLabels(dense=sentence_features(list(sm["text"]), embedder), texts=list(sm["text"]),
                          y=sm[["label"]].astype(int).to_numpy(), kinds=("must_have_feature",), weight=weak_weight)
    kinds, Y = learnable(df)
    calibrate = df["calibrate"].fillna(False).to_numpy(dtype=bool) if "calibrate" in df.columns else None
    # The features and cue phrases are part of the version: heads retrained on new features make
    # stores re-extract (the store keys extraction by this version).
    version = stable_id(*texts, suggestions, weak_weight, FEATURES, *(p.pattern for p in CUES.values()))[:8]
    meta = {"version": f"head-{len(df)}-{version}", "n_train": len(df),
            "n_real": int(df["real"].sum()), "sources": sorted(df["origin"].unique().tolist()),
            "weak": {"file": suggestions.name, "rows": len(weak.texts), "weight": weak_weight} if weak else None,
            "positives": {k: int(v) for k, v in zip(kinds, Y.sum(0))}}
    return fit_classifier(sentence_features(context_columns(df), embedder), texts, Y, embedder.name, weak=weak,
                          seed=seed, meta=meta, kinds=kinds, groups=df["group"].tolist(), calibrate=calibrate)
