"""Time in the report: what changed since the last analysis and themes per month, laid out for
the page (the measures, trend arrows included, are ``voc.trends``'s)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from voc.schema import INSIGHT_KINDS, KIND_TITLES
from voc.trends import MIN_MENTIONS, arrivals, arrived


def changes_since(items: pd.DataFrame, topics: pd.DataFrame, previous: set[tuple[str, str]] | None) -> dict[str, Any]:
    """New and rising themes among insights the previous analysis did not have (``voc.trends.arrivals``).

    Args:
        items: this run's insights (sent_id, kind, topic_id).
        topics: this run's topics (kind, topic_id, label).
        previous: (sent_id, kind) pairs the previous analysis assigned, or None on a first run.
    """
    if previous is None:
        return {"status": "first", "new_insights": 0, "themes": []}
    n_new = int(arrived(items, previous).sum())
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
