import numpy as np
import pandas as pd
import pytest

from tests.conftest import labelled_insights
from voc.config import TopicSettings
from voc.topics.fit import _most_topics, _nameable, fit_topics, reduce_outliers

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pain_points(nlp, embedder):
    return labelled_insights("pain_point", nlp, embedder, prefix="s")


def test_same_insights_and_seed_give_identical_topics(pain_points, embedder):
    ins, emb = pain_points
    a = fit_topics("pain_point", ins, emb, TopicSettings(seed=7), embedding_model=embedder.model)
    b = fit_topics("pain_point", ins.sample(frac=1, random_state=3), emb[ins.sample(frac=1, random_state=3).index],
                   TopicSettings(seed=7), embedding_model=embedder.model)  # input order must not matter either
    assert a.method == "bertopic" and len(a.topics) >= 3
    merged = a.assignments.merge(b.assignments, on="sent_id")
    assert len(merged) == len(ins) and (merged["topic_id_x"] == merged["topic_id_y"]).all()
    assert list(a.topics["label"]) == list(b.topics["label"])


def test_topic_count_follows_the_corpus_size_or_the_setting(pain_points):
    from voc.topics.fit import topic_range

    ins, emb = pain_points
    low, high = topic_range(len(ins))
    chosen = fit_topics("pain_point", ins, emb, TopicSettings(seed=7))
    assert low <= int((chosen.topics["topic_id"] != -1).sum()) <= high
    fixed = fit_topics("pain_point", ins, emb, TopicSettings(seed=7, n_topics=low + 1))
    assert int((fixed.topics["topic_id"] != -1).sum()) == low + 1
    assert topic_range(120) == (3, 5) and topic_range(200_000) == (20, 40)


def test_absorbing_small_topics_leaves_fewer_than_the_range_allows_only_when_nothing_else_can(shared, nlp, embedder):
    """The 30 objections in the real labelled Q&A sentences (Stack Exchange: coffee, appliances).
    Absorbing topics under ``smallest_topic`` can leave fewer than ``topic_range``'s least; one
    such blob of a corpus's common words scored as the most coherent and won (the coffee Q&A
    report put 51 of its 54 pain points in one theme "filter"). Measured: 2 topics before, 3 now."""
    import pandas as pd

    from voc.embed import embed_cached
    from voc.extract.aspects import extract_aspect
    from voc.extract.train import real_rows
    from voc.topics.fit import topic_range

    rows = pd.concat([real_rows(split, shared) for split in ("train", "test")])
    ins = rows[(rows["source_type"] == "qa") & rows["labels"].str.contains("objection")].reset_index(drop=True)
    assert len(ins) == 30 and topic_range(len(ins))[0] == 3
    ins["sent_id"] = [f"q{i:03d}" for i in range(len(ins))]
    ins["aspect"] = [extract_aspect(d) for d in nlp.pipe(ins["text"])]
    result = fit_topics("objection", ins, embed_cached(ins["text"].tolist(), embedder), TopicSettings(seed=42))
    assert result.method == "bertopic" and int((result.topics["topic_id"] != -1).sum()) >= 3


def test_options_under_the_range_are_kept_only_when_nothing_reaches_it():
    from voc.topics.fit import _in_range

    # (npmi, topic count, ...) as merge_plan and the seed choice list them; the blob is the most coherent.
    blob, three, four = (-0.35, 2, "blob"), (-0.51, 3, "three"), (-0.48, 4, "four")
    assert _in_range([blob, three, four], 3) == [three, four]
    assert _most_topics(_nameable([(*o, 0.0) for o in _in_range([blob, three, four], 3)], 3))[2] == "four"
    assert _in_range([blob], 3) == [blob]  # nothing reaches 3: the blob is all there is


def judges(ins):
    """The two measures topic fitting chooses by, as it applies them: the share of insights left
    to themes too diffuse to name, then NPMI."""
    from voc.topics.coherence import Coherence
    from voc.topics.labels import Labeller

    docs = ins.sort_values("sent_id", kind="stable")["text"].tolist()
    coherence, labeller = Coherence(docs), Labeller(docs)
    return coherence, lambda topics: labeller.diffuse_share(topics, coherence.topic_words(topics, 8))


