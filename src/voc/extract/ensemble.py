"""The ensemble insight classifier: the frozen-embedding heads and the fine-tuned MiniLM, averaged.

The two read a sentence differently: the heads see its MiniLM vector, cue phrases, words and
context features; the fine-tuned encoder reads the sentence and its context as one text. Each is
wrong in different places, so their mean ranks real insights better than either (mean average
precision on the real-text test split 0.582 against 0.519 for the heads and 0.539 for the
fine-tuned model, all trained on labelling rounds 1-5, with the encoder in float; 0.584 as the
ensemble runs it, feed-forward layers at int8; 0.579 against 0.535 since the fine-tune also learns
must-haves from the SemEval suggestion rows; see models/insights/README.md).

What ships is small: the two component files are referenced by name (they ship anyway), and the
ensemble file holds only the mixing weight, a Platt calibration of the mixture and per-kind
thresholds. Those are set on the documents held out of fine-tuning, scored by the fine-tuned
model and by heads fitted without those documents, so both scores are out of sample.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from voc.errors import VocError
from voc.extract.classifier import InsightClassifier, calibrate_kind
from voc.extract.tuned import TunedClassifier
from voc.schema import stable_id

FORMAT = "voc-ensemble-v1"
METHOD = "heads + fine-tuned MiniLM"
WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7)      # of the fine-tuned model, chosen on the held-out documents
EPS = 1e-6


def mix(p_heads: np.ndarray, p_tuned: np.ndarray, weight: float) -> np.ndarray:
    """The logit of the weighted mean of two calibrated probabilities (what the Platt scaling reads)."""
    p = np.clip((1 - weight) * p_heads + weight * p_tuned, EPS, 1 - EPS)
    return np.log(p / (1 - p))


@dataclass
class EnsembleClassifier:
    """Heads and fine-tuned encoder, their mixing weight, calibration of the mixture, thresholds."""

    heads: InsightClassifier
    tuned: TunedClassifier
    weight: float
    platt: np.ndarray                  # (kinds, 2): p = sigmoid(a * mix + b)
    thresholds: dict[str, float]
    kinds: tuple[str, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    method: ClassVar[str] = METHOD

    @property
    def embedding_model(self) -> str:
        return self.heads.embedding_model

    @property
    def precision(self) -> str:
        return self.tuned.precision

    def components(self, frame: pd.DataFrame, embedder: Any, store: Any = None,
                   progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Each component's calibrated probabilities, columns in this classifier's kinds."""
        ph = self.heads.score_frame(frame, embedder, store, progress)
        pt = self.tuned.score_frame(frame)
        return (ph[:, [self.heads.kinds.index(k) for k in self.kinds]],
                pt[:, [self.tuned.kinds.index(k) for k in self.kinds]])

    def score_frame(self, frame: pd.DataFrame, embedder: Any, store: Any = None, progress: bool = False) -> np.ndarray:
        """Calibrated probabilities of ``context_frame`` rows; the heads embed every sentence (and
        store the vectors for topics), the fine-tuned encoder reads it with its context."""
        z = mix(*self.components(frame, embedder, store, progress), self.weight)
        return 1.0 / (1.0 + np.exp(-(z * self.platt[:, 0] + self.platt[:, 1])))

    def save(self, path: Path, heads: Path, tuned: Path) -> Path:
        """Write the ensemble; ``heads`` and ``tuned`` are the component files, kept as "builtin" /
        "builtin-tuned" when they are the shipped ones (so a voc upgrade or another machine finds
        them), by name when they sit beside ``path``, else by absolute path."""
        _refuse_part(path, heads, tuned)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT, "heads": _reference(heads, path), "tuned": _reference(tuned, path),
                "weight": self.weight, "thresholds": self.thresholds, "kinds": list(self.kinds), **self.meta}
        np.savez_compressed(path, platt=self.platt.astype(np.float32), meta=json.dumps(meta))
        return path

    @classmethod
    def from_npz(cls, data: Any, meta: dict[str, Any], path: Path) -> "EnsembleClassifier":
        from voc.extract.classifier import load_classifier

        meta = {k: v for k, v in meta.items() if k != "format"}
        parts = {}
        for part, want in (("heads", InsightClassifier), ("tuned", TunedClassifier)):
            where = _resolve(meta.pop(part), path)
            if where.resolve() == path.resolve():
                raise VocError(f"{path}: the ensemble names itself as its {part}; rebuild it with "
                               "`voc train --ensemble --out <another file>`")
            clf = load_classifier(where)
            if not isinstance(clf, want):
                raise VocError(f"{where}: the ensemble {path.name}'s {part} file is not a {want.__name__}")
            if clf.meta.get("version") != meta["versions"][part]:
                raise VocError(f"{where}: the ensemble {path.name} was built on {part} {meta['versions'][part]!r}, "
                               f"this file is {clf.meta.get('version')!r}; rebuild it with `voc train --ensemble`")
            parts[part] = clf
        # As ``build`` calibrated it (an ensemble built before December 2026 was calibrated on
        # the float encoder: rebuild it).
        parts["tuned"].int8 = True
        return cls(heads=parts["heads"], tuned=parts["tuned"], weight=float(meta.pop("weight")),
                   platt=data["platt"], thresholds=meta.pop("thresholds"), kinds=tuple(meta.pop("kinds")), meta=meta)


