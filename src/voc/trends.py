"""Trends: topic sizes per analysis run and per month, and new / rising / fading flags."""

from __future__ import annotations

import pandas as pd

from voc.store import Store


def analysis_runs(store: Store) -> list[str]:
    """Completed analysis runs, oldest first (by start time: run ids of one second sort randomly)."""
    return store.query("""SELECT run_id FROM runs WHERE flow = 'analyze' AND status = 'completed'
                          ORDER BY started_at, run_id""")["run_id"].tolist()


def sizes_per_run(store: Store, kind: str) -> pd.DataFrame:
    """Topic sizes (by label, so refits compare too) for every completed analysis run."""
    return store.query(
        """SELECT t.run_id, r.finished_at, t.topic_id, t.label, t.size FROM topics t JOIN runs r USING (run_id)
           WHERE t.kind = ? AND r.status = 'completed' AND t.topic_id <> -1 ORDER BY t.run_id, t.size DESC""", [kind])


def monthly_counts(store: Store, run_id: str, kind: str) -> pd.DataFrame:
    """Insights per topic per month of the source date (when people said it, not when we crawled)."""
    return store.query(
        """SELECT t.topic_id, tp.label, strftime(d.created_at, '%Y-%m') AS month, count(*) AS n
           FROM insight_topics t JOIN topics tp USING (run_id, kind, topic_id)
           JOIN sentences s ON s.sent_id = t.sent_id JOIN documents d ON d.doc_id = s.doc_id
           WHERE t.run_id = ? AND t.kind = ? AND d.created_at IS NOT NULL AND t.topic_id <> -1
           GROUP BY ALL ORDER BY month, n DESC""", [run_id, kind])


def crawl_counts(store: Store, run_id: str, kind: str) -> pd.DataFrame:
    """Insights per topic by the crawl run that fetched their document."""
    return store.query(
        """SELECT c.run_id AS crawl_run, t.topic_id, tp.label, count(*) AS n
           FROM insight_topics t JOIN topics tp USING (run_id, kind, topic_id)
           JOIN sentences s ON s.sent_id = t.sent_id JOIN documents d ON d.doc_id = s.doc_id
           JOIN runs c ON c.flow = 'crawl' AND d.fetched_at BETWEEN c.started_at AND coalesce(c.finished_at, now())
           WHERE t.run_id = ? AND t.kind = ? AND t.topic_id <> -1
           GROUP BY ALL ORDER BY crawl_run, n DESC""", [run_id, kind])


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

    Topics that existed before but are gone now are listed as fading with size 0.
    """
    runs = analysis_runs(store)
    if not runs:
        return pd.DataFrame(columns=["topic_id", "label", "size", "previous", "flag"])
    sizes = sizes_per_run(store, kind)
    now = sizes[sizes["run_id"] == runs[-1]]
    before = sizes[sizes["run_id"] == runs[-2]] if len(runs) > 1 else sizes.iloc[:0]
    prev = dict(zip(before["label"], before["size"]))
    rows = [{"topic_id": int(r.topic_id), "label": r.label, "size": int(r.size),
             "previous": prev.get(r.label), "flag": flag(int(r.size), prev.get(r.label)) if len(runs) > 1 else "new"}
            for r in now.itertuples()]
    gone = set(prev) - set(now["label"])
    rows += [{"topic_id": None, "label": g, "size": 0, "previous": prev[g], "flag": "fading"} for g in sorted(gone)]
    return pd.DataFrame(rows, columns=["topic_id", "label", "size", "previous", "flag"])
