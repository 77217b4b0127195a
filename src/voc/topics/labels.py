"""Topic labels: a short readable name per topic, unique within an insight kind.

A label is up to three terms, "head (term, term)". They come from the topic's keywords (the
model's representation, most representative first), kept only when the topic's own insights
bear them out: a term must occur in at least two of its insights and be clearly more common in
the topic than across the kind. Unchecked, a keyword central to the whole corpus ("carpet" in a
robot-vacuum study) heads every broad topic, giving labels such as "floors carpet (moved house)"
twice, or "prices (cheaper, price)".

A label names an issue, need, event or result, so its terms are never only generic words
("issue", "term", "following", "probably") or names (``voc.topics.names``). A head must also
cover a fair share of the topic's insights (``MIN_HEAD_SHARE``): a theme whose best term is in a
few of its sentences is too diffuse to name and is labelled "various" instead of mislabelled; a
household word, where it may head at all (purchase triggers), must cover more
(``HOUSEHOLD_HEAD_SHARE``). A phrase that replaced its word ("customer service" for "customer",
being in most of the insights that use the word) heads when the word would have.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from voc.defaults import (COMMON_MIN_KIND, COMMON_SHARE, HOUSEHOLD_HEAD_SHARE, KIN_MIN, KIN_SHARE, MAX_TERMS,
                          MIN_HEAD_SHARE, MIN_LIFT, PHRASE_SHARE)
from voc.topics.names import GENERIC, GENERIC_VERBS, HOUSEHOLD
from voc.topics.vocabulary import TOKEN_PATTERN, stem, stop_words

VARIOUS = "various"
# What the insights no theme took are called in the topic tables (topic -1).
OUTLIER_LABEL = "unassigned (outliers)"


def _family(term: str) -> set[str]:
    # "pre-existing" and "preexisting" are one word; "peace of mind" and "waste of money" are not kin
    return set(stem(term.replace("-", "")).split()) - {"of"}


def _root(word: str) -> str:
    """A word without its inflection, not cut short: "submitted", "submitting" and "submits"
    -> "submit", "pre-existing" and "preexisting" -> "preexist", but "medical" and
    "medication" stay apart (``stem`` joins them by their first five letters)."""
    word = word.lower().replace("-", "")
    if word.endswith(("ies", "ied")) and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "shes", "ches", "xes", "zes")):
        word = word[:-2]  # "processes" -> "process", "boxes" -> "box"
    else:
        for suffix in ("ing", "ed", "s"):
            if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # "submitt" -> "submit", but "process" and "fill" stay
    # "price", "priced" and "pricing" alike
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def analyzer(stop: set[str]) -> Callable[[str], list[str]]:
    """Words and phrases that people actually wrote: two adjacent words, neither in ``stop``, or
    two joined by "of". (Dropping stop words first, as CountVectorizer does, turns "old one
    died" into the phrase "old died".)"""
    token = re.compile(TOKEN_PATTERN)

    def analyse(doc: str) -> list[str]:
        words = token.findall(doc.replace("\u2019", "'").lower())
        kept = [w for w in words if w not in stop]
        pairs = [f"{a} {b}" for a, b in zip(words, words[1:]) if a not in stop and b not in stop]
        # "peace of mind", "waste of money", "lack of communication": the one stop word that
        # joins a phrase people reuse as a unit.
        joined = [f"{a} of {c}" for a, b, c in zip(words, words[1:], words[2:])
                  if b == "of" and a not in stop and c not in stop]
        return kept + pairs + joined

    return analyse


def label_topics(docs: list[str], topics: np.ndarray, keywords: dict[int, list[str]],
                 extra_stop_words: list[str] | None = None, names: list[str] | None = None) -> dict[int, str]:
    """Labels for every topic but the outliers (-1), bigger topics choosing their head first.

    Args:
        docs: the insights' sentences.
        topics: the topic of each sentence (-1 for outliers), any integer ids.
        keywords: per topic, its keywords in order of preference (e.g. KeyBERT-style); empty
            strings (BERTopic pads short lists with them) are ignored.
        extra_stop_words: the study's own stop words, kept out of labels.
        names: words that cannot be a whole label but may be part of a phrase (product, brand
            and people names, the study's subject).
    """
    return Labeller(docs, extra_stop_words, names).label(topics, keywords)


class Labeller:
    """The sentences' words counted once, then any partition of them labelled (topic fitting
    labels many candidate partitions to prefer those it can name)."""

    def __init__(self, docs: list[str], extra_stop_words: list[str] | None = None, names: list[str] | None = None):
        from sklearn.feature_extraction.text import CountVectorizer

        self.n = len(docs)
        self.stop = set(stop_words(extra_stop_words))
        # A term in fewer than two insights can never be chosen, so it need not be counted.
        vec = CountVectorizer(analyzer=analyzer(self.stop), binary=True, min_df=min(2, len(docs)))
        try:
            self.present = vec.fit_transform(docs).tocsr()
            self.vocab = vec.get_feature_names_out()
        except ValueError:  # no word outside the stop words occurs twice
            self.present, self.vocab = None, np.array([], dtype=object)
        self.index = {w: i for i, w in enumerate(self.vocab)}
        self.total = np.asarray(self.present.sum(0)).ravel() if self.present is not None else np.zeros(0)
        # Names match as written (a plural or possessive too): a word family would let "medicare"
        # block "medical". The study's subject comes with its corpus word forms (study_settings).
        unnamed = {n.lower() for n in names or []}
        self.namable = np.array([_namable(str(v), unnamed) for v in self.vocab], dtype=bool)
        # Namable terms that head at MIN_HEAD_SHARE; the rest of the namable (household words) need more.
        self.plain = self.namable & ~np.array([str(v) in HOUSEHOLD for v in self.vocab], dtype=bool)
        self.families: dict[str, list[int]] = {}
        # A word's root -> (the other word's root, column) for every two-word phrase it is in
        # that names something (no generic word, no name).
        self.kin: dict[str, list[tuple[str, int]]] = {}
        for i, v in enumerate(self.vocab):
            words = str(v).split()
            if len(words) == 1:
                self.families.setdefault(stem(str(v)), []).append(i)
            elif len(words) == 2 and not any(w in GENERIC or _named(w, unnamed) for w in words):
                a, b = (_root(w) for w in words)
                if a != b:
                    self.kin.setdefault(a, []).append((b, i))
                    self.kin.setdefault(b, []).append((a, i))

    def label(self, topics: np.ndarray, keywords: dict[int, list[str]], phrases: bool = True) -> dict[int, str]:
        """Labels for every topic of ``topics`` (row i: docs[i]) but the outliers.

        ``phrases``: a head word that ``KIN_SHARE`` of its uses pair with one other word is shown
        as the pair (``_kin_phrase``). Only how a label reads: which word heads which topic, and so
        which topics are too diffuse to name, is the same either way (fitting compares
        candidate partitions without it).
        """
        topics = np.asarray(topics)
        ids, counts = np.unique(topics[topics != -1], return_counts=True)
        order = [int(t) for _, t in sorted(zip(-counts, ids))]
        heads: set[str] = set()
        labels: dict[int, str] = {}
        named: dict[int, tuple[np.ndarray, list[str]]] = {}
        for t in order:
            # Keywords from BERTopic's own vectorizer can be pseudo-phrases ("old died"): a phrase
            # must be one people wrote (in the vocabulary built here) to be used at all.
            own = [str(k) for k in keywords.get(t, [])
                   if str(k) and not set(str(k).split()) & self.stop and (" " not in str(k) or str(k) in self.index)]
            members = topics == t
            chosen = _terms(self.present[members], self.total, members.mean(), self.vocab, self.index, own, heads,
                            self.plain, self.namable, self.families, self.n) if self.present is not None else []
            if not chosen or chosen[0] == VARIOUS:
                # Nothing names the topic: say so, with what little it shares, rather than mislabel it.
                twins = sum(v.startswith(VARIOUS) for v in labels.values())
                touched = f" ({', '.join(chosen[1:])})" if len(chosen) > 1 else ""
                labels[t] = VARIOUS + (f" {twins + 1}" if twins else "") + touched
                continue
            heads.add(stem(chosen[0]))
            named[t] = (members, chosen)
        # A pair may not say what another theme's head says ("processing claims" twice, or
        # "cancel policy" beside "cancel"): every theme's plain head is known before any pair.
        said = {_key(chosen[0]) for _, chosen in named.values()}
        head_words = {w for _, chosen in named.values() for w in _family(chosen[0])}
        for t, (members, chosen) in named.items():
            if phrases and " " not in chosen[0]:
                chosen = self._in_phrase(members, chosen, said, head_words)
                said.add(_key(chosen[0]))
            labels[t] = chosen[0] + (f" ({', '.join(chosen[1:])})" if len(chosen) > 1 else "")
        return {t: labels[t] for t in order}

    def _in_phrase(self, members: np.ndarray, chosen: list[str], said: set[str], head_words: set[str]) -> list[str]:
        """``chosen`` with its head word replaced by the pair it is said in (``_kin_phrase``), and
        the terms that pair repeats dropped; unchanged when no pair qualifies, or when the pair is
        another label's head or its other word heads another label (``said``, ``head_words``)."""
        rows = self.present[members]
        word = chosen[0]
        family = self.families.get(stem(word), [self.index[word]] if word in self.index else [])
        uses = int((rows[:, family].sum(1) > 0).sum()) if family else 0
        pair = _kin_phrase(rows, self.vocab, self.kin.get(_root(word), []), uses)
        if not pair or _key(pair) in said or (_family(pair) - _family(word)) & head_words:
            return chosen
        # "pre existing" repeats "pre-existing condition" as much as "preexisting" does
        written = {w.replace("-", "") for w in pair.split()}
        return [pair] + [c for c in chosen[1:] if not _family(c) & _family(pair)
                         and c.replace("-", "").replace(" ", "") not in written]

    def diffuse_share(self, topics: np.ndarray, keywords: list[list[str]]) -> float:
        """Share of the grouped sentences that sit in topics too diffuse to name ("various");
        ``keywords`` per topic in the order of their ids."""
        topics = np.asarray(topics)
        grouped = topics != -1
        if not grouped.any():
            return 0.0
        ids = sorted(set(topics[grouped].tolist()))
        labels = self.label(topics, dict(zip(ids, keywords)), phrases=False)
        various = [t for t, label in labels.items() if label.startswith(VARIOUS)]
        return float(np.isin(topics, various).sum() / grouped.sum())


def _namable(term: str, unnamed: set[str]) -> bool:
    """Whether a term can be part of a label: not only generic words and names (``unnamed``), and
    no lone adverb ("really", "finally")."""
    words = term.split()
    if term in unnamed:  # a two-word name ("healthy paws")
        return False
    if len(words) == 1 and term.endswith("ly") and term not in _LY_NOUNS:
        return False
    return not all(w in GENERIC or w == "of" or _named(w, unnamed) for w in words)


def _named(word: str, unnamed: set[str]) -> bool:
    return word in unnamed or word.removesuffix("'s") in unnamed or word.removesuffix("s") in unnamed


_LY_NOUNS = frozenset("family supply assembly reply jelly belly fly rally ally anomaly monopoly bully".split())


def _terms(rows, total: np.ndarray, base: float, vocab: np.ndarray, index: dict[str, int], own: list[str],
           heads: set[str], plain: np.ndarray, namable: np.ndarray, families: dict[str, list[int]],
           n_all: int) -> list[str]:
    """Up to MAX_TERMS terms for one topic (``rows``: its insights' term presence), head first;
    ``VARIOUS`` first when no term covers enough of the topic to head it. ``plain``: the namable
    terms that head at ``MIN_HEAD_SHARE``; the other namable ones (household words) need
    ``HOUSEHOLD_HEAD_SHARE``."""
    inside = np.asarray(rows.sum(0)).ravel()
    # For a topic holding most of the kind, 1.5x its share would be unreachable.
    strong = (inside >= 2) & (inside / np.maximum(total, 1) >= min(MIN_LIFT * base, (1 + base) / 2)) & namable
    floor = max(2.0, MIN_HEAD_SHARE * rows.shape[0])
    household_floor = max(floor, HOUSEHOLD_HEAD_SHARE * rows.shape[0])

    def uses(j: int, family: bool = True) -> int:
        # Counted over the word's family ("communication", "communicate", "communicating"): a
        # theme about one thing rarely says it in one word form. Whether a phrase stands for the
        # word counts its plural and singular only: the crude family joins "car" to "care".
        word = str(vocab[j])
        if " " in word:
            cols = [j]
        elif family:
            cols = families.get(stem(word), [j])
        else:
            cols = [index[w] for w in {word, word + "s", word.removesuffix("s")} if w in index]
        return int((rows[:, cols].sum(1) > 0).sum())

    candidates = [index[k] for k in own if k in index and strong[index[k]]]
    # Top up from the topic's own words, frequent and distinctive first, when the keywords say
    # too little (KeyBERT-style keywords can miss the obvious "puppy").
    score = np.where(strong, inside * inside / np.maximum(total, 1), 0.0)
    top = np.argpartition(-score, min(10, len(score) - 1))[:10] if len(score) > 10 else np.arange(len(score))
    candidates += [int(j) for j in sorted(top, key=lambda j: (-score[j], j)) if score[j] > 0]
    phrases = [int(i) for i in np.flatnonzero(strong) if " " in vocab[i]]
    chosen: list[str] = []
    for j in dict.fromkeys(candidates):
        term = _phrase(vocab, phrases, j, inside, uses(j, family=False))
        if not chosen and " " not in term and n_all >= COMMON_MIN_KIND and total[j] > COMMON_SHARE * n_all:
            # A word in a large share of the whole kind ("dog" in pet-insurance objections, "claim"
            # in its pain points) says what the corpus is about, not what this theme is: only a
            # phrase with it ("claim denied", "dog gets older") may head the label.
            term = next((str(vocab[i]) for i in sorted(phrases, key=lambda i: -inside[i])
                         if term in str(vocab[i]).split() and inside[i] >= floor), "")
            if not term:
                continue
        if chosen and term != str(vocab[j]) and any(_family(term) & _family(c) for c in chosen):
            term = str(vocab[j])  # "battery (dies)", not "battery" then "battery dies" dropped as a repeat
        if any(_family(term) & _family(c) for c in chosen) or (not chosen and stem(term) in heads):
            continue
        # A phrase standing in for its word (most uses of the word's family) heads when the word could.
        needed = household_floor if term == str(vocab[j]) and not plain[j] else floor
        if not chosen and not (uses(j) if " " not in str(vocab[j]) else inside[index[term]]) >= needed:
            continue
        chosen.append(term)
        if len(chosen) == MAX_TERMS:
            break
    if not chosen:
        # No term is in enough of the topic to head it: the strong ones still say what it touches.
        touched: list[str] = []
        for j in dict.fromkeys(candidates):
            if not any(_family(str(vocab[j])) & _family(c) for c in touched):
                touched.append(str(vocab[j]))
        return [VARIOUS] + touched[:MAX_TERMS - 1]
    return chosen


def _phrase(vocab: np.ndarray, phrases: list[int], j: int, inside: np.ndarray, uses: int) -> str:
    """A two-word phrase (among the topic's strong ones) replaces its word when it accounts for
    most of the topic's insights that use the word, plural or singular (``uses``): "friday" -> "black
    friday", "customer" -> "customer service", but "old" stays "old" when only some of its uses
    are "year old", and "customer service" does not stand for a theme that mostly says
    "customers". A phrase ending in an empty verb is a fragment ("app keeps") and never replaces
    its word."""
    word = str(vocab[j])
    if " " in word:
        return word
    best, best_count = word, PHRASE_SHARE * uses
    for i in phrases:
        words = str(vocab[i]).split()
        if inside[i] >= best_count and word in words and words[-1] not in GENERIC_VERBS:
            best, best_count = str(vocab[i]), inside[i]
    return best


def _key(term: str) -> str:
    """A head's word families in any order: "claims processing" repeats "processing claims"."""
    return " ".join(sorted(stem(term).split()))


def _kin_phrase(rows, vocab: np.ndarray, pairs: list[tuple[str, int]], uses: int) -> str:
    """The pair a head word is said in, counting every form of it ("submit claim", "submitted
    claims", "submitting claims" for "submitted"; "processing claims" and "claim processing" for
    "processing"): when ``KIN_SHARE`` of the word's uses in a theme (``uses``) are with one other
    word, the theme is about the pair. Written its most common way, or as a gerund when that is
    at least half as common ("submitting claims" over "submit claims"), which reads as the
    thing people do. Empty when no pair qualifies."""
    inside = np.asarray(rows.sum(0)).ravel()
    groups: dict[str, list[int]] = {}
    for partner, i in pairs:
        if inside[i] > 0:
            groups.setdefault(partner, []).append(i)
    needed = max(KIN_MIN, KIN_SHARE * uses)
    found = []
    for partner, cols in sorted(groups.items()):
        if inside[cols].sum() >= needed and (count := int((rows[:, cols].sum(1) > 0).sum())) >= needed:
            found.append((count, int(inside[cols].sum()), partner, cols))
    if not found:
        return ""
    # The most insights, then the most uses; equal pairs fall to the first partner alphabetically.
    cols = min(found, key=lambda f: (-f[0], -f[1], f[2]))[3]
    forms = sorted(cols, key=lambda i: (-inside[i], str(vocab[i])))
    gerund = [i for i in forms if str(vocab[i]).split()[0].endswith("ing") and inside[i] >= inside[forms[0]] / 2]
    return str(vocab[(gerund or forms)[0]])


def names_nothing(label: str) -> bool:
    """A label with no subject to look for: a theme too diffuse to name ("various"), the ungrouped
    rest ("other"), the outliers, or a bare topic number."""
    head = label.split(" (")[0].lower()
    return head.startswith((VARIOUS, "topic ")) or head in ("other", "unassigned")


def on_label(texts: list[str], label: str, words: list[set[str]] | None = None) -> np.ndarray:
    """Which texts speak of the label's head ("claim denied": both words, in any form): the
    quotes shown under a theme should prove its label, not merely sit near its centroid.

    Every text qualifies when the head names no words to look for ("various", role groups).
    """
    if names_nothing(label):
        return np.ones(len(texts), dtype=bool)
    wanted = _family(label.split(" (")[0])
    found = np.array([wanted <= said for said in (word_stems(texts) if words is None else words)], dtype=bool)
    return found if found.any() else np.ones(len(texts), dtype=bool)


def on_terms(texts: list[str], label: str, words: list[set[str]] | None = None) -> np.ndarray:
    """Which texts speak of at least one of the label's other terms, those in brackets
    ("cancel" or "renewed" under "policy (cancel, renewed)"; "allergy issues" under "various
    (vet stated, allergy issues)"): of the quotes that prove a label's head, those that also
    prove one of its terms show more of what the label says. ``words``: ``word_stems(texts)``,
    when the caller has them already (``on_label`` reads the same)."""
    terms = label.split(" (", 1)[1].rstrip(")").split(", ") if " (" in label and label != OUTLIER_LABEL else []
    # A role's description ("user (who it is for)") is made of stop words: they prove nothing.
    wanted = [f for t in terms if (f := _family(t) - _STOP_STEMS)]
    return np.array([any(w <= said for w in wanted) for said in (word_stems(texts) if words is None else words)],
                    dtype=bool)


_STOP_STEMS = frozenset(stem(w) for w in stop_words())


def word_stems(texts: list[str]) -> list[set[str]]:
    """Each text's word families (``stem``), as ``on_label`` and ``on_terms`` match them."""
    token = re.compile(TOKEN_PATTERN)
    return [{stem(w.replace("-", "")) for w in token.findall(t.replace("\u2019", "'").lower())} for t in texts]
