"""Cue phrases: the keyword baseline, classifier features, a must-have's strength, buying roles.

``BASELINE_CUES`` is the fixed keyword baseline that `voc eval --baseline` measures the
classifier against; ``CUES`` are phrase patterns whose counts are features of the classifier.
"""

from __future__ import annotations

import re

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

# Cue phrases per kind, as the classifier's features: each pattern a word sequence with its
# inflections spelt out, so they need no parse (spaCy Matcher patterns on lemmas and tags did the
# same and made every sentence wait for a parse).
_IRREGULAR = {
    "keep": "kept", "get": "got|gotten|getting", "break": "broke|broken", "freeze": "froze|frozen",
    "die": "dying", "buy": "bought", "have": "has|had", "begin": "began|begun", "give": "gave|given",
    "quit": "quitting", "stop": "stopped|stopping", "lag": "lagged|lagging", "jam": "jammed|jamming",
    "clog": "clogged|clogging", "shop": "shopped|shopping", "vet": "vetted|vetting", "say": "said",
    "cancel": "cancelled", "pay": "paid", "make": "made|making",
}
# Negated auxiliaries spelt out: a bare "\w+n't" also takes "front", "recent" and "parent".
NEG = r"(?:not|never|no|cannot|(?:do|does|did|is|are|was|were|has|have|had|wo|would|should|could|ca|ai)n'?t)"
CANT = r"(?:can ?not|can'?t|could ?n'?t|could not)"


def forms(*lemmas: str) -> str:
    """A regex for the words' common inflections: fail, fails, failed, failing; move, moving."""
    out = []
    for lemma in lemmas:
        word = re.escape(lemma)
        out.append(f"{word}(?:s|es|d|ed|ing)?")
        if lemma.endswith("e"):
            out.append(f"{re.escape(lemma[:-1])}ing")
        if lemma in _IRREGULAR:
            out.append(_IRREGULAR[lemma])
    return "(?:" + "|".join(out) + ")"


def _any(*words: str) -> str:
    return "(?:" + "|".join(re.escape(w) for w in words) + ")"


