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
    # words that judge or frame rather than name a part: "the biggest flaw", "in addition"
    "addition", "while", "moment", "past", "luck", "sense", "matter", "occasion", "half",
    "amount", "waste", "none", "alot", "benefit", "advantage", "disadvantage", "flaw", "expectation",
    "expectations", "investment", "type", "good", "dollar", "dollars", "piece",
    "plus", "minus", "pro", "pros", "con", "cons", "mistake", "nightmare", "joke",
    "disappointment", "headache", "pleasure", "surprise", "hassle", "step", "attempt", "result",
    "results", "example", "instance", "reviews", "suggestion", "suggestions", "recommendation",
    "recommendations", "tip", "tips", "ease", "stuff", "whole", "rest", "beginning",
    # how a success factor frames what it wants ("success for me is ...", "the whole purpose was ...")
    "success", "outcome", "purpose",
}
# Spans of time among them: what qualifies one ("business days", "Christmas morning") is no aspect either.
TIME_NOUNS = {"day", "week", "month", "year", "minute", "hour", "time", "today", "yesterday", "morning", "night",
              "weekend", "while", "moment", "past", "beginning", "end", "start"}
# Words that mean the same aspect for a customer.
SYNONYMS = {"money": "price", "pricing": "price", "prices": "price", "cost": "price", "costs": "price"}
PRONOUNS = {"PRON"}
PREFERRED_DEPS = ("nsubj", "nsubjpass", "dobj", "pobj", "attr", "conj", "appos", "compound")


def normalise(tokens: list[Any]) -> str:
    """Lemmatised, lowercase form of a noun phrase without determiners or adjectives of opinion."""
    words = [t for t in tokens if t.pos_ in ("NOUN", "PROPN") or (t.dep_ == "compound" and t.pos_ != "NUM")]
    # A repeated word is a range or a list ("16oz - 20oz" gave "oz oz"): it names one thing.
    words = [w for i, w in enumerate(words) if i == 0 or w.lemma_.lower() != words[i - 1].lemma_.lower()]
    if not words:
        return ""
    head = words[-1]
    if head.lemma_.lower() in GENERIC_HEADS and len(words) > 1:
        words = words[:-1]
    lemmas = [w.lemma_.lower() if w.pos_ == "NOUN" else w.text.lower() for w in words[-2:]]
    phrase = " ".join(lemmas).strip(" -'\"")
    return SYNONYMS.get(phrase, phrase)


# Prepositions that, hung on a verb, set the scene rather than name a part: "bought it at Best
# Buy", "on the phone with support", "in July", "sent it to HP".
CIRCUMSTANCE_PREPS = {
    "in", "on", "at", "from", "after", "before", "during", "since", "until", "into", "as", "by", "like",
    "over", "around", "within", "to", "than", "across", "throughout",
}
# "easy to set up", "hard to read": the verb is what the customer judges.
EASE_WORDS = {
    "easy", "easier", "easiest", "hard", "harder", "hardest", "difficult", "simple", "simpler",
    "intuitive", "confusing", "awkward", "cumbersome", "convenient", "comfortable", "painful",
    "impossible", "tricky", "quick", "quicker", "slow", "fast", "faster", "nice", "pleasant", "fun",
}
# "runs smoothly", "boots up fast", "charges slowly": how a function performs.
MANNER_WORDS = {
    "fast", "faster", "fastest", "slow", "slowly", "slower", "well", "great", "perfectly", "smoothly",
    "quickly", "quietly", "quiet", "flawlessly", "fine", "beautifully", "badly", "poorly", "easily",
    "nicely", "seamlessly", "reliably", "properly", "correctly", "hot", "loud", "loudly", "good",
    "terrible", "terribly", "horribly", "awesome", "amazingly", "wonderfully", "effortlessly",
}
# Verbs that name no function of their own ("work": the annotators mark "it works" too unevenly).
LIGHT_VERBS = {"work", "be", "have", "get", "make", "do", "go", "come", "take", "keep", "give", "put", "let", "seem"}
# Functions that, when they fail, are the aspect: "it stopped loading", "won't boot".
FUNCTION_VERBS = {"run", "boot", "load", "start", "charge", "perform", "operate", "respond", "connect", "sync"}


def _is_circumstance(root: Any) -> bool:
    prep = root.head
    return (root.dep_ == "pobj" and prep.lemma_.lower() in CIRCUMSTANCE_PREPS
            and prep.head.pos_ in ("VERB", "AUX", "ADV"))


