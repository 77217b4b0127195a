"""Everything a report shows, gathered from the store into plain dicts (shared by HTML and Markdown).

``build_context`` does the store queries; the other functions are pure functions on frames so
small cases (an empty kind, one source, ten documents) can be tested without a pipeline run.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from voc.config import StudyConfig
from voc.defaults import FEW_DOCUMENTS, QUOTE_CONFIDENCE
from voc.extract.rules import RULE_NOTE
from voc.kinds import KINDS
from voc.personas.evidence import label_quotes
from voc.report.fixes import MID_RATED, PREFILTER, stands_between
from voc.report.products import product_table
from voc.report.trends import changes_since, month_table, topic_months
from voc.schema import INSIGHT_KINDS, KIND_TITLES, voices
from voc.stages import topic_items
from voc.store import Store
from voc.topics.labels import names_nothing
from voc.trends import topic_trends

KIND_BLURBS = {k.name: k.blurb for k in KINDS}


def asks(items: pd.DataFrame) -> pd.Series | None:
    """On a Q&A corpus (mostly questions and their answers), which insights come from a question:
    the asker's own problem, need or trigger. None on other corpora, and on a study where Q&A is
    the smaller part (reviews plus a product Q&A page): ranking its review themes by askers would
    bury them."""
    kinds = items["doc_kind"] if "doc_kind" in items.columns else pd.Series(dtype=object)
    if not ((kinds == "question").any() and (kinds == "answer").any()) or kinds.isin(["question", "answer"]).mean() < 0.5:
        return None
    return kinds == "question"


def kind_tables(items: pd.DataFrame, topics: pd.DataFrame, trends: dict[tuple[str, int], str]) -> dict[str, Any]:
    """A ranked table per insight kind: theme, mentions, the people who made them, share, trend
    and quotes with links.

    Unassigned insights (topic -1) come last whatever their size: they are not a theme. On a Q&A
    corpus themes are ranked by how many askers voice them (people, not their sentences: one
    asker's nine sentences about price were read as nine askers), then by mentions, and the
    quotes come from questions first (among those ``label_quotes`` may show): what askers
    struggle with leads, not the answerers' advice.
    """
    asked = asks(items)
    voice = voices(items)
    who = voice if voice is not None else pd.Series(items.index.astype(str), index=items.index)
    tables = {}
    for kind in INSIGHT_KINDS:
        rows = items[items["kind"] == kind]
        kt = topics[topics["kind"] == kind]
        entries = []
        for t in kt.itertuples():
            members = rows[rows["topic_id"] == t.topic_id]
            if members.empty:
                continue
            in_question = None if asked is None else asked.reindex(members.index, fill_value=False)
            entries.append({
                "topic_id": int(t.topic_id), "label": t.label, "count": len(members),
                "share": round(len(members) / max(1, len(rows)), 3),
                "keywords": [str(k) for k in list(t.keywords if t.keywords is not None else [])[:6]],
                "aspects": members["aspect"].dropna().value_counts().head(3).index.tolist(),
                "trend": trends.get((kind, int(t.topic_id)), "unknown"),
                "strength": {str(k): int(v) for k, v in members["strength"].value_counts().items()}
                if kind == "must_have_feature" else {},
                # On Q&A the askers speak first (answers are often advice to someone else), after
                # the quotes that prove the label, whoever wrote them.
                "quotes": label_quotes(members, t.label, first=in_question),
                "outlier": t.topic_id == -1,
                "people": None if voice is None else int(voice[members.index].nunique()),
                "askers": None if in_question is None else int(who[members.index][in_question].nunique()),
            })
        entries.sort(key=lambda e: (e["outlier"], -(e["askers"] or 0), -e["count"], e["topic_id"]))
        themed = [e for e in entries if not e["outlier"]]
        tables[kind] = {"title": KIND_TITLES[kind], "blurb": KIND_BLURBS[kind], "total": len(rows),
                        "themes": len(themed), "topics": entries,
                        "in_questions": None if asked is None else int(asked.reindex(rows.index, fill_value=False).sum())}
    return tables


def highlights(tables: dict[str, Any]) -> list[dict[str, Any]]:
    """The top named theme of each kind with one quote: the report's first screen. "other",
    "various" or a single mention there would say nothing, so such a kind shows no theme. The
    first screen is what gets copied on, so a theme with a quote the classifier is sure of leads
    over a bigger one without, if it has at least half the mentions of the biggest."""
    out = []
    for kind, t in tables.items():
        named = [e for e in t["topics"] if not e["outlier"] and not names_nothing(e["label"]) and e["count"] >= 2]
        close = [e for e in named if 2 * e["count"] >= named[0]["count"]] if named else []
        top = next((e for e in close if e["quotes"] and e["quotes"][0].get("sure", True)), named[0] if named else None)
        out.append({"kind": kind, "title": t["title"], "total": t["total"], "label": top["label"] if top else None,
                    "count": top["count"] if top else 0, "share": top["share"] if top else 0,
                    "trend": top["trend"] if top else "unknown", "quote": top["quotes"][0] if top and top["quotes"] else None})
    return out


def overview(docs: pd.DataFrame, items: pd.DataFrame, n_sentences: int) -> dict[str, Any]:
    """Counts, sources, date range and the share of mid-rated (2–4★) reviews."""
    dates = pd.to_datetime(docs["created_at"]).dropna()
    reviews = docs[docs["kind"] == "review"]
    rated = reviews["rating"].dropna()
    sources = []
    for name, g in docs.groupby("source"):
        sources.append({"name": str(name), "documents": len(g), "kinds": sorted(g["kind"].dropna().unique().tolist()),
                        "insights": int((items["source"] == name).sum()) if not items.empty else 0})
    sources.sort(key=lambda s: (-s["documents"], s["name"]))
    return {
        "documents": len(docs), "sentences": int(n_sentences), "insights": len(items),
        "sources": {s["name"]: s["documents"] for s in sources}, "source_rows": sources,
        "doc_kinds": {str(k): int(v) for k, v in docs.groupby("kind").size().items()},
        "date_from": None if dates.empty else str(dates.min().date()),
        "date_to": None if dates.empty else str(dates.max().date()),
        "reviews": len(reviews),
        "mid_rated_share": None if rated.empty else round(float(rated.between(2, 4).mean()), 3),
        "languages": {str(k): int(v) for k, v in docs["lang"].fillna("und").value_counts().head(6).items()},
    }


def notices(o: dict[str, Any], tables: dict[str, Any], persona_diag: dict[str, Any], n_personas: int) -> list[str]:
    """Plain statements about what this corpus cannot show, so a thin report is not mistaken for a finding."""
    out = []
    if o["documents"] == 0:
        return ["The store holds no documents yet: run `voc crawl` (or `voc run`) first."]
    if o["documents"] < FEW_DOCUMENTS:
        out.append(f"Only {o['documents']} documents: treat every count below as anecdotal, not as a ranking.")
    if len(o["sources"]) == 1:
        name = next(iter(o["sources"]))
        out.append(f"All documents come from one source ({name}): this shows how that one community talks, "
                   "not the whole market. Add sources to compare.")
    if o["insights"] == 0:
        out.append("No insights were found in these documents, so there are no themes, trends or personas.")
    else:
        empty = [t["title"].lower() for t in tables.values() if t["total"] == 0]
        if empty:
            out.append(f"No {' or '.join(empty)} were found in this corpus.")
    if o["date_from"] is None and o["documents"]:
        out.append("No document has a date, so there is no timeline and no trend.")
    if not n_personas and o["insights"]:
        out.append(persona_diag.get("confidence", {}).get("text") or "Not enough distinct voices to draft personas.")
    elif n_personas == 1:
        out.append("One persona draft only: " + persona_diag.get("confidence", {}).get("text", "too few voices to split."))
    return out


def decide_quotes(process: list[dict[str, Any]], limit: int = 2) -> list[dict[str, Any]]:
    """The quotes under "How they decide", the same in the HTML and the Markdown card: one for
    each of the first roles that still has one (``buying_process`` quotes a sentence that names
    two roles only once)."""
    return [r["quotes"][0] for r in process if r.get("quotes")][:limit]


def persona_cards(personas: pd.DataFrame, diag: dict[str, Any], spacy_model: str) -> list[dict[str, Any]]:
    """Stored persona rows as dicts, with the fields the table has no column for (from diagnostics)."""
    from voc.personas.wording import interview_questions, tagline

    drafts = diag.get("drafts", {})
    cards = []
    for p in personas.itertuples():
        card = {"id": int(p.persona_id), "name": p.name, "share": float(p.share), "size": int(p.size),
                "items": json.loads(p.items), "channels": json.loads(p.channels),
                "vocabulary": json.loads(p.vocabulary), "self_descriptions": json.loads(p.self_descriptions),
                "buying_process": json.loads(p.buying_process) if isinstance(p.buying_process, str) else []}
        extra = drafts.get(str(card["id"]), {})
        card["tagline"] = extra.get("tagline") or tagline(card["items"], spacy_model)
        card["roles"] = extra.get("roles", [])
        card["interview_questions"] = extra.get("interview_questions") or interview_questions(card, spacy_model)
        card["decide_quotes"] = decide_quotes(card["buying_process"])
        cards.append(card)
    return cards


def products_section(study: StudyConfig, store: Store, run_id: str, items: pd.DataFrame,
                     topics: pd.DataFrame) -> dict[str, Any]:
    """Pains and doubts by product and competitor (voc.report.products)."""
    raw = store.meta(f"names:{run_id}")
    labels = topics.set_index(["kind", "topic_id"])["label"].to_dict() if not topics.empty else {}
    labelled = items.assign(label=[labels.get((k, t), "") for k, t in zip(items["kind"], items["topic_id"])])
    return product_table(labelled, json.loads(raw) if raw else [], study.own_products, study.competitors)


def fix_section(store: Store, docs: pd.DataFrame) -> dict[str, Any] | None:
    """What stands between mid-rated reviews and 5 stars (None when the corpus has no reviews:
    a forum study has no ratings to explain)."""
    reviews = docs[docs["kind"] == "review"]
    if reviews.empty:
        return None
    mid = int(reviews["rating"].between(*MID_RATED).sum())
    return stands_between(store.rated_review_sentences(*MID_RATED, PREFILTER) if mid else pd.DataFrame(), mid)


# What the report's method note says of each kind of classifier file (by its "format").
CLASSIFIER_METHODS = {
    "": "logistic heads over sentence embeddings, context, cue phrases and words",
    "voc-tuned": "MiniLM fine-tuned to read each sentence with its context",
    "voc-ensemble": "the mean of logistic heads over sentence embeddings, context, cue phrases and words and of "
                    "MiniLM fine-tuned to read each sentence with its context",
}


def classifier_info(study: StudyConfig) -> dict[str, Any]:
    """Name, version and per-kind thresholds of the insight classifier (study overrides win)."""
    info: dict[str, Any] = {"name": study.models.classifier, "thresholds": dict(study.extract.thresholds)}
    try:
        import numpy as np

        from voc.extract.insights import classifier_path

        path = classifier_path(study.models.classifier, study.resolve)
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
        info["version"] = meta.get("version")
        info["method"] = CLASSIFIER_METHODS.get(meta.get("format", "").rsplit("-", 1)[0], CLASSIFIER_METHODS[""])
        info["thresholds"] = {**meta.get("thresholds", {}), **info["thresholds"]}
    except Exception:  # noqa: BLE001 - method notes must never stop a report
        pass
    return info


def _previous_run(store: Store, run_id: str) -> str | None:
    # The run before in the order trends and `voc topics` use, so every view compares the same pair.
    runs = store.analysis_runs()
    if run_id in runs:
        at = runs.index(run_id)
        return runs[at - 1] if at > 0 else None
    # A run that did not complete (topics written, personas failed): the last completed run
    # that finished before it did.
    return store.completed_analysis_before(run_id)


def build_context(study: StudyConfig, store: Store, run_id: str) -> dict[str, Any]:
    """Everything the HTML and Markdown reports show for one analysis run."""
    items, topics = topic_items(store, run_id)
    docs = store.corpus_overview()
    trends, window = topic_trends(items)
    tables = kind_tables(items, topics, trends)
    diag_raw = store.meta(f"personas_diag:{run_id}")
    diag = json.loads(diag_raw) if diag_raw else {}
    cards = persona_cards(store.run_personas(run_id), diag, study.models.spacy)
    prev = _previous_run(store, run_id)
    prev_keys = None
    if prev:
        seen = store.topic_assignments(prev)
        prev_keys = set(zip(seen["sent_id"], seen["kind"]))
    changes = changes_since(items, topics, prev_keys)
    changes.update(previous_run=prev, new_documents=store.documents_crawled_between(prev, run_id) if prev else None)
    run_counts = store.run_counts(run_id)
    o = overview(docs, items, store.count("sentences"))
    return {
        "study": {"name": study.name, "product": study.product, "description": study.description},
        "run_id": run_id,
        "previous_run": prev,
        "generated": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M UTC"),
        "overview": o,
        "notices": notices(o, tables, diag, len(cards)),
        "highlights": highlights(tables),
        "kinds": tables,
        "fixes": fix_section(store, docs),
        "products": products_section(study, store, run_id, items, topics),
        "trend_window": window,
        "monthly": month_table(items),
        "topic_months": topic_months(items, tables),
        "personas": cards,
        "persona_diag": diag,
        "changes": changes,
        "method": {
            "spacy": study.models.spacy, "embedding": study.models.embedding,
            "classifier": classifier_info(study), "topics": run_counts.get("topics", {}),
            "seed": study.topics.seed, "max_outlier_share": study.topics.max_outlier_share,
            "languages": list(study.filters.languages), "quote_confidence": QUOTE_CONFIDENCE,
            "by_rule": int((items["method"] == "rule").sum()), "rule_note": RULE_NOTE,
        },
    }
