"""`voc eval`: per-kind precision/recall/F1 and macro-F1 of an extractor on a labelled CSV."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from voc.errors import VocError
from voc.schema import INSIGHT_KINDS


def read_labelled(path: str | Path) -> pd.DataFrame:
    """A CSV with columns `text` and `labels` (kinds separated by `;`, empty for none)."""
    path = Path(path)
    if not path.exists():
        raise VocError(f"{path}: file not found")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise VocError(f"{path}: cannot read as CSV ({err})") from None
    missing = {"text", "labels"} - set(df.columns)
    if missing:
        raise VocError(f"{path}: missing column(s) {', '.join(sorted(missing))}; need `text` and `labels`")
    df = df[df["text"].str.strip() != ""].reset_index(drop=True)
    for i, raw in enumerate(df["labels"]):
        for kind in filter(None, (k.strip() for k in raw.split(";"))):
            if kind not in INSIGHT_KINDS and kind != "none":
                raise VocError(f"{path}: row {i + 2}: unknown label {kind!r}; use {', '.join(INSIGHT_KINDS)}")
    return df


def gold_sets(labels: pd.Series) -> list[set[str]]:
    return [{k.strip() for k in raw.split(";") if k.strip() and k.strip() != "none"} for raw in labels]


def scores(gold: list[set[str]], pred: list[set[str]], kinds: tuple[str, ...] | list[str] = INSIGHT_KINDS) -> dict[str, Any]:
    per_kind = {}
    for kind in kinds:
        tp = sum(1 for g, p in zip(gold, pred) if kind in g and kind in p)
        fp = sum(1 for g, p in zip(gold, pred) if kind not in g and kind in p)
        fn = sum(1 for g, p in zip(gold, pred) if kind in g and kind not in p)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_kind[kind] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
                          "support": tp + fn}
    macro = sum(v["f1"] for v in per_kind.values()) / len(per_kind)
    exact = sum(1 for g, p in zip(gold, pred) if g == p) / max(1, len(gold))
    return {"per_kind": per_kind, "macro_f1": round(macro, 4), "exact_match": round(exact, 4), "n": len(gold)}


def evaluate(df: pd.DataFrame, predict: Callable[[pd.DataFrame], list[set[str]]],
             kinds: tuple[str, ...] | list[str] = INSIGHT_KINDS) -> dict[str, Any]:
    """Scores over ``kinds``; with a ``source_type`` column also per source type (review, forum...)."""
    # The predictor gets the sentences with whatever context the data has (previous sentence,
    # document kind, rating, position): the classifier reads a sentence in its document.
    context = df[[c for c in ("text", "prev", "doc_kind", "rating", "position") if c in df.columns]].reset_index(drop=True)
    gold, pred = gold_sets(df["labels"]), predict(context)
    result = scores(gold, pred, kinds)
    if "source_type" in df.columns:
        result["by_source_type"] = {
            st: scores([gold[i] for i in idx], [pred[i] for i in idx], kinds)
            for st, idx in df.groupby("source_type").indices.items() if st}
    return result


def format_table(result: dict[str, Any], title: str) -> str:
    lines = [f"{title}  (n={result['n']})", f"{'kind':<20}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for kind, v in result["per_kind"].items():
        lines.append(f"{kind:<20}{v['precision']:>10.3f}{v['recall']:>10.3f}{v['f1']:>10.3f}{v['support']:>10d}")
    lines.append(f"{'macro-F1':<20}{result['macro_f1']:>30.3f}")
    by_source = result.get("by_source_type")
    if by_source:
        kinds = list(result["per_kind"])
        lines += ["", "F1 by source type", f"{'source type':<14}{'n':>6}" + "".join(f"{k[:12]:>13}" for k in kinds)
                  + f"{'macro-F1':>10}"]
        for st, r in by_source.items():
            lines.append(f"{st:<14}{r['n']:>6}" + "".join(f"{r['per_kind'][k]['f1']:>13.3f}" for k in kinds)
                         + f"{r['macro_f1']:>10.3f}")
    return "\n".join(lines)
