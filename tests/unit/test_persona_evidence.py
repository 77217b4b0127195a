"""Persona-card evidence on real text: "they describe themselves as" (self_descriptions, role_of)
and "their words (for copy)" (distinctive_phrases).

The expected values were read off real reviews and posts in ../shared/data (Trustpilot pet
insurance, r/HomeImprovement and r/techsupport, coffee.stackexchange.com, Amazon reviews); a few
written edge cases follow them.
"""

from __future__ import annotations

import csv
import html
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from voc.extract.cues import buying_roles
from voc.extract.self_description import self_descriptions
from voc.personas.cards import buying_process
from voc.personas.evidence import role_of
from voc.personas.phrases import distinctive_phrases
from voc.personas.clauses import DEFAULT_SPACY, _clause_for, _gerund
from voc.personas.wording import interview_questions, persona_name
from voc.report.context import decide_quotes
from voc.report.markdown import persona_md


@lru_cache(maxsize=None)
def _records(path: Path, id_field: str, text_field: str) -> dict[str, str]:
    with path.open(encoding="utf-8") as f:
        return {r[id_field]: r[text_field] for r in csv.DictReader(f)}


def _records_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=None)
def _coffee(path: Path) -> dict[str, str]:
    return {r.get("Id"): html.unescape(r.get("Body") or "") for r in ET.parse(path).getroot()}


def _sentence(text: str, opening: str) -> str:
    """The real sentence of text that opens with `opening`, up to its full stop."""
    text = re.sub(r"<[^>]+>", " ", text)
    start = text.index(opening)
    end = re.search(r"[.!?](?=\s|$)", text[start:])
    return text[start:start + end.end()] if end else text[start:]


def _source(shared: Path, where: str, key: str) -> str:
    if where.startswith("trustpilot:"):
        return _records(shared / "trustpilot_pet_insurance_reviews" / f"{where[11:]}_reviews.csv", "id", "text")[key]
    if where.startswith("reddit:"):
        return _records(shared / "reddit_top_posts_umbrae2013" / f"{where[7:]}.csv", "id", "selftext")[key]
    if where == "coffee":
        return _coffee(shared / "stackexchange_dumps" / "coffee" / "Posts.xml")[key]
    return (shared / "amazon_reviews_multidomain_blitzer2007" / where).read_text(encoding="utf-8", errors="replace")


# (file, record id, how the sentence opens, what the author says they are)
DESCRIBES = [
    ("trustpilot:figo", "5ad7907e6d33bc0abcb808d1", "As a first-time puppy parent", ["as a first-time puppy parent"]),
    ("trustpilot:figo", "56ad40cb0000ff000935d234", "As a veterinary professional", ["as a veterinary professional"]),
    ("trustpilot:healthypaws", "6484e5d4706f837cb1fc21ae", "I have 2 cats and", ["i have 2 cats"]),
    ("trustpilot:healthypaws", "62310fb30e5829d9e2a8e02b", "I have a rescue pup",
     ["i have a rescue pup with some health issues"]),
    # a curly apostrophe, as Trustpilot stores it
    ("trustpilot:aspca", "64a9726b8ff82b6a30cfccbb", "I\u2019m new to pet insurance", ["i'm new to pet insurance"]),
    ("reddit:HomeImprovement", "17too5", "I'm a plumber", ["i'm a plumber"]),
    ("reddit:techsupport", "yen1y", "I have been coding", ["i have been coding for about 11 years"]),
    ("coffee", "381", "As an American", ["as an american"]),
    ("coffee", "3", "I live in a hard water area", ["i live in a hard water area"]),
    ("coffee", "316", "As an avid composter", ["as an avid composter"]),
    ("electronics/positive.review", "", "I am a soldier serving in Iraq", ["i am a soldier"]),
]
# Real sentences whose "as a ..." or "i'm a ..." describes a thing, a time or a fan, not the author.
DESCRIBES_NOBODY = [
    ("trustpilot:healthypaws", "6478c3754d6344c867f4b0f5", "When I got Max as a puppy"),
    ("trustpilot:aspca", "578aad080000ff0009714248", "Prescription drugs did not stop"),
    ("trustpilot:embrace", "5d24efe542fa560424897bd0", "I have been using Embrace for several years"),
    ("reddit:SkincareAddiction", "1edtkl", "I've heard it mentioned around that you can use Mylanta"),
    ("coffee", "1616", "I couldn't believe it would work"),
    ("books/positive.review", "", "As a biography, it is superlative"),
    ("books/positive.review", "", "As a museum curator, art dealer"),
    ("books/negative.review", "", "I'm a Conan Doyle fan"),
    ("electronics/negative.review", "", "As an added insult"),
]


