"""How a persona draft reads: its working name, its tagline and the interview questions that
validate it, all built from the segment's themes (``voc.personas.cards`` describes the segment).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from voc.defaults import MIN_EVENT_SHARE
from voc.kinds import BY_NAME, INSIGHT_KINDS, KINDS, ROLES
from voc.personas.clauses import (DEFAULT_SPACY, NEED_TEMPLATES, TEMPLATE_CLAUSE, VERB_KINDS, _clause_for, plural,
                                  theme_object)
from voc.personas.events import shared_events
from voc.personas.evidence import HOUSEHOLD_ROLES, role_of
from voc.topics.labels import names_nothing
from voc.topics.names import HOUSEHOLD
from voc.topics.vocabulary import stem, stop_words

# From voc.kinds: the kinds that can name a persona and the noun for someone voicing each.
GENERIC_ROLE = {k.name: k.role for k in KINDS if k.phrase}
# Reviewers have bought already: a segment of reviewers led by its doubts is customers weighing
# whether to stay, not hesitant buyers (pet-insurance reviews read "The hesitant buyer wary of
# the premium").
CUSTOMER = "customer"


def _generic_role(kind: str, members: pd.DataFrame, label: str = "") -> str:
    """The noun for someone voicing ``kind``, for a segment (``members``) with no self-description
    whose leading theme is ``label`` ("The customer wary of customer service" says it twice)."""
    if (kind == "objection" and "doc_kind" in members.columns and (members["doc_kind"] == "review").mean() > 0.5
            and not _content(CUSTOMER) & _content(label)):
        return CUSTOMER
    return GENERIC_ROLE[kind]


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


def _theme_texts(everyone: pd.DataFrame | None, kind: str, item: dict[str, Any]) -> tuple[str, ...]:
    """Some of a theme's sentences (of ``everyone``, the themed insights), which tell how its label reads."""
    if everyone is None:
        return ()
    return tuple(everyone.loc[(everyone["kind"] == kind) & (everyone["topic_key"] == item["topic_id"]),
                              "text"].astype(str).head(60))


# A theme sets a segment apart when its voices raise it this many times as often as everyone does.
SETS_APART = 1.2


def persona_name(items: dict[str, list[dict[str, Any]]], roles: list[str], members: pd.DataFrame,
                 taken: set[str] | None = None, spacy_model: str = DEFAULT_SPACY,
                 everyone: pd.DataFrame | None = None) -> str:
    """A working name built from the segment's self-descriptions and its most distinctive trait.

    "The nurse whose old one died" when the segment's voices tell of a life event in its trigger
    theme and enough of that theme's voices do (in ``everyone``, the themed insights; default
    ``members``: ``shared_events``), else "The shopper who needs a quiet dock". Themes too
    diffuse to name ("various") never name a persona. Names stay unique: a second trait is added
    when another segment has the name (and a segment left with only a numbered copy of another's
    name is merged into it by ``build_personas``). A theme that repeats the role ("The dog owner
    wary of the dog") or, but for a trigger, is named after the household comes last.
    ``spacy_model`` (the study's) tags a lone theme head to tell whether it takes "the", and reads
    one-word pain and objection themes as their sentences (in ``everyone``) use them
    (``voc.personas.clauses``: "fed up with submitting claims", "whose claim was denied").
    (Two traits every time read worse: judged on two real corpora, no two-trait name of nine
    read as a segment, against 6 of 16 one-trait names; bench/content/judged.)
    """
    taken = taken or set()
    # A theme the segment raises less than everyone is on its card's "Less often than others"
    # line (``raised``): it names the persona only when nothing else can.
    rising = {k: [i for i in items.get(k, []) if _raises(i)] for k in NEED_TEMPLATES}
    if any(_named(i) for its in rising.values() for i in its):
        items = rising
    best: dict[str, dict[str, Any]] = {k: b for k in NEED_TEMPLATES if (b := _distinctive(items.get(k, []))) is not None}
    weight = {k: b.get("lift", 1.0) * np.log1p(b["count"]) for k, b in best.items()}
    order = sorted(best, key=lambda k: -weight[k])
    events: list[str] = []
    everyone = members if everyone is None else everyone
    trigger = best.get("purchase_trigger")
    # A life event names the segment only when its trigger is characteristic of it.
    if trigger is not None and trigger.get("lift", 1.0) >= SETS_APART:
        # Counted across the theme: one segment voice's event is an anecdote unless others in the
        # theme tell of it too.
        rows = everyone[(everyone["kind"] == "purchase_trigger") & (everyone["topic_key"] == trigger["topic_id"])]
        events = shared_events(rows["text"].tolist(), rows["voice"].tolist(), set(members["voice"]),
                               max(2, int(np.ceil(MIN_EVENT_SHARE * rows["voice"].nunique()))))
    clause = {k: _clause_for(k, _label(best[k]), spacy_model, _theme_texts(everyone, k, best[k]) if k in VERB_KINDS else ())
              for k in order}
    order = [k for k in order if clause[k] is not None]  # a theme no clause reads ("prompted by started")
    # One theme once: "fed up with grind, who needs grind" says one thing twice.
    order = [k for i, k in enumerate(order) if stem(_label(best[k])) not in {stem(_label(best[j])) for j in order[:i]}]
    if not events and not order:
        return "The unnamed segment"
    # Without a self-description, the kind that sets the segment apart most says who they are.
    role = roles[0] if roles else _generic_role(order[0] if order else "purchase_trigger", members,
                                                _label(best[order[0]]) if order else "")
    # "The cat owner whose dog passed away" contradicts itself and "The dog owner whose dog passed
    # away" says dog twice: when the event names the household, it says who they are.
    if role in HOUSEHOLD_ROLES and any(role_of("i have a " + w) in HOUSEHOLD_ROLES for e in events for w in e.split()):
        role = GENERIC_ROLE["purchase_trigger"] if order and order[0] == "purchase_trigger" else "owner"
    # "The dog owner wary of the dog" (pet-insurance reviews) says dog twice: a theme whose label
    # repeats the role's own words comes after the others, and when every theme does (and no life
    # event names the segment), the role gives way to the plain one of the leading kind.
    said = _content(role) - {stem(w) for r in [*GENERIC_ROLE.values(), "person people"] for w in r.split()}
    repeats = [k for k in order if said & _content(_label(best[k]))]
    if repeats and len(repeats) == len(order) and not events:
        role = _generic_role(order[0], members, _label(best[order[0]]))
    # A theme named after the household comes last too ("wary of the dog": a pet-insurance
    # objection theme whose label fell on the pet says who they are, not what they doubt), but
    # keeps the role; a trigger's new puppy is the event itself.
    repeats += [k for k in order if k != "purchase_trigger" and k not in repeats and _label(best[k]).lower() in HOUSEHOLD]
    order = [k for k in order if k not in repeats] + repeats
    traits = list(dict.fromkeys(clause[k] for k in order))
    repeated = {clause[k] for k in repeats}
    firsts = list(dict.fromkeys(events + traits))
    # After a life event, "prompted by <its theme>" would say the same thing twice.
    seconds = [clause[k] for k in order if not (events and k == "purchase_trigger")]
    # A theme that repeats the role comes into a name only when every other name is taken.
    plain = [a for a in firsts if a not in repeated]
    names = [f"The {role} {a}" for a in plain] + [f"The {role} {a}, {b}" for a in plain for b in seconds
                                                  if b != a and b not in repeated]
    names += [f"The {role} {a}" for a in firsts if a in repeated]
    names += [f"The {role} {a}, {b}" for a in firsts for b in seconds if b != a and (a in repeated or b in repeated)]
    # "who moved into a house" and "who moved into an old house" read as the same persona.
    used = {_head(t) for t in taken}
    for name in [n for n in names if _head(n) not in used] + names:
        if name not in taken:
            return name
    return f"{names[0]} ({len(taken) + 1})"


