"""How one theme reads in a persona name: "fed up with the brush", "wary of paying", "who
finds it expensive", "fed up with submitting claims", "whose claim was denied". A theme label is
a word or two; its own sentences (tagged by the study's spaCy model) tell whether it is a noun
that takes "the", an adjective, or a verb people do or undergo.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Any

from voc.config import Models
from voc.kinds import KINDS

# From voc.kinds: the clause a theme of each kind makes ("The buyer who needs a quiet dock").
NEED_TEMPLATES = {k.name: k.phrase for k in KINDS if k.phrase}

# Labels that start with a verb ("gets stuck") describe what the product does, not a thing.
_VERB_START = {"gets", "keeps", "stops", "won't", "doesn't", "can't", "goes", "falls", "dies", "breaks", "loses",
               "misses", "takes", "runs", "starts", "smells", "leaves", "bumps", "spins"}


DEFAULT_SPACY = Models.model_fields["spacy"].default

# A lone singular noun reads with its article: "fed up with the brush", "wary of the price",
# "who needs the app" (not "who needs app", 27k bench corpus), "prompted by the roaster" (coffee
# Q&A); "fed up with charging" and "fed up with vets" take none.
ARTICLE_KINDS = ("pain_point", "objection", "must_have_feature", "purchase_trigger")
# A lone adjective is no object: "wary of expensive" (coffee Q&A) reads "who finds it expensive".
ADJECTIVE_CLAUSES = {"pain_point": "fed up that it is {}", "objection": "who finds it {}"}


@lru_cache(maxsize=1024)
def _takes_article(word: str, spacy_model: str) -> bool:
    from voc.segment import load_spacy

    if not (word.isalpha() and word.islower()) or word.endswith("ing"):
        return False
    # Tagged in a clause of its own: alone, spaCy calls most words nouns.
    nlp = load_spacy(spacy_model)
    doc = nlp(f"I am fed up with {word}.")
    if len(doc) == 7 and doc[5].tag_ == "NNP":
        # Without an article the small model reads some nouns as names ("mop" in the demo gave
        # "The buyer who needs mop"); with one it tells them apart from adjectives still.
        doc = nlp(f"I am fed up with the {word} now.")
        return len(doc) == 9 and doc[6].tag_ == "NN"
    return len(doc) == 7 and doc[5].tag_ == "NN"


# Adjectives that describe the buyer, not the product: "the worry that it is “hesitant”" is wrong.
_BUYER_STATES = {"hesitant", "worried", "scared", "afraid", "unsure", "skeptical", "sceptical", "nervous",
                 "concerned", "reluctant", "wary", "doubtful", "disappointed", "happy", "unhappy", "confused"}


@lru_cache(maxsize=1024)
def _tag_alone(word: str, spacy_model: str) -> str:
    """How the study's spaCy model tags a word said alone (as a theme label is)."""
    from voc.segment import load_spacy

    return load_spacy(spacy_model)(word)[0].tag_


@lru_cache(maxsize=1024)
def _is_adjective(label: str, spacy_model: str) -> bool:
    """Whether a theme label is a lone adjective ("cheap", "noisy"), tagged in a clause of its own."""
    from voc.segment import load_spacy

    if not (label.isalpha() and label.islower()) or label in _BUYER_STATES:
        return False
    nlp = load_spacy(spacy_model)
    doc = nlp(f"It is {label}.")
    # After "It is" the small model calls verbs adjectives too ("recommend", "cancel"); alone it
    # calls them verbs, and adjectives stay adjectives or participles ("overpriced", "worried").
    return len(doc) == 4 and doc[2].tag_ in ("JJ", "JJR", "JJS") and _tag_alone(label, spacy_model) in (
        "JJ", "JJR", "JJS", "VBN", "VBD")


@lru_cache(maxsize=32)  # spaCy Docs are large: a run names a few dozen themes at most
def _parsed(texts: tuple[str, ...], spacy_model: str) -> list[Any]:
    """A theme's sentences parsed once for every reading below."""
    from voc.segment import load_spacy

    return list(load_spacy(spacy_model).pipe(texts, disable=["ner"]))


def _mostly_noun(word: str, texts: tuple[str, ...], spacy_model: str) -> bool:
    """Whether the theme's own sentences use a word mostly as a noun: "deductible", alone an
    adjective, is a noun in pet-insurance reviews ("my deductible"), and "who finds it deductible"
    reads wrong."""
    if not texts:
        return False
    word = word.lower()
    tags = [t.tag_ for doc in _parsed(texts, spacy_model) for t in doc if t.lower_ == word]
    return sum(t.startswith("NN") for t in tags) * 2 > len(tags) > 0


