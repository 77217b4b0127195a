"""Everything a report shows, gathered from the store into plain dicts (shared by HTML and Markdown)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from voc.config import Study
from voc.evidence import pick_quotes
from voc.schema import INSIGHT_KINDS, KIND_TITLES
from voc.stages import topic_items
from voc.store import Store

KIND_BLURBS = {
    "pain_point": "Problems and frustrations people describe: topics to write about.",
    "objection": "Reasons people hesitate, refuse or leave: objections to answer.",
    "purchase_trigger": "Events that start a search or purchase: moments to time campaigns around.",
    "must_have_feature": "Capabilities people require or request: features to lead with.",
}


def _date(v: Any) -> str | None:
    return None if v is None or pd.isna(v) else str(pd.Timestamp(v).date())


def previous_run(store: Store, run_id: str) -> str | None:
    return store.scalar(
        """SELECT run_id FROM runs WHERE flow = 'analyze' AND status = 'completed' AND run_id < ?
           ORDER BY run_id DESC LIMIT 1""", [run_id])


def trend(now: int, before: int | None) -> str:
    if before is None:
        return "new"
    if now >= before * 1.2 + 1:
        return "up"
    if now <= before * 0.8 - 1:
        return "down"
    return "flat"


def kind_tables(items: pd.DataFrame, topics: pd.DataFrame, prev_sizes: dict[tuple[str, str], int]) -> dict[str, Any]:
    tables = {}
    for kind in INSIGHT_KINDS:
        rows = items[items["kind"] == kind]
        kt = topics[topics["kind"] == kind].sort_values(["size", "topic_id"], ascending=[False, True])
        entries = []
        for t in kt.itertuples():
            members = rows[rows["topic_id"] == t.topic_id]
            if members.empty:
                continue
            aspects = members["aspect"].dropna().value_counts().head(3).index.tolist()
            entries.append({
                "topic_id": int(t.topic_id), "label": t.label, "count": len(members),
                "share": round(len(members) / max(1, len(rows)), 3),
                "keywords": list(t.keywords)[:6], "aspects": aspects,
                "trend": trend(len(members), prev_sizes.get((kind, t.label))),
                "strength": members["strength"].value_counts().to_dict() if kind == "must_have_feature" else {},
                "quotes": pick_quotes(members), "outlier": t.topic_id == -1,
            })
        tables[kind] = {"title": KIND_TITLES[kind], "blurb": KIND_BLURBS[kind], "total": len(rows), "topics": entries}
    return tables


def monthly(items: pd.DataFrame) -> list[dict[str, Any]]:
    dated = items.dropna(subset=["created_at"])
    if dated.empty:
        return []
    month = pd.to_datetime(dated["created_at"]).dt.to_period("M").astype(str)
    table = pd.crosstab(month, dated["kind"]).reindex(columns=list(INSIGHT_KINDS), fill_value=0)
    return [{"month": m, **{k: int(v) for k, v in row.items()}} for m, row in table.iterrows()]


def build_context(study: Study, store: Store, run_id: str) -> dict[str, Any]:
    items, topics = topic_items(store, run_id)
    docs = store.query("SELECT source, kind, rating, created_at, lang FROM documents")
    prev = previous_run(store, run_id)
    prev_sizes: dict[tuple[str, str], int] = {}
    if prev:
        for r in store.query("SELECT kind, label, size FROM topics WHERE run_id = ?", [prev]).itertuples():
            prev_sizes[(r.kind, r.label)] = int(r.size)
    tables = kind_tables(items, topics, prev_sizes)
    reviews = docs[docs["kind"] == "review"]
    personas = store.query("SELECT * FROM personas WHERE run_id = ? ORDER BY persona_id", [run_id])
    persona_list = []
    for p in personas.itertuples():
        persona_list.append({
            "id": int(p.persona_id), "name": p.name, "share": float(p.share), "size": int(p.size),
            "items": json.loads(p.items), "channels": json.loads(p.channels),
            "vocabulary": json.loads(p.vocabulary), "self_descriptions": json.loads(p.self_descriptions),
        })
    diag_raw = store.meta(f"personas_diag:{run_id}")
    run = store.query("SELECT counts FROM runs WHERE run_id = ?", [run_id])
    run_counts = json.loads(run["counts"].iloc[0]) if not run.empty and run["counts"].iloc[0] else {}
    changes = [
        {"kind": KIND_TITLES[k], "label": e["label"], "count": e["count"], "trend": e["trend"]}
        for k, t in tables.items() for e in t["topics"] if not e["outlier"] and e["trend"] in ("new", "up")
    ] if prev else []
    dates = pd.to_datetime(docs["created_at"].dropna())
    return {
        "study": {"name": study.name, "product": study.product, "description": study.description},
        "run_id": run_id,
        "previous_run": prev,
        "generated": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M UTC"),
        "overview": {
            "documents": len(docs),
            "sentences": store.count("sentences"),
            "insights": len(items),
            "sources": docs.groupby("source").size().sort_values(ascending=False).to_dict(),
            "doc_kinds": docs.groupby("kind").size().to_dict(),
            "date_from": None if dates.empty else str(dates.min().date()),
            "date_to": None if dates.empty else str(dates.max().date()),
            "reviews": len(reviews),
            "mid_rated_share": None if reviews.empty else round(float(reviews["rating"].between(2, 4).mean()), 3),
            "languages": docs["lang"].fillna("und").value_counts().head(6).to_dict(),
        },
        "kinds": tables,
        "monthly": monthly(items),
        "personas": persona_list,
        "persona_diag": json.loads(diag_raw) if diag_raw else {},
        "changes": changes,
        "method": {
            "spacy": study.models.spacy, "embedding": study.models.embedding,
            "classifier": study.models.classifier, "thresholds": study.extract.thresholds,
            "topics": run_counts.get("topics", {}), "seed": study.topics.seed,
            "max_outlier_share": study.topics.max_outlier_share,
        },
    }
