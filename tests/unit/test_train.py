"""A researcher corrects labels in a CSV, retrains, and the evaluation shows the change."""

import pandas as pd
import pytest

from voc.extract.classifier import InsightClassifier
from voc.extract.evaluate import evaluate, read_labelled
from voc.extract.insights import LABELLED, Extractor
from voc.extract.train import real_rows, train, training_frame

pytestmark = pytest.mark.slow


def test_user_rows_override_shipped_rows_with_the_same_text(tmp_path):
    shipped = training_frame(real=False)
    text = shipped["text"].iloc[0]
    mine = tmp_path / "mine.csv"
    pd.DataFrame({"text": [text.upper(), "The hinge cracked after a week."],
                  "labels": ["objection", "pain_point"]}).to_csv(mine, index=False)
    both = training_frame([mine], real=False)
    assert len(both) == len(shipped) + 1
    assert both.loc[both["text"].str.lower() == text.lower(), "labels"].tolist() == ["objection"]
    assert not shipped["text"].isin(read_labelled(LABELLED).query("split == 'test'")["text"]).any()  # never trained on


def test_real_labels_resolve_to_the_sentences_of_the_real_reviews(shared):
    # Keys only ship; the text comes from ../shared, read in its document as the labellers read it.
    test = real_rows("test", shared)
    assert len(test) == 1659
    assert test["source_type"].value_counts().to_dict() == {"review": 587, "reddit": 569, "qa": 324, "forum": 179}
    review = test[test["key"] == "6046563bf85d750394243d80"].set_index("position")  # a Trustpilot pet-insurance review
    assert review.loc[1, "text"] == "I have a new puppy (14 weeks old)" and review.loc[1, "labels"] == "purchase_trigger"
    assert review.loc[1, "prev"] == "I can't recommend Healthy Paws enough!" and review.loc[1, "rating"] == 5.0
    play = test[test["key"] == "57291de3507c69054da8ee8c"].iloc[0]  # a Google Play review of Muzei, 4 stars
    assert (play["text"], play["labels"], play["rating"]) == (
        "Pls Add manual wallpaper switch when using photos on device.", "must_have_feature", 4.0)


def test_training_on_corrections_changes_the_evaluation(nlp, embedder, tmp_path):
    df = read_labelled(LABELLED)
    dev, test = df[df["split"] == "dev"], df[df["split"] == "test"]
    small = tmp_path / "small.csv"
    dev.iloc[: len(dev) // 2][["text", "labels"]].to_csv(small, index=False)
    clf, frame = train(embedder, tmp_path / "small.npz", [small], include_shipped=False)
    assert len(frame) == len(dev) // 2 and InsightClassifier.load(tmp_path / "small.npz").meta["n_train"] == len(frame)
    before = evaluate(test, Extractor(nlp, embedder, clf).predict_labels)
    more = tmp_path / "more.csv"
    dev[["text", "labels"]].to_csv(more, index=False)
    clf2, _ = train(embedder, tmp_path / "more.npz", [more], include_shipped=False)
    after = evaluate(test, Extractor(nlp, embedder, clf2).predict_labels)
    assert after["n"] == before["n"] == len(test)
    assert after["macro_f1"] != before["macro_f1"] and 0.4 < after["macro_f1"] <= 1


def test_a_fixed_fifth_of_the_real_rows_trains_without_its_document_kind(monkeypatch, tmp_path):
    import voc.extract.train as train_module

    real = pd.DataFrame({"text": [f"The dock on unit {i} jams every other night." for i in range(2000)], "labels": "",
                         "doc_kind": "review", "group": [f"d{i}" for i in range(2000)], "origin": "real:x", "real": True})
    monkeypatch.setattr(train_module, "real_rows", lambda split, root=None: real.copy())
    mine = tmp_path / "mine.csv"
    pd.DataFrame({"text": [f"My own note {i}." for i in range(200)], "labels": "pain_point",
                  "doc_kind": "survey"}).to_csv(mine, index=False)
    first = training_frame([mine], blank_kinds=True)
    blanked = first["real"] & (first["doc_kind"] == "")
    assert 0.17 < blanked.sum() / first["real"].sum() < 0.23
    assert (first.loc[~first["real"].astype(bool) & first["text"].str.startswith("My own"), "doc_kind"] == "survey").all()
    again = training_frame([mine], blank_kinds=True)
    assert again["doc_kind"].fillna("").equals(first["doc_kind"].fillna(""))  # the same rows every time, by text
    # The fine-tuned classifier's rows keep every kind (it reads a missing kind as a word of its own).
    assert (training_frame([mine]).query("real")["doc_kind"] == "review").all()
