"""Time in the report: trend arrows, what changed since the last analysis, themes per month.

Two different questions, kept apart: a *trend* compares when things were said (the last 90 days
of the corpus against the time before), so it works on a first crawl; *changes* compare what the
previous analysis already had with what this one added, whatever the posts' dates.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from voc.schema import INSIGHT_KINDS, KIND_TITLES
from voc.trends import arrivals

WINDOW_DAYS = 90
MIN_MENTIONS = 2  # one more mention is noise, not a trend


def _direction(recent: int, earlier: int, share_recent: float, share_earlier: float) -> str:
    if recent + earlier < 3:
        return "few"
    if earlier == 0:
        return "new" if recent >= MIN_MENTIONS else "few"
    ratio = share_recent / share_earlier if share_earlier else float("inf")
    if ratio >= 1.5 and recent >= MIN_MENTIONS:
        return "up"
    if ratio <= 1 / 1.5 and earlier >= MIN_MENTIONS:
        return "down"
    return "flat"


def topic_trends(items: pd.DataFrame, window_days: int = WINDOW_DAYS) -> tuple[dict[tuple[str, int], str], dict[str, Any]]:
    """Trend per (kind, topic_id): its share of the kind in the last window_days vs before.

    Shares, not counts, so a month with more posts overall does not make every theme "rise".

    Returns:
        (trend per topic: up | down | flat | new | few | unknown, the window that was compared).
    """
    dated = items.dropna(subset=["created_at"])
    if dated.empty:
        return {}, {"days": window_days, "from": None, "to": None, "reason": "no dated insights"}
    when = pd.to_datetime(dated["created_at"])
    end, start = when.max(), when.min()
    cut = end - pd.Timedelta(days=window_days)
    window = {"days": window_days, "from": str(cut.date()), "to": str(end.date()), "reason": None}
    if start > cut - pd.Timedelta(days=window_days // 2):
        window["reason"] = f"the corpus spans less than {window_days + window_days // 2} days"
        return {}, window
    recent = (when > cut).to_numpy()
    trends: dict[tuple[str, int], str] = {}
    for kind, g in dated.assign(_recent=recent).groupby("kind"):
        n_recent, n_earlier = int(g["_recent"].sum()), int((~g["_recent"]).sum())
        for topic_id, t in g.groupby("topic_id"):
            r, e = int(t["_recent"].sum()), int((~t["_recent"]).sum())
            trends[(str(kind), int(topic_id))] = _direction(r, e, r / max(1, n_recent), e / max(1, n_earlier))
    return trends, window


def changes_since(items: pd.DataFrame, topics: pd.DataFrame, previous: set[tuple[str, str]] | None) -> dict[str, Any]:
    """New and rising themes among insights the previous analysis did not have (``voc.trends.arrivals``).

    Args:
        items: this run's insights (sent_id, kind, topic_id).
        topics: this run's topics (kind, topic_id, label).
        previous: (sent_id, kind) pairs the previous analysis assigned, or None on a first run.
    """
    if previous is None:
        return {"status": "first", "new_insights": 0, "themes": []}
    n_new = sum((s, k) not in previous for s, k in zip(items["sent_id"], items["kind"]))
    if not n_new:
        return {"status": "none", "new_insights": 0, "themes": []}
    labels = {(r.kind, int(r.topic_id)): r.label for r in topics.itertuples()}
    themes = [{"kind": KIND_TITLES.get(t["kind"], t["kind"]), "label": labels.get((t["kind"], t["topic_id"]), str(t["topic_id"])),
               "new": t["new"], "count": t["count"], "status": t["status"]}
              for t in arrivals(items, previous, min_new=MIN_MENTIONS)]
    return {"status": "changed", "new_insights": int(n_new), "themes": themes}


def _periods(when: pd.Series) -> pd.Series:
    """Months, or quarters when months would be too many columns to read."""
    months = when.dt.to_period("M")
    return months.astype(str) if months.nunique() <= 18 else when.dt.to_period("Q").astype(str)


def month_table(items: pd.DataFrame) -> list[dict[str, Any]]:
    """Insights per period (month or quarter) and kind, for the stacked timeline."""
    dated = items.dropna(subset=["created_at"])
    if dated.empty:
        return []
    period = _periods(pd.to_datetime(dated["created_at"]))
    table = pd.crosstab(period, dated["kind"]).reindex(columns=list(INSIGHT_KINDS), fill_value=0)
    return [{"month": m, **{k: int(v) for k, v in row.items()}} for m, row in table.iterrows()]


def topic_months(items: pd.DataFrame, tables: dict[str, Any], top: int = 10) -> dict[str, Any]:
    """Mentions per period of the largest themes across kinds, for the topics-over-time heatmap."""
    dated = items.dropna(subset=["created_at"])
    themes = sorted(((e["count"], kind, e["topic_id"], e["label"]) for kind, t in tables.items()
                     for e in t["topics"] if not e["outlier"]), key=lambda x: (-x[0], x[1], x[2]))[:top]
    if dated.empty or not themes:
        return {"periods": [], "rows": []}
    dated = dated.assign(_p=_periods(pd.to_datetime(dated["created_at"])).to_numpy())
    periods = sorted(dated["_p"].unique().tolist())
    rows = []
    for _n, kind, topic_id, label in themes:
        g = dated[(dated["kind"] == kind) & (dated["topic_id"] == topic_id)]
        counts = g.groupby("_p").size()
        rows.append({"kind": kind, "label": label, "values": [int(counts.get(p, 0)) for p in periods]})
    return {"periods": periods, "rows": rows}
