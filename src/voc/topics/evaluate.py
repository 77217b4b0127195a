"""Topic quality numbers: topics, outlier share, NPMI coherence and diversity, for voc's settings
and for BERTopic with library defaults on the same insights and embeddings."""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np
import pandas as pd

from voc.defaults import DEFAULT_RUNS
from voc.topics.coherence import Coherence, diversity

REDUCED = "defaults, budget"  # the default fits with outliers reduced to voc's budget
SEEDS = "voc, seeds"  # voc averaged over as many seeds as the defaults get fits


def npmi(topic_words: list[list[str]], texts: list[str], top_n: int = 10) -> float:
    """Mean NPMI of each topic's top words, the texts themselves as reference corpus."""
    return Coherence(texts).npmi(topic_words, top_n)


def topic_words(topics: np.ndarray, texts: list[str], top_n: int = 10) -> list[list[str]]:
    """Top words per topic by class-based TF-IDF over stop-word-filtered unigrams.

    Both models' partitions get their words this same way, so the comparison measures the
    topics themselves, not how each model chooses to describe them (BERTopic's defaults keep
    stop words such as "the" and "it" as keywords, which co-occur everywhere and flatter NPMI).
    """
    return Coherence(texts).topic_words(topics, top_n)


def describe(topics: np.ndarray, texts: list[str], coherence: Coherence | None = None) -> dict[str, Any]:
    coherence = coherence or Coherence(texts)
    words = coherence.topic_words(topics)
    return {"topics": len(words), "outlier_share": round(float((topics == -1).mean()), 4),
            "npmi": coherence.npmi(words), "diversity": diversity(words)}


def _mean(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Averages over fits; coherence and diversity only over the fits that found a topic to score."""
    found = [r for r in rows if r["topics"] and r["npmi"] == r["npmi"]]

    def avg(key: str, among: list[dict[str, Any]]) -> float:
        return round(float(np.mean([r[key] for r in among])), 4) if among else float("nan")

    return {"topics": round(float(np.mean([r["topics"] for r in rows])), 1), "outlier_share": avg("outlier_share", rows),
            "npmi": avg("npmi", found), "diversity": avg("diversity", found),
            "npmi_sd": round(float(np.std([r["npmi"] for r in found])), 4) if found else float("nan"),
            "runs": len(rows), "with_topics": len(found)}


def compare(kind: str, ins: pd.DataFrame, emb: np.ndarray, study: Any, embedding_model: Any = None,
            default_runs: int = DEFAULT_RUNS) -> list[dict[str, Any]]:
    """voc's topic model and BERTopic's defaults on the same insights, side by side.

    Rows: "voc" is the study's own fit (its seed: the topics users see); "voc, seeds" averages
    ``default_runs`` fits from the study's seed on, since on a few hundred insights one seed can
    land well above or below voc's typical coherence; the defaults are averaged over
    ``default_runs`` fits, once as fitted and once with their outliers moved to the nearest topic
    (as voc does) until at most ``max_outlier_share`` remain.
    """
    from bertopic import BERTopic

    from voc.topics.fit import fit_topics, reduce_outliers

    order = np.argsort(ins["sent_id"].to_numpy(), kind="stable")
    ins, emb = ins.iloc[order].reset_index(drop=True), emb[order]
    texts = ins["text"].tolist()
    # The study's stop words (brand names...) are out of the vocabulary for both sides, as when fitting.
    coherence = Coherence(texts, study.topics.stop_words)
    settings = study.topics
    ours: list[dict[str, Any] | None] = []  # None: that seed's fit fell back to aspect groups
    for seed in range(settings.seed, settings.seed + max(1, default_runs)):
        fit = fit_topics(kind, ins, emb, settings.model_copy(update={"seed": seed}), embedding_model)
        ours.append(None if fit.model is None else describe(fit.assignments["topic_id"].to_numpy(), texts, coherence))
    rows = []
    if ours[0] is not None:
        rows.append({"kind": kind, "model": "voc", **ours[0], "runs": 1})
    modelled = [r for r in ours if r is not None]
    if len(ours) > 1 and modelled:
        rows.append({"kind": kind, "model": SEEDS, **_mean(modelled)})
    fits, reduced = [], []
    budget = settings.max_outlier_share
    for _ in range(default_runs):
        try:
            topics, _ = BERTopic().fit_transform(texts, embeddings=emb)
        except (ValueError, TypeError) as err:  # the defaults need more data than small corpora have
            rows.append({"kind": kind, "model": "bertopic-defaults", "topics": 0, "outlier_share": float("nan"),
                         "npmi": float("nan"), "diversity": float("nan"), "error": str(err)[:120]})
            return rows
        fits.append(describe(np.asarray(topics), texts, coherence))
        # The same fits held to voc's outlier budget: coherence at equal coverage, since the
        # defaults often score well by leaving a third or half of the insights unassigned.
        reduced.append(describe(reduce_outliers(emb, np.asarray(topics), budget), texts, coherence))
    rows.append({"kind": kind, "model": "bertopic-defaults", **_mean(fits)})
    rows.append({"kind": kind, "model": REDUCED, **_mean(reduced)})
    return rows


def comparison_lines(store: Any, study: Any, kinds: list[str], runs: int = DEFAULT_RUNS) -> Iterator[str]:
    """`voc topics --evaluate`: a table of ``compare`` per kind on a study's insights."""
    from voc.embed import embed_cached, get_embedder

    embedder = get_embedder(study.models.embedding)
    yield f"{'kind':<20}{'model':<20}{'topics':>7}{'outliers':>10}{'NPMI':>8}{'diversity':>10}"
    for k in kinds:
        ins = store.insights_frame(k)
        if len(ins) < 12:
            yield f"{k:<20}{'(too few insights)':<20}"
            continue
        for r in compare(k, ins, embed_cached(ins["text"].tolist(), embedder, store), study, embedder.model,
                         default_runs=runs):
            spread = f"  (mean of {r['runs']} fits, NPMI sd {r['npmi_sd']:.3f})" if r.get("runs", 1) > 1 else ""
            if r.get("with_topics", r.get("runs", 1)) < r.get("runs", 1):
                spread = (f"  (none of {r['runs']} fits found a topic)" if not r["with_topics"] else
                          f"  (mean of {r['runs']} fits; {r['with_topics']} found topics, NPMI over those)")
            yield (f"{r['kind']:<20}{r['model']:<20}{r['topics']:>7}{r['outlier_share']:>10.1%}{r['npmi']:>8.3f}"
                   f"{r['diversity']:>10.3f}{spread}")
