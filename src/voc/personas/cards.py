"""Persona cards: each segment described by its top items per kind with counts and quotes,
channels, vocabulary and the self-descriptions its authors gave, with a working name, a tagline
and interview questions to validate it. The segmenting itself is ``voc.personas.segments``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from voc.config import Models
from voc.defaults import MIN_EVENT_SHARE, MIN_ROLE_SHARE
from voc.kinds import BUYING_ROLES, BY_NAME, KINDS
from voc.personas.evidence import HOUSEHOLD_ROLES, channel_of, label_quotes, pick_quotes, quote_text, role_of, shared_events
from voc.personas.phrases import VoicePhrases
from voc.personas.segments import confidence, segmenting, split, voice_matrix, voice_unit, voices
from voc.schema import INSIGHT_KINDS, KIND_TITLES
from voc.topics.labels import names_nothing
from voc.topics.vocabulary import stem

# -- names, taglines and interview questions ------------------------------------------------------
# From voc.kinds: the kinds that can name a persona, the noun for someone voicing each, and the
# clause its theme makes ("The buyer who needs a quiet dock").
GENERIC_ROLE = {k.name: k.role for k in KINDS if k.phrase}
NEED_TEMPLATES = {k.name: k.phrase for k in KINDS if k.phrase}


def _named(item: dict[str, Any]) -> bool:
    """Whether a theme's label names something a persona can be described by."""
    return not names_nothing(item["label"])