def _gerund(word: str, texts: tuple[str, ...], spacy_model: str) -> str | None:
    """The -ing form of a one-word theme label as its own sentences write it, when they use the
    word as a verb people do, with what they most do it to when most uses say ("fed up with
    submitting claims": the pet-insurance pain theme "submit"; "fed up with the submit" read
    wrong). None when the word is a noun there (or alone: "process")."""
    if not (word.isalpha() and word.islower()) or word.endswith("ing") or not texts:
        return None
    if _tag_alone(word, spacy_model) != "VB":
        return None
    done = other = nouns = 0
    forms: Counter[str] = Counter()
    objects: Counter[str] = Counter()
    for tok in (t for doc in _parsed(texts, spacy_model) for t in doc if t.lemma_.lower() == word):
        # Only what people do counts ("I had to submit", "we submitted"): "it doesn't connect" and
        # "it broke" are what the product does, and "fed up with breaking" would misread them.
        # A passive ("the claim was denied") does not say who did it, so it counts for neither.
        nouns += tok.tag_.startswith("NN")
        if tok.tag_.startswith("VB") and not any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children):
            by = _doer(tok)
            done, other = done + (by is True), other + (by is False)
            if by is True:
                objects.update(_object(c) for c in tok.children if c.dep_ == "dobj" and c.pos_ == "NOUN")
        forms[tok.lower_] += tok.tag_ == "VBG"
    form, n = forms.most_common(1)[0] if forms else ("", 0)
    if not (n and done >= max(3, other, 2 * nouns)):
        return None
    # "fed up with submitting" leaves the reader asking what: the object most uses name says it,
    # counted by its head noun ("claims", "a claim", "vet claims" are one) and said as most write it.
    heads: Counter[str] = Counter()
    for (head, _written, _a), k in objects.items():
        heads[head] += k
    head, said = heads.most_common(1)[0] if heads else ("", 0)
    if not said * 2 >= done:
        return form
    return f"{form} {_said_as(Counter({(w, a): k for (h, w, a), k in objects.items() if h == head}), head)}"


def _said_as(spellings: Counter, head: str) -> str:
    """How to name an object from its spellings ((written, with "a"?) -> uses): "claims" for a
    noun people count ("submit a claim", "submit claims"; "submitting claim" reads wrong), "a
    claim" when no use is plural, and a mass noun as written ("paying money", not "moneys")."""
    plural = Counter({w: k for (w, _a), k in spellings.items() if w.split()[-1] != head})
    singular = {(w, a): k for (w, a), k in spellings.items() if w.split()[-1] == head}
    counted = sum(k for (_w, a), k in singular.items() if a) * 2 >= max(1, sum(singular.values()))
    if plural and (counted or 3 * sum(plural.values()) >= sum(spellings.values())):
        return plural.most_common(1)[0][0]
    word = max(singular, key=lambda wa: singular[wa])[0] if singular else head
    return f"a {word}" if counted else word


def _object(noun: Any) -> tuple[str, str, bool]:
    """A noun's lemma, how it is written with the common nouns compounded before it, and whether
    it takes "a": ("claim", "claims", False), ("service", "customer service", False), ("claim",
    "claim", True) for "a claim". Written forms need no inflecting back from a lemma
    ("paperworks"), and names stay out ("trupanion premiums")."""
    words = sorted([c for c in noun.children if c.dep_ == "compound" and c.pos_ == "NOUN" and c.i < noun.i]
                   + [noun], key=lambda w: w.i)
    indefinite = any(c.dep_ == "det" and c.lower_ in ("a", "an", "another", "each", "every") for c in noun.children)
    return noun.lemma_.lower(), " ".join(w.lower_ for w in words), indefinite


# Of a participle's uses, the share that must befall people for "who struggles to get reimbursed";
# a pain theme is about one such thing or person at least this often, or it says neither.
PERSON_SHARE = 0.4
# What someone waits or fights for, not what befalls them: "still waiting to be reimbursed",
# "never got approved", "trying to get reimbursed".
_WANTED = frozenset("wait waiting try trying struggle struggling still never yet".split())


