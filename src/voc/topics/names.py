"""Words that can never name a theme on their own: the corpus's product, brand and people names,
the study's own subject, and generic words.

A content lead reading "Healthy Paws (claim)" or "coffee" as a theme learns nothing: every
review of a pet insurer names an insurer, every post on a coffee site says "coffee". Names are
learnt from the corpus itself (a study need not list every competitor): a word written with a
capital letter mid-sentence nearly every time it occurs is a name (Figo, Trupanion, Aeropress,
Chase the support agent), while "Dock" at the start of a sentence is not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

# Verbs that say nothing of what was done; a phrase ending in one is a fragment ("app keeps").
GENERIC_VERBS = frozenset("""
work works worked working going happen happened help helps helped try tried trying
give gives gave given giving take takes took taken taking get gets got make makes made have has had
look looks looked looking feel feels felt think thinking thought say says saying said
want wants wanted wish consider considering considered stop stops stopped keep keeps kept improve improved
""".split())
# Who someone lives with or cares for: such a word says who is speaking, not what they want or
# struggle with (a pet-insurance objection theme about price was labelled "dog (vet, healthy)"),
# except in a purchase trigger, where a new puppy or a baby is the event (``label_names``).
HOUSEHOLD = frozenset("""
dog dogs puppy puppies pup pups cat cats kitten kittens kitty pet pets furbaby animal animals
kid kids child children baby babies toddler toddlers son sons daughter daughters wife husband
""".split())
# Words that name no issue, need or result however often a theme's sentences use them (feelings
# grade a theme, they do not name it: "frustrating", "easy").
GENERIC = GENERIC_VERBS | frozenset("""
issue issues problem problems thing things stuff time times day days week weeks month months year years
way ways people person guy guys someone everyone anyone lot lots bit part parts piece kind sort type types
term terms conclusion following story fact facts case cases point points question questions answer answers
reason reasons experience experiences review reviews star stars rating product products item items
company companies service services business one ones place places end start example examples idea ideas
number numbers level amount side option options result results matter difference information info
probably caused small little big able possible sure great good bad new old best better worse worst
plugged property properties requirement requirements feature features metric metrics detail details
fine improvement anymore instead actual goal goals
easy happy pleased satisfied frustrating frustrated annoying sorry disappointed disappointing terrible horrible awful unhappy upset
""".split())

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'&-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“(]\s*|\n\s*)$")
# Capitalised for reasons other than being a name.
_NOT_NAMES = frozenset("""
i i'm i've i'd i'll ok okay mr mrs ms dr english monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
""".split())


@dataclass
class CorpusWords:
    """One pass over a corpus's text: every word (lowercased), and per word or two-word sequence
    its mid-sentence uses and how many of those were capitalised."""

    words: set[str] = field(default_factory=set)
    capital: Counter[str] = field(default_factory=Counter)
    seen: Counter[str] = field(default_factory=Counter)


def read_words(texts: Iterable[str]) -> CorpusWords:
    out = CorpusWords()
    for text in texts:
        prev: tuple[str, bool] | None = None
        for m in _WORD.finditer(text):
            word = m.group(0)
            low, upper = word.lower(), word[0].isupper()
            out.words.add(low)
            if m.start() == 0 or _SENTENCE_START.search(text[max(0, m.start() - 3):m.start()]):
                prev = None  # capitalised because a sentence starts here
                continue
            # Shouting ("NEVER") is capitalised too, but the same words are lowercase elsewhere, so
            # the share test in learn_names keeps them out while acronyms (ASPCA, AKC) stay in.
            out.seen[low] += 1
            out.capital[low] += upper
            if prev is not None and text[m.start() - 1] == " ":
                pair = f"{prev[0]} {low}"
                out.seen[pair] += 1
                out.capital[pair] += prev[1] and upper
            prev = (low, upper)
    return out


def learn_names(texts: Iterable[str] | CorpusWords, min_count: int = 3, min_capital_share: float = 0.8) -> set[str]:
    """Lowercased words and two-word names ("healthy paws") the corpus nearly always capitalises
    mid-sentence: product, brand and people names.

    Args:
        texts: sentences (or whole posts), or what ``read_words`` read from them.
        min_count: how many mid-sentence capitalised uses a name needs (one writer's habit is
            not a name).
        min_capital_share: of a name's mid-sentence uses, the share that must be capitalised.
    """
    counts = texts if isinstance(texts, CorpusWords) else read_words(texts)
    return {w for w, c in counts.capital.items()
            if c >= min_count and c / counts.seen[w] >= min_capital_share and w not in _NOT_NAMES and len(w) > 1
            and not any(part in _NOT_NAMES for part in w.split())}


def subject_forms(subject: set[str], words: Iterable[str]) -> set[str]:
    """The corpus's forms of the subject's words ("insurers", "insured" for "insurance"), from its
    words (``CorpusWords.words``)."""
    from voc.topics.vocabulary import stem

    keys = {stem(w) for w in subject}
    return {w for w in words if stem(w) in keys}


def subject_words(product: str, keywords: Iterable[str]) -> set[str]:
    """The study's own subject ("pet insurance", "coffee"): it is in every theme, so it names none."""
    words = set()
    for phrase in [product, *keywords]:
        for w in _WORD.findall(phrase or ""):
            low = w.lower()
            words |= {low, low + "s"} if not low.endswith("s") else {low, low[:-1]}
    return words


def label_names(kind: str, names: list[str]) -> list[str]:
    """The words that cannot label a theme of ``kind`` alone: the study's names and, but for
    purchase triggers, the household (``HOUSEHOLD``)."""
    return list(names) if kind == "purchase_trigger" else [*names, *sorted(HOUSEHOLD)]
