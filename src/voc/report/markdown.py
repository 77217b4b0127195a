"""The Markdown version of the report (and of single persona drafts)."""

from __future__ import annotations

from typing import Any

from voc.schema import KIND_TITLES

ARROWS = {"up": "▲ rising", "down": "▼ fading", "new": "● new", "flat": "▬ steady"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _quote(q: dict[str, Any]) -> str:
    src = f"[{q['source']}]({q['url']})" if q.get("url") else q["source"]
    date = f", {q['date']}" if q.get("date") else ""
    return f"> “{_cell(q['text'])}” — {src}{date}"


def persona_md(p: dict[str, Any]) -> list[str]:
    lines = [f"### {p['name']}", "", f"*{round(p['share'] * 100)}% of voices ({p['size']} people)*", ""]
    if p["self_descriptions"]:
        lines += ["**They describe themselves as:** " + ", ".join(s["text"] for s in p["self_descriptions"][:6]), ""]
    for kind, title in KIND_TITLES.items():
        entries = p["items"].get(kind) or []
        if not entries:
            continue
        lines += [f"**{title}**", ""]
        for it in entries[:3]:
            lines.append(f"- {it['label']} ({it['count']})")
            for q in it["quotes"][:2]:
                lines.append("  " + _quote(q))
        lines.append("")
    if p["channels"]:
        lines += ["**Where they talk:** " + ", ".join(f"{c['channel']} ({c['count']})" for c in p["channels"]), ""]
    if p["vocabulary"]:
        lines += ["**Their words:** " + ", ".join(p["vocabulary"]), ""]
    return lines


def render_markdown(ctx: dict[str, Any], only_persona: dict[str, Any] | None = None) -> str:
    if only_persona is not None:
        return "\n".join(persona_md(only_persona)) + "\n"
    o = ctx["overview"]
    lines = [
        f"# {ctx['study']['product'] or ctx['study']['name']}: what customers say", "",
        f"Study **{ctx['study']['name']}**, run {ctx['run_id']}, generated {ctx['generated']}.", "",
        "## Overview", "",
        f"- {o['documents']} documents, {o['sentences']} sentences, {o['insights']} insights",
        f"- Sources: " + (", ".join(f"{k} ({v})" for k, v in o["sources"].items()) or "none"),
        f"- Dates: {o['date_from'] or '–'} to {o['date_to'] or '–'}",
    ]
    if o["mid_rated_share"] is not None:
        lines.append(f"- Reviews: {o['reviews']}, of which {round(o['mid_rated_share'] * 100)}% mid-rated (2–4★)")
    if o["documents"] < 30:
        lines.append(f"- Only {o['documents']} documents: treat the numbers as anecdotal.")
    for kind, t in ctx["kinds"].items():
        lines += ["", f"## {t['title']} ({t['total']})", "", t["blurb"], ""]
        if not t["topics"]:
            lines.append(f"No {t['title'].lower()} were found in this corpus.")
            continue
        lines += ["| # | Theme | Mentions | Trend | Keywords |", "|---|---|---:|---|---|"]
        for i, e in enumerate(t["topics"], 1):
            lines.append(f"| {i} | {_cell(e['label'])} | {e['count']} | {ARROWS[e['trend']]} | {_cell(', '.join(e['keywords'][:5]))} |")
        lines.append("")
        for e in t["topics"][:5]:
            if e["quotes"]:
                lines += [f"**{e['label']}**", ""] + [_quote(q) for q in e["quotes"][:2]] + [""]
    lines += ["", "## Persona drafts", ""]
    if ctx["personas"]:
        for p in ctx["personas"]:
            lines += persona_md(p)
    else:
        lines.append("Not enough distinct voices to draft personas.")
    lines += ["", "## What changed since the last crawl", ""]
    if not ctx["previous_run"]:
        lines.append("First analysis of this study; trends appear from the next run on.")
    elif not ctx["changes"]:
        lines.append("No new or rising themes.")
    else:
        lines += [f"- {c['label']} ({c['kind']}): {c['count']} mentions, {c['trend']}" for c in ctx["changes"]]
    m = ctx["method"]
    lines += ["", "## Method notes", "",
              f"- spaCy `{m['spacy']}`, embeddings `{m['embedding']}`, classifier `{m['classifier']}`.",
              f"- Topics: BERTopic per kind, seed {m['seed']}, outlier budget {round(m['max_outlier_share'] * 100)}%."]
    for kind, s in m["topics"].items():
        lines.append(f"  - {KIND_TITLES[kind]}: {s['topics']} topics, {s['insights']} insights, "
                     f"{round(s['outlier_share'] * 100, 1)}% outliers ({s['method']})")
    return "\n".join(lines) + "\n"
