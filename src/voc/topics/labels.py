"""Topic labels: a short readable name per topic, unique within an insight kind.

A label is up to three terms, "head (term, term)". They come from the topic's keywords (the
model's representation, most representative first), kept only when the topic's own insights
bear them out: a term must occur in at least two of its insights and be clearly more common in
the topic than across the kind. Unchecked, a keyword central to the whole corpus ("carpet" in a
robot-vacuum study) heads every broad topic, giving labels such as "floors carpet (moved house)"
twice, or "prices (cheaper, price)".
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from voc.defaults import MAX_TERMS, MIN_LIFT, PHRASE_SHARE
from voc.topics.vocabulary import TOKEN_PATTERN, stop_words


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


def _family(term: str) -> set[str]:
    return set(stem(term).split())


def analyzer(stop: set[str]) -> Callable[[str], list[str]]:
    """Words and two-word phrases that people actually wrote: a phrase is two adjacent words,
    neither in ``stop``. (Dropping stop words first, as CountVectorizer does, turns "old one
    died" into the phrase "old died".)"""
    token = re.compile(TOKEN_PATTERN)

    def analyse(doc: str) -> list[str]:
        words = token.findall(doc.replace("\u2019", "'").lower())
        kept = [w for w in words if w not in stop]
        return kept + [f"{a} {b}" for a, b in zip(words, words[1:]) if a not in stop and b not in stop]

    return analyse


def label_topics(docs: list[str], topics: np.ndarray, keywords: dict[int, list[str]],
                 extra_stop_words: list[str] | None = None) -> dict[int, str]:
    """Labels for every topic but the outliers (-1), bigger topics choosing their head first.

    Args:
        docs: the insights' sentences.
        topics: the topic of each sentence (-1 for outliers), any integer ids.
        keywords: per topic, its keywords in order of preference (e.g. KeyBERT-style); empty
            strings (BERTopic pads short lists with them) are ignored.
        extra_stop_words: the study's own stop words (brand names), kept out of labels.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    topics = np.asarray(topics)
    ids, counts = np.unique(topics[topics != -1], return_counts=True)
    order = [int(t) for _, t in sorted(zip(-counts, ids))]
    stop = set(stop_words(extra_stop_words))
    # A term in fewer than two insights can never be chosen, so it need not be counted.
    vec = CountVectorizer(analyzer=analyzer(stop), binary=True, min_df=min(2, len(docs)))
    try:
        present = vec.fit_transform(docs).tocsr()
    except ValueError:  # no word outside the stop words occurs twice
        present = None
    vocab = vec.get_feature_names_out() if present is not None else np.array([], dtype=object)
    index = {w: i for i, w in enumerate(vocab)}
    total = np.asarray(present.sum(0)).ravel() if present is not None else np.zeros(0)
    heads: set[str] = set()
    labels: dict[int, str] = {}
    for t in order:
        # Keywords from BERTopic's own vectorizer can be pseudo-phrases ("old died"): a phrase
        # must be one people wrote (in the vocabulary built here) to be used at all.
        own = [str(k) for k in keywords.get(t, [])
               if str(k) and not set(str(k).split()) & stop and (" " not in str(k) or str(k) in index)]
        members = topics == t
        chosen = _terms(present[members], total, members.mean(), vocab, index, own, heads) if present is not None else []
        if not chosen:
            # Nothing the topic bears out: its first keyword not heading another topic, else a number.
            chosen = [next((k for k in own if stem(k) not in heads), f"topic {t}")]
        heads.add(stem(chosen[0]))
        labels[t] = chosen[0] + (f" ({', '.join(chosen[1:])})" if len(chosen) > 1 else "")
    return labels


def _terms(rows, total: np.ndarray, base: float, vocab: np.ndarray, index: dict[str, int], own: list[str],
           heads: set[str]) -> list[str]:
    """Up to MAX_TERMS terms for one topic (``rows``: its insights' term presence), head first."""
    inside = np.asarray(rows.sum(0)).ravel()
    # For a topic holding most of the kind, 1.5x its share would be unreachable.
    strong = (inside >= 2) & (inside / np.maximum(total, 1) >= min(MIN_LIFT * base, (1 + base) / 2))
    candidates = [index[k] for k in own if k in index and strong[index[k]]]
    # Top up from the topic's own words, frequent and distinctive first, when the keywords say
    # too little (KeyBERT-style keywords can miss the obvious "puppy").
    score = np.where(strong, inside * inside / np.maximum(total, 1), 0.0)
    top = np.argpartition(-score, min(10, len(score) - 1))[:10] if len(score) > 10 else np.arange(len(score))
    candidates += [int(j) for j in sorted(top, key=lambda j: (-score[j], j)) if score[j] > 0]
    phrases = [int(i) for i in np.flatnonzero(strong) if " " in vocab[i]]
    chosen: list[str] = []
    for j in dict.fromkeys(candidates):
        term = _phrase(vocab, phrases, j, inside)
        if any(_family(term) & _family(c) for c in chosen) or (not chosen and stem(term) in heads):
            continue
        chosen.append(term)
        if len(chosen) == MAX_TERMS:
            break
    return chosen


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
