"""Topic labels: a short readable name per topic, unique within an insight kind.

A label is up to three terms, "head (term, term)". They come from the topic's keywords (the
model's representation, most representative first), kept only when the topic's own insights
bear them out: a term must occur in at least two of its insights and be clearly more common in
the topic than across the kind. A keyword that is central to the whole corpus ("carpet" in a
robot-vacuum study) otherwise names every broad topic, and an unchecked list gives labels such
as "floors carpet (moved house)" twice, or "prices (cheaper, price)".
"""

from __future__ import annotations

import numpy as np

from voc.vocabulary import TOKEN_PATTERN, stop_words

MIN_LIFT = 1.5   # a term's share of insights in the topic over its share in the whole kind
MAX_TERMS = 3
PHRASE_SHARE = 0.75  # of a word's uses in the topic that a phrase must cover to replace it


def stem(term: str) -> str:
    """A crude word-family key, enough to keep "price"/"prices" or "return"/"returned" apart
    from each other in one label (no lemmatiser needed at this point of the pipeline)."""
    keys = []
    for word in term.lower().split():
        for suffix in ("ing", "ies", "ied", "ed", "es", "er", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        keys.append(word.rstrip("ey")[:5] or word[:5])
    return " ".join(keys)


def _family(term: str) -> set[str]:
    return set(stem(term).split())


def label_topics(docs: list[str], topics: np.ndarray, keywords: dict[int, list[str]],
                 extra_stop_words: list[str] | None = None) -> dict[int, str]:
    """Labels for every topic but the outliers (-1), bigger topics choosing their head first.

    Args:
        docs: the insights' sentences; ``topics[i]`` is the topic of ``docs[i]``.
        keywords: per topic, its keywords in order of preference (e.g. KeyBERT-style).
    """
    from sklearn.feature_extraction.text import CountVectorizer

    topics = np.asarray(topics)
    ids, counts = np.unique(topics[topics != -1], return_counts=True)
    order = [int(t) for _, t in sorted(zip(-counts, ids))]
    vec = CountVectorizer(stop_words=stop_words(extra_stop_words), ngram_range=(1, 2), binary=True,
                          token_pattern=TOKEN_PATTERN)
    try:
        present = vec.fit_transform(docs).tocsr()
    except ValueError:  # nothing but stop words
        return {t: next(iter(map(str, keywords.get(t, []))), "misc") for t in order}
    vocab = vec.get_feature_names_out()
    index = {w: i for i, w in enumerate(vocab)}
    total = np.asarray(present.sum(0)).ravel()
    heads: set[str] = set()
    labels: dict[int, str] = {}
    for t in order:
        own = [str(k) for k in keywords.get(t, []) if str(k)]
        members = topics == t
        inside = np.asarray(present[members].sum(0)).ravel()
        base = members.sum() / len(docs)
        # For a topic holding most of the kind, 1.5x its share would be unreachable.
        strong = (inside >= 2) & (inside / np.maximum(total, 1) >= min(MIN_LIFT * base, (1 + base) / 2))
        candidates = [index[k] for k in own if k in index and strong[index[k]]]
        # Top up from the topic's own words, most frequent and distinctive first, when the
        # keywords say too little (KeyBERT-style keywords can miss the obvious "puppy").
        score = np.where(strong, inside * inside / np.maximum(total, 1), 0.0)
        candidates += [int(j) for j in np.argsort(-score, kind="stable")[:10] if score[j] > 0]
        phrases = [int(i) for i in np.flatnonzero(strong) if " " in vocab[i]]
        chosen: list[str] = []
        for j in dict.fromkeys(candidates):
            term = _phrase(vocab, phrases, j, inside)
            if any(_family(term) & _family(c) for c in chosen) or (not chosen and stem(term) in heads):
                continue
            chosen.append(term)
            if len(chosen) == MAX_TERMS:
                break
        if not chosen:
            labels[t] = own[0] if own else "misc"
            continue
        heads.add(stem(chosen[0]))
        labels[t] = chosen[0] + (f" ({', '.join(chosen[1:])})" if len(chosen) > 1 else "")
    return labels


def _phrase(vocab: np.ndarray, phrases: list[int], j: int, inside: np.ndarray) -> str:
    """A two-word phrase (among the topic's strong ones) replaces its word when it accounts for
    most of the word's uses in the topic ("friday" -> "black friday", but "old" stays "old"
    when only some of its uses are "year old")."""
    word = str(vocab[j])
    if " " in word:
        return word
    best, best_count = word, PHRASE_SHARE * inside[j]
    for i in phrases:
        if inside[i] >= best_count and word in str(vocab[i]).split():
            best, best_count = str(vocab[i]), inside[i]
    return best

