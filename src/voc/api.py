"""`voc.Study`: the notebook facade. Frames for analysts, the BERTopic object for tuning.

    from voc.api import Study
    study = Study.open("examples/demo/study.toml")
    study.insights("pain_point").head()
    model = study.topic_model("pain_point")      # a BERTopic object
    study.merge_topics("pain_point", [2, 5], label="battery drain")
    study.save_topics("pain_point")               # kept by every later `voc run`
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from voc.errors import VocError
from voc.schema import INSIGHT_KINDS


class Study:
    """One study: its config, its store, and topic tuning sessions per insight kind."""

    def __init__(self, path: str | Path):
        from voc.store.shared import study_and_store

        self.config, self.store = study_and_store(str(path))
        self._sessions: dict[str, Any] = {}

    @classmethod
    def open(cls, path: str | Path) -> "Study":
        return cls(path)

    # -- frames ------------------------------------------------------------------------------
    def documents(self) -> pd.DataFrame:
        return self.store.documents()

    def runs(self) -> pd.DataFrame:
        return self.store.runs()

    def latest_run(self) -> str:
        run = self.store.latest_run("analyze")
        if run is None:
            raise VocError(f"study {self.config.name}: not analysed yet; run `voc run {self.config.path}`")
        return run

    def insights(self, kind: str | None = None, run_id: str | None = None) -> pd.DataFrame:
        """Insights with quote, link, date, what found them (``method``) and the topic they got in a run
        (latest by default)."""
        self._kind(kind, allow_none=True)
        from voc.stages import topic_items

        items, topics = topic_items(self.store, run_id or self.latest_run())
        items = items.merge(topics[["kind", "topic_id", "label"]].rename(columns={"label": "topic"}),
                            on=["kind", "topic_id"], how="left")
        return items[items["kind"] == kind].reset_index(drop=True) if kind else items

    def topics(self, kind: str, run_id: str | None = None) -> pd.DataFrame:
        self._kind(kind)
        return self.store.run_topics(run_id or self.latest_run(), kind)

    def trends(self, kind: str) -> pd.DataFrame:
        """The latest run's topics flagged new / rising / steady / fading / merged against the run before."""
        from voc.trends import topic_flags

        self._kind(kind)
        return topic_flags(self.store, kind)

    def topic_counts(self, kind: str, by: str = "month", run_id: str | None = None) -> pd.DataFrame:
        """Insights per topic of a run (latest by default) per month of the source date
        (``by="month"``) or per crawl run that fetched them (``by="crawl"``), in long form:
        ``.pivot_table(index="label", columns="month", values="n", fill_value=0)`` makes a grid
        (``columns="crawl_run"`` for crawls)."""
        from voc.trends import crawl_counts, monthly_counts

        self._kind(kind)
        counts = {"month": monthly_counts, "crawl": crawl_counts}
        if by not in counts:
            raise VocError(f"topic_counts: by must be 'month' or 'crawl', not {by!r}")
        return counts[by](self.store, run_id or self.latest_run(), kind)

    # -- tuning ------------------------------------------------------------------------------
    def session(self, kind: str) -> Any:
        """The tuning session for a kind: built from the store on first use."""
        self._kind(kind)
        if kind not in self._sessions:
            self._sessions[kind] = self._build_session(kind)
        return self._sessions[kind]

    def topic_model(self, kind: str) -> Any:
        """The BERTopic object behind a kind's topics, with every edit of this session applied."""
        return self.session(kind).model

    def merge_topics(self, kind: str, topic_ids: list[int], label: str | None = None) -> int:
        return self.session(kind).merge(topic_ids, label)

    def rename_topic(self, kind: str, topic_id: int, label: str) -> None:
        self.session(kind).rename(topic_id, label)

    def split_topic(self, kind: str, topic_id: int, seed_words: list[str], label: str | None = None) -> int:
        return self.session(kind).split(topic_id, seed_words, label)

    def add_themes(self, kind: str, themes: list[str], min_similarity: float = 0.45) -> dict[str, int]:
        return self.session(kind).add_themes(themes, min_similarity)

    def tuned_topics(self, kind: str) -> pd.DataFrame:
        return self.session(kind).topic_frame()

    def save_topics(self, kind: str) -> Path:
        """Save the tuned model to models/<study>/topics/<kind>/; later runs place new insights with it."""
        from voc.topics.saved import save_tuned

        s = self.session(kind)
        return save_tuned(s.tuned(), s.embeddings, self.config.models_dir, self.config.name, s.model,
                          self.config.models.embedding)

    def run(self, refit_topics: bool = False) -> dict:
        """Crawl, analyse, report and alert, in this process, e.g. after saving tuned topics: the
        same stage functions a scheduled run calls (sources one after another, no retries).
        ``refit_topics``: refit every kind's topics instead of placing a few new insights in them."""
        from voc import stages
        from voc.alerts import alert_after_run
        from voc.crawl import crawl_study
        from voc.privacy.redact import redact
        from voc.report import write_report

        self._sessions.clear()
        crawl = crawl_study(self.config, self.store)
        analysis = stages.analyze(self.config, self.store, refit_topics=refit_topics)
        report = {k: str(v) for k, v in write_report(self.config, self.store, analysis["run_id"]).items()}
        try:
            alerts = alert_after_run(self.config, self.store, report["html"])
        except Exception as err:  # as in a scheduled run: a notification that did not go out costs nothing else
            alerts = {"alerts": None, "sent": 0, "error": redact(str(err))}
        return {"run_id": analysis["run_id"], "crawl": crawl, "analyze": analysis, "report": report, "alerts": alerts}

    # -- internals ---------------------------------------------------------------------------
    def _kind(self, kind: str | None, allow_none: bool = False) -> None:
        if kind is None and allow_none:
            return
        if kind not in INSIGHT_KINDS:
            raise VocError(f"unknown insight kind {kind!r}; use one of {', '.join(INSIGHT_KINDS)}")

    def _build_session(self, kind: str) -> Any:
        from voc.embed import embed_cached, get_embedder
        from voc.topics.runs import study_settings
        from voc.topics.saved import load_saved
        from voc.topics.tuning import open_session

        cfg = self.config
        embedder = get_embedder(cfg.models.embedding)
        ins = self.store.insights_frame(kind)
        if ins.empty:
            raise VocError(f"study {cfg.name}: no {kind} insights to tune")
        emb = embed_cached(ins["text"].tolist(), embedder, self.store)
        try:
            return open_session(kind, ins, emb, study_settings(cfg, self.store), load_saved(cfg.models_dir, kind),
                                embedder)
        except VocError as err:
            raise VocError(f"study {cfg.name}: {err}") from None