def _undergone(word: str, texts: tuple[str, ...], spacy_model: str) -> str | None:
    """A pain clause for a one-word theme label that its sentences use as a participle of what
    happened to someone or something: "whose claim was denied" when one thing undergoes it at
    least 3 times, as often as people do and in ``PERSON_SHARE`` of the uses; else, when people
    do as often, "who struggles to get reimbursed" if at least half of them wait, try or fail to
    get it ("it takes weeks to be reimbursed", "I never got reimbursed"), "fed up with being
    charged" if not. "fed up with reimbursed" (pet-insurance reviews) reads wrong. None otherwise."""
    if not (word.isalpha() and word.islower() and word.endswith("ed")) or not texts:
        return None
    person = wanted = uses = 0
    things: Counter[str] = Counter()
    for tok in (t for doc in _parsed(texts, spacy_model) for t in doc if t.lower_ == word and t.tag_ in ("VBN", "VBD")):
        uses += 1
        kids = {c.dep_: c for c in tok.children}
        subject, obj = kids.get("nsubjpass"), kids.get("dobj")
        by_person = subject is not None and subject.lower_ in _PERSONS
        # "I got reimbursed", but not "my claim got denied": the getter must be a person or unsaid.
        got = (subject is None or by_person) and (tok.head.lemma_.lower() == "get" or any(
            c.lemma_.lower() == "get" for c in tok.children if c.dep_ == "auxpass"))
        # "(it takes weeks) to be reimbursed": a passive infinitive is about whoever waits for it.
        waiting = subject is None and "aux" in kids and kids["aux"].lower_ == "to" and "auxpass" in kids
        befalls = got or waiting or by_person or (obj is not None and obj.lower_ in _PEOPLE)
        person += befalls
        # Wanted: an infinitive ("to get reimbursed"), a negation, or waiting words just before.
        aim = tok.head if tok.head.lemma_.lower() == "get" else tok
        before = {w.lemma_.lower() for w in tok.doc[max(0, tok.i - 6):tok.i]}
        wanted += befalls and (waiting or "neg" in kids or any(c.dep_ == "aux" and c.lower_ == "to" for c in aim.children)
                               or bool(before & _WANTED))
        # What it happened to: "the claim was denied", "they denied my claim", "a denied claim"
        # (not the people it befell: "customers were charged" is no thing's clause).
        thing = subject or obj or (tok.head if tok.dep_ in ("acl", "amod") else None)
        if thing is not None and thing.pos_ == "NOUN" and not befalls and thing.lower_ not in _PERSONS:
            things[thing.lemma_.lower()] += 1
    thing, n = things.most_common(1)[0] if things else ("", 0)
    if n >= 3 and n >= person and n >= PERSON_SHARE * uses:
        return f"whose {thing} was {word}"
    if person >= 3 and person >= PERSON_SHARE * uses:
        return f"who struggles to get {word}" if wanted * 2 >= person else f"fed up with being {word}"
    return None


_PEOPLE = frozenset("i we you me us".split())  # not "they": "they break" is often the product
_PERSONS = _PEOPLE | {"people", "customers", "customer", "person", "owners", "members"}


def _doer(verb: Any) -> bool | None:
    """Whether a person does what a verb says: True for "I had to submit", "we were able to cancel"
    and a gerund used as a noun ("my experience submitting claims"), False when its subject (or
    that of the verb or adjective it hangs on) is something else ("it won't connect"), None when
    the sentence does not say."""
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    if subjects:
        return subjects[0].lower_ in _PEOPLE
    if verb.tag_ == "VBG" and verb.dep_ in ("pcomp", "csubj", "acl"):
        return True
    if verb.dep_ in ("xcomp", "conj", "acomp") and verb.head is not verb:
        return _doer(verb.head)
    return None


# Kinds whose clause takes an -ing form: "fed up with submitting", "wary of paying", "prompted by
# switching insurers"; their themes' sentences are read for it.
VERB_KINDS = ("pain_point", "objection", "purchase_trigger")
# The who-clauses the templates above make, told apart from life events ("whose old one died"),
# which names compare by their first words only.
TEMPLATE_CLAUSE = re.compile("|".join(
    [re.escape(t.split("{}")[0]) for t in [*NEED_TEMPLATES.values(), *ADJECTIVE_CLAUSES.values()] if t.startswith("who")]
    + [r"who struggles to get ", r"whose [a-z]+ was (?!stolen\b)[a-z]+(?:,|$)"]))  # "whose bike was stolen": an event


