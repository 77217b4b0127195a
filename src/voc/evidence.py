"""Choosing the quotes that back an insight theme: confident, self-contained, readable."""

from __future__ import annotations

from typing import Any


import pandas as pd


def quote_score(text: str, confidence: float) -> float:
    """Prefer confident sentences of readable length that survive being read alone."""
    n = len(text)
    length = 1.0 if 50 <= n <= 220 else 0.6 if 30 <= n <= 320 else 0.2
    masked = 0.5 if "[email]" in text or "[phone]" in text or "[user]" in text else 1.0
    dangling = 0.8 if text[:1].islower() and n < 60 else 1.0
    return float(confidence) * length * masked * dangling


def pick_quotes(rows: pd.DataFrame, n: int = 3) -> list[dict[str, Any]]:
    """The n best quotes of a group of insights, each with its link, source and date."""
    if rows.empty:
        return []
    scored = rows.assign(_q=[quote_score(t, c) for t, c in zip(rows["text"], rows["confidence"])])
    best = scored.sort_values(["_q", "sent_id"], ascending=[False, True]).drop_duplicates("text").head(n)
    return [{"text": r.text, "url": r.url, "source": r.source,
             "date": None if r.created_at is None or pd.isna(r.created_at) else str(pd.Timestamp(r.created_at).date())}
            for r in best.itertuples()]