def _refuse_part(out: Path, *parts: Path) -> None:
    for part in parts:
        if part.resolve() == out.resolve():
            raise VocError(f"{out}: that is the ensemble's own {part.name}; write the ensemble elsewhere (--out)")


def _reference(part: Path, ensemble: Path) -> str:
    from voc.extract.insights import BUILTIN_CLASSIFIERS

    for name, shipped in BUILTIN_CLASSIFIERS.items():
        if part.resolve() == shipped.resolve():
            return name
    return part.name if part.resolve().parent == ensemble.resolve().parent else str(part.resolve())


def _resolve(reference: str, ensemble: Path) -> Path:
    from voc.extract.insights import BUILTIN_CLASSIFIERS

    if reference in BUILTIN_CLASSIFIERS:
        return BUILTIN_CLASSIFIERS[reference]
    return Path(reference) if Path(reference).is_absolute() else ensemble.parent / reference


def fit_mixture(p_heads: np.ndarray, p_tuned: np.ndarray, Y: np.ndarray, kinds: tuple[str, ...],
                weights: tuple[float, ...] = WEIGHTS) -> tuple[float, np.ndarray, dict[str, float], dict[float, float]]:
    """The weight with the best mean average precision, then Platt scaling and threshold per kind.

    All arguments describe the same held-out rows: both components' out-of-sample probabilities
    (columns in ``kinds``) and the labels.

    Returns:
        (weight, platt, thresholds, mean AP per weight tried)
    """
    from sklearn.metrics import average_precision_score

    ap = {w: float(np.mean([average_precision_score(Y[:, j], mix(p_heads[:, j], p_tuned[:, j], w))
                            for j in range(len(kinds))])) for w in weights}
    weight = max(weights, key=lambda w: (round(ap[w], 4), -abs(w - 0.5)))
    z = mix(p_heads, p_tuned, weight)
    platts, thresholds = [], {}
    for j, kind in enumerate(kinds):
        a, b, thresholds[kind] = calibrate_kind(z[:, j], Y[:, j], kind, half_best=True)
        platts.append((a, b))
    return weight, np.asarray(platts, dtype=np.float32), thresholds, ap


def build_ensemble(heads_path: Path, tuned_path: Path, out: Path, embedder: Any, extra: list[Path] | None = None,
                   include_shipped: bool = True, real: bool = True, root: Path | None = None,
                   suggestions: Path | None = None, weak_weight: float = 0.3) -> EnsembleClassifier:
    """Combine trained heads and a fine-tuned classifier and save the ensemble to ``out``.

    The training options must be those both components were trained with (checked against their
    versions): see ``held_out_scores``.
    """
    from voc.extract.classifier import load_classifier

    _refuse_part(out, heads_path, tuned_path)   # before minutes of fitting, not after
    heads, tuned = load_classifier(heads_path), load_classifier(tuned_path)
    # In the ensemble the fine-tuned encoder runs its feed-forward layers at int8: macro-F1 0.543
    # against 0.551 float, within the 0.01 a speed-up may cost (``voc.embed.quantised_feed_forward``).
    # The mixture is calibrated on what will run.
    tuned.int8 = True
    ph, pt, Y, kinds = held_out_scores(heads, tuned, embedder, extra, include_shipped, real, root, suggestions,
                                       weak_weight, names=(str(heads_path), str(tuned_path)))
    clf = assemble(heads, tuned, ph, pt, Y, kinds)
    clf.save(out, heads_path, tuned_path)
    return clf


