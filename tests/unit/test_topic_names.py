"""Names and subject words never label a theme alone; quotes under a theme speak of its label."""

import csv
import glob

import numpy as np
import pytest

from tests.conftest import SHARED
from voc.topics.labels import label_topics, on_label
from voc.topics.names import learn_names, subject_words

TRUSTPILOT = SHARED / "trustpilot_pet_insurance_reviews"


@pytest.mark.skipif(not TRUSTPILOT.exists(), reason="needs ../shared/data/trustpilot_pet_insurance_reviews")
def test_the_insurers_reviewers_name_are_learnt_and_ordinary_words_are_not():
    texts = [r["text"] for f in sorted(glob.glob(str(TRUSTPILOT / "*.csv")))
             for r in csv.DictReader(open(f, encoding="utf-8")) if r["rating"] in ("2", "3", "4")]
    names = learn_names(texts)
    # Four of the six insurers the files are of, and two competitors reviewers compare them with.
    assert {"figo", "embrace", "aspca", "akc", "petplan", "chewy"} <= names
    # Words that start sentences or titles ("Claims are slow") are not names.
    assert not names & {"insurance", "claim", "claims", "vet", "dog", "customer", "service", "policy", "the"}


def test_a_name_or_the_study_subject_never_labels_a_theme_alone():
    # Mid-rated Trustpilot reviews of pet insurers: "figo" is in every one of the first topic.
    docs = ["Figo took six weeks to pay my claim.", "Figo denied the claim for a pre-existing condition.",
            "Figo customer service was slow to answer.", "My Figo premium went up again.",
            "The premium went up 30% at renewal.", "Premium increased every year.",
            "Another premium increase this spring.", "Pet insurance premiums keep climbing."]
    topics = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    names = sorted({"figo"} | subject_words("Pet insurance", ["pet insurance"]))
    labels = label_topics(docs, topics, {0: ["figo", "claim"], 1: ["premium", "insurance"]}, names=names)
    assert not labels[0].startswith("figo") and labels[0].startswith("claim")
    assert labels[1].startswith("premium") and "insurance" not in labels[1]


def test_quotes_are_drawn_from_the_sentences_that_speak_of_the_label():
    texts = ["It took six weeks to pay my claim.", "Nobody answered the phone.", "Claims are paid late."]
    assert on_label(texts, "claim (weeks)").tolist() == [True, False, True]
    assert on_label(texts, "various (phone)").all()
    # A label no sentence speaks of leaves every sentence eligible rather than none.
    assert on_label(texts, "deductible").all()


@pytest.mark.skipif(not TRUSTPILOT.exists(), reason="needs ../shared/data/trustpilot_pet_insurance_reviews")
def test_a_word_in_much_of_the_kind_heads_a_label_only_inside_a_phrase():
    import re

    texts = [r["text"] for f in sorted(glob.glob(str(TRUSTPILOT / "*.csv")))
             for r in csv.DictReader(open(f, encoding="utf-8")) if r["rating"] in ("2", "3", "4")]
    sents = [s.strip() for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if len(s.strip()) > 20]
    claim = re.compile(r"\bclaims?\b", re.I)
    denied = [s for s in sents if claim.search(s) and re.search(r"\bdeni", s, re.I)][:60]
    slow = [s for s in sents if claim.search(s) and re.search(r"\b(weeks|days|months)\b", s, re.I)
            and s not in denied][:80]
    premium = [s for s in sents if re.search(r"\bpremium", s, re.I) and s not in denied and s not in slow][:80]
    topics = np.array([0] * len(denied) + [1] * len(slow) + [2] * len(premium))
    labels = label_topics(denied + slow + premium, topics, {0: ["claim", "denied"], 1: ["claim", "weeks"], 2: ["premium"]},
                          names=["pet", "insurance"])
    # "claim" is in two thirds of these sentences: it names the corpus, not a theme. Of the denial
    # sentences, 4 of 60 say "pre-existing condition": too few to name them (7%, under 15%).
    assert labels[0] == "various (claim, denied)"
    assert {labels[1].split(" (")[0], labels[2].split(" (")[0]}.isdisjoint({"claim", "claims", "premium"})
