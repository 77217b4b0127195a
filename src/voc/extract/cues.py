"""Cue phrases and spaCy patterns for the insight kinds, feature strength, buying roles and self-descriptions.

Two uses: ``BASELINE_CUES`` is the fixed keyword baseline that `voc eval --baseline` measures
the classifier against; the Matcher patterns are high-precision features of the classifier.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# The keyword baseline: plain lowercase substrings, deliberately simple and fixed.
BASELINE_CUES: dict[str, tuple[str, ...]] = {
    "pain_point": (
        "problem", "issue", "broken", "broke", "doesn't work", "does not work", "stopped working",
        "annoying", "frustrating", "terrible", "awful", "hate", "stuck", "crash", "bug", "fails",
        "keeps", "won't", "useless", "disappointed",
    ),
    "objection": (
        "expensive", "too much", "overpriced", "not worth", "price", "cost", "subscription",
        "don't trust", "privacy", "scam", "returned", "return it", "hesitant", "not sure",
        "wait for", "afraid", "worried", "risk",
    ),
    "purchase_trigger": (
        "died", "on sale", "black friday", "prime day", "discount", "got a", "moved", "new baby",
        "upgrade", "replace", "finally bought", "decided to", "recommended", "started looking",
        "because my", "after my",
    ),
    "must_have_feature": (
        "need", "must", "wish", "would be nice", "please add", "should have", "require",
        "has to", "have to", "feature request", "deal breaker", "dealbreaker", "want",
    ),
    "success_factor": (
        "so that", "so i can", "in order to", "saved us", "saves us", "saved me", "saves me", "all i want",
        "just need it to", "i just want", "goal", "peace of mind", "hours a week", "get through",
    ),
    "buying_role": (
        "my wife", "my husband", "my boss", "my manager", "final say", "approve", "approval", "budget",
        "recommended", "compared", "research", "for my son", "for my daughter", "for my mom", "for my dad",
        "it department", "decided",
    ),
}

MUST_CUES = re.compile(
    r"\b(need(s|ed)?|require[sd]?|requirement|must|ha(s|ve) to|got to|gotta|deal[- ]?breaker|"
    r"non[- ]?negotiable|essential|mandatory|only (buy|consider|if)|won'?t buy (it |one |anything )?without|"
    r"can'?t (live|do) without|absolutely)\b", re.I)
NICE_CUES = re.compile(
    r"\b(would be (nice|great|cool|awesome)|it'?d be (nice|great|cool)|i wish|wish (it|they|there)|"
    r"please add|hoping for|hope (they|you)|would love|could use|nice to have|would like|"
    r"feature request|bonus)\b", re.I)

# Lemma-level Matcher patterns: each is a list of token dicts (spaCy Matcher syntax).
L = lambda *lemmas: {"LEMMA": {"IN": list(lemmas)}}  # noqa: E731
LOWER = lambda *words: {"LOWER": {"IN": list(words)}}  # noqa: E731
NEG = {"LOWER": {"IN": ["not", "n't", "never", "no", "cannot", "can't", "won't", "doesn't", "didn't", "isn't"]}}

PATTERNS: dict[str, list[list[dict[str, Any]]]] = {
    "pain_point": [
        [L("keep"), {"TAG": "VBG"}],
        [L("stop"), {"LOWER": {"IN": ["working", "charging", "responding", "connecting"]}}],
        [NEG, L("work", "connect", "charge", "respond", "clean", "pick", "fit", "last", "sync", "load")],
        [L("get"), LOWER("stuck", "tangled", "lost", "confused", "jammed", "clogged")],
        [L("break", "crash", "freeze", "die", "fail", "leak", "overheat", "disconnect", "lag", "jam", "clog")],
        [L("annoying", "frustrating", "frustrate", "terrible", "awful", "useless", "horrible", "unusable", "flimsy", "laggy", "buggy")],
        [L("problem", "issue", "bug", "glitch", "defect", "nightmare", "headache")],
        [L("hate"), {"POS": {"IN": ["DET", "PRON", "NOUN"]}}],
        [LOWER("too"), LOWER("loud", "slow", "heavy", "small", "short", "noisy", "hot", "weak")],
    ],
    "objection": [
        [LOWER("too", "so", "way"), LOWER("expensive", "pricey", "much", "costly")],
        [L("overprice", "overpriced", "pricey", "scam", "gimmick", "ripoff", "rip-off")],
        [NEG, LOWER("worth")],
        [L("can"), NEG, L("justify", "afford", "trust", "recommend")],
        [NEG, L("trust", "recommend", "buy", "convinced", "sure")],
        [L("subscription", "privacy", "lock", "locked", "tracking", "spy")],
        [L("return", "refund", "cancel")],
        [L("wait"), LOWER("for", "until", "till")],
        [L("hesitate", "hesitant", "skeptical", "sceptical", "worried", "afraid", "concern", "wary", "doubt")],
        [LOWER("deal"), LOWER("breaker")],
        [L("switch"), LOWER("back", "to", "away")],
    ],
    "purchase_trigger": [
        [LOWER("my", "our", "the"), LOWER("old"), {"OP": "?"}, L("die", "break", "quit", "give", "stop")],
        [L("die", "quit"), {"LOWER": {"IN": ["on", "after", "last", "finally"]}, "OP": "?"}],
        [LOWER("on"), LOWER("sale", "discount", "clearance", "offer")],
        [LOWER("black", "prime", "cyber"), LOWER("friday", "day", "monday")],
        [L("get", "adopt"), {"LOWER": {"IN": ["a", "our", "another", "two", "second"]}}, L("puppy", "dog", "cat", "kitten", "baby", "pet")],
        [L("move"), LOWER("into", "to", "in", "house", "apartment")],
        [L("have", "expect"), LOWER("a"), L("baby")],
        [L("finally"), L("buy", "pull", "get", "order", "decide", "cave")],
        [L("decide"), LOWER("to")],
        [L("upgrade", "replace", "replacement")],
        [L("recommend"), LOWER("it", "this", "them")],
        [L("start", "begin"), L("look", "shop", "search", "research")],
        [LOWER("after"), LOWER("my", "our"), {"POS": "NOUN"}],
        [L("hire"), {"LIKE_NUM": True, "OP": "?"}],
    ],
    "must_have_feature": [
        [L("need"), {"LOWER": {"IN": ["a", "an", "it", "to", "something", "one"]}, "OP": "?"}],
        [L("must"), L("have", "be", "support")],
        [L("have", "has"), LOWER("to"), L("have", "be", "support", "work")],
        [L("wish"), {"POS": {"IN": ["PRON", "DET", "SCONJ"]}}],
        [LOWER("would", "'d"), L("be"), LOWER("nice", "great", "awesome", "cool", "helpful")],
        [LOWER("please"), L("add", "make", "bring", "allow", "give", "let")],
        [LOWER("should"), L("have", "support", "include", "offer", "allow", "let")],
        [L("require", "requirement", "essential", "non-negotiable", "mandatory")],
        [LOWER("deal"), LOWER("breaker")],
        [LOWER("feature"), L("request")],
        [L("want"), {"LOWER": {"IN": ["a", "an", "something", "one", "it"]}}],
        [L("can"), NEG, L("live", "do"), LOWER("without")],
        [LOWER("only"), L("buy", "consider", "if")],
    ],
    "success_factor": [
        [LOWER("so"), LOWER("that", "i", "we")],
        [LOWER("in"), LOWER("order"), LOWER("to")],
        [L("save"), LOWER("us", "me", "time", "hours", "money")],
        [LOWER("all"), LOWER("i", "we"), L("want", "need")],
        [LOWER("just"), L("need", "want"), LOWER("it", "something"), {"LOWER": "to", "OP": "?"}],
        [L("get"), LOWER("through")],
        [LOWER("peace"), LOWER("of"), LOWER("mind")],
        [L("goal"), {"LOWER": {"IN": ["is", "was", "of"]}, "OP": "?"}],
    ],
    "buying_role": [
        [LOWER("my", "our"), L("wife", "husband", "partner", "boss", "manager", "team", "parent", "dad", "mom",
                                "mum", "son", "daughter", "kid", "friend", "cfo", "ceo")],
        [LOWER("final"), L("say", "decision", "call")],
        [L("approve", "approval", "sign", "budget", "permission")],
        [L("compare", "research", "shortlist", "vet", "evaluate", "trial", "demo")],
        [L("recommend", "suggest", "convince", "persuade", "talk"), {"LOWER": {"IN": ["me", "us", "into"]}, "OP": "?"}],
        [LOWER("for"), LOWER("my", "our"), L("son", "daughter", "kid", "mom", "mum", "dad", "parent", "wife",
                                             "husband", "team", "staff", "employee", "grandma", "grandpa")],
        [LOWER("it"), L("department", "team")],
    ],
}

# Buying roles a buying_role sentence names (the labelling guide's list), by cue. A sentence may
# name several ("I compared three models before asking my boss for budget").
ROLE_CUES: dict[str, re.Pattern[str]] = {
    "initiator": re.compile(r"\b(suggested (we|that we|getting)|asked (me|us) (for|to get)|wanted (one|it|a)|"
                            r"started (looking|the search)|brought (it )?up)\b", re.I),
    "researcher": re.compile(r"\b(compar(e|ed|ing)|research(ed|ing)?|look(ed|ing) (into|at|around)|shortlist|"
                             r"vett?(ed|ing)|tried (out|several|a few)|trial|demo(ed|s)?|read (the )?reviews|"
                             r"shopp(ed|ing) around|options|alternatives|search(ed|ing))\b", re.I),
    "influencer": re.compile(r"\b(recommend(ed|ation|s)?|suggest(ed|ion)|talked (me|us) into|convinc(ed|e)|"
                             r"persuad(ed|e)|(friend|coworker|colleague|reddit|youtube|review(er)?s?) (said|told|swears)|"
                             r"told (me|us) about|word of mouth)\b", re.I),
    "decision_maker": re.compile(r"\b(final (say|decision|call)|decid(e|ed|es)|approv(e|ed|al)|sign(ed)? off|"
                                 r"(not )?allow(ed|s)?|permission|it department|\bit\b (has|needs) to|veto(ed)?)\b", re.I),
    "budget_holder": re.compile(r"\b(budget|pa(id|ys|ying) for|(boss|company|employer|parents?|dad|mom) "
                                r"(paid|pays|bought|covers?)|reimburs|expense)\b", re.I),
    "user": re.compile(r"\b(for (my|our|his|her) (son|daughter|kids?|mom|mum|dad|parents?|wife|husband|team|staff|"
                       r"employees|grandma|grandpa|mother|father|brother|sister)|(he|she|they)('ll| will| would) use|"
                       r"gift for|bought (it|one|them) for)\b", re.I),
}

@lru_cache(maxsize=4)
def _matcher(vocab_id: int, nlp: Any) -> Any:
    from spacy.matcher import Matcher

    matcher = Matcher(nlp.vocab)
    for kind, patterns in PATTERNS.items():
        matcher.add(kind, patterns)
    return matcher


def cue_hits(doc: Any, nlp: Any) -> dict[str, int]:
    """How many cue patterns of each kind match a parsed sentence."""
    matcher = _matcher(id(nlp.vocab), nlp)
    hits = {k: 0 for k in PATTERNS}
    for match_id, _s, _e in matcher(doc):
        hits[nlp.vocab.strings[match_id]] += 1
    return hits


def baseline_labels(text: str) -> set[str]:
    lowered = text.lower()
    return {kind for kind, cues in BASELINE_CUES.items() if any(c in lowered for c in cues)}


def buying_roles(text: str) -> list[str]:
    """The parties a buying_role sentence names, in the guide's order; "researcher" when none is
    named (comparing and asking around is the commonest role in public conversations)."""
    found = [role for role, cue in ROLE_CUES.items() if cue.search(text)]
    return found or ["researcher"]


def strength(text: str) -> str:
    """must (need, require, deal-breaker, only if...) or nice (wish, would be nice, please add)."""
    if MUST_CUES.search(text) and not NICE_CUES.search(text):
        return "must"
    if NICE_CUES.search(text):
        return "nice"
    return "must" if MUST_CUES.search(text) else "nice"
