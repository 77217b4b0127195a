"""Trends, the one place they are measured (the CLI, the report and the alerts all read these):

- run over run: topic sizes per analysis run with new / rising / steady / fading / merged flags
  (``topic_flags``, `voc topics`), and which themes the insights that arrived since the previous
  run went to (``arrivals``: the report's "What changed" and the alerts);
- over time: a theme's share in the last 90 days of the corpus against the time before
  (``topic_trends``: the report's arrows and `voc topics`), which works on a first crawl too, and
  counts per month or per crawl.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from voc.defaults import MIN_MENTIONS, NEW_SHARE, WINDOW_DAYS
from voc.store import Store


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



def match_topics(before: pd.DataFrame, now: pd.DataFrame, min_share: float = 0.5) -> dict[int, int]:
    """Which earlier topic each current topic continues: {topic_id now: topic_id before}.

    A refit renumbers and relabels topics, so they are matched by the insights they share: pairs
    with the most shared insights first, one to one, when the shared insights are at least
    ``min_share`` of each topic's insights that both runs assigned. A topic that split in two
    continues in its larger part and the other part is new; one that shattered continues nowhere.
    Two topics merged into one: it continues the one it shares more with, the other is gone.

    Args:
        before, now: assignments (sent_id, topic_id) of two runs; outliers (-1) are ignored.
    """
    before, now = before[before["topic_id"] != -1], now[now["topic_id"] != -1]
    common = set(before["sent_id"]) & set(now["sent_id"])
    b = before[before["sent_id"].isin(common)]
    n = now[now["sent_id"].isin(common)]
    if b.empty or n.empty:
        return {}
    shared = b.merge(n, on="sent_id", suffixes=("_before", "_now")).groupby(["topic_id_now", "topic_id_before"]).size()
    size_before, size_now = b["topic_id"].value_counts(), n["topic_id"].value_counts()
    matches: dict[int, int] = {}
    taken: set[int] = set()
    for (t_now, t_before), count in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0])):
        if t_now in matches or t_before in taken:
            continue
        if count >= min_share * max(size_before[t_before], size_now[t_now]):
            matches[int(t_now)] = int(t_before)
            taken.add(int(t_before))
    return matches


def monthly_counts(store: Store, run_id: str, kind: str) -> pd.DataFrame:
    """Insights per topic per month of the source date (when people said it, not when we crawled)."""
    return store.month_counts(run_id, kind)


def crawl_counts(store: Store, run_id: str, kind: str) -> pd.DataFrame:
    """Insights per topic by the crawl run that fetched their document."""
    return store.crawl_counts(run_id, kind)


def arrived(items: pd.DataFrame, previous: set[tuple[str, str]]) -> pd.Series:
    """Which insights (sent_id, kind) the previous analysis did not have: a boolean per row."""
    return pd.Series([(s, k) not in previous for s, k in zip(items["sent_id"], items["kind"])],
                     index=items.index, dtype=bool)


def arrivals(items: pd.DataFrame, previous: set[tuple[str, str]], rising: float = 0.5,
             min_new: int = 2) -> list[dict]:
    """Themes that the insights new since the previous analysis made new or rising.

    Topics are refitted every run, so a theme's size moves when clusters are redrawn; counting only
    the insights that arrived keeps a reshuffle from looking like news. A theme is *new* when at
    least ``NEW_SHARE`` of its mentions arrived since then, *rising* when its share of the new
    insights is at least ``1 + rising`` times its share of the earlier ones (so 8 new reviews that
    are all about one thing count, however many reviews came before). Either needs ``min_new``
    new mentions. Outliers (topic -1) count in the shares but are no theme.

    Args:
        items: this run's insights (sent_id, kind, topic_id).
        previous: (sent_id, kind) pairs the previous analysis assigned.

    Returns:
        One dict per theme (kind, topic_id, new, count, status "new" or "rising"), new themes
        first, then by new mentions.
    """
    is_new = arrived(items, previous)
    themes = []
    for kind, g in items.assign(_new=is_new).groupby("kind"):
        n_new, n_old = int(g["_new"].sum()), int((~g["_new"]).sum())
        for topic_id, t in g[g["topic_id"] != -1].groupby("topic_id"):
            new, old = int(t["_new"].sum()), int((~t["_new"]).sum())
            if new < min_new:
                continue
            if new >= NEW_SHARE * (new + old):
                status = "new"
            elif n_old and new / n_new >= (1 + rising) * old / n_old:
                status = "rising"
            else:
                continue
            themes.append({"kind": str(kind), "topic_id": int(topic_id), "new": new, "count": new + old, "status": status})
    return sorted(themes, key=lambda t: (t["status"] != "new", -t["new"], t["kind"], t["topic_id"]))


def flag(now: int, before: int | None) -> str:
    if before is None:
        return "new"
    if now >= before * 1.2 + 1:
        return "rising"
    if now <= before * 0.8 - 1:
        return "fading"
    return "steady"


def topic_flags(store: Store, kind: str) -> pd.DataFrame:
    """Each topic of the latest run with its size in the run before and a flag.

    A topic continues an earlier one when they share most of their insights (``match_topics``),
    or carries the same label when neither's insights are in the other run. Topics
    that existed before but are gone now are listed with size 0: "merged" (with the label of the
    topic that holds most of their insights now, ``merged_into``) or else "fading".
    """
    columns = ["topic_id", "label", "size", "previous", "previous_label", "flag", "merged_into"]
    runs = store.analysis_runs()
    if not runs:
        return pd.DataFrame(columns=columns)
    sizes = store.topic_sizes_per_run(kind)
    prior_run = runs[-2] if len(runs) > 1 else None  # a first run: no topic before, all new
    now, before = sizes[sizes["run_id"] == runs[-1]], sizes[sizes["run_id"] == prior_run]
    was, is_ = store.topic_assignments(prior_run, kind), store.topic_assignments(runs[-1], kind)
    matches = match_topics(was, is_)
    # Labels decide only where insights cannot: neither topic's insights are in the other run at
    # all (a rebuilt store, say). Insights that are there but moved elsewhere are an answer.
    members_before = was.groupby("topic_id")["sent_id"].apply(set).to_dict()
    members_now = is_.groupby("topic_id")["sent_id"].apply(set).to_dict()
    seen_before, seen_now = set(was["sent_id"]), set(is_["sent_id"])
    by_label = dict(zip(before["label"], before["topic_id"]))
    left = set(before["topic_id"]) - set(matches.values())
    for r in now.itertuples():
        old = by_label.get(r.label)
        if (r.topic_id not in matches and old in left and not members_before.get(old, set()) & seen_now
                and not members_now.get(r.topic_id, set()) & seen_before):
            matches[int(r.topic_id)] = int(old)
            left.discard(old)
    prev_size = dict(zip(before["topic_id"], before["size"]))
    prev_label = dict(zip(before["topic_id"], before["label"]))
    rows = []
    for r in now.itertuples():
        prior = matches.get(int(r.topic_id))
        previous = None if prior is None else int(prev_size[prior])
        rows.append({"topic_id": int(r.topic_id), "label": r.label, "size": int(r.size), "previous": previous,
                     "previous_label": None if prior is None else prev_label[prior], "flag": flag(int(r.size), previous),
                     "merged_into": None})
    into = merged_into(was, is_, left)
    label_now = dict(zip(now["topic_id"], now["label"]))
    for r in before[before["topic_id"].isin(left)].sort_values("label").itertuples():
        target = into.get(int(r.topic_id))
        rows.append({"topic_id": None, "label": r.label, "size": 0, "previous": int(r.size),
                     "previous_label": r.label, "flag": "fading" if target is None else "merged",
                     "merged_into": None if target is None else label_now.get(target)})
    return pd.DataFrame(rows, columns=columns)


def merged_into(before: pd.DataFrame, now: pd.DataFrame, gone: set[int], min_share: float = 0.5) -> dict[int, int]:
    """Gone earlier topics whose insights now mostly sit in one current topic: {before: now}.

    "Mostly" is more than ``min_share`` of all the gone topic's insights; a topic whose insights
    scattered over several topics, or became outliers, merged into nothing.
    """
    kept = now[now["topic_id"] != -1]
    moved = before[before["topic_id"].isin(gone)].merge(kept, on="sent_id", suffixes=("_before", "_now"))
    out: dict[int, int] = {}
    for t_before, group in moved.groupby("topic_id_before"):
        counts = group["topic_id_now"].value_counts()
        total = int((before["topic_id"] == t_before).sum())
        if len(counts) and counts.iloc[0] > min_share * total:
            out[int(t_before)] = int(counts.index[0])
    return out
