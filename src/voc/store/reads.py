"""Named reads: every question the stages, trends, alerts, the report and the notebook facade
ask the store, so no module outside ``voc.store`` writes SQL.

``Reads`` is mixed into ``Store``; each method needs only ``query`` and ``scalar``.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from voc.store.sql import RUN_ORDER, RUN_ORDER_DESC


class Reads:
    """Mixed into ``Store``, which provides ``query`` and ``scalar``."""

    query: Any
    scalar: Any

    # -- runs ------------------------------------------------------------------------------------
    def analysis_runs(self) -> list[str]:
        """Completed analysis runs, oldest first, in ``latest_run``'s order (so the last is the run
        every other view calls latest)."""
        return self.query(f"""SELECT run_id FROM runs WHERE flow = 'analyze' AND status = 'completed'
                              ORDER BY {RUN_ORDER}""")["run_id"].tolist()

    def completed_analysis_before(self, run_id: str) -> str | None:
        """The last completed analysis that finished before ``run_id`` did (or started, if it never
        finished)."""
        return self.scalar(
            f"""SELECT run_id FROM runs WHERE flow = 'analyze' AND status = 'completed' AND finished_at <=
                (SELECT coalesce(finished_at, started_at) FROM runs WHERE run_id = ?)
                ORDER BY {RUN_ORDER_DESC} LIMIT 1""", [run_id])

    def run_counts(self, run_id: str) -> dict[str, Any]:
        """The counts a run recorded ({} for an unknown run or one still running)."""
        raw = self.scalar("SELECT counts FROM runs WHERE run_id = ?", [run_id])
        return json.loads(raw) if raw else {}

    def documents_crawled_between(self, first_run: str, last_run: str) -> int:
        """Documents the completed crawls that started between two runs added."""
        rows = self.query(
            """SELECT counts FROM runs WHERE flow = 'crawl' AND status = 'completed'
               AND started_at > (SELECT started_at FROM runs WHERE run_id = ?)
               AND started_at < (SELECT started_at FROM runs WHERE run_id = ?)""", [first_run, last_run])
        return sum(int(json.loads(c or "{}").get("new_documents", 0)) for c in rows["counts"])

    # -- insights and topics ---------------------------------------------------------------------
    def insight_texts(self) -> list[str]:
        """The sentences behind every insight: what topic modelling embeds."""
        return self.query("SELECT DISTINCT s.text FROM insights JOIN sentences s USING (sent_id) "
                          "ORDER BY s.text")["text"].tolist()

    def sentence_texts(self, limit: int) -> list[str]:
        """Up to ``limit`` sentences, the same ones on every call (in sent_id order, a hash, so a
        spread over the corpus): enough to learn the corpus's names from."""
        return self.query("SELECT text FROM sentences ORDER BY sent_id LIMIT ?", [int(limit)])["text"].tolist()

    def insights_with_topics(self, run_id: str | None) -> pd.DataFrame:
        """Every insight with its evidence and its topic in ``run_id`` (-1: outlier or not assigned)."""
        return self.query(
            """SELECT i.sent_id, i.kind, i.aspect, i.strength, i.roles, i.confidence, i.method, s.text, s.doc_id,
                      d.url, d.source, d.created_at, d.author_hash, d.thread_id, d.rating, d.kind AS doc_kind,
                      coalesce(t.topic_id, -1) AS topic_id
               FROM insights i JOIN sentences s USING (sent_id) JOIN documents d USING (doc_id)
               LEFT JOIN insight_topics t ON t.sent_id = i.sent_id AND t.kind = i.kind AND t.run_id = ?
               ORDER BY i.sent_id, i.kind""", [run_id])

    def run_topics(self, run_id: str | None, kind: str | None = None) -> pd.DataFrame:
        """A run's topics (all kinds, or one kind largest first)."""
        if kind is None:
            return self.query("SELECT kind, topic_id, label, keywords, size FROM topics WHERE run_id = ?", [run_id])
        return self.query("SELECT topic_id, label, keywords, size FROM topics WHERE run_id = ? AND kind = ? "
                          "ORDER BY size DESC", [run_id, kind])

    def topic_assignments(self, run_id: str | None, kind: str | None = None) -> pd.DataFrame:
        """Every insight of a run with its topic (-1 for outliers): of one kind, or all with their kind."""
        if kind is None:
            return self.query("SELECT sent_id, kind, topic_id FROM insight_topics WHERE run_id = ?", [run_id])
        return self.query("SELECT sent_id, topic_id FROM insight_topics WHERE run_id = ? AND kind = ?", [run_id, kind])

    def topic_sizes_per_run(self, kind: str) -> pd.DataFrame:
        """Topic sizes of one kind in every completed run."""
        return self.query(
            """SELECT t.run_id, r.finished_at, t.topic_id, t.label, t.size FROM topics t JOIN runs r USING (run_id)
               WHERE t.kind = ? AND r.status = 'completed' AND t.topic_id <> -1
               ORDER BY t.run_id, t.size DESC""", [kind])

    def month_counts(self, run_id: str, kind: str) -> pd.DataFrame:
        """Insights per topic per month of the source date (when people said it, not when we crawled)."""
        return self.query(
            """SELECT t.topic_id, tp.label, strftime(d.created_at, '%Y-%m') AS month, count(*) AS n
               FROM insight_topics t JOIN topics tp USING (run_id, kind, topic_id)
               JOIN sentences s ON s.sent_id = t.sent_id JOIN documents d ON d.doc_id = s.doc_id
               WHERE t.run_id = ? AND t.kind = ? AND d.created_at IS NOT NULL AND t.topic_id <> -1
               GROUP BY ALL ORDER BY month, n DESC""", [run_id, kind])

    def crawl_counts(self, run_id: str, kind: str) -> pd.DataFrame:
        """Insights per topic by the crawl run that fetched their document."""
        return self.query(
            """SELECT c.run_id AS crawl_run, t.topic_id, tp.label, count(*) AS n
               FROM insight_topics t JOIN topics tp USING (run_id, kind, topic_id)
               JOIN sentences s ON s.sent_id = t.sent_id JOIN documents d ON d.doc_id = s.doc_id
               JOIN runs c ON c.flow = 'crawl' AND d.fetched_at BETWEEN c.started_at AND coalesce(c.finished_at, now())
               WHERE t.run_id = ? AND t.kind = ? AND t.topic_id <> -1
               GROUP BY ALL ORDER BY crawl_run, n DESC""", [run_id, kind])

    # -- personas and the corpus -----------------------------------------------------------------
    def attributes(self) -> pd.DataFrame:
        """Self-descriptions ("as a nurse") with their document and author."""
        # Ordered: persona cards list self-descriptions of equal count in the order they come.
        return self.query("SELECT doc_id, author_hash, attribute FROM attributes ORDER BY doc_id, attribute")

    def run_personas(self, run_id: str) -> pd.DataFrame:
        return self.query("SELECT * FROM personas WHERE run_id = ? ORDER BY persona_id", [run_id])

    def corpus_overview(self) -> pd.DataFrame:
        """One row per document: what the report's overview counts."""
        return self.query("SELECT source, kind, rating, created_at, lang FROM documents")

    def rated_review_sentences(self, low: float, high: float, pattern: str) -> pd.DataFrame:
        """Sentences of reviews rated ``low``..``high`` (0-5) whose text matches ``pattern`` (a
        regular expression), each with the sentence before it, the aspect of the most confident
        insight of either (null when it is none), and its document's link, source, date and rating.

        The sentence before is there because "Fix this and it's 5 stars" names its fix there.
        """
        return self.query(
            """WITH best AS (SELECT sent_id, arg_max(aspect, confidence) AS aspect FROM insights
                             WHERE aspect IS NOT NULL GROUP BY sent_id)
               SELECT s.sent_id, s.doc_id, s.idx, s.text, b.aspect, p.text AS prev_text,
                      pb.aspect AS prev_aspect, d.url, d.source, d.created_at, d.rating
               FROM sentences s JOIN documents d USING (doc_id)
               LEFT JOIN sentences p ON p.doc_id = s.doc_id AND p.idx = s.idx - 1
               LEFT JOIN best b ON b.sent_id = s.sent_id
               LEFT JOIN best pb ON pb.sent_id = p.sent_id
               WHERE d.kind = 'review' AND d.rating BETWEEN ? AND ? AND regexp_matches(s.text, ?)
               ORDER BY s.doc_id, s.idx""", [low, high, pattern])