_NUMBERED = re.compile(r" \(\d+\)$")


def copied_name(name: str) -> str | None:
    """The name ``persona_name`` numbered this one after, when every name it could have was taken
    ("The owner fed up with pouring (4)" -> "The owner fed up with pouring"), else None."""
    return _NUMBERED.sub("", name) if _NUMBERED.search(name) else None


def _content(text: str) -> set[str]:
    """The word families of a text's content words: "person with oily skin" -> person, oily, skin."""
    return {stem(w) for w in re.findall(r"[a-z]+", text.lower()) if w not in _stop()}


@lru_cache(maxsize=1)
def _stop() -> frozenset[str]:
    return frozenset(stop_words())  # read on first use: it imports scikit-learn


def _head(name: str) -> str:
    """Life-event clauses compare by their first words, names and model numbers aside ("whose old
    one died" and "whose old Dustly D3 died" are one event); template clauses by the whole clause."""
    m = re.search(r"\b(?:who|whose) .*", name)
    if not m or TEMPLATE_CLAUSE.match(m.group(0)):
        return name
    words = [w for w in m.group(0).split() if not (w[:1].isupper() or any(c.isdigit() for c in w)) and w != "one"]
    return " ".join(words[:3])


def tagline(items: dict[str, list[dict[str, Any]]], spacy_model: str = DEFAULT_SPACY) -> str:
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
    # A trigger theme labelled by a lone past tense ("Trigger: signed", pet-insurance reviews) says
    # neither what was done nor to what: it names no persona (``_clause_for``) and no tagline part.
    items = {k: [i for i in its if k != "purchase_trigger" or _clause_for(k, _label(i), spacy_model) is not None]
             for k, its in items.items()}
    for kind in order:
        if best := _distinctive([i for i in items.get(kind, [])
                                 if i.get("lift", 1.0) >= SETS_APART and stem(_label(i)) not in named]):
            named.add(stem(_label(best)))
            parts.append(f"{BY_NAME[kind].card_head}: {_label(best)}")
    if not parts:  # nothing sets the segment apart: its most distinctive theme still says what it is about
        best = _distinctive([i for k in order for i in items.get(k, []) if _raises(i)]) or _distinctive(
            [i for k in order for i in items.get(k, [])])
        return "" if best is None else next(f"{BY_NAME[k].card_head}: {_label(best)}" for k in order
                                            if best in items.get(k, []))
    return " · ".join(parts)


