"""Products and competitors: names learnt from real reviews, and the themes that attach to each."""

import csv
import glob
import re

import pandas as pd
import pytest

from tests.conftest import SHARED
from voc.report.products import mentions, product_table
from voc.topics.names import learn_names

TRUSTPILOT = SHARED / "trustpilot_pet_insurance_reviews"


def _reviews() -> list[str]:
    return [r["text"] for f in sorted(glob.glob(str(TRUSTPILOT / "*.csv")))
            for r in csv.DictReader(open(f, encoding="utf-8")) if r["rating"] in ("2", "3", "4")]


@pytest.mark.skipif(not TRUSTPILOT.exists(), reason="needs ../shared/data/trustpilot_pet_insurance_reviews")
def test_the_insurers_reviewers_name_lead_the_product_table():
    texts = _reviews()
    items = pd.DataFrame({"text": texts, "doc_id": range(len(texts)), "sent_id": range(len(texts)),
                          "kind": "pain_point", "topic_id": 0, "label": "claim", "confidence": 0.9,
                          "url": None, "source": "trustpilot", "created_at": None})
    table = product_table(items, sorted(learn_names(texts)), [], [])
    rows = {r["name"]: r for r in table["rows"]}
    assert not table["listed"]
    # Five of the six insurers the files are of; "Spot" is also an ordinary word, so a study lists it.
    assert {"ASPCA", "Embrace", "Figo", "Healthy Paws", "AKC"} <= set(list(rows)[:6])
    # "Paws" alone is part of "Healthy Paws", not a product of its own.
    assert "Paws" not in rows
    expected = sum(bool(re.search(r"\bhealthy paws\b", t, re.I)) for t in texts)
    assert rows["Healthy Paws"]["documents"] == expected


def test_a_study_list_wins_and_names_match_whole_words_only():
    texts = pd.Series(["Spot paid in a week.", "I spotted a cheaper plan at Lemonade.", "Figo's app crashed.",
                       "Lemonade denied it."])
    assert mentions(texts, ["Spot", "Figo", "Lemonade"]).tolist() == [["Spot"], ["Lemonade"], ["Figo"], ["Lemonade"]]
    items = pd.DataFrame({"text": texts, "doc_id": [1, 2, 3, 4], "sent_id": [1, 2, 3, 4],
                          "kind": ["pain_point", "objection", "pain_point", "pain_point"], "topic_id": [0, 1, 2, 0],
                          "label": ["payout", "price", "app", "claim denied"], "confidence": 0.9, "url": None,
                          "source": "t", "created_at": None})
    table = product_table(items, ["figo"], ["Spot"], ["Lemonade"])
    assert table["listed"] and [r["name"] for r in table["rows"]] == ["Spot", "Lemonade"]
    lemonade = table["rows"][1]
    assert lemonade["role"] == "competitor" and lemonade["kinds"] == {"objection": 1, "pain_point": 1}
    assert lemonade["themes"]["pain_point"][0]["label"] == "claim denied"
    assert lemonade["themes"]["pain_point"][0]["quotes"][0]["text"] == "Lemonade denied it."
    from voc.report.markdown import _products

    md = "\n".join(_products(table))
    assert "| Lemonade (competitor) | 2 | 1 | 1 | claim denied (1) | price (1) |" in md
