"""The Markdown version of the report (and of single persona drafts): the same content as the HTML."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from voc.defaults import QUOTE_CONFIDENCE
from voc.personas.evidence import http_url
from voc.personas.wording import LESS_OFTEN, NONE_MORE, raised
from voc.schema import KIND_TITLES

ARROWS = {"up": "▲ rising", "down": "▼ fading", "new": "● new", "flat": "▬ steady", "few": "· too few", "unknown": "–"}
QUESTION_GROUPS = (("success_factors", "Success factors"), ("perceived_barriers", "Perceived barriers"),
                   ("buyer_journey", "Buyer journey"))


_MD_SPECIAL = re.compile(r"([\\\[\]<>])")
_URL_SAFE = "/:?#@!$&'*+,;=%~"


def _md(text: Any) -> str:
    """Text from the data as Markdown that shows it and does nothing else: no raw HTML, no links,
    no line breaks that would start a new block."""
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s*\n\s*", " ", str(text)))


def _cell(text: Any) -> str:
    return _md(text).replace("|", "\\|")


def _link(text: Any, url: Any) -> str:
    """A Markdown link for http(s) URLs; any other URL leaves just the text."""
    href = http_url(url)
    if href is None:
        return _md(text)
    # Percent-encode what would end the link destination early: spaces, parentheses, angle brackets.
    return f"[{_md(text)}]({quote(href, safe=_URL_SAFE)})"


def _quote(q: dict[str, Any], indent: str = "") -> str:
    date = f", {q['date']}" if q.get("date") else ""
    unsure = "" if q.get("sure", True) else f" *(unsure, {q['confidence']:.2f}: check before use)*"
    return f"{indent}> “{_cell(q['text'])}” — {_link(q['source'], q.get('url'))}{date}{unsure}"


def persona_md(p: dict[str, Any], unit: str = "people", level: int = 3) -> list[str]:
    """One persona draft: name, share, self-descriptions, items per kind with quotes, who decides, channels,
    vocabulary and interview questions."""
    h = "#" * level
    lines = [f"{h} {_md(p['name'])}", ""]
    if p.get("tagline"):
        lines += [f"*{_md(p['tagline'])}*", ""]
    lines += [f"**{round(p['share'] * 100)}% of voices** ({p['size']} {unit})", ""]
    if p["self_descriptions"]:
        lines += ["**They describe themselves as:** " + ", ".join(f"“{_md(s['text'])}”" for s in p["self_descriptions"][:6]), ""]
    shown = raised(p["items"])
    for kind, title in KIND_TITLES.items():
        more, less = shown[kind]["more"], shown[kind]["less"]
        lines += [f"**{title}**", ""]
        if not more and not less:
            lines += ["- none voiced by this segment", ""]
            continue
        if not more:
            lines += [f"- {NONE_MORE}", ""]
        for it in more:
            lines += [f"- {_md(it['label'])} ({it['count']})", ""]
            for q in it["quotes"][:3]:  # a blank line between quotes keeps them separate blockquotes
                lines += [_quote(q, "  "), ""]
        if less:
            lines += [f"- {LESS_OFTEN}: " + ", ".join(f"{_md(it['label'])} ({it['count']})" for it in less), ""]
    roles = p.get("buying_process") or []
    if roles:  # as the HTML card: the roles named, then their quotes
        lines += ["**How they decide:** " + ", ".join(f"{r['role'].replace('_', ' ')} ({r['count']})" for r in roles), ""]
        lines += [line for q in p.get("decide_quotes") or [] for line in (_quote(q), "")]
    else:
        lines += ["**How they decide:** nobody in this segment said who else took part or how they decided: ask in interviews", ""]
    if p["channels"]:
        lines += ["**Where they talk:** " + ", ".join(f"{_md(c['channel'])} ({c['count']})" for c in p["channels"]), ""]
    if p["vocabulary"]:
        lines += ["**Their words:** " + ", ".join(map(_md, p["vocabulary"])), ""]
    questions = p.get("interview_questions") or {}
    if questions:
        lines += ["**Questions to validate this draft**", ""]
        for key, title in QUESTION_GROUPS:
            lines += [f"*{title}*", ""] + [f"{i}. {_md(q)}" for i, q in enumerate(questions.get(key, []), 1)] + [""]
    return lines


def _overview(ctx: dict[str, Any]) -> list[str]:
    o = ctx["overview"]
    lines = ["## Overview", ""]
    if ctx.get("notices"):
        lines += ["**Read this first:**", ""] + [f"- {_md(n)}" for n in ctx["notices"]] + [""]
    lines += [
        f"- {o['documents']} documents, {o['sentences']} sentences, {o['insights']} insights",
        "- Sources: " + (", ".join(f"{_md(s['name'])} ({s['documents']} documents: {_md(', '.join(s['kinds']))})"
                                   for s in o.get("source_rows", [])) or "none"),
        f"- Dates: {o['date_from'] or '–'} to {o['date_to'] or '–'}",
    ]
    if o["mid_rated_share"] is not None:
        lines.append(f"- Reviews: {o['reviews']}, of which {round(o['mid_rated_share'] * 100)}% mid-rated (2–4★)")
    lines += ["", "### At a glance", ""]
    for h in ctx.get("highlights", []):
        if h["label"]:
            lines.append(f"- **{h['title']}** ({h['total']}): leading theme *{_md(h['label'])}*, {h['count']} mentions, {ARROWS[h['trend']]}")
        elif h["total"]:
            lines.append(f"- **{h['title']}** ({h['total']}): too few or too varied to form a named theme yet")
        else:
            lines.append(f"- **{h['title']}**: none found")
    return lines + [""]


# What the table and the quotes call the insights no theme took (topic -1).
UNGROUPED = "Not grouped into a theme"


def _kind(t: dict[str, Any], window: dict[str, Any], method: str | None = None) -> list[str]:
    lines = [f"## {t['title']} ({t['total']})", "", t["blurb"], ""]
    if not t["topics"]:
        return lines + [f"No {t['title'].lower()} were found in this corpus.", ""]
    if method == "aspect-groups":
        lines += [f"Too few distinct {t['title'].lower()} to find themes in; they are grouped by the aspect "
                  "they mention instead, where at least two mention it.", ""]
    if window.get("from") and not window.get("reason"):
        lines += [f"Trend: share of mentions after {window['from']} (last {window['days']} days) against before.", ""]
    qa = t.get("in_questions") is not None
    if qa:
        lines += [f"A Q&A corpus: themes are ranked by how many askers raise them ({t['in_questions']} of "
                  f"{t['total']} mentions are in questions), and of equally sure quotes those from questions come "
                  "first.", ""]
    # People beside mentions: one person's nine sentences are nine mentions but one voice.
    people = any(e.get("people") is not None for e in t["topics"])
    lines += [f"| # | Theme | Mentions |{' People |' if people else ''}{' Askers |' if qa else ''} Share | Trend | "
              "Keywords |", f"|---|---|---:|{'---:|' if people else ''}{'---:|' if qa else ''}---:|---|---|"]
    for i, e in enumerate(t["topics"], 1):
        label = UNGROUPED if e["outlier"] else e["label"]
        cells = (f" {e['people']} |" if people else "") + (f" {e['askers']} |" if qa else "")
        lines.append(f"| {'–' if e['outlier'] else i} | {_cell(label)} | {e['count']} |{cells} "
                     f"{round(e['share'] * 100, 1)}% | {ARROWS[e['trend']]} | {_cell(', '.join(e['keywords'][:5]))} |")
    lines.append("")
    # Every row the table lists gets its evidence: a theme without quotes cannot be handed on, and
    # a kind too small to group would otherwise show none.
    for e in t["topics"]:
        if e["quotes"]:
            title = UNGROUPED if e["outlier"] else _md(e["label"])
            lines += [f"**{title}**", ""] + [x for q in e["quotes"][:3] for x in (_quote(q), "")]
    return lines


def _products(p: dict[str, Any] | None) -> list[str]:
    """Pains and doubts by product and competitor; nothing when no name is discussed."""
    if not p or not p["rows"]:
        return []
    lines = ["## Products and competitors", "",
             ("The study's own products and its competitors." if p["listed"] else
              "Names the corpus itself shows, most discussed first (set `own_products` and `competitors` under "
              "`[study]` to choose)."), "",
             "| Name | Documents | Pain points | Objections | Top pain themes | Top doubts |", "|---|---:|---:|---:|---|---|"]
    for r in p["rows"]:
        themes = [", ".join(f"{th['label']} ({th['count']})" for th in r["themes"][k]) or "–"
                  for k in ("pain_point", "objection")]
        name = r["name"] + (f" ({r['role']})" if r["role"] != "mentioned" else "")
        lines.append(f"| {_cell(name)} | {r['documents']} | {r['kinds'].get('pain_point', 0)} | "
                     f"{r['kinds'].get('objection', 0)} | {_cell(themes[0])} | {_cell(themes[1])} |")
    return lines + [""]


def _fixes(f: dict[str, Any] | None) -> list[str]:
    """What stands between mid-rated reviews and 5 stars; nothing when the corpus has no reviews."""
    if f is None:
        return []
    lines = ["## What stands between them and 5 stars", ""]
    if f["note"]:
        return lines + [_md(f["note"]), ""]
    lines += [f"{f['reviewers']} of {f['mid_rated_reviews']} mid-rated (2–4★) reviews say what their missing stars are "
              "for, grouped by what is missing.", "",
              "| # | What is missing | Reviews | Their rating | In their words |", "|---|---|---:|---:|---|"]
    for i, g in enumerate(f["groups"][:15], 1):
        lines.append(f"| {i} | {_cell(g['label'])} | {g['reviewers']} | {g['rating']}★ | {_cell(g['quotes'][0]['fix'])} |")
    if len(f["groups"]) > 15:
        lines.append(f"\n{len(f['groups']) - 15} more things that reviews name are listed in exports/fixes.csv.")
    lines.append("")
    for g in f["groups"][:15]:
        lines += [f"**{_md(g['label'])}**", ""]
        for q in g["quotes"][:3]:
            lines += [_quote(q) + f", {q['rating']:g}★", ""]
    return lines


def _changes(ctx: dict[str, Any]) -> list[str]:
    c = ctx["changes"]
    lines = ["## What changed since the last crawl", ""]
    if c["status"] == "first":
        return lines + ["This is the first analysis of this study; the next run will show new and rising themes.", ""]
    if c["status"] == "none":
        return lines + [f"No new insights since run {ctx['previous_run']} ({c.get('new_documents') or 0} new documents): nothing changed.", ""]
    lines += [f"Since run {ctx['previous_run']}: {c.get('new_documents') or 0} new documents, {c['new_insights']} new insights.", ""]
    if not c["themes"]:
        return lines + ["The new insights fit the existing themes in the same proportions: no new or rising themes.", ""]
    return lines + [f"- {_md(t['label'])} ({t['kind']}): {t['status']}, {t['new']} new of {t['count']} mentions" for t in c["themes"]] + [""]


def _method(ctx: dict[str, Any]) -> list[str]:
    m, d = ctx["method"], ctx.get("persona_diag", {})
    clf = m["classifier"]
    thresholds = ", ".join(f"{KIND_TITLES.get(k, k)} {v}" for k, v in clf.get("thresholds", {}).items())
    lines = ["## Method notes", "",
             f"- Models: spaCy `{m['spacy']}`, embeddings `{m['embedding']}`, classifier `{clf['name']}`"
             + (f" (version {clf['version']})" if clf.get("version") else "") + (f": {clf['method']}" if clf.get("method") else "")
             + (f"; thresholds {thresholds}" if thresholds else "") + "."
             + (f" {m['by_rule']} objection{'s were' if m['by_rule'] != 1 else ' was'} {m['rule_note']}" if m.get("by_rule") else ""),
             f"- Themes: BERTopic per kind, seed {m['seed']}, outlier budget {round(m['max_outlier_share'] * 100)}% (for kinds clustered into "
             "themes; a kind grouped by aspect leaves out what names no aspect or an aspect only one insight names)."]
    for kind, s in m["topics"].items():
        lines.append(f"  - {KIND_TITLES[kind]}: {s['topics']} themes, {s['insights']} insights, "
                     f"{round(s['outlier_share'] * 100, 1)}% outliers ({s['method']})")
    if d.get("per_k"):
        scores = "; ".join(f"k={r['k']}: silhouette {r['silhouette']}, stability {r['stability']}" for r in d["per_k"])
        why = ("was lopsided" if d.get("themes_stability") is None else
               f"was reproduced only at an adjusted Rand index of {d['themes_stability']:.2f}")
        space = (f" (that split {why}, so each voice was placed at the mean of its themes' embedding "
                 "centroids and split there)" if d.get("space") == "theme embeddings" else "")
        lines.append(f"- Personas: k-means over each {d.get('voice_unit', 'author')}'s themes{space}; k = best silhouette × "
                     f"stability (mean adjusted Rand index against 80% subsamples). {scores}.")
    if d.get("confidence"):
        lines.append(f"- {_md(d['confidence']['text'])}")
    return lines + ["- Quotes: the most confident readable sentences of a theme, one per document first, each linked to its source. "
                   f"Where the classifier is sure (confidence {QUOTE_CONFIDENCE} or more) of some of a theme's sentences, "
                   "only those are quoted; a theme it is sure of nowhere shows one quote, marked unsure: content leads found 10 of "
                   "18 such quotes in the reports of two real corpora filed under the wrong kind, so check it before you use it.", ""]


def render_markdown(ctx: dict[str, Any], only_persona: dict[str, Any] | None = None) -> str:
    """The whole report as Markdown, or one persona draft when only_persona is given."""
    unit = "threads" if ctx.get("persona_diag", {}).get("voice_unit") == "thread" else "people"
    if only_persona is not None:
        return "\n".join(persona_md(only_persona, unit, level=1)) + "\n"
    lines = [f"# {_md(ctx['study']['product'] or ctx['study']['name'])}: what customers say", "",
             f"Study **{_md(ctx['study']['name'])}**, run {ctx['run_id']}, generated {ctx['generated']}.", ""]
    lines += _overview(ctx)
    for kind, t in ctx["kinds"].items():
        lines += _kind(t, ctx.get("trend_window", {}), ctx["method"]["topics"].get(kind, {}).get("method"))
    lines += _products(ctx.get("products"))
    lines += _fixes(ctx.get("fixes"))
    lines += ["## Persona drafts", ""]
    if ctx["personas"]:
        conf = ctx.get("persona_diag", {}).get("confidence", {}).get("text")
        lines += ["Segments grouped by the needs and triggers people voice. Low-fidelity drafts from public "
                  "conversations: validate them in interviews.", ""] + ([f"> {_md(conf)}", ""] if conf else [])
        for p in ctx["personas"]:
            lines += persona_md(p, unit)
    else:
        lines += ["No persona drafts. " + _md(ctx.get("persona_diag", {}).get("confidence", {}).get("text")
                                               or "Not enough distinct voices to draft personas."), ""]
    lines += _changes(ctx) + _method(ctx)
    return "\n".join(lines)