def test_hdbscan_core_density_is_chosen_by_coherence(pain_points, monkeypatch):
    import voc.topics.fit as topics_module

    ins, emb = pain_points
    coherence, diffuse = judges(ins)

    def fit(seed):
        res = fit_topics("pain_point", ins, emb, TopicSettings(seed=seed, restarts=1))
        ordered = res.assignments.sort_values("sent_id", kind="stable")["topic_id"].to_numpy()
        count = int((res.topics["topic_id"] != -1).sum())
        return (coherence.partition_npmi(ordered), count, getattr(res.model.hdbscan_model, "min_samples", None),
                diffuse(ordered))

    picks = []
    # Which density wins for a seed rests on the last bits of the vectors (BLAS threads, CPU), so
    # seeds are tried until each has won at least once, three at least and ten at most.
    for seed in range(8, 18):
        if len(picks) >= 3 and set(picks) == set(topics_module.DENSITIES):
            break
        both = fit(seed)
        alone = {}
        for density in topics_module.DENSITIES:
            monkeypatch.setattr(topics_module, "DENSITIES", (density,))
            npmi, count, min_samples, share = fit(seed)
            if min_samples is not None:  # HDBSCAN found enough clusters at this density
                alone[density] = (npmi, count, min_samples, share)
            monkeypatch.undo()
        # The fit is the more coherent of the single-density fits that leave least to "various"
        # (near-ties: more topics, then the looser density), with the matching HDBSCAN in the
        # BERTopic object users get.
        best = _most_topics(_nameable([(npmi, count, d, share) for d, (npmi, count, _, share) in alone.items()], 3))[2]
        assert both == alone[best]
        picks.append(best)
    # On these insights each density wins for some seed, so the choice is really made.
    assert set(picks) == set(topics_module.DENSITIES)


def test_the_most_coherent_of_the_umap_restarts_is_kept(pain_points):
    from voc.topics.reduce import restart_seeds

    ins, emb = pain_points
    coherence, diffuse = judges(ins)

    def fit(seed, restarts):
        res = fit_topics("pain_point", ins, emb, TopicSettings(seed=seed, restarts=restarts))
        ordered = res.assignments.sort_values("sent_id", kind="stable")["topic_id"].to_numpy()
        count = int((res.topics["topic_id"] != -1).sum())
        return coherence.partition_npmi(ordered), count, ordered, res.model.umap_model.random_state, diffuse(ordered)

    kept = []
    for seed in (8, 9):
        seeds = restart_seeds(seed, 3)
        alone = [fit(s, 1) for s in seeds]
        npmi, count, topics, umap_seed, _ = fit(seed, 3)
        # The pick is the most coherent single-seed fit of those leaving least to "various"
        # (near-ties: more topics, then the higher score, then the earlier seed), assignments and
        # all, and the BERTopic object holds that seed's reduction.
        best = _most_topics(_nameable([(a[0], a[1], i, a[4]) for i, a in enumerate(alone)], 3))[2]
        assert (npmi, count, umap_seed) == (alone[best][0], alone[best][1], seeds[best])
        assert (topics == alone[best][2]).all()
        kept.append(best)
    # On these insights a derived seed beats the study's own for some seed, so the restarts
    # change the result (data-dependent, like the density test's; seen on this corpus).
    assert any(kept)


def test_restarts_scale_down_with_the_corpus_and_derive_from_the_seed():
    from voc.topics.reduce import auto_restarts, restart_seeds

    assert [auto_restarts(n) for n in (120, 2_200, 5_000, 6_700, 200_000)] == [5, 5, 2, 1, 1]
    seeds = restart_seeds(42, 5)
    assert seeds[0] == 42 and len(set(seeds)) == 5 and seeds == restart_seeds(42, 5)
    assert not set(seeds[1:]) & set(restart_seeds(43, 5))  # neighbouring seeds do not share restarts
    assert all(0 <= s < 2**31 for s in seeds)


def test_outlier_budget_is_respected(pain_points, embedder):
    ins, emb = pain_points
    res = fit_topics("pain_point", ins, emb, TopicSettings(seed=1, max_outlier_share=0.10), embedding_model=embedder.model)
    assert res.outlier_share <= 0.10
    assert res.topics["size"].sum() == len(ins)


def test_reduce_outliers_moves_the_most_similar_first():
    emb = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9], [0.95, 0.05], [0.5, 0.5]], dtype=np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    topics = np.array([0, 0, 1, 1, -1, -1])
    out = reduce_outliers(emb, topics, budget=0.2)  # one of six may stay out
    assert out[4] == 0 and out[5] == -1