def assemble(heads: InsightClassifier, tuned: TunedClassifier, ph: np.ndarray, pt: np.ndarray, Y: np.ndarray,
             kinds: tuple[str, ...]) -> EnsembleClassifier:
    """The ensemble of two classifiers from their held-out probabilities (``held_out_scores``)."""
    weight, platt, thresholds, ap = fit_mixture(ph, pt, Y, kinds)
    versions = {"heads": heads.meta["version"], "tuned": tuned.meta["version"]}
    # Everything that changes a prediction is in the version, so stores re-extract after a rebuild.
    version = stable_id(FORMAT, *versions.values(), weight, *platt.ravel().tolist(), *kinds, *thresholds.values())
    meta = {"versions": versions, "n_dev": len(Y), "ap_by_weight": ap, "version": f"ensemble-{version[:8]}"}
    return EnsembleClassifier(heads=heads, tuned=tuned, weight=weight, platt=platt, thresholds=thresholds,
                              kinds=kinds, meta=meta)


def held_out_scores(heads: Any, tuned: Any, embedder: Any, extra: list[Path] | None = None,
                    include_shipped: bool = True, real: bool = True, root: Path | None = None,
                    suggestions: Path | None = None, weak_weight: float = 0.3,
                    names: tuple[str, str] = ("the heads", "the fine-tuned classifier")
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    """Both components' out-of-sample probabilities on the documents held out of fine-tuning.

    The fine-tune's held-out documents are found again from its training rows and seed; heads are
    fitted on the other documents only (as ``heads`` were, with the same weak labels). Only rows
    that may set calibration (real text drawn at random) are returned.

    Returns:
        (heads' probabilities, the fine-tuned model's, labels, kinds), columns in ``kinds``.
    """
    from voc.extract.classifier import context_frame, label_matrix
    from voc.extract.train import context_columns, fit_heads, training_frame, tuned_version, with_blank_kinds
    from voc.extract.tuned import dev_mask

    if not isinstance(heads, InsightClassifier) or not isinstance(tuned, TunedClassifier):
        raise VocError(f"voc train --ensemble needs heads (`voc train`) and a fine-tuned classifier "
                       f"(`voc train --fine-tune`); {names[0]} is a {type(heads).__name__} and {names[1]} a "
                       f"{type(tuned).__name__}")
    weak = {"file": suggestions.name, "weight": weak_weight} if suggestions is not None else None
    trained_weak = heads.meta.get("weak")
    if (trained_weak and {k: trained_weak[k] for k in ("file", "weight")}) != weak:
        raise VocError(f"{names[0]} was trained with weak labels {trained_weak}, not {weak}: pass the same "
                       "--suggestions and --weak-weight")
    df = training_frame(extra, include_shipped, real, root)
    seed, epochs = tuned.meta.get("seed", 0), tuned.meta.get("epochs", 3.0)
    if tuned.meta.get("version") != tuned_version(df, seed, epochs, tuned.meta.get("weak")):
        raise VocError(f"{names[1]} was fine-tuned on {tuned.meta.get('n_train')} other rows than these {len(df)}: "
                       "pass the CSVs and options it was trained with")
    # The heads' version also hashes how the weak-label file was named on the command line, so only
    # the row count is compared here; the rows themselves are checked through the fine-tune's.
    if heads.meta.get("n_train") != len(df):
        raise VocError(f"{names[0]} was trained on {heads.meta.get('n_train')} rows, these are {len(df)}: pass "
                       "the CSVs and options it was trained with")
    dev = dev_mask(df["group"], tuned.meta["dev_share"], np.random.RandomState(seed))
    held_out_heads = fit_heads(with_blank_kinds(df[~dev]).reset_index(drop=True), embedder, suggestions, weak_weight)
    cal = df["calibrate"].fillna(False).to_numpy(bool) if "calibrate" in df.columns else np.ones(len(df), bool)
    if (dev & cal).sum() < 50:
        cal = np.ones(len(df), bool)
    rows = df[dev & cal].reset_index(drop=True)
    kinds = tuple(k for k in heads.kinds if k in tuned.kinds and k in held_out_heads.kinds)
    frame = context_frame(context_columns(rows))
    ph = held_out_heads.score_frame(frame, embedder)[:, [held_out_heads.kinds.index(k) for k in kinds]]
    pt = tuned.score_frame(frame)[:, [tuned.kinds.index(k) for k in kinds]]
    return ph, pt, label_matrix(rows["labels"], kinds), kinds