def _raises(item: dict[str, Any]) -> bool:
    """Whether a segment raises a theme at least as often as everyone does."""
    return item.get("lift", 1.0) >= 1.0


# How a card names the themes its voices raise less often than everyone does (without quotes), and
# what it says of a kind whose every theme is one of those.
LESS_OFTEN = "Less often than others"
NONE_MORE = "Nothing they raise more often than others."


def raised(items: dict[str, list[dict[str, Any]]], shown: int = 3) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Per kind (every kind, voiced or not), the themes a persona card shows with quotes (``more``:
    its voices raise them at least as often as everyone does, up to ``shown``) and those it only
    names (``less``). Listed alike, every pet-insurance card carried the same doubts and triggers
    ("signed", 1 mention at 0.06 times the average) and two judges read the personas as one
    repeated (2 of 5)."""
    out = {}
    for kind in INSIGHT_KINDS:
        its = items.get(kind) or []
        out[kind] = {"more": [i for i in its if _raises(i)][:shown], "less": [i for i in its if not _raises(i)][:shown]}
    return out


_BEING = "it being "
# A channel as "trustpilot (trustpilot.com)": in a question read aloud, the site alone.
_SITE = re.compile(r"\(([^()\s]+\.[^()\s]+)\)$")


def interview_questions(persona: dict[str, Any], spacy_model: str = DEFAULT_SPACY,
                        everyone: pd.DataFrame | None = None) -> dict[str, list[str]]:
    """Questions to validate a low-fidelity draft in interviews, about its own themes said as
    persona names say them (``theme_object``; ``everyone``: the themed insights, whose sentences
    tell how a one-word theme reads): "How do you deal with processing claims today", not "with
    “vet”"."""
    # Only themes the card quotes (``raised``): "started looking because of the vet" under a card
    # with no trigger of its own contradicts it. A theme no reading fits ("signed", "recommend") is
    # passed over: a question about it cannot be asked aloud.
    said = {kind: [o for it in shown["more"] if _named(it)
                   if (o := theme_object(kind, _label(it), spacy_model, _theme_texts(everyone, kind, it)))]
            for kind, shown in raised(persona["items"]).items() if kind in NEED_TEMPLATES}

    def top(kind: str, i: int = 0) -> str | None:
        return said[kind][i] if len(said[kind]) > i else None

    def doubt(said: str | None) -> str | None:
        # "doubts about cheap" reads wrong; "the worry that it is cheap" is a doubt.
        return None if not said else (f"the worry that it is {said[len(_BEING):]}" if said.startswith(_BEING)
                                      else f"doubts about {said}")

    outcome, need = top("success_factor"), top("must_have_feature")
    success = [(f"What does “{outcome[len(_BEING):]}” look like for you, and how would you know"
                if outcome.startswith(_BEING) else f"You judge it by {outcome}: how would you know")
               + ", a month in, that it delivers?" if outcome else
               # The data did not say what success means to them: ask it outright.
               "What result would make you call the purchase a success, and how soon would you know?",
               f"How important {'are' if plural(need, spacy_model) else 'is'} {need} to that result, and what "
               "would “good enough” look like?" if need else "Which capability would you refuse to buy without?",
               f"How do you deal with {p} today, and what would “solved” look like?" if (p := top("pain_point")) else
               "What annoys you most about how you do this today?"]
    first, second = top("objection"), top("objection", 1) or top("objection")
    barriers = [f"What nearly stopped you from buying? How much did {doubt(first)} hold you back?" if first else
                "What nearly stopped you from buying?",
                f"What would someone have to show you to settle your doubts about {second}?" if second else
                "Whose opinion would settle your doubts?",
                "What would make you give it up or advise a friend against it?"]
    sites = list(dict.fromkeys(m.group(1) if (m := _SITE.search(c["channel"])) else c["channel"]
                               for c in persona.get("channels", [])[:3]))
    where = " (for example " + _listed(sites, "or") + ")" if sites else ""
    named = [r["role"] for r in persona.get("buying_process") or []]
    journey = [f"Others in this group started looking because of {t}. What happened in your case, and what did you "
               "do first?" if (t := top("purchase_trigger")) else "What happened that made you start looking?",
               f"Where did you look for advice{where}, and which answer convinced you?",
               _who_decides(named)]
    return {"success_factors": success, "perceived_barriers": barriers, "buyer_journey": journey}


def _listed(words: list[str], last: str) -> str:
    """The words as a list in a sentence: "a", "a and b", "a, b and c" (``last``: the joining word)."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


_ROLE = {r.name: r for r in ROLES}


def _who_decides(named: list[str]) -> str:
    """The buyer-journey question on the decision: what the segment said (its most named role),
    then the parts of the decision it did not speak of."""
    ask = _listed([r.asked for r in ROLES if r.asked and r.name not in named] or ["who else had a say"], "and")
    if not named:
        return f"Who else had a say: {ask}?"
    return f"People in this group talk about {_ROLE[named[0]].said}. In your case, {ask}?"