def test_reduce_outliers_breaks_ties_by_rank_and_places_in_chunks():
    from voc.topics.fit import nearest

    # Two outliers with the same vector and room for one: the one ranked first (sent_id order,
    # whatever order the rows came in) joins, as fit_sampled places rows it never copied.
    emb = np.array([[1, 0], [0, 1], [0.8, 0.6], [0.8, 0.6]], dtype=np.float32)
    topics = np.array([0, 1, -1, -1])
    assert reduce_outliers(emb, topics, budget=0.25).tolist() == [0, 1, 0, -1]
    assert reduce_outliers(emb, topics, budget=0.25, rank=np.array([0, 1, 3, 2])).tolist() == [0, 1, -1, 0]
    # Rank only breaks ties: the more similar outlier joins first even when ranked last.
    unequal = np.array([[1, 0], [0, 1], [0.6, 0.8], [0.99, 0.14]], dtype=np.float32)
    assert reduce_outliers(unequal, topics, budget=0.25, rank=np.array([0, 1, 2, 3])).tolist() == [0, 1, -1, 0]
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(50, 8)).astype(np.float32)
    cents = rng.normal(size=(4, 8)).astype(np.float32)
    rows = np.arange(3, 50, 2)
    best, sims = nearest(vectors, rows, cents, chunk=5)  # several chunks, the last one short
    whole = vectors[rows] @ cents.T  # equal up to float rounding: BLAS may sum a chunk differently
    assert best.tolist() == whole.argmax(1).tolist() and np.allclose(sims, whole.max(1), rtol=0, atol=1e-5)


def test_few_insights_are_grouped_by_aspect():
    import pandas as pd

    # Two success factors of the coffee.stackexchange study had no aspect and were listed as a theme
    # "other"; a generic aspect names nothing either, and one mention is not a theme. All stay out.
    ins = pd.DataFrame({"sent_id": ["a", "b", "c", "d", "e", "f", "g"],
                        "text": ["Battery dies fast.", "Battery is weak.", "App crashes.",
                                 "In terms of similar effects such as energy, alertness, decreased fatigue?",
                                 "The terms are unclear.", "The espresso machine leaks.", "The machine is loud."],
                        "aspect": ["battery", "battery", "app", None, "terms", "espresso machine", "machine"]})
    res = fit_topics("pain_point", ins, np.eye(7, dtype=np.float32))
    assert res.method == "aspect-groups"
    # Named once each, "espresso machine" and "machine" share their head noun: one theme.
    assert dict(zip(res.topics["topic_id"], res.topics["label"])) == {0: "battery", 1: "machine",
                                                                      -1: "unassigned (outliers)"}
    assert dict(zip(res.topics["label"], res.topics["size"])) == {"battery": 2, "machine": 2,
                                                                  "unassigned (outliers)": 3}
    assert res.assignments["topic_id"].tolist() == [0, 0, -1, -1, -1, 1, 1]


def test_an_aspect_one_real_insight_names_is_not_a_theme(shared, nlp):
    """The 10 success factors in the real labelled Q&A sentences (coffee.stackexchange) name 8
    aspects; 7 are named once ("crema", "latte art", "toaster") and were listed as 7 one-mention
    themes. Only "coffee", named 3 times, is a theme, and not in a study of coffee."""
    import pandas as pd

    from voc.extract.aspects import extract_aspect
    from voc.extract.train import real_rows
    from voc.topics.groups import by_aspect

    rows = pd.concat([real_rows(split, shared) for split in ("train", "test")])
    ins = rows[(rows["source_type"] == "qa") & rows["labels"].str.contains("success_factor")].reset_index(drop=True)
    ins["sent_id"] = [f"q{i:03d}" for i in range(len(ins))]
    ins["aspect"] = [extract_aspect(d) for d in nlp.pipe(ins["text"])]
    assert len(ins) == 10 and ins["aspect"].nunique() == 8
    res = by_aspect("success_factor", ins)
    assert res.topics[["label", "size"]].values.tolist() == [["coffee", 3], ["unassigned (outliers)", 7]]
    coffee_study = by_aspect("success_factor", ins, ["coffee"])
    assert coffee_study.topics[["label", "size"]].values.tolist() == [["unassigned (outliers)", 10]]


def test_aspects_named_once_join_under_a_shared_head_noun_but_not_a_particle(nlp):
    """Two of the coffee.stackexchange study's purchase triggers (questions 344 and 240, CC BY-SA)
    name "machine" and "espresso machine" once each: one theme "machine". Two judged functions
    named once ("set up", "sign up"; written edge cases) share only a particle: no theme "up"."""
    import pandas as pd

    from voc.extract.aspects import extract_aspect
    from voc.topics.groups import by_aspect

    texts = ["In a few months, I'll have to buy my own machine to practice on.",
             "I am moving abroad, and will put my espresso machine in storage for at least one year.",
             "It was easy to set up.", "Hard to sign up."]
    ins = pd.DataFrame({"sent_id": ["a", "b", "c", "d"], "text": texts,
                        "aspect": [extract_aspect(d) for d in nlp.pipe(texts)]})
    assert ins["aspect"].tolist() == ["machine", "espresso machine", "set up", "sign up"]
    res = by_aspect("purchase_trigger", ins)
    assert res.topics[["label", "size"]].values.tolist() == [["machine", 2], ["unassigned (outliers)", 2]]
    assert res.assignments["topic_id"].tolist() == [0, 0, -1, -1]


