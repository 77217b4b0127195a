"""Aspects: what an insight is about, read off the dependency parse and normalised so that
"battery", "the battery life" and "batteries" are one aspect."""

from __future__ import annotations

from typing import Any

# Heads that say little on their own: "battery life" is about the battery.
GENERIC_HEADS = {
    "life", "quality", "level", "time", "issue", "problem", "performance", "option", "setting",
    "settings", "feature", "function", "functionality", "capability", "mode", "system", "part",
    "side", "experience", "process", "department", "team", "situation", "stuff",
}
# Nouns that are never the aspect.
STOP_NOUNS = {
    "thing", "things", "one", "lot", "bit", "way", "day", "week", "month", "year", "people", "guy",
    "everyone", "anyone", "someone", "something", "anything", "nothing", "everything", "kind", "sort",
    "lol", "tbh", "imo", "idea", "point", "reason", "fact", "question", "answer", "thanks", "post",
    "thread", "minute", "hour", "today", "yesterday", "time", "%", "star", "stars", "review", "use",
    "product", "item", "model", "unit", "device", "purchase", "need", "wish", "must", "hope",
    # problem words: "a problem with the hinge" is about the hinge
    "problem", "problems", "issue", "issues", "trouble", "complaint", "complaints", "concern", "fault",
    # people, places and life around the product
    "friend", "friends", "person", "wife", "husband", "son", "daughter", "kid", "kids", "mom", "dad",
    "customer", "user", "guy", "girl", "family", "world", "school", "college", "class", "job", "work",
    "place", "home", "house", "office", "life", "experience", "difference", "course", "side", "top",
    "front", "back", "second", "hand", "number", "other", "others", "love", "help", "change", "deal",
    "research", "market", "line", "lot", "plenty", "ton", "tons", "couple", "bunch", "end", "start",
    "morning", "night", "weekend", "christmas", "birthday", "gift", "present", "advice", "opinion",
}
# Words that mean the same aspect for a customer.
SYNONYMS = {"money": "price", "pricing": "price", "prices": "price", "cost": "price", "costs": "price"}
PRONOUNS = {"PRON"}
PREFERRED_DEPS = ("nsubj", "nsubjpass", "dobj", "pobj", "attr", "conj", "appos", "compound")


def normalise(tokens: list[Any]) -> str:
    """Lemmatised, lowercase form of a noun phrase without determiners or adjectives of opinion."""
    words = [t for t in tokens if t.pos_ in ("NOUN", "PROPN") or (t.dep_ == "compound")]
    if not words:
        return ""
    head = words[-1]
    if head.lemma_.lower() in GENERIC_HEADS and len(words) > 1:
        words = words[:-1]
    lemmas = [w.lemma_.lower() if w.pos_ == "NOUN" else w.text.lower() for w in words[-2:]]
    phrase = " ".join(lemmas).strip(" -'\"")
    return SYNONYMS.get(phrase, phrase)


def candidates(doc: Any) -> list[tuple[str, Any]]:
    """(normalised phrase, head token) for each usable noun chunk, in order."""
    out = []
    try:
        chunks = list(doc.noun_chunks)
    except (ValueError, AttributeError):
        chunks = []
    for chunk in chunks:
        if chunk.root.pos_ in PRONOUNS:
            continue
        phrase = normalise(list(chunk))
        if not phrase or phrase in STOP_NOUNS or phrase.split()[-1] in STOP_NOUNS or len(phrase) < 3:
            continue
        if phrase.replace(" ", "").isdigit():
            continue
        out.append((phrase, chunk.root))
    return out


def _score(head: Any, cue_heads: set[int]) -> float:
    """Prefer the thing a complaint or request is about: subjects of the predicate, objects of
    need/want/wish, and nouns attached to those verbs."""
    score = 0.0
    if head.dep_ in ("nsubj", "nsubjpass"):
        score += 2.0
    elif head.dep_ in ("dobj", "attr"):
        score += 1.5
    elif head.dep_ == "pobj":
        score += 1.0
    if head.head.i in cue_heads or head.head.head.i in cue_heads:
        score += 1.5
    if head.pos_ == "PROPN":
        score -= 1.0  # brand and model names are context, not the aspect
    return score - 0.05 * head.i


def extract_aspect(doc: Any) -> str | None:
    """The aspect of one parsed sentence, or None when it names nothing concrete."""
    cands = candidates(doc)
    if not cands:
        return None
    cue_heads = {t.i for t in doc if t.lemma_.lower() in {
        "need", "want", "wish", "add", "have", "break", "stop", "die", "hate", "fail", "love",
        "miss", "require", "support", "include", "be"}}
    best = max(cands, key=lambda c: _score(c[1], cue_heads))
    return best[0]


def extract_terms(doc: Any) -> list[str]:
    """All candidate aspect terms of a sentence (for aspect-term evaluation)."""
    return [p for p, _ in candidates(doc)]
