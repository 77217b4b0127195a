"""Persona cards: each segment described by its top items per kind with counts and quotes,
channels, vocabulary and the self-descriptions its authors gave, with a working name, a tagline
and interview questions to validate it (``voc.personas.wording``). The segmenting itself is
``voc.personas.segments``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from voc.defaults import MIN_ROLE_SHARE
from voc.kinds import BUYING_ROLES
from voc.personas.evidence import channel_of, label_quotes, pick_quotes, quote_text, role_of
from voc.personas.phrases import VoicePhrases
from voc.personas.segments import confidence, most_segments, segmenting, split, voice_matrix, voice_unit
from voc.personas.wording import DEFAULT_SPACY, copied_name, interview_questions, persona_name, tagline
from voc.schema import INSIGHT_KINDS, KIND_TITLES, voices


def describe(members: pd.DataFrame, everyone: pd.DataFrame, attrs: pd.DataFrame,
             topic_labels: dict, lift: dict[tuple[str, str], float], phrases: VoicePhrases) -> dict[str, Any]:
    """Top topics per kind with counts, lift and quotes; channels, vocabulary (from everyone's
    ``phrases``, read once for all segments), self-descriptions, roles."""
    items: dict[str, list[dict[str, Any]]] = {}
    for kind in INSIGHT_KINDS:
        rows = members[members["kind"] == kind]
        sizes = rows.groupby("topic_key").size()
        # What sets the segment apart first: ranked by size alone, every card would open with the
        # corpus's biggest themes and the personas would read alike.
        order = sorted(sizes.index, key=lambda key: (-lift.get((kind, key), 1.0) * np.log1p(sizes[key]), key))
        items[kind] = [{
            "topic_id": key, "label": topic_labels.get((kind, key), str(key)), "count": int(sizes[key]),
            "lift": round(lift.get((kind, key), 1.0), 2),
            "quotes": label_quotes(rows[rows["topic_key"] == key], topic_labels.get((kind, key), "")),
        } for key in order[:5]]
    docs = members.drop_duplicates("doc_id")
    channels = Counter(channel_of(s, u) for s, u in docs[["source", "url"]].itertuples(index=False))
    mine = attrs[attrs["voice"].isin(set(members["voice"]))] if not attrs.empty else attrs
    selfdesc = Counter(mine["attribute"]) if not mine.empty else Counter()
    roles: list[str] = []
    if not mine.empty:
        # A role names the segment only when enough of its voices share it (two, and at least
        # MIN_ROLE_SHARE: 6 "avid readers" among 5,858 game reviewers named that segment) and it
        # is clearly more common here than elsewhere.
        here = mine.drop_duplicates(["voice", "role"])["role"].value_counts()
        overall = attrs.drop_duplicates(["voice", "role"])["role"].value_counts()
        n_here, n_all = members["voice"].nunique(), everyone["voice"].nunique()
        least = max(2, MIN_ROLE_SHARE * n_here)
        roles = [r for r, c in here.items() if c >= least and (c / n_here) / (overall[r] / n_all) >= 1.5]
    return {
        "items": items,
        "buying_process": buying_process(members),
        "channels": [{"channel": c, "count": n} for c, n in channels.most_common(6)],
        "vocabulary": phrases.distinctive(set(members["voice"])),
        "self_descriptions": [{"text": t, "count": n} for t, n in selfdesc.most_common(8)],
        "roles": roles[:3],
    }


def buying_process(members: pd.DataFrame) -> list[dict[str, Any]]:
    """Who takes part in the segment's decisions: each buying role its voices name, how many
    sentences name it and one quote not already given to a role listed before it, most named first."""
    if "roles" not in members.columns:
        return []
    rows = members[(members["kind"] == "buying_role") & members["roles"].notna()]
    named = {role: rows[rows["roles"].str.split(";").map(lambda rs, r=role: r in rs)] for role in BUYING_ROLES}
    order = sorted((r for r in BUYING_ROLES if len(named[r])), key=lambda r: (-len(named[r]), BUYING_ROLES.index(r)))
    out, shown = [], set()
    for role in order:
        # One sentence often names two roles ("after a lot of research I decided"): a quote shown
        # under a role listed before is not shown again, so a role may have no quote of its own.
        fresh = named[role][~named[role]["text"].astype(str).map(quote_text).isin(shown)]
        quotes = pick_quotes(fresh, 1)
        shown.update(q["text"] for q in quotes)
        out.append({"role": role, "count": int(len(named[role])), "quotes": quotes})
    return out


def _prepare(items: pd.DataFrame, topics: pd.DataFrame, k_min: int) -> tuple[pd.DataFrame, dict, str]:
    items = items.copy()
    unit = voice_unit(items, k_min)
    items["voice"] = voices(items, unit)
    items["topic_key"] = items["topic_id"].astype(int).astype(str)
    labels = {(r.kind, str(r.topic_id)): r.label for r in topics.itertuples()}
    return items, labels, unit


def build_personas(items: pd.DataFrame, topics: pd.DataFrame, attrs: pd.DataFrame,
                   k_min: int = 3, k_max: int = 8, seed: int = 42, spacy_model: str = DEFAULT_SPACY,
                   theme_centroids: Callable[[pd.DataFrame], dict[str, np.ndarray]] | None = None,
                   subject: frozenset[str] = frozenset()) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Persona drafts from insights with topic assignments.

    Args:
        items: insights frame (sent_id, kind, topic_id, text, url, source, created_at, author_hash,
            thread_id, doc_id, confidence, aspect).
        topics: (kind, topic_id, label).
        attrs: self-descriptions (doc_id, author_hash, attribute).
        k_min, k_max: the range of segment counts to choose from; fewer voices lower k_max (``most_segments``).
        seed: makes the split reproducible.
        spacy_model: the study's spaCy model, which reads the grammar of persona names.
        theme_centroids: the themed insights of segmenting kinds -> each theme's centroid by
            ``theme_keys``; the split in that space replaces the one by theme mixes when
            that one is lopsided or far less reproducible (``voc.personas.segments.split``).
        subject: the study's subject words, which no "their words" phrase may consist of alone.

    Returns:
        (personas frame, diagnostics). The frame has the store's persona columns plus tagline,
        roles and interview_questions, one row per segment but those merged into another
        (``merged`` in the diagnostics); diagnostics hold k, the space the voices were split in
        ("themes" or "theme embeddings"), silhouette, stability, the per-k scores,
        a confidence statement and, under "drafts", the fields the personas table has no column for.
    """
    kinds = {KIND_TITLES[k_]: int((items["kind"] == k_).sum()) for k_ in INSIGHT_KINDS} if not items.empty else {}
    if items.empty:
        return pd.DataFrame(), {"voices": 0, "k": 0, "silhouette": None, "stability": None, "kinds": kinds,
                                "reason": "no insights", "confidence": {"level": "none", "text": "No insights, so no personas."}}
    items, labels, unit = _prepare(items, topics, k_min)
    # Outliers (topic -1) share no theme with anyone, so they cannot place a voice in a segment.
    themed = items[items["topic_id"] != -1]
    if themed.empty:
        return pd.DataFrame(), {"voices": 0, "k": 0, "silhouette": None, "stability": None, "kinds": kinds,
                                "reason": "no themed insights", "confidence": {
                                    "level": "none", "text": "No insight could be grouped into a theme, so no personas."}}
    counts, X = voice_matrix(themed)
    n_voices = len(counts)
    k_top = most_segments(n_voices, k_min, k_max)
    k, assign, scores = split(counts, X, k_min, k_top, seed,
                              None if theme_centroids is None else lambda: theme_centroids(segmenting(themed)))
    seg_of = dict(zip(counts.index, assign))
    themed = themed.assign(segment=themed["voice"].map(seg_of))
    attrs = attrs.copy()
    if not attrs.empty:
        attrs["voice"] = voices(attrs, unit)
        attrs["role"] = attrs["attribute"].map(role_of)
    phrases = VoicePhrases(themed["text"], themed["voice"], subject)
    described: dict[int, dict[str, Any]] = {}
    rows = _drafts(themed, attrs, labels, phrases, spacy_model, described)
    merged = 0
    # A segment whose every trait already names another persona ("The owner fed up with pouring"
    # and "... with pouring (4)", coffee Q&A) is that persona again: its voices join it.
    while twin := next((r for r in rows if copied_name(r["name"])), None):
        into = next((r["segment"] for r in rows if r["name"] == copied_name(twin["name"])), None)
        if into is None:
            break
        themed = themed.assign(segment=themed["segment"].replace(twin["segment"], into))
        described.pop(into)  # the only segment whose members changed
        rows, merged = _drafts(themed, attrs, labels, phrases, spacy_model, described), merged + 1
    for r in rows:
        r["interview_questions"] = interview_questions(r, spacy_model, themed)
    conf = confidence(k, n_voices, scores["silhouette"], scores["stability"], (k_min, k_top), scores["space"],
                      scores.get("themes_stability"), None if k_top == k_max else k_max)
    if merged:
        conf = {**conf, "text": f"{conf['text']} Of these {k} segments, {merged} could only be named as another "
                                f"persona and {'was' if merged == 1 else 'were'} merged into it: {len(rows)} drafts."}
    diag = {"voices": n_voices, "voice_unit": unit, "k": k, "merged": merged, "space": scores["space"], "silhouette": scores["silhouette"],
            "stability": scores["stability"], "per_k": scores["per_k"], "confidence": conf,
            **({"per_k_themes": scores["per_k_themes"], "themes_stability": scores.get("themes_stability")}
               if "per_k_themes" in scores else {}),
            "unthemed_voices": int(items.loc[~items["voice"].isin(counts.index), "voice"].nunique()),
            "kinds": kinds,
            "drafts": {str(r["persona_id"]): {"tagline": r["tagline"], "roles": r["roles"],
                                               "interview_questions": r["interview_questions"]} for r in rows}}
    return pd.DataFrame([{key: v for key, v in r.items() if key != "segment"} for r in rows]), diag


