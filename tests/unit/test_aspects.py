"""Aspect terms on real laptop-review sentences (SemEval-2014 Task 4, its annotators' terms)."""

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from voc.extract.aspects import extract_aspect, extract_terms

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def laptop(shared):
    root = ET.parse(shared / "semeval2014_task4_absa" / "Laptop_Train_v2.xml").getroot()
    return {s.get("id"): (s.find("text").text, [a.get("term") for a in s.iter("aspectTerm")])
            for s in root.iter("sentence")}


def test_a_judged_function_is_an_aspect(nlp, laptop):
    text, gold = laptop["1551"]  # "It is easy to use and lightweight."
    assert gold == ["use"] and extract_terms(nlp(text)) == ["use"]
    text, gold = laptop["2166"]  # "It runs perfectly."
    assert gold == ["runs"] and extract_terms(nlp(text)) == ["run"]


def test_the_part_that_fails_is_the_aspect_not_the_verb(nlp, laptop):
    text, gold = laptop["1385"]  # "Again, the same problem, the right speaker did not work."
    assert gold == ["right speaker"]
    assert extract_terms(nlp(text)) == ["speaker"] and extract_aspect(nlp(text)) == "speaker"


def test_the_scene_is_not_an_aspect_term_but_names_the_aspect_when_nothing_else_does(nlp, laptop):
    text, gold = laptop["2162"]  # "I went from BestBuy to Dell, Windows to Apple."
    assert gold == []
    assert "bestbuy" not in extract_terms(nlp(text))
    # a report still groups "on the phone" complaints when the sentence names nothing else
    assert extract_aspect(nlp("I spent three hours on the phone.")) == "phone"


def test_words_that_judge_are_not_aspects(nlp, laptop):
    text, gold = laptop["2470"]  # "Its ease of use and the top service from Apple- ..."
    assert gold == ["use", "service", "phone assistance", "genius bar"]
    terms = extract_terms(nlp(text))
    assert "ease" not in terms and {"use", "service", "phone assistance"} <= set(terms)


def test_acronyms_and_what_a_person_uses_are_aspects(nlp, laptop):
    text, gold = laptop["2550"]  # "The OS is also very user friendly, ... this OS!"
    assert gold == ["OS", "OS"] and "os" in extract_terms(nlp(text)) and extract_aspect(nlp(text)) == "os"
    text, gold = laptop["79"]  # "The OS takes some getting used to ... after being a Windows user ..."
    assert gold == ["OS", "Windows"] and {"os", "windows"} <= set(extract_terms(nlp(text)))
    text, gold = laptop["835"]  # "but it  has a major design flaw."
    assert gold == ["design"] and extract_terms(nlp(text)) == ["design"]
    text, gold = laptop["109"]  # "Then it ceased charging at all."
    assert gold == ["charging"] and extract_terms(nlp(text)) == ["charge"]
    # a two-letter word that is no acronym names nothing, nor does a shouted pronoun
    assert extract_aspect(nlp("It is ok.")) is None
    text, gold = laptop["1698"]  # "MY ONLY PROBLEM IS I CAN NOT REG. THE PRODUCT KEY."
    assert gold == ["PRODUCT KEY"] and "my" not in extract_terms(nlp(text))


def test_aspect_term_f1_on_the_whole_laptop_file(nlp, shared):
    """bench/quality.py's measure; 0.516 per sentence before the scene/function/judging-word rules
    (gold terms parsed alone); 0.581 with gold terms read in their sentence, 0.558 alone; 0.583 once
    acronyms ("OS") and what a person uses ("a Windows user") count."""
    spec = importlib.util.spec_from_file_location("quality", REPO / "bench" / "quality.py")
    quality = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(quality)
    result = quality.aspect_terms(nlp, quality.LAPTOP_PRODUCT_TERMS)
    assert result["sentences"] == 3045 and result["gold_terms"] == 2358
    assert result["per_sentence"]["f1"] >= 0.582 and result["out_of_context"]["f1"] >= 0.55, result


def test_a_range_names_its_unit_once(nlp):
    from voc.extract.aspects import normalise

    # coffee.stackexchange.com question 399 (a grinder request): the report listed a must-have "oz oz".
    doc = nlp("Minimal; Small; Something between 16oz - 20oz is ideal")
    assert [t.text for t in doc[6:11]] == ["16", "oz", "-", "20", "oz"] and normalise(list(doc[6:11])) == "oz"
    assert extract_aspect(doc) is None  # a unit alone is too short to name a theme