def _distinctive(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The named item that sets a segment apart most: high lift, weighted by how often it is said."""
    return max((i for i in items if _named(i)), key=lambda i: (i.get("lift", 1.0) * np.log1p(i["count"]), i["count"]),
               default=None)


def _label(item: dict[str, Any]) -> str:
    from voc.topics.fit import short_label

    return short_label(item["label"])


# Labels that start with a verb ("gets stuck") describe what the product does, not a thing.
_VERB_START = {"gets", "keeps", "stops", "won't", "doesn't", "can't", "goes", "falls", "dies", "breaks", "loses",
               "misses", "takes", "runs", "starts", "smells", "leaves", "bumps", "spins"}


DEFAULT_SPACY = Models.model_fields["spacy"].default
# A theme sets a segment apart when its voices raise it this many times as often as everyone does.
SETS_APART = 1.2

# A lone singular noun reads with its article: "fed up with the brush", "wary of the price",
# "who needs the app" (not "who needs app", 27k bench corpus), "prompted by the roaster" (coffee
# Q&A); "fed up with charging" and "fed up with vets" take none.
ARTICLE_KINDS = ("pain_point", "objection", "must_have_feature", "purchase_trigger")
# A lone adjective is no object: "wary of expensive" (coffee Q&A) reads "who finds it expensive".
ADJECTIVE_CLAUSES = {"pain_point": "fed up that it is {}", "objection": "who finds it {}"}


@lru_cache(maxsize=1024)
def _takes_article(word: str, spacy_model: str) -> bool:
    from voc.segment import load_spacy

    if not (word.isalpha() and word.islower()) or word.endswith("ing"):
        return False
    # Tagged in a clause of its own: alone, spaCy calls most words nouns.
    doc = load_spacy(spacy_model)(f"I am fed up with {word}.")
    return len(doc) == 7 and doc[5].tag_ == "NN"


# Adjectives that describe the buyer, not the product: "the worry that it is “hesitant”" is wrong.
_BUYER_STATES = {"hesitant", "worried", "scared", "afraid", "unsure", "skeptical", "sceptical", "nervous",
                 "concerned", "reluctant", "wary", "doubtful", "disappointed", "happy", "unhappy", "confused"}


@lru_cache(maxsize=1024)
def _is_adjective(label: str, spacy_model: str) -> bool:
    """Whether a theme label is a lone adjective ("cheap", "noisy"), tagged in a clause of its own."""
    from voc.segment import load_spacy

    if not (label.isalpha() and label.islower()) or label in _BUYER_STATES:
        return False
    nlp = load_spacy(spacy_model)
    doc = nlp(f"It is {label}.")
    # After "It is" the small model calls verbs adjectives too ("recommend", "cancel"); alone it
    # calls them verbs, and adjectives stay adjectives or participles ("overpriced", "worried").
    return len(doc) == 4 and doc[2].tag_ in ("JJ", "JJR", "JJS") and nlp(label)[0].tag_ in (
        "JJ", "JJR", "JJS", "VBN", "VBD")


def _clause_for(kind: str, label: str, spacy_model: str = DEFAULT_SPACY) -> str:
    if kind == "pain_point" and label.split(" ", 1)[0].lower() in _VERB_START:
        return f"fed up when it {label}"
    if kind in ADJECTIVE_CLAUSES and not label.endswith("ing") and _is_adjective(label, spacy_model):
        return ADJECTIVE_CLAUSES[kind].format(label)
    if kind in ARTICLE_KINDS and _takes_article(label, spacy_model):
        label = f"the {label}"
    return NEED_TEMPLATES[kind].format(label)


def persona_name(items: dict[str, list[dict[str, Any]]], roles: list[str], members: pd.DataFrame,
                 taken: set[str] | None = None, spacy_model: str = DEFAULT_SPACY,
                 everyone: pd.DataFrame | None = None) -> str:
    """A working name built from the segment's self-descriptions and its most distinctive trait.

    "The nurse whose old one died" when the segment's voices tell of a life event in its trigger
    theme and enough of that theme's voices do (in ``everyone``, the themed insights; default
    ``members``: ``shared_events``), else "The shopper who needs a quiet dock". Themes too
    diffuse to name ("various") never name a persona. Names stay unique: a second trait is added
    when another segment has the name. ``spacy_model`` (the study's) tags a lone theme head to
    tell whether it takes "the".
    (Two traits every time read worse: judged on two real corpora, no two-trait name of nine
    read as a segment, against 6 of 16 one-trait names; bench/content/judged.)
    """
    taken = taken or set()
    best: dict[str, dict[str, Any]] = {k: b for k in NEED_TEMPLATES if (b := _distinctive(items.get(k, []))) is not None}
    weight = {k: b.get("lift", 1.0) * np.log1p(b["count"]) for k, b in best.items()}
    order = sorted(best, key=lambda k: -weight[k])
    events: list[str] = []
    trigger = best.get("purchase_trigger")
    # A life event names the segment only when its trigger is characteristic of it.
    if trigger is not None and trigger.get("lift", 1.0) >= SETS_APART:
        # Counted across the theme: one segment voice's event is an anecdote unless others in the
        # theme tell of it too.
        everyone = members if everyone is None else everyone
        rows = everyone[(everyone["kind"] == "purchase_trigger") & (everyone["topic_key"] == trigger["topic_id"])]
        events = shared_events(rows["text"].tolist(), rows["voice"].tolist(), set(members["voice"]),
                               max(2, int(np.ceil(MIN_EVENT_SHARE * rows["voice"].nunique()))))
    # One theme once: "fed up with grind, who needs grind" says one thing twice.
    order = [k for i, k in enumerate(order) if stem(_label(best[k])) not in {stem(_label(best[j])) for j in order[:i]}]
    traits = list(dict.fromkeys(_clause_for(k, _label(best[k]), spacy_model) for k in order))
    if not events and not traits:
        return "The unnamed segment"
    # Without a self-description, the kind that sets the segment apart most says who they are.
    role = roles[0] if roles else GENERIC_ROLE[order[0] if order else "purchase_trigger"]
    # "The cat owner whose dog passed away" contradicts itself and "The dog owner whose dog passed
    # away" says dog twice: when the event names the household, it says who they are.
    if role in HOUSEHOLD_ROLES and any(role_of("i have a " + w) in HOUSEHOLD_ROLES for e in events for w in e.split()):
        role = GENERIC_ROLE["purchase_trigger"] if order and order[0] == "purchase_trigger" else "owner"
    # "The dog owner wary of the dog" (pet-insurance reviews) says dog twice: a trait that repeats
    # the role gives way to the next, and when every trait does, the role gives way to a plain one.
    said = {stem(w) for w in role.split()} - {stem(w) for r in GENERIC_ROLE.values() for w in r.split()} - {"owner"}
    apart = [t for t in traits if not said & {stem(w) for w in re.findall(r"[a-z]+", t.lower())}]
    if said and traits and not apart and not events:
        role = GENERIC_ROLE[order[0]]
    elif apart:
        traits = apart
    firsts = list(dict.fromkeys(events + traits))
    # After a life event, "prompted by <its theme>" would say the same thing twice.
    seconds = [c for k in order if not (events and k == "purchase_trigger") and (c := _clause_for(k, _label(best[k]), spacy_model))
               in traits]
    names = [f"The {role} {a}" for a in firsts]
    names += [f"The {role} {a}, {b}" for a in firsts for b in seconds if b != a]
    # "who moved into a house" and "who moved into an old house" read as the same persona.
    used = {_head(t) for t in taken}
    for name in [n for n in names if _head(n) not in used] + names:
        if name not in taken:
            return name
    return f"{names[0]} ({len(taken) + 1})"


def _head(name: str) -> str:
    """Life-event clauses compare by their first words, names and model numbers aside ("whose old
    one died" and "whose old Dustly D3 died" are one event); template clauses by the whole clause."""
    m = re.search(r"\b(?:who|whose) (?!needs\b).*", name)
    if not m:
        return name
    words = [w for w in m.group(0).split() if not (w[:1].isupper() or any(c.isdigit() for c in w)) and w != "one"]
    return " ".join(words[:3])


def tagline(items: dict[str, list[dict[str, Any]]]) -> str:
    """One line with, per kind, the segment's most distinctive theme that sets it apart (said at
    least ``SETS_APART`` times as often as by everyone) and names something the line has not
    named yet. "Trigger: vet · Needs: vet · Pain: vet · Doubt: dog" (pet-insurance reviews) says
    one thing four times, and "Trigger: signed" under three of its four personas says none of
    them apart."""
    # Triggers and needs first: they are what segments are built on. Buying roles are not themes
    # (the card says who decides in its own section).
    order = ["purchase_trigger", "must_have_feature"] + [k.name for k in KINDS if k.segments and k.name not in
                                                         ("purchase_trigger", "must_have_feature")]
    named: set[str] = set()
    parts = []
    for kind in order:
        if best := _distinctive([i for i in items.get(kind, [])
                                 if i.get("lift", 1.0) >= SETS_APART and stem(_label(i)) not in named]):
            named.add(stem(_label(best)))
            parts.append(f"{BY_NAME[kind].card_head}: {_label(best)}")
    if not parts:  # nothing sets the segment apart: its most distinctive theme still says what it is about
        best = _distinctive([i for k in order for i in items.get(k, [])])
        return "" if best is None else next(f"{BY_NAME[k].card_head}: {_label(best)}" for k in order
                                            if best in items.get(k, []))
    return " · ".join(parts)


def interview_questions(persona: dict[str, Any], spacy_model: str = DEFAULT_SPACY) -> dict[str, list[str]]:
    """Questions to validate a low-fidelity draft in interviews, filled with its own themes."""
    items = persona["items"]

    def doubt(label: str | None, adjective: str) -> str | None:
        # "How much did “cheap” weigh?" asks about a word; "the worry that it is “cheap”" about a doubt.
        if label is None:
            return None
        return adjective.format(label) if _is_adjective(label.strip("“”"), spacy_model) else label

    def top(kind: str, i: int = 0) -> str | None:
        # Most distinctive first: the theme everyone mentions says least about this segment.
        its = sorted([it for it in items.get(kind) or [] if _named(it)],
                     key=lambda it: -it.get("lift", 1.0) * np.log1p(it["count"]))
        return f"“{_label(its[i])}”" if len(its) > i else None

    outcome, need = top("success_factor"), top("must_have_feature")
    success = [f"You judge it by {outcome}: how would you know, a month in, that it delivers?" if outcome else
               # The data did not say what success means to them: ask it outright.
               "What result would make you call the purchase a success, and how soon would you know?",
               f"How important is {need} to that result, and what would “good enough” look like?" if need else
               "Which capability would you refuse to buy without?",
               f"How do you deal with {p} today, and what would “solved” look like?" if (p := top("pain_point")) else
               "What annoys you most about how you do this today?"]
    barriers = [f"What nearly stopped you from buying? How much did {o} weigh?"
                if (o := doubt(top("objection"), "the worry that it is {}")) else
                "What nearly stopped you from buying?",
                f"What would someone have to show you to settle your doubts about {o2}?"
                if (o2 := doubt(top("objection", 1) or top("objection"), "it being {}")) else
                "Whose opinion would settle your doubts?",
                "What would make you return it or advise a friend against it?"]
    channels = ", ".join(c["channel"] for c in persona.get("channels", [])[:3])
    named = [r["role"] for r in persona.get("buying_process") or []]
    journey = [f"Tell me about the moment {t} came up: what did you do first?" if (t := top("purchase_trigger")) else
               "What happened that made you start looking?",
               f"Where did you look for advice{f' (for example {channels})' if channels else ''}, and which answer convinced you?",
               _who_decides(named)]
    return {"success_factors": success, "perceived_barriers": barriers, "buyer_journey": journey}


# What a segment's voices say about a buying role, and the interview question that asks about it.
_ROLE_SAID = {"initiator": "starting the search", "researcher": "comparing the options", "influencer": "advice that swayed them",
              "decision_maker": "who had the final say", "budget_holder": "who paid or approved the money",
              "user": "who it is for"}
_ROLE_ASKED = {"initiator": "who started the search", "researcher": "who compared the options",
               "decision_maker": "who had the final say", "budget_holder": "who approved the money"}


def _who_decides(named: list[str]) -> str:
    """The buyer-journey question on the decision: what the segment said (its most named role),
    then the parts of the decision it did not speak of."""
    rest = [q for r, q in _ROLE_ASKED.items() if r not in named] or ["who else had a say"]
    ask = rest[0] if len(rest) == 1 else ", ".join(rest[:-1]) + " and " + rest[-1]
    if not named:
        return f"Who else had a say: {ask}?"
    return f"People in this group talk about {_ROLE_SAID[named[0]]}. In your case, {ask}?"


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
    sentences name it and one quote not already given to a more-named role, most named first."""
    if "roles" not in members.columns:
        return []
    rows = members[(members["kind"] == "buying_role") & members["roles"].notna()]
    named = {role: rows[rows["roles"].str.split(";").map(lambda rs, r=role: r in rs)] for role in BUYING_ROLES}
    order = sorted((r for r in BUYING_ROLES if len(named[r])), key=lambda r: (-len(named[r]), BUYING_ROLES.index(r)))
    out, shown = [], set()
    for role in order:
        # One sentence often names two roles ("after a lot of research I decided"): a quote shown
        # under a more-named role is not shown again, so a role may have no quote of its own.
        fresh = named[role][~named[role]["text"].map(quote_text).isin(shown)]
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
                   ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Persona drafts from insights with topic assignments.

    Args:
        items: insights frame (sent_id, kind, topic_id, text, url, source, created_at, author_hash,
            thread_id, doc_id, confidence, aspect).
        topics: (kind, topic_id, label).
        attrs: self-descriptions (doc_id, author_hash, attribute).
        k_min, k_max: the range of segment counts to choose from.
        seed: makes the split reproducible.
        spacy_model: the study's spaCy model, which reads the grammar of persona names.
        theme_centroids: the themed insights of segmenting kinds -> each theme's centroid by
            ``theme_keys``; called only when the split by theme mixes is lopsided
            (``voc.personas.segments.split``).

    Returns:
        (personas frame, diagnostics). The frame has the store's persona columns plus tagline,
        roles and interview_questions; diagnostics hold k, the space the voices were split in
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
    k, assign, scores = split(counts, X, k_min, k_max, seed,
                              None if theme_centroids is None else lambda: theme_centroids(segmenting(themed)))
    seg_of = dict(zip(counts.index, assign))
    themed = themed.assign(segment=themed["voice"].map(seg_of))
    attrs = attrs.copy()
    if not attrs.empty:
        attrs["voice"] = attrs["thread_id"] if unit == "thread" and "thread_id" in attrs else attrs["author_hash"]
        attrs["voice"] = attrs["voice"].fillna(attrs["doc_id"]).astype(str)
        attrs["role"] = attrs["attribute"].map(role_of)
    overall = themed.groupby(["kind", "topic_key"]).size() / len(themed)
    phrases = VoicePhrases(themed["text"], themed["voice"])
    rows: list[dict[str, Any]] = []
    for seg in sorted(set(assign.tolist()), key=lambda s: (-int((assign == s).sum()), s)):
        members = themed[themed["segment"] == seg]
        share_in = members.groupby(["kind", "topic_key"]).size() / len(members)
        lift = {key: float(share_in[key] / overall[key]) for key in share_in.index}
        desc = describe(members, themed, attrs, labels, lift, phrases)
        size = int((assign == seg).sum())
        name = persona_name(desc["items"], desc["roles"], members, {r["name"] for r in rows}, spacy_model, themed)
        quotes = [q for kind in INSIGHT_KINDS for it in desc["items"][kind][:1] for q in it["quotes"][:1]]
        rows.append({"persona_id": len(rows) + 1, "name": name, "share": round(size / n_voices, 4), "size": size,
                     "quotes": quotes, "tagline": tagline(desc["items"]), **desc})
    for r in rows:
        r["interview_questions"] = interview_questions(r, spacy_model)
    conf = confidence(k, n_voices, scores["silhouette"], scores["stability"], (k_min, k_max), scores["space"])
    diag = {"voices": n_voices, "voice_unit": unit, "k": k, "space": scores["space"], "silhouette": scores["silhouette"],
            "stability": scores["stability"], "per_k": scores["per_k"], "confidence": conf,
            **({"per_k_themes": scores["per_k_themes"]} if "per_k_themes" in scores else {}),
            "unthemed_voices": int(items.loc[~items["voice"].isin(counts.index), "voice"].nunique()),
            "kinds": kinds,
            "drafts": {str(r["persona_id"]): {"tagline": r["tagline"], "roles": r["roles"],
                                               "interview_questions": r["interview_questions"]} for r in rows}}
    return pd.DataFrame(rows), diag