_CUES: dict[str, list[str]] = {
    "pain_point": [
        forms("keep") + r" (?!(?:some|any|every|no)?thing\b)\w+ing", forms("stop") + " " + _any("working", "charging", "responding", "connecting"),
        NEG + " " + forms("work", "connect", "charge", "respond", "clean", "pick", "fit", "last", "sync", "load"),
        forms("get") + " " + _any("stuck", "tangled", "lost", "confused", "jammed", "clogged"),
        forms("break", "crash", "freeze", "die", "fail", "leak", "overheat", "disconnect", "lag", "jam", "clog"),
        _any("annoying", "frustrating", "frustrated", "frustrates", "terrible", "awful", "useless", "horrible",
             "unusable", "flimsy", "laggy", "buggy"),
        forms("problem", "issue", "bug", "glitch", "defect", "nightmare", "headache"),
        forms("hate") + r" \w+", "too " + _any("loud", "slow", "heavy", "small", "short", "noisy", "hot", "weak"),
    ],
    "objection": [
        _any("too", "so", "way") + " " + _any("expensive", "pricey", "much", "costly"),
        forms("overprice", "pricey", "scam", "gimmick", "ripoff", "rip-off"), NEG + " worth",
        CANT + " " + forms("justify", "afford", "trust", "recommend"),
        NEG + " " + forms("trust", "recommend", "buy", "convinced", "sure"),
        forms("subscription", "privacy", "lock", "tracking", "spy"), forms("return", "refund", "cancel"),
        forms("wait") + " " + _any("for", "until", "till"),
        forms("hesitate", "hesitant", "skeptical", "sceptical", "worried", "afraid", "concern", "wary", "doubt"),
        r"deal[- ]?breaker", forms("switch") + " " + _any("back", "to", "away"),
    ],
    "purchase_trigger": [
        _any("my", "our", "the") + r" old (?:\w+ )?" + forms("die", "break", "quit", "give", "stop"),
        forms("die", "quit") + " " + _any("on", "after", "last", "finally"),
        "on " + _any("sale", "discount", "clearance", "offer"), _any("black", "prime", "cyber") + " " + _any("friday", "day", "monday"),
        forms("get", "adopt") + " " + _any("a", "our", "another", "two", "second") + " " + forms("puppy", "dog", "cat", "kitten", "baby", "pet"),
        forms("move") + " " + _any("into", "to", "in", "house", "apartment"), forms("have", "expect") + " a baby",
        "finally " + forms("buy", "pull", "get", "order", "decide", "cave"), forms("decide") + " to",
        forms("upgrade", "replace", "replacement"), forms("recommend") + " " + _any("it", "this", "them"),
        forms("start", "begin") + " " + forms("look", "shop", "search", "research"), r"after (?:my|our) \w+",
        forms("hire") + r"(?: \d+)?",
    ],
    "must_have_feature": [
        forms("need"), "must " + forms("have", "be", "support"),
        forms("have") + " to " + forms("have", "be", "support", "work"), forms("wish") + r" \w+",
        _any("would", "'d") + " be " + _any("nice", "great", "awesome", "cool", "helpful"),
        "please " + forms("add", "make", "bring", "allow", "give", "let"),
        "should " + forms("have", "support", "include", "offer", "allow", "let"),
        forms("require", "requirement", "essential", "non-negotiable", "mandatory"), r"deal[- ]?breaker",
        "feature " + forms("request"), forms("want") + " " + _any("a", "an", "something", "one", "it"),
        CANT + " " + forms("live", "do") + " without", "only " + forms("buy", "consider", "if"),
    ],
    "success_factor": [
        "so " + _any("that", "i", "we"), "in order to", forms("save") + " " + _any("us", "me", "time", "hours", "money"),
        "all " + _any("i", "we") + " " + forms("want", "need"), "just " + forms("need", "want") + " " + _any("it", "something"),
        forms("get") + " through", "peace of mind", forms("goal"),
        # Outcomes as the real success factors of labelling rounds 1-4 word them ("saved our
        # company so much time", "has paid for itself", "allowed us to", "a great ROI", "what is
        # the point of having pet insurance if...") and as the guide defines them ("Success for
        # us is onboarding a new hire in a day").
        forms("save") + r" (?:\w+ ){0,4}" + _any("time", "hours", "money", "life", "lives"),
        forms("pay") + " for " + _any("itself", "themselves", "themself"), "paid off|pays off",
        forms("allow", "enable", "help") + " " + _any("us", "me", "my", "our") + r"(?: \w+)? to",
        r"(?:i|we) (?:just )?" + forms("want", "need") + " to be able to", "able to focus on",
        r"return on investment|roi", r"success (?:for (?:me|us) )?is", r"the (?:whole )?point (?:is|of)",
        forms("make") + r" (?:my|our|the) (?:\w+ )?(?:life|lives|work|job|day)s? easier",
    ],
    "buying_role": [
        _any("my", "our") + " " + forms("wife", "husband", "partner", "boss", "manager", "team", "parent", "dad", "mom",
                                         "mum", "son", "daughter", "kid", "friend", "cfo", "ceo"),
        "final " + forms("say", "decision", "call"), forms("approve", "approval", "sign", "budget", "permission"),
        forms("compare", "research", "shortlist", "vet", "evaluate", "trial", "demo"),
        forms("recommend", "suggest", "convince", "persuade", "talk") + " " + _any("me", "us", "into"),
        "for " + _any("my", "our") + " " + forms("son", "daughter", "kid", "mom", "mum", "dad", "parent", "wife",
                                                "husband", "team", "staff", "employee", "grandma", "grandpa"),
        "it " + forms("department", "team"),
    ],
}
# One alternation per kind: a regex pass per kind, not per phrase.
CUES: dict[str, re.Pattern[str]] = {
    kind: re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.I) for kind, patterns in _CUES.items()}


def cue_counts(text: str) -> dict[str, int]:
    """How many cue phrases of each kind occur in a sentence (without overlapping)."""
    text = text.replace("\u2019", "'")  # "doesn’t work", as phones type it
    return {kind: len(pattern.findall(text)) for kind, pattern in CUES.items()}


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