@pytest.mark.parametrize("where,key,opening,expected", DESCRIBES, ids=[d[2][:30] for d in DESCRIBES])
def test_real_self_descriptions(shared, where, key, opening, expected):
    assert self_descriptions(_sentence(_source(shared, where, key), opening)) == expected


@pytest.mark.parametrize("where,key,opening", DESCRIBES_NOBODY, ids=[d[2][:30] for d in DESCRIBES_NOBODY])
def test_real_sentences_that_describe_nobody(shared, where, key, opening):
    assert self_descriptions(_sentence(_source(shared, where, key), opening)) == []


@pytest.mark.parametrize("text,expected", [
    # the examples: a thing or nobody
    ("As a pair I like them more than the old ones.", []),
    ("As an Alexa device it works fine.", []),
    ("As a result, I returned it.", []),
    ("I'm a bit disappointed.", []),
    ("As a side note, the box was dented.", []),
    ("I'm a fan of the old model.", []),
    ("As a company, they are terrible.", []),  # the insurer, not the author
    ("I'm a very happy customer!", []),  # a feeling, not who they are
    ("She works as a nurse.", []),
    # the brief's examples
    ("I am a software engineer.", ["i am a software engineer"]),
    ("We have two dogs and a cat.", ["we have two dogs"]),
    ("I've been roasting for 10 years.", ["i've been roasting for 10 years"]),
    ("I have a senior cat with diabetes.", ["i have a senior cat with diabetes"]),
    ("I have a dog named Max.", ["i have a dog"]),
    ("Retired teacher here.", ["retired teacher here"]),  # not also "retired teacher"
    ("As a customer of 8 years, I expected better.", ["as a customer of 8 years"]),
])
def test_self_description_edges(text, expected):
    assert self_descriptions(text) == expected


@pytest.mark.parametrize("phrase,role", [
    ("i'm a nurse", "nurse"), ("we have two huskies", "dog owner"), ("i have a senior cat with diabetes", "cat owner"),
    ("i'm retired", "retiree"), ("i've been roasting for 10 years", "experienced roaster"),
    ("i'm new to espresso", "newcomer to espresso"), ("i've been a customer for 8 years", "long-time customer"),
    ("i have oily skin", "person with oily skin"), ("i was a consultant", "former consultant"),
    ("as parents", "parent"), ("i'm 25 years old", "25-year-old"), ("beginner like me", "beginner"),
    ("i live in a small apartment", "person living in a small apartment"),
])
def test_role_of_new_shapes(phrase, role):
    # persona names read "The {role} who ...": every shape must give a noun phrase
    assert role_of(phrase) == role


