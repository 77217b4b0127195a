"""The insight classifier on realistic sentences and on our labelled test split."""

import pandas as pd
import pytest

from voc.extract.cues import strength
from voc.extract.evaluate import evaluate, read_labelled
from voc.extract.insights import LABELLED, baseline_predict

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("text, kind", [
    # The heads trained on rounds 1-5 score it 0.30 against their threshold 0.34 (0.77 from the
    # default ensemble, read alike without a document kind): a known miss of the fast option.
    pytest.param("The side brush gets tangled with dog hair every single day and I have to cut it free.", "pain_point",
                 marks=pytest.mark.xfail(strict=True, reason="the rounds 1-5 heads score it 0.30 (threshold 0.34)")),
    ("$1,100 for a vacuum is just insane, I can't justify that.", "objection"),
    ("I'm not putting a camera that uploads pictures to the cloud in my kids' bedroom.", "objection"),
    ("Our old Roomba finally died after six years, so I started shopping around.", "purchase_trigger"),
    ("We adopted a husky in March and the shedding got out of control.", "purchase_trigger"),
    ("It absolutely needs to work without a cloud account, that's a deal-breaker for me.", "must_have_feature"),
])
def test_clear_sentences_get_their_kind(extractor, text, kind):
    rec = extractor.classify([text])[0]
    assert kind in rec["kinds"], rec
    assert 0.0 < rec["kinds"][kind] <= 1.0


def test_the_default_classifier_reads_the_written_pain_point_the_heads_miss(nlp, embedder):
    from voc.extract.classifier import load_classifier
    from voc.extract.insights import BUILTIN_ENSEMBLE, Extractor

    rec = Extractor(nlp, embedder, load_classifier(BUILTIN_ENSEMBLE)).classify(
        ["The side brush gets tangled with dog hair every single day and I have to cut it free."])[0]
    # Well above its threshold (0.372): 0.77 with the encoder in float, 0.69 at int8 (recalibrated).
    assert set(rec["kinds"]) == {"pain_point"} and rec["kinds"]["pain_point"] >= 0.65, rec


NEUTRAL = [
    "The package came with two spare filters and a cleaning tool.",
    "Ours lives under the stairs between runs.",
    "We've owned the D5 for about a year and a half.",
    "Welcome to the forum, glad you found us!",
    "I usually start it from the app before leaving for work.",
    "It has three suction levels and a carpet boost setting.",
    "Posting a picture of my setup below.",
    "My sister has the same model in grey.",
    "The kids named ours Rosie.",
    "Anyone here from Ohio?",
]


def test_neutral_chatter_mostly_gets_nothing(extractor):
    labelled = [r["text"] for r in extractor.classify(NEUTRAL) if r["kinds"]]
    assert len(labelled) <= 2, labelled


def test_aspect_and_strength(extractor):
    rec = extractor.classify(["The battery life is terrible, it dies after 40 minutes."])[0]
    assert rec["aspect"] == "battery"
    assert strength("I need a self-emptying dock, non-negotiable.") == "must"
    assert strength("Would be nice if the app had a dark mode.") == "nice"
    assert strength("I wish it came with a spare brush.") == "nice"


def test_beats_keyword_baseline_on_our_test_split(extractor):
    df = read_labelled(LABELLED)
    test = df[df["split"] == "test"]
    assert len(test) >= 150
    # The written sentences label the first four kinds only; real text is the yardstick for all six
    # (models/insights/README.md), this checks the model still reads our written examples.
    four = ("pain_point", "objection", "purchase_trigger", "must_have_feature")
    ours = evaluate(test, extractor.predict_labels, four)
    base = evaluate(test, baseline_predict, four)
    assert ours["macro_f1"] >= 0.6
    assert ours["macro_f1"] >= base["macro_f1"] + 0.15
    assert all(v["f1"] > 0.5 for v in ours["per_kind"].values())


def test_real_text_test_split_is_the_yardstick(extractor, shared):
    """The shipped classifier on the real sentences it was never trained or tuned on
    (models/insights/README.md has the per-kind and per-source numbers)."""
    from voc.extract.train import real_rows

    test = real_rows("test", shared)
    assert len(test) == 1659
    ours = evaluate(test, extractor.predict_labels)
    base = evaluate(test, baseline_predict)
    # Measured: macro-F1 0.488 against the keyword baseline's 0.146 (heads trained on rounds 1-5; 0.503 on 1-4).
    assert ours["macro_f1"] >= 0.48
    assert ours["macro_f1"] >= base["macro_f1"] + 0.3
    assert ours["per_kind"]["pain_point"]["f1"] >= 0.6 and ours["per_kind"]["must_have_feature"]["f1"] >= 0.58


def test_sentences_of_unknown_document_kind_are_read_as_well(extractor, shared):
    """A survey or interview answer has a kind no real labelled row has: the same real test split
    with every document kind blanked. Measured (heads, rounds 1-5): macro-F1 0.482, buying roles
    0.421; a model that never trained without the kind fell to 0.339 and 0.000."""
    from voc.extract.train import real_rows

    blanked = evaluate(real_rows("test", shared).assign(doc_kind=""), extractor.predict_labels)
    assert blanked["macro_f1"] >= 0.45 and blanked["per_kind"]["buying_role"]["f1"] >= 0.3
    # The demo's interview answer, read as an answer of unknown kind.
    rec = extractor.classify(pd.DataFrame({"text": ["My wife had the final say on the budget, I did the comparing."],
                                           "doc_kind": ["survey"]}))[0]
    assert "buying_role" in rec["kinds"] and "decision_maker" in rec["roles"]


def test_only_the_sentences_found_to_be_insights_are_parsed(extractor, shared):
    # A real 2-star Google Play review (A Comic Viewer, 57290f94507c69054da8e005): its complaint is
    # an insight and gets an aspect from the parse; the classifier itself needs no parse, so the
    # spaCy pipeline sees the insights and nothing else.
    reviews = pd.read_csv(shared / "app_reviews_urr_ciurumelea2017" / "reviews_data.csv")
    text = reviews.loc[reviews["_id"] == "57290f94507c69054da8e005", "reviewText"].item()
    sentences = ["Memory issues Every now and then i'll get out of memory errors.",
                 "Comic rack does not have this problem."]
    assert " ".join(sentences) == text
    parsed: list[str] = []

    class Counting:
        def pipe(self, texts, **kw):
            texts = list(texts)
            parsed.extend(texts)
            return extractor.nlp.pipe(texts, **kw)

    from voc.extract.insights import Extractor

    records = Extractor(Counting(), extractor.embedder, extractor.classifier).classify(sentences)
    assert "pain_point" in records[0]["kinds"] and records[0]["aspect"]
    assert parsed == [s for s, rec in zip(sentences, records) if rec["kinds"]]