def test_evaluation_puts_voc_next_to_averaged_library_defaults(pain_points):
    from types import SimpleNamespace

    from voc.topics.evaluate import compare

    ins, emb = pain_points
    rows = compare("pain_point", ins, emb, SimpleNamespace(topics=TopicSettings()), default_runs=2)
    ours, seeds, defaults, held = rows
    assert ours["model"] == "voc" and ours["runs"] == 1 and ours["outlier_share"] <= 0.15
    # voc over two seeds (the study's and the next): the study's fit is one of the two averaged.
    assert seeds["model"] == "voc, seeds" and seeds["runs"] == 2 and seeds["outlier_share"] <= 0.15
    assert abs(seeds["npmi"] - ours["npmi"]) <= seeds["npmi_sd"] + 5e-4
    assert defaults["model"] == "bertopic-defaults" and defaults["runs"] == 2 and defaults["npmi_sd"] >= 0
    # The same two fits held to the outlier budget: same topics, fewer outliers.
    assert held["model"] == "defaults, budget" and held["runs"] == 2 and held["topics"] == defaults["topics"]
    assert held["outlier_share"] <= min(0.15, defaults["outlier_share"])
    for r in rows:
        assert -1 <= r["npmi"] <= 1 and 0 < r["diversity"] <= 1 and r["topics"] >= 1


def test_above_max_fit_a_seeded_sample_is_fitted_and_every_other_insight_placed(pain_points):
    from voc.topics.sample import sample_rows

    ins, emb = pain_points
    half = len(ins) // 2
    settings = TopicSettings(seed=5, max_fit=half)
    res = fit_topics("pain_point", ins, emb, settings)
    again = fit_topics("pain_point", ins.sample(frac=1, random_state=1), emb[ins.sample(frac=1, random_state=1).index],
                       settings)
    assert res.method.endswith(f"fitted on {half} of {len(ins)}")
    assert res.assignments.merge(again.assignments, on="sent_id").eval("topic_id_x == topic_id_y").all()
    # The sample's own topics are exactly those of fitting the sample alone (same seed).
    order = ins.sort_values("sent_id", kind="stable").reset_index(drop=True)
    chosen = sample_rows(len(ins), half, 5)
    alone = fit_topics("pain_point", order.iloc[chosen], emb[ins.sort_values("sent_id", kind="stable").index[chosen]],
                       TopicSettings(seed=5, max_fit=0))
    got = res.assignments.set_index("sent_id")["topic_id"]
    placed_in_sample = got.loc[alone.assignments["sent_id"]].to_numpy()
    kept = alone.assignments["topic_id"].to_numpy() != -1
    assert (placed_in_sample[kept] == alone.assignments["topic_id"].to_numpy()[kept]).all()
    # Everyone else joined a topic of the sample, within the outlier budget, and sizes add up.
    assert set(got.unique()) - {-1} <= set(alone.topics["topic_id"])
    assert (got == -1).mean() <= settings.max_outlier_share + 1e-9
    assert res.topics["size"].sum() == len(ins)


def test_a_sample_too_plain_to_cluster_groups_every_insight_by_aspect():
    import pandas as pd

    from voc.topics.sample import fit_sampled

    # 200 identical complaints: the sample cannot be clustered, so all 200 (not just the
    # sampled 100) get the aspect grouping a small or plain kind gets.
    ins = pd.DataFrame({"sent_id": [f"s{i:03d}" for i in range(200)], "text": ["the lid cracked"] * 200,
                        "aspect": ["lid"] * 200})
    emb = np.tile(np.eye(4, dtype=np.float32)[0], (200, 1))
    res = fit_sampled("pain_point", ins, emb, TopicSettings(max_fit=100))
    assert res.method == "aspect-groups" and len(res.assignments) == 200 and res.topics["size"].sum() == 200


def test_max_fit_is_off_or_large_enough_to_fit_on():
    from pydantic import ValidationError

    assert TopicSettings(max_fit=0).max_fit == 0 and TopicSettings(max_fit=100).max_fit == 100
    with pytest.raises(ValidationError, match="max_fit"):
        TopicSettings(max_fit=5)