def _drafts(themed: pd.DataFrame, attrs: pd.DataFrame, labels: dict, phrases: VoicePhrases,
            spacy_model: str, described: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """One card per segment of ``themed`` (its ``segment`` column), biggest first; ``described``
    keeps each segment's description for the next call (names depend on the other segments)."""
    overall = themed.groupby(["kind", "topic_key"]).size() / len(themed)
    sizes = themed.groupby("segment")["voice"].nunique()
    rows: list[dict[str, Any]] = []
    for seg in sorted(sizes.index, key=lambda s: (-int(sizes[s]), s)):
        members = themed[themed["segment"] == seg]
        if seg not in described:
            share_in = members.groupby(["kind", "topic_key"]).size() / len(members)
            lift = {key: float(share_in[key] / overall[key]) for key in share_in.index}
            described[seg] = describe(members, themed, attrs, labels, lift, phrases)
        desc = described[seg]
        name = persona_name(desc["items"], desc["roles"], members, {r["name"] for r in rows}, spacy_model, themed)
        quotes = [q for kind in INSIGHT_KINDS for it in desc["items"][kind][:1] for q in it["quotes"][:1]]
        rows.append({"persona_id": len(rows) + 1, "segment": seg, "name": name,
                     "share": round(int(sizes[seg]) / int(sizes.sum()), 4), "size": int(sizes[seg]),
                     "quotes": quotes, "tagline": tagline(desc["items"], spacy_model), **desc})
    return rows