def _verb_phrase(verb: Any) -> str:
    particles = [c.text.lower() for c in verb.children if c.dep_ == "prt"]
    return " ".join([verb.lemma_.lower(), *particles[:1]])


def _judged_function(tok: Any) -> bool:
    """A verb whose performance the sentence judges: "easy to use", "runs great", "won't boot"."""
    if tok.pos_ not in ("VERB", "NOUN") or tok.dep_ in ("nsubj", "dobj", "pobj", "compound", "amod"):
        return False
    kids = list(tok.children)
    if tok.lemma_.lower() in LIGHT_VERBS:
        return False
    # "the charger stopped working" is about the charger, which is already a candidate
    subject = next((c for c in [*kids, *tok.head.children] if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is not None and subject.pos_ in ("NOUN", "PROPN") and (subject.head.i == tok.i or tok.dep_ == "xcomp"):
        return False
    if tok.pos_ == "VERB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in kids):
        judge = tok.head if tok.head.pos_ == "ADJ" else next(
            (c for c in tok.head.children if c.dep_ == "acomp"), None) if tok.dep_ == "xcomp" else None
        if judge is not None and judge.lower_ in EASE_WORDS:
            return True
    if any(c.dep_ in ("advmod", "acomp", "oprd") and c.lower_ in MANNER_WORDS for c in kids):
        return tok.pos_ == "VERB" or tok.dep_ == "conj"
    lemma = tok.lemma_.lower()
    if lemma in FUNCTION_VERBS and tok.pos_ == "VERB":
        negated = any(c.dep_ == "neg" for c in kids)
        stopped = tok.head.lemma_.lower() in {"stop", "quit", "fail", "refuse", "cease"} and tok.dep_ == "xcomp"
        return negated or stopped
    return False


def _acronym(chunk: Any, phrase: str) -> bool:
    # A shouted sentence ("MY ONLY PROBLEM IS ...") is all capitals: its pronouns are no acronyms.
    return any(t.text.isupper() and t.text.isalpha() and not t.is_stop and t.text.lower() == phrase for t in chunk)


def candidates(doc: Any) -> list[tuple[str, Any, str]]:
    """(normalised phrase, head token, role) for each usable noun chunk and judged function, in
    order. role is "part" (a noun phrase), "scene" (a noun phrase that sets the scene: "at Best
    Buy", "on the phone") or "function" ("easy to use", "boots up fast")."""
    out = []
    try:
        chunks = list(doc.noun_chunks)
    except (ValueError, AttributeError):
        chunks = []
    for chunk in chunks:
        root = chunk.root
        if root.pos_ in PRONOUNS:
            continue
        role = "scene" if _is_circumstance(root) else "part"
        if root.lemma_.lower() == "use" and root.head.lower_ == "of" and root.head.head.lemma_.lower() == "ease":
            out.append(("use", root, role))
            continue
        phrase = normalise(list(chunk))
        words = phrase.split()
        # "a Windows user", "the Apple customer": the person is no aspect, what they use is (of a
        # phrase normalised to two words: "Black Friday deal" -> "friday").
        # A span of time is no person: "7 business days" names no business.
        if len(words) > 1 and words[-1] in STOP_NOUNS - TIME_NOUNS and words[-2] not in STOP_NOUNS:
            phrase = words[-2]
        # Two letters name a part only as an acronym ("the OS", "the UI"), not as a word ("ok").
        if (not phrase or phrase in STOP_NOUNS or phrase.split()[-1] in STOP_NOUNS
                or (len(phrase) < 3 and not _acronym(chunk, phrase))):
            continue
        if phrase.replace(" ", "").isdigit():
            continue
        out.append((phrase, root, role))
    out.extend((_verb_phrase(t), t, "function") for t in doc if _judged_function(t))
    return sorted(out, key=lambda c: c[1].i)


# A scene or a judged function names the aspect only when no part is named.
ROLE_PENALTY = {"part": 0.0, "scene": 1.0, "function": 1.5}


def _score(head: Any, role: str, cue_heads: set[int]) -> float:
    """Prefer the thing a complaint or request is about: subjects of the predicate, objects of
    need/want/wish, and nouns attached to those verbs."""
    score = -ROLE_PENALTY[role]
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
    best = max(cands, key=lambda c: _score(c[1], c[2], cue_heads))
    return best[0]


def extract_terms(doc: Any) -> list[str]:
    """The aspect terms a sentence names (for aspect-term evaluation): parts and judged
    functions, not the scene."""
    return [p for p, _, role in candidates(doc) if role != "scene"]
