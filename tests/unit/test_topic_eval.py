import numpy as np

from voc.topic_eval import describe, diversity, npmi, topic_words

TEXTS = [
    "the battery dies after an hour of cleaning",
    "battery life is short and the battery drains fast",
    "my battery will not hold a charge anymore",
    "the battery died and charging takes forever",
    "the app crashes whenever I open the map",
    "app keeps logging me out and the map is gone",
    "the app update deleted my saved map",
    "the map in the app never loads",
]


def test_coherent_partition_scores_higher_than_a_mixed_one():
    right = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    mixed = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    good, bad = describe(right, TEXTS), describe(mixed, TEXTS)
    assert good["topics"] == bad["topics"] == 2
    assert good["npmi"] > bad["npmi"]
    words = topic_words(right, TEXTS, top_n=3)
    assert "battery" in words[0] and {"app", "map"} & set(words[1])


def test_diversity_and_npmi_bounds():
    assert diversity([["battery", "charge"], ["app", "map"]]) == 1.0
    assert diversity([["battery", "charge"], ["battery", "charge"]]) == 0.5
    assert -1.0 <= npmi([["battery", "charge"], ["app", "map"]], TEXTS) <= 1.0
    outliers = describe(np.array([-1, 0, 0, 0, 1, 1, 1, -1]), TEXTS)
    assert outliers["outlier_share"] == 0.25
