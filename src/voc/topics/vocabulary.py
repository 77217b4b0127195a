"""The topic vocabulary: which tokens count as words, and which words say nothing about a theme.

Topic fitting, labelling and coherence scoring all use it, so a word is either in all three or
in none.
"""

from __future__ import annotations

TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z'-]+\b"  # no digits: model numbers (d7, s8) are not themes


def stop_words(extra: list[str] | None = None) -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = set(ENGLISH_STOP_WORDS) | {w.lower() for w in extra or []}
    words |= {"just", "really", "like", "got", "get", "thing", "things", "lol", "im", "ive", "dont", "don't",
              "i'm", "i've", "it's", "doesn't", "didn't", "can't", "won't", "isn't", "that's", "i'd", "you're",
              "honestly", "actually", "basically", "literally", "pretty", "maybe", "yeah", "um", "uh", "tbh", "imo",
              # the cue words that made a sentence an insight say nothing about its theme
              "need", "needs", "needed", "want", "wants", "wanted", "wish", "would", "nice", "please", "add",
              "bought", "buy", "buying", "getting", "use", "used", "using", "make", "makes", "does", "did",
              "going", "want", "kind", "sure", "think", "know", "feel", "say", "said", "way", "lot", "extra",
              "love", "loved", "loves",  # "I'd love a ...": a must-have's cue, and praise
              "success", "successful",  # "success for me is ...": a success factor's cue
              # praise words grade a theme without naming it
              "good", "better", "best", "great",
              # review sites' answer heads: G2, Capterra and TrustRadius exports open each answer
              # with "Pros:", "Cons:" or "Overall:" (a Capterra import labelled a theme "cons (depth)")
              "pros", "cons", "overall"}
    # Contractions of stop words ("there's", "they'll") are stop words too, and so are their
    # pieces when a typographic apostrophe ("didn’t") splits them into two tokens.
    words |= {f"{w}'{end}" for w in ENGLISH_STOP_WORDS for end in ("s", "re", "ll", "ve", "d")}
    negated = ("didn", "doesn", "don", "isn", "wasn", "weren", "aren", "won", "wouldn", "couldn", "shouldn",
               "hasn", "haven", "hadn", "ain", "mustn", "needn")
    words |= set(negated) | {f"{w}'t" for w in negated} | {"ll", "ve", "re"}
    return sorted(words)


def stem(term: str) -> str:
    """A crude word-family key, enough to keep "price"/"prices" or "filter"/"filters" from both
    appearing in one label (no lemmatiser needed at this point of the pipeline)."""
    keys = []
    for word in term.lower().split():
        if word.endswith(("ies", "ied")):  # batteries -> battery, dies -> die
            word = word[:-3] + ("y" if len(word) > 4 else "ie")
        stripped = True
        while stripped:  # filters -> filter -> filt
            stripped = False
            for suffix in ("ing", "ed", "es", "er", "s"):
                if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                    word, stripped = word[: -len(suffix)], True
                    break
        keys.append(word.rstrip("ey")[:5] or word[:5])
    return " ".join(keys)
