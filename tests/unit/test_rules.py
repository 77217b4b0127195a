"""The labelling guide's rules applied after the classifier (voc.extract.rules), on real sentences."""

import pandas as pd
import pytest

from voc.extract.rules import RULES, price_rise, price_rise_kinds


@pytest.mark.parametrize("text, kinds, expected, moved", [
    # Pet-insurance reviews (Trustpilot) as the shipped classifier filed them in the bench study.
    ("Just got our annual renewal and was very unpleasantly surprised to see the premiums had gone up 25%.",
     {"objection": 0.5, "pain_point": 0.62, "purchase_trigger": 0.41}, {"objection": 0.62}, ("pain_point", "purchase_trigger")),
    ("Premium went up about 25% without notice.", {"objection": 0.7, "pain_point": 0.6},
     {"objection": 0.7, "pain_point": 0.6}, ()),
    ("I started looking into other providers, and might need to switch if the price increases anymore than that.",
     {"objection": 0.8, "purchase_trigger": 0.5}, {"objection": 0.8, "purchase_trigger": 0.5}, ()),
    ("Just wish the monthly premium wouldn't go up so much each year.", {"must_have_feature": 0.55},
     {"objection": 0.55}, ("must_have_feature",)),
    ("They say they won’t raise your rates, and when you inquire about each annual rise, they will say that "
     "veterinary costs have risen in your area.", {"objection": 0.6, "pain_point": 0.7},
     {"objection": 0.6, "pain_point": 0.7}, ()),
    # A capability asked for stays a must-have; other pain beside the rise stays a pain point.
    ("I think the plan should have a chart showing an estimate of increased cost relative to increased age.",
     {"must_have_feature": 0.6}, {"must_have_feature": 0.6}, ()),
    ("Would like the payment page to show the increase in premium.", {"must_have_feature": 0.6},
     {"must_have_feature": 0.6}, ()),
    ("Since our initial purchase of this insurance our premiums have almost doubled and contacting a "
     "representative for a issue lately seems impossible!", {"objection": 0.6, "pain_point": 0.7},
     {"objection": 0.6, "pain_point": 0.7}, ()),
    # No price, or no rise: the rules stay out.
    ("The error rate increased after the update.", {"pain_point": 0.9}, {"pain_point": 0.9}, ()),
    ("The rate of claims approval rose.", {"pain_point": 0.5}, {"pain_point": 0.5}, ()),
    ("They increased the payment processing time to 10 days.", {"pain_point": 0.8}, {"pain_point": 0.8}, ()),
    ("No price increase this year, but the lid cracked in a week.", {"pain_point": 0.8}, {"pain_point": 0.8}, ()),
    ("My only other gripe is once you're locked into an annual spending limit, you can't increase it.",
     {"objection": 0.5, "pain_point": 0.6}, {"objection": 0.5, "pain_point": 0.6}, ()),
])
def test_price_rise_rule(text, kinds, expected, moved):
    assert price_rise_kinds(text, kinds) == (expected, moved)


def test_a_moved_kind_below_the_study_objection_threshold_goes_nowhere():
    text = "However, after only one year and with zero submitted claims, our payment went up $10 per month."
    assert price_rise_kinds(text, {"purchase_trigger": 0.15}, objection_threshold=0.4) == ({}, ("purchase_trigger",))
    assert price_rise_kinds(text, {"purchase_trigger": 0.45}, objection_threshold=0.4) == ({"objection": 0.45}, ("purchase_trigger",))


def test_the_rules_agree_with_the_real_labels_of_price_rises(shared):
    """Every real labelled sentence that tells of a price rise: a pain point stays only where the
    labellers kept one (a billing defect or other pain beside the rise)."""
    from voc.extract.train import real_rows

    rows = pd.concat([real_rows(split, shared) for split in ("train", "test")])
    rises = rows[rows["text"].map(lambda t: price_rise(t) is not None)]
    assert len(rises) >= 45, len(rises)
    kept = [("pain_point" in price_rise_kinds(t, {"pain_point": 0.7, "objection": 0.6})[0]) for t in rises["text"]]
    gold = list(rises["labels"].str.contains("pain_point"))
    # 47 of 51 agree: the classifier's usual "both" agrees on the 9 labelled pain points only, and
    # always dropping the pain point would agree on 42.
    assert sum(k == g for k, g in zip(kept, gold)) >= 0.9 * len(gold)
    assert sum(k and g for k, g in zip(kept, gold)) >= 6


def test_what_the_rules_change_in_the_shipped_heads_labels_is_right(extractor, shared):
    """On the real labelled price rises, each sentence whose kinds the rules change comes out as
    its labels have it for the kinds moved (6 of the train split, 1 of the test split)."""
    from voc.extract.classifier import context_frame
    from voc.extract.evaluate import gold_sets
    from voc.extract.train import real_rows

    rows = pd.concat([real_rows(split, shared) for split in ("train", "test")])
    rises = rows[rows["text"].map(lambda t: price_rise(t) is not None)].reset_index(drop=True)
    frame = context_frame(rises[["text", "prev", "doc_kind", "rating", "position"]])
    P = extractor.score(frame)
    before, after = extractor.labels(P), extractor.labels(P, list(frame["text"]))
    gold = gold_sets(rises["labels"])
    changed = [i for i in range(len(rises)) if before[i] != after[i]]
    assert len(changed) >= 5
    for i in changed:
        for kind in before[i] ^ after[i]:
            assert (kind in after[i]) == (kind in gold[i]), (rises["text"][i], before[i], after[i], gold[i])


def test_an_objection_the_rule_adds_is_stored_as_the_rules(extractor):
    from voc.extract.insights import extract_frame

    text = "My monthly payment doubled and spot became unaffordable."
    # Read alone, the shipped heads file it as a pain point only (0.36).
    assert extractor.labels(extractor.score([text])) == [{"pain_point"}]
    frame = pd.DataFrame({"sent_id": ["s1"], "doc_id": ["d1"], "author_hash": ["a"], "text": [text]})
    insights, _ = extract_frame(frame, extractor)
    assert insights[["kind", "method"]].values.tolist() == [["objection", "rule"]]
    assert extractor.predict_labels([text]) == [{"objection"}]
    assert extractor.model_id.endswith("+" + RULES)


def test_a_pain_point_the_rule_moved_is_not_carried_back_from_the_sentence_before():
    from voc.extract.insights import apply_context

    records = [{"text": "The app keeps crashing every time I open a claim.", "kinds": {"pain_point": 0.9},
                "aspect": "app", "context": [], "moved": ()},
               {"text": "Then the premium doubled so I cancelled it.", "kinds": {"objection": 0.7},
                "aspect": None, "context": [], "moved": ("pain_point",)}]
    apply_context(records, ["d", "d"])
    assert records[1]["kinds"] == {"objection": 0.7}
    records[1]["moved"] = ()
    apply_context(records, ["d", "d"])
    assert "pain_point" in records[1]["kinds"]