def test_a_blob_beside_tiny_themes_loses_to_a_balanced_clustering(shared, embedder):
    # The 50 sentences voc's ensemble filed as pain points in the real coffee.stackexchange.com
    # dump (keys: tests/fixtures/qa_reviews/coffee_pain_points.csv). By NPMI alone the most
    # coherent clustering was one theme of 44 ("filter (grind, water)") beside two of 3 that each
    # repeat one phrase ("moka pots (induction stove)", "hole").
    import csv

    import pandas as pd

    from tests.conftest import FIXTURES
    from voc.embed import embed_cached
    from voc.extract.realtext import resolve
    from voc.topics.fit import _balanced

    with (FIXTURES / "qa_reviews" / "coffee_pain_points.csv").open(encoding="utf-8", newline="") as fh:
        rows, missing = resolve(list(csv.DictReader(fh)), shared)
    assert len(rows) == 50 and not missing
    texts = [r["text"] for r in rows]
    ins = pd.DataFrame({"sent_id": [f"c{i:02d}" for i in range(50)], "text": texts, "aspect": None})
    result = fit_topics("pain_point", ins, embed_cached(texts, embedder), TopicSettings(seed=42, names=["coffee"]))
    sizes = result.topics.set_index("label")["size"]
    themed = sizes[sizes.index != "unassigned (outliers)"]
    assert themed.max() <= 25 and len(themed) >= 3, sizes.to_dict()
    # The theme about rinsing paper filters survives, and "hole" (3 sentences, one about a roaster's
    # vent hole) is no theme.
    assert any("rinsed" in label for label in themed.index) and "hole" not in themed.index, sizes.to_dict()
    # Only when every candidate has a blob does one compete.
    blob, even = (-0.2, 3, "blob", 0.88), (-0.45, 3, "even", 0.42)
    assert _balanced([blob, even], 3) == [even] and _balanced([blob], 3) == [blob]
    # Had one person written every sentence of the rinsed-filter theme, it would be no theme: its
    # sentences are outliers like any other, within the same budget (15% of the kind).
    rinsed = result.topics.loc[result.topics["label"].str.contains("rinsed"), "topic_id"].iloc[0]
    theirs = set(result.assignments.loc[result.assignments["topic_id"] == rinsed, "sent_id"])
    ins["author_hash"] = ["one" if s in theirs else f"u{i}" for i, s in enumerate(ins["sent_id"])]
    alone = fit_topics("pain_point", ins, embed_cached(texts, embedder), TopicSettings(seed=42, names=["coffee"]))
    assert not alone.topics["label"].str.contains("rinsed").any(), alone.topics[["label", "size"]].values.tolist()
    assert (alone.assignments["topic_id"] == -1).mean() <= 0.15 + 1e-9


def test_a_theme_one_voice_speaks_in_is_no_theme():
    from voc.topics.groups import heard_once

    # Voices are authors, else threads, else documents (voc.schema.voices).
    assert heard_once(np.array([0, 0, 1, 1, -1]), pd.Series(["a", "a", "b", "c", "d"])).tolist() == [-1, -1, 1, 1, -1]
    assert heard_once(np.array([0, 0]), None).tolist() == [0, 0]
    """One person saying a thing twice is an anecdote. A document with no known author counts as
    its own voice."""
    from voc.topics.runs import topics_for

    ins = pd.DataFrame({"sent_id": ["a", "b", "c", "d", "e"],
                        "text": ["Battery dies fast.", "Battery is weak.", "The espresso machine leaks.",
                                 "The machine is loud.", "App crashes."],
                        "aspect": ["battery", "battery", "machine", "machine", "app"],
                        "author_hash": ["ann", "ann", "bob", None, "cy"], "doc_id": ["d1", "d1", "d2", "d3", "d4"]})
    res = topics_for("pain_point", ins, np.eye(5, dtype=np.float32), TopicSettings(), saved=None)
    assert dict(zip(res.topics["label"], res.topics["size"])) == {"machine": 2, "unassigned (outliers)": 3}
    assert res.assignments.set_index("sent_id")["topic_id"].to_dict() == {"a": -1, "b": -1, "c": 1, "d": 1, "e": -1}
    # Without authors or documents nobody can be counted: both themes stay.
    plain = topics_for("pain_point", ins.drop(columns=["author_hash", "doc_id"]), np.eye(5, dtype=np.float32),
                       TopicSettings(), saved=None)
    assert set(plain.topics["label"]) == {"battery", "machine", "unassigned (outliers)"}