def _pet_reviews(shared: Path, insurers: tuple[str, ...]) -> pd.DataFrame:
    rows = [(name, rid, s) for name in insurers
            for rid, text in _records(shared / "trustpilot_pet_insurance_reviews" / f"{name}_reviews.csv", "id",
                                      "text").items()
            for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    ratings = {rid: r for name in insurers for rid, r in _records(
        shared / "trustpilot_pet_insurance_reviews" / f"{name}_reviews.csv", "id", "rating").items()}
    frame = pd.DataFrame(rows, columns=["insurer", "review", "text"])
    return frame[frame["review"].map(ratings).isin(["2", "3", "4"])].reset_index(drop=True)


def test_copy_words_on_real_reviews(shared):
    """Figo's mid-rated reviews against Healthy Paws' and Spot's: phrases of the complaints, no brand, no filler."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    reviews = _pet_reviews(shared, ("figo", "healthypaws", "spot"))
    words = distinctive_phrases(reviews["text"], reviews["review"], reviews["insurer"] == "figo")
    assert len(words) == 12 and {"claim was denied", "thousands of dollars", "fine print"} <= set(words)
    for phrase in words:
        tokens = phrase.split()
        assert tokens[0] not in ENGLISH_STOP_WORDS and tokens[-1] not in ENGLISH_STOP_WORDS, phrase
        assert not re.search(r"\d|figo|paws|insurance$", phrase), phrase
    assert sum(" " not in p for p in words) <= 4  # lone words are the exception
    other = distinctive_phrases(reviews["text"], reviews["review"], reviews["insurer"] == "healthypaws")
    assert {"premium increases", "pet gets older"} <= set(other) and not {"week", "little", "worth"} & set(other)


def test_copy_words_leave_out_the_study_subject(shared):
    # Mid-rated reviews of six pet insurers: the segment that says "pet insurance" had it as its
    # first "their words" phrase (and "having insurance" too), which names the study, not a need.
    from voc.personas.phrases import VoicePhrases

    reviews = _pet_reviews(shared, ("akc", "aspca", "embrace", "figo", "healthypaws", "spot"))
    inside = set(reviews.loc[reviews["text"].str.contains("pet insurance", case=False), "review"])
    plain = VoicePhrases(reviews["text"], reviews["review"]).distinctive(inside)
    studied = VoicePhrases(reviews["text"], reviews["review"], frozenset({"pet", "pets", "insurance"})).distinctive(inside)
    assert plain[0] == "pet insurance" and "pet insurance" not in studied
    assert studied[:11] == plain[1:] and studied[0] == "monthly premiums"  # the rest as it was
    assert not any(p.startswith("having") for p in plain + studied)


def test_copy_words_edges():
    texts = pd.Series([
        "The Roomba gets stuck on rugs every week.", "Mine gets stuck on rugs too, a little annoying.",
        "It gets stuck on rugs and the Roomba beeps.", "I paid $300 for the descaling kit, worth it.",
        "The descaling reminder is handy.", "It needs descaling every month.", "Price is high.",
        "Price is too high for me.", "The app crashes.", "The app is fine.", "Roomba support answered fast.",
    ])
    voices = pd.Series(list("abcdefghijk"))
    inside = pd.Series([True] * 6 + [False] * 5)
    words = distinctive_phrases(texts, voices, inside)
    assert words[0] == "gets stuck on rugs" and "descaling" in words
    # no brand, no number, no everyday word alone, no phrase spanning "rugs. The"
    assert not {"roomba", "week", "little", "worth", "300", "rugs the"} & set(words)
    assert distinctive_phrases(pd.Series([], dtype=str), pd.Series([], dtype=str), pd.Series([], dtype=bool)) == []


def test_copy_words_that_stop_inside_a_longer_phrase_are_left_out(shared):
    """Mid-rated Figo, Healthy Paws and Spot reviews: 4 of the 7 reviewers who write "timely" go
    on with "manner", 7 of the 12 who write "direct" with "deposit"; "claims in a timely" and
    "direct" are half phrases, the whole ones stay."""
    from voc.personas.phrases import VoicePhrases

    reviews = _pet_reviews(shared, ("figo", "healthypaws", "spot"))
    table = VoicePhrases(reviews["text"], reviews["review"])
    cut = dict(zip(table.vocab, table.cut))
    assert cut["claims in a timely"] and cut["timely"] and cut["direct"]
    assert not any(cut[p] for p in ("timely manner", "direct deposit", "pre-existing conditions", "peace of mind",
                                    "vet bills", "fine print", "premium increases"))
    # Edge case: a phrase is judged by the longer phrases that hold it, not by its words' habits:
    # "premium" runs on into "premium increases", "monthly premium" does not run on.
    from voc.personas.phrases import _cut_short

    vocab = np.array(["premium", "premium increases", "monthly premium", "monthly"])
    assert _cut_short(vocab, np.array([10, 6, 4, 5])).tolist() == [True, False, False, True]


# Real buying-role sentences, each naming two roles (reviews of pet insurers).
DECIDERS = [("trustpilot:figo", "6439e058746ca7dfea09ac4c", "We decided to try Figo"),
            ("trustpilot:healthypaws", "58bb6e13ed30e30a74fc12af", "After significant research"),
            ("trustpilot:akc", "5f361de29cc22a073c9754ad", "Chelsea recommended a policy")]


def test_how_they_decide_quotes_each_sentence_once(shared):
    texts = [_sentence(_source(shared, where, key), opening) for where, key, opening in DECIDERS]

    def rows(texts):
        return pd.DataFrame({"sent_id": [f"s{i}" for i in range(len(texts))], "doc_id": [f"d{i}" for i in range(len(texts))],
                             "kind": "buying_role", "text": texts, "roles": [";".join(buying_roles(t)) for t in texts],
                             "confidence": 0.9, "url": "", "source": "trustpilot", "created_at": pd.Timestamp("2023-04-14")})

    assert rows(texts)["roles"].tolist() == ["influencer;decision_maker", "researcher;decision_maker",
                                             "influencer;budget_holder"]
    process = buying_process(rows(texts))
    # Most named first, a tie in the order of the buying process; four roles, three sentences:
    # each is quoted once, and the researcher's only sentence is already quoted (under the
    # decision maker), so it shows none rather than the same quote again.
    assert [(r["role"], r["count"], len(r["quotes"])) for r in process] == [
        ("influencer", 2, 1), ("decision_maker", 2, 1), ("researcher", 1, 0), ("budget_holder", 1, 1)]
    assert sorted(q["text"] for r in process for q in r["quotes"]) == sorted(texts)
    # The interview guide says what the segment spoke of and asks about the part it did not.
    card = {"name": "n", "share": 1.0, "size": 3, "self_descriptions": [], "items": {}, "channels": [],
            "vocabulary": [], "buying_process": process}
    assert interview_questions(card)["buyer_journey"][2] == (
        "People in this group talk about advice that swayed them. In your case, who started the search?")

    # Two sentences: the role named second has no sentence of its own left, and the card (HTML and
    # Markdown alike) quotes the next role that has one, so both sentences are shown.
    two = [texts[0], texts[2]]
    process = buying_process(rows(two))
    assert [(r["role"], len(r["quotes"])) for r in process] == [("influencer", 1), ("decision_maker", 0),
                                                                ("budget_holder", 1)]
    md = "\n".join(persona_md({**card, "buying_process": process, "decide_quotes": decide_quotes(process)}))
    assert "**How they decide:** influencer (2), decision maker (1), budget holder (1)" in md
    assert md.count("> “") == 2 and all(f"“{t}”" in md for t in two)


def test_a_theme_named_by_a_verb_reads_as_what_people_do(shared):
    # Real pet-insurance reviews: their "submit" theme is about submitting claims ("fed up with the
    # submit" read wrong), while "claim" and "process" stay the nouns people use them as.
    reviews = _records(shared / "trustpilot_pet_insurance_reviews" / "healthypaws_reviews.csv", "id", "text").values()
    sentences = [s for r in reviews for s in re.split(r"(?<=[.!?])\s+", r)]

    def said(word: str) -> tuple[str, ...]:
        return tuple([s for s in sentences if word in s.lower()][:60])

    assert _gerund("submit", said("submit"), DEFAULT_SPACY) == "submitting claims"  # what most uses submit
    assert _gerund("claim", said("claim"), DEFAULT_SPACY) is None
    assert _gerund("process", said("process"), DEFAULT_SPACY) is None
    assert _clause_for("pain_point", "submit", DEFAULT_SPACY, said("submit")) == "fed up with submitting claims"
    assert _clause_for("pain_point", "submit", DEFAULT_SPACY) == "fed up with the submit"  # no sentences, no guess
    # persona_name reads the theme's own sentences (its kind and topic, not another theme's).
    theme = pd.DataFrame({"kind": "pain_point", "topic_key": "2", "voice": "a", "text": list(said("submit"))})
    other = pd.DataFrame({"kind": "objection", "topic_key": "2", "voice": "b", "text": list(said("claim"))})
    items = {"pain_point": [{"topic_id": "2", "label": "submit (file, deny)", "count": 40, "lift": 2.0, "quotes": []}]}
    assert persona_name(items, [], pd.concat([theme, other])) == "The owner fed up with submitting claims"
    assert persona_name(items, [], pd.concat([theme.assign(topic_key="5"), other])) == "The owner fed up with the submit"


def test_a_trigger_named_by_a_past_tense_verb_names_no_persona(shared):
    # Real posts of small-business and SaaS subreddits, saved by a scraper: a trigger theme there
    # was labelled "started", and its persona "The small bakery owner prompted by started".
    import glob
    import json

    posts = {p["url"]: p for f in sorted(glob.glob(str(shared / "reddit_saas_pain_posts_2025" / "*.json")))
             for p in json.loads(Path(f).read_text(encoding="utf-8"))}
    sentences = [s for p in posts.values() for s in re.split(r"(?<=[.!?])\s+", p.get("text") or p.get("preview") or "")]
    started = [s for s in sentences if re.search(r"\bstarted\b", s)][:60]
    assert started[0] == "We started off rough, had no clients, failed in all sales and fundraising."
    assert _clause_for("purchase_trigger", "started", DEFAULT_SPACY, tuple(started)) is None
    assert _clause_for("purchase_trigger", "roaster") == "prompted by the roaster"  # a noun still reads
    items = {"purchase_trigger": [{"topic_id": "1", "label": "started", "count": 29, "lift": 1.5, "quotes": []}],
             "objection": [{"topic_id": "2", "label": "pricing (shop, shipping)", "count": 20, "lift": 1.3, "quotes": []}]}
    themed = pd.DataFrame({"kind": "purchase_trigger", "topic_key": "1", "voice": "a", "text": started})
    assert persona_name(items, [], themed) == "The hesitant buyer wary of pricing"
    assert persona_name({"purchase_trigger": items["purchase_trigger"]}, [], themed) == "The unnamed segment"
    # A theme of the same word family ("start") is not dropped as a repeat of the one that names nothing.
    items["pain_point"] = [{"topic_id": "3", "label": "start (slow, boot)", "count": 20, "lift": 1.2, "quotes": []}]
    del items["objection"]
    assert persona_name(items, [], themed) == "The owner fed up with the start"


@pytest.fixture(scope="module")
def said(shared):
    """The first 60 sentences of 1-3 star Trustpilot reviews of six pet insurers that use a word,
    as a theme of that word would hold them."""
    import glob

    sentences = [s for f in sorted(glob.glob(str(shared / "trustpilot_pet_insurance_reviews" / "*_reviews.csv")))
                 for r in _records_rows(Path(f)) if r["rating"] in ("1", "2", "3")
                 for s in re.split(r"(?<=[.!?])\s+", r["text"])]

    def said(word: str) -> tuple[str, ...]:
        return tuple([s for s in sentences if re.search(rf"\b{word}\b", s.lower())][:60])

    return said


def test_a_theme_named_by_a_participle_says_what_befell_whom(said):
    # "fed up with reimbursed" and "fed up with denied" read wrong in the report.
    # What people wait or fight for ("took weeks to get reimbursed"), what befalls them, what
    # befalls one thing.
    assert _clause_for("pain_point", "reimbursed", DEFAULT_SPACY, said("reimbursed")) == "who struggles to get reimbursed"
    assert _clause_for("pain_point", "charged", DEFAULT_SPACY, said("charged")) == "fed up with being charged"
    assert _clause_for("pain_point", "denied", DEFAULT_SPACY, said("denied")) == "whose claim was denied"
    assert _clause_for("pain_point", "cancelled", DEFAULT_SPACY, said("cancelled")) == "whose policy was cancelled"
    # "My claim got denied": getting it is the claim's, not a person's; customers are people, not a thing.
    assert _clause_for("pain_point", "denied", DEFAULT_SPACY, ("My claim got denied.",) * 3) == "whose claim was denied"
    assert _clause_for("pain_point", "charged", DEFAULT_SPACY, ("Customers were charged twice.",) * 3) == (
        "fed up with being charged")
    # What people do it to, said as they count it: "claims" (one head: "vet claims" too), "a
    # claim" when never plural, a mass noun as written.
    submit = ("I had to submit vet claims again.", "We submit claims online.", "I submitted a claim.",
              "I am tired of submitting claims.", "I submit claims every month.")
    assert _gerund("submit", submit, DEFAULT_SPACY) == "submitting claims"
    assert _gerund("submit", tuple(t.replace("vet claims", "a claim").replace("claims", "a claim") for t in submit),
                   DEFAULT_SPACY) == "submitting a claim"
    pay = ("I had to pay money upfront.", "We paid money for nothing.", "I pay money every month.",
           "I hate paying money.", "We paid moneys.")
    assert _gerund("pay", pay, DEFAULT_SPACY) == "paying money"
    # "deductible", alone an adjective, is a noun in these reviews; "expensive" stays an adjective.
    assert _clause_for("objection", "deductible", DEFAULT_SPACY, said("deductible")) == "wary of the deductible"
    assert _clause_for("objection", "expensive", DEFAULT_SPACY, said("expensive")) == "who finds it expensive"
    # An -ing noun takes no article, with sentences or without.
    assert _clause_for("pain_point", "shipping", DEFAULT_SPACY, ("The shipping was slow.",) * 3) == "fed up with shipping"


def test_interview_questions_say_a_theme_as_its_sentences_do(said):
    # The interview guide asked "How do you deal with “vet” today?" and "Tell me about the moment
    # “signed” came up".
    from voc.personas.clauses import theme_object

    assert theme_object("pain_point", "denied", DEFAULT_SPACY, said("denied")) == "your claim being denied"
    assert theme_object("pain_point", "reimbursed", DEFAULT_SPACY, said("reimbursed")) == "getting reimbursed"
    assert theme_object("pain_point", "charged", DEFAULT_SPACY, said("charged")) == "being charged"
    assert theme_object("pain_point", "vet", DEFAULT_SPACY, said("vet")) == "the vet"
    assert theme_object("objection", "deductible", DEFAULT_SPACY, said("deductible")) == "the deductible"
    assert theme_object("objection", "expensive", DEFAULT_SPACY, said("expensive")) == "it being expensive"
    # A past tense names no trigger (what was signed?); a success factor's is something to get.
    assert theme_object("purchase_trigger", "signed", DEFAULT_SPACY, said("signed")) is None
    assert theme_object("success_factor", "reimbursed", DEFAULT_SPACY, said("reimbursed")) == "getting reimbursed"
    assert theme_object("pain_point", "gets stuck") == "it when it gets stuck"
    # No reading, no question: premiums are increased (no one "gets increased"), what the product
    # does is no trigger ("because of it when it keeps breaking"), a verb alone names nothing.
    assert theme_object("pain_point", "increased", DEFAULT_SPACY, said("increased")) is None
    assert theme_object("purchase_trigger", "keeps breaking") is None
    assert theme_object("objection", "recommend") is None
    from voc.personas.clauses import plural

    assert [plural(s) for s in ("pre-existing conditions", "claims", "processing claims", "the vet", "it being noisy")] == [
        True, True, False, False, False]
    themed = pd.concat([pd.DataFrame({"kind": kind, "topic_key": key, "voice": "a", "text": list(said(word))})
                        for kind, key, word in [("pain_point", "1", "denied"), ("objection", "2", "expensive"),
                                                ("purchase_trigger", "3", "signed"), ("success_factor", "4", "healthy"),
                                                ("must_have_feature", "5", "claims")]])
    card = {"items": {kind: [{"topic_id": key, "label": label, "count": 9, "lift": 1.5, "quotes": []}]
                      for kind, key, label in [("pain_point", "1", "denied"), ("objection", "2", "expensive"),
                                               ("purchase_trigger", "3", "signed"), ("success_factor", "4", "healthy"),
                                               ("must_have_feature", "5", "claims")]},
            "channels": [{"channel": "trustpilot (trustpilot.com)", "count": 9}]}
    questions = interview_questions(card, DEFAULT_SPACY, themed)
    assert questions["success_factors"] == [
        "What does “healthy” look like for you, and how would you know, a month in, that it delivers?",
        "How important are claims to that result, and what would “good enough” look like?",
        "How do you deal with your claim being denied today, and what would “solved” look like?"]
    assert questions["perceived_barriers"][:2] == [
        "What nearly stopped you from buying? How much did the worry that it is expensive hold you back?",
        "What would someone have to show you to settle your doubts about it being expensive?"]
    assert questions["buyer_journey"][:2] == [
        "What happened that made you start looking?",
        "Where did you look for advice (for example trustpilot.com), and which answer convinced you?"]
