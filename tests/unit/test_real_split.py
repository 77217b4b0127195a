"""The shipped classifiers (heads, fine-tuned MiniLM, their ensemble) side by side on the real-text
test split: 1,659 real sentences never trained or tuned on. The split is scored once for every
comparison in this file (the fine-tuned MiniLM takes most of a minute over it)."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def real_split_scores(extractor, nlp, embedder, shared):
    """The real-text test split and, per shipped classifier (heads, tuned, ensemble), its extractor
    and probabilities."""
    from voc.extract.classifier import load_classifier
    from voc.extract.insights import BUILTIN_ENSEMBLE, BUILTIN_TUNED, Extractor
    from voc.extract.train import real_rows

    test = real_rows("test", shared)
    extractors = {"heads": extractor, "tuned": Extractor(nlp, embedder, load_classifier(BUILTIN_TUNED)),
                  "ensemble": Extractor(nlp, embedder, load_classifier(BUILTIN_ENSEMBLE))}
    return test, {name: (ex, ex.score(test)) for name, ex in extractors.items()}


@pytest.mark.slow
def test_on_real_text_the_tuned_classifier_is_more_precise_on_pain_points_and_must_haves(real_split_scores):
    """Measured on the real-text test split: the fine-tuned MiniLM against the heads (both rounds 1-5)."""
    from voc.extract.evaluate import evaluate

    test, scored = real_split_scores
    heads_all, tuned = (evaluate(test, lambda _, ex=ex, P=P: ex.labels(P)) for ex, P in (scored["heads"], scored["tuned"]))
    heads = heads_all["per_kind"]
    # Measured: precision .633/.709 against .591/.566, pain-point F1 .682 against .617; macro-F1
    # 0.508 against 0.488 (fine-tuned with the weak suggestion rows, December 2026; without them
    # .646/.585, .687 and 0.531; rounds 1-4: .710/.610 against .580/.567, .703 against .615, 0.527
    # against 0.503).
    assert tuned["per_kind"]["pain_point"]["precision"] >= heads["pain_point"]["precision"] + 0.03
    assert tuned["per_kind"]["must_have_feature"]["precision"] >= heads["must_have_feature"]["precision"] + 0.1
    assert tuned["per_kind"]["pain_point"]["f1"] >= heads["pain_point"]["f1"] + 0.05
    assert tuned["macro_f1"] >= max(0.50, heads_all["macro_f1"] + 0.01)


@pytest.mark.slow
def test_on_real_text_the_ensemble_beats_both_of_its_parts(real_split_scores):
    """Measured on the real-text test split (1,659 sentences never trained or tuned on)."""
    from sklearn.metrics import average_precision_score

    from voc.extract.classifier import label_matrix
    from voc.extract.evaluate import evaluate

    test, scored = real_split_scores
    Y = label_matrix(test["labels"], scored["ensemble"][0].classifier.kinds)

    f1, ap = {}, {}
    for name, (ex, P) in scored.items():   # F1 at each classifier's thresholds and AP from the same scores
        pred = ex.labels(P)
        f1[name] = evaluate(test, lambda _: pred, ex.classifier.kinds)["macro_f1"]
        ap[name] = np.mean([average_precision_score(Y[:, j], P[:, j]) for j in range(Y.shape[1])])
    # Measured: mean AP 0.579 against 0.519 (heads) and 0.535 (fine-tuned); macro-F1 0.540 against
    # 0.488 and 0.508 (models/insights/README.md, "Weak suggestion rows in the fine-tune").
    assert ap["ensemble"] >= max(ap["heads"], ap["tuned"]) + 0.03
    # (int8 arithmetic can differ a little between CPUs: a margin, not the measured value.)
    assert f1["ensemble"] >= max(0.535, f1["heads"] + 0.045) and f1["ensemble"] >= f1["tuned"] + 0.005


@pytest.mark.slow
def test_feature_requests_of_a_real_product_forum_are_must_haves(real_split_scores, shared):
    """SemEval-2019 Task 9 trial test: 592 real sentences of the Windows developer feedback forum,
    half of them suggestions. The default classifier (the ensemble) must find them as
    must_have_feature with F1 of at least 0.80. Measured: P 0.731 / R 0.946 / F1 0.825 (0.786
    before its fine-tuned encoder learnt from the SemEval training rows as weak labels)."""
    import pandas as pd

    from voc.extract.evaluate import scores

    df = pd.read_csv(shared / "suggestion_mining_semeval2019_task9" / "SubtaskA_Trial_Test_Labeled.csv",
                     encoding="latin-1")
    assert len(df) == 592 and int(df["label"].sum()) == 296
    ex = real_split_scores[1]["ensemble"][0]
    pred = [p & {"must_have_feature"} for p in ex.predict_labels(df["sentence"].astype(str).tolist())]
    result = scores([{"must_have_feature"} if y == 1 else set() for y in df["label"]], pred)
    assert result["per_kind"]["must_have_feature"]["f1"] >= 0.80, result["per_kind"]["must_have_feature"]