def _clause_for(kind: str, label: str, spacy_model: str = DEFAULT_SPACY, texts: tuple[str, ...] = ()) -> str | None:
    """How a persona name reads with a theme of one kind; ``texts``: some of the theme's sentences
    (pain points, objections and triggers), which tell whether a one-word label is a verb people
    do, a participle of what befalls them (pain points) or a noun. None for a trigger named by a
    verb in the past tense, which no clause reads ("prompted by started")."""
    if kind == "pain_point" and label.split(" ", 1)[0].lower() in _VERB_START:
        return f"fed up when it {label}"
    if kind in VERB_KINDS and texts and (ing := _gerund(label, texts, spacy_model)):
        return NEED_TEMPLATES[kind].format(ing)  # "fed up with submitting claims", "wary of paying"
    if kind == "pain_point" and texts and (undergone := _undergone(label, texts, spacy_model)):
        return undergone
    # "prompted by started" (a trigger theme of Reddit posts about starting a small business): a
    # past tense alone says neither what was done nor to what; the life events that persona_name
    # finds in the theme's sentences say it where people share one.
    if kind == "purchase_trigger" and label.isalpha() and label.islower() and _tag_alone(label, spacy_model) in (
            "VBD", "VBN"):
        return None
    if (kind in ADJECTIVE_CLAUSES and not label.endswith("ing") and _is_adjective(label, spacy_model)
            and not _mostly_noun(label, texts, spacy_model)):
        return ADJECTIVE_CLAUSES[kind].format(label)
    if kind in ARTICLE_KINDS and _with_article(label, spacy_model, texts):
        label = f"the {label}"
    return NEED_TEMPLATES[kind].format(label)


def _with_article(label: str, spacy_model: str, texts: tuple[str, ...]) -> bool:
    return _takes_article(label, spacy_model) or (
        label.isalpha() and not label.endswith(("s", "ing")) and _mostly_noun(label, texts, spacy_model))


# What befalls someone, said as the thing a question asks about: "whose claim was denied" ->
# "your claim being denied", "who struggles to get reimbursed" -> "getting reimbursed".
_UNDERGONE_AS_OBJECT = ((re.compile(r"whose (\w+) was (\w+)"), r"your \1 being \2"),
                        (re.compile(r"who struggles to get (\w+)"), r"getting \1"),
                        (re.compile(r"fed up with (being \w+)"), r"\1"))


def theme_object(kind: str, label: str, spacy_model: str = DEFAULT_SPACY, texts: tuple[str, ...] = ()) -> str | None:
    """A theme said as what a question asks about, read as persona names read it (``_clause_for``):
    "the vet", "processing claims", "paying", "your claim being denied", "it being noisy", "it
    when it gets stuck". "How do you deal with “vet” today?" and "Tell me about the moment “signed”
    came up" (pet-insurance personas) read wrong. None when no reading fits, so that no question
    asks about it: what the product does named for another kind than a pain point ("because of it
    when it keeps breaking"), a lone past tense that befalls no one the sentences name ("signed",
    "increased") but for a success factor's "getting reimbursed", and a verb no sentence reads as
    a noun or as what people do ("recommend", "submit claim")."""
    if label.split(" ", 1)[0].lower() in _VERB_START:
        return f"it when it {label}" if kind == "pain_point" else None
    if kind in VERB_KINDS and texts and (ing := _gerund(label, texts, spacy_model)):
        return ing
    if kind == "pain_point" and texts and (undergone := _undergone(label, texts, spacy_model)):
        for pattern, said in _UNDERGONE_AS_OBJECT:
            if pattern.fullmatch(undergone):
                return pattern.sub(said, undergone)
    lone = label.isalpha() and label.islower()
    if lone and not label.endswith("ing") and _is_adjective(label, spacy_model) and not _mostly_noun(
            label, texts, spacy_model):
        return f"it being {label}"
    first = label.split(" ", 1)[0]
    tag = _tag_alone(first, spacy_model) if first.isalpha() and first.islower() else ""
    if lone and tag in ("VBD", "VBN"):
        return f"getting {label}" if kind == "success_factor" and label.endswith("ed") else None
    if tag == "VB" and not _mostly_noun(first, texts, spacy_model):
        return None
    return f"the {label}" if kind in ARTICLE_KINDS and _with_article(label, spacy_model, texts) else label


def plural(said: str, spacy_model: str = DEFAULT_SPACY) -> bool:
    """Whether a ``theme_object`` takes "are": "claims", "pre-existing conditions", but not
    "processing claims" (one thing to do) or "it being noisy". Tagged alone, "claims" is a verb
    (VBZ) and "conditions" a plural noun (NNS)."""
    words = said.split()
    if said.startswith("it ") or (len(words) > 1 and _tag_alone(words[0], spacy_model) == "VBG"):
        return False
    last = words[-1]
    tag = _tag_alone(last, spacy_model) if last.isalpha() else ""
    return tag in ("NNS", "NNPS") or (tag == "VBZ" and last.endswith("s"))
