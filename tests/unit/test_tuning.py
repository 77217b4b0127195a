"""Topic tuning on real-looking insights: edits, save/load, placing new insights."""

import numpy as np
import pytest

from tests.conftest import labelled_insights
from voc.config import TopicSettings
from voc.topics.fit import fit_topics
from voc.topics.runs import apply_saved
from voc.topics.saved import CANDIDATE_OFFSET, load_saved, save_tuned
from voc.topics.tuning import TopicSession

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def objections(nlp, embedder):
    return labelled_insights("objection", nlp, embedder, prefix="o")


@pytest.fixture(scope="module")
def fitted(objections):
    ins, emb = objections
    return fit_topics("objection", ins, emb, TopicSettings(seed=3), embedding_model=None)


def session(objections, embedder, res):
    import copy

    ins, emb = objections
    res = copy.deepcopy(res)
    topics = res.assignments["topic_id"].to_numpy().copy()
    labels = {int(r.topic_id): r.label for r in res.topics.itertuples() if r.topic_id != -1}
    s = TopicSession("objection", ins.sort_values("sent_id").reset_index(drop=True), emb[np.argsort(ins["sent_id"])],
                     topics, labels, res.model, embedder)
    s.sync()
    return s


def test_merge_rename_split_and_themes_keep_ids_and_sync_bertopic(objections, embedder, fitted):
    s = session(objections, embedder, fitted)
    frame = s.topic_frame()
    a, b = [t for t in frame["topic_id"] if t != -1][:2]
    size_ab = int(((s.topics == a) | (s.topics == b)).sum())
    kept = s.merge([a, b], label="price and value")
    assert kept == a and int((s.topics == a).sum()) == size_ab and b not in set(s.topics.tolist())
    assert s.model.custom_labels_ is not None and "price and value" in s.model.get_topic_info()["CustomName"].tolist()
    s.rename(a, "cost worries")
    new = s.split(a, ["subscription", "monthly", "fee"], label="subscriptions")
    moved = s.members(new)["text"]
    assert len(moved) > 0 and moved.str.contains("subscription|monthly|fee", case=False).all()
    # A theme worded as one of the insights must attract at least that insight; which others it
    # takes is the rule itself (closer to the theme than to their own topic, and >= 0.4), checked
    # here against the vectors rather than against one fit's arithmetic.
    privacy = s.insights.loc[s.insights["text"].str.contains("access to my contacts"), "text"].iloc[0]
    theme_vec = embedder.encode([privacy])[0]
    sims, own = s.embeddings @ theme_vec, s._own_similarity()
    expected = (sims >= 0.4) & (sims > own)
    themes = s.add_themes([privacy], min_similarity=0.4)
    assert set(themes) == {privacy}, "a theme worded as an insight should attract it"
    taken = s.topics == themes[privacy]
    assert (taken == expected).all() and s.insights["text"][taken].eq(privacy).any()
    assert [e["op"] for e in s.edits] == ["merge", "rename", "split", "add_themes"]


def test_saved_model_reproduces_edits_and_places_new_insights(objections, embedder, fitted, tmp_path):
    from voc.config import StudyConfig

    s = session(objections, embedder, fitted)
    a, b = [t for t in s.topic_frame()["topic_id"] if t != -1][:2]
    s.merge([a, b], label="cost worries")
    save_tuned(s.tuned(), s.embeddings, tmp_path, "t", s.model, embedder.name)
    saved = load_saved(tmp_path, "objection")
    assert saved.labels[a] == "cost worries" and b not in saved.labels
    assert (tmp_path / "topics" / "objection" / "MODEL_CARD.md").read_text().count("cost worries") >= 1
    study = StudyConfig(name="t")
    same = apply_saved("objection", s.insights, s.embeddings, saved, study.topics, embedder.model)
    assert (same.assignments["topic_id"].to_numpy() == s.topics).all()
    # New insights: close paraphrases of a topic join it; an unrelated cluster becomes a candidate.
    import pandas as pd

    from voc.embed import embed_cached

    member = s.members(a)["text"].iloc[0]
    new_texts = [member + " Honestly.", *[f"The parking lot at the store was full on day {i}." for i in range(14)]]
    new = pd.DataFrame({"sent_id": [f"n{i:03d}" for i in range(len(new_texts))], "text": new_texts, "aspect": "parking"})
    both = pd.concat([s.insights, new], ignore_index=True)
    emb = np.vstack([s.embeddings, embed_cached(new_texts, embedder)])
    res = apply_saved("objection", both, emb, saved, study.topics, embedder.model)
    got = dict(zip(res.assignments["sent_id"], res.assignments["topic_id"]))
    assert got["n000"] == a
    assert sum(got[f"n{i:03d}"] >= CANDIDATE_OFFSET for i in range(1, 15)) >= 10
    assert any(lbl.startswith("new: ") for lbl in res.topics["label"])
