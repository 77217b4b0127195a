"""The ensemble of heads and fine-tuned MiniLM: how it mixes and what ships (its score on real text:
test_real_split.py)."""

import json
import shutil

import numpy as np
import pytest

from voc.errors import VocError
from voc.extract.classifier import load_classifier
from voc.extract.ensemble import EnsembleClassifier, fit_mixture, mix
from voc.extract.insights import BUILTIN_ENSEMBLE, BUILTIN_HEAD, BUILTIN_TUNED, classifier_path


def test_the_mixture_is_the_logit_of_the_weighted_mean():
    z = mix(np.array([[0.2, 0.9]]), np.array([[0.6, 0.5]]), 0.25)
    assert np.allclose(1 / (1 + np.exp(-z)), [[0.3, 0.8]])
    assert np.isfinite(mix(np.array([[0.0, 1.0]]), np.array([[0.0, 1.0]]), 0.5)).all()   # clipped, not inf


def test_the_weight_follows_the_component_that_ranks_better():
    rng = np.random.default_rng(0)
    y = (rng.random(600) < 0.3).astype(int)
    informative = np.clip(0.3 + 0.4 * y + rng.normal(0, 0.15, 600), 0, 1)
    noise = rng.random(600)
    Y = y[:, None]
    w_tuned_good, platt, thresholds, ap = fit_mixture(noise[:, None], informative[:, None], Y, ("pain_point",))
    w_heads_good, *_ = fit_mixture(informative[:, None], noise[:, None], Y, ("pain_point",))
    assert w_tuned_good == 0.7 and w_heads_good == 0.3
    assert platt.shape == (1, 2) and platt[0, 0] > 0 and 0.1 <= thresholds["pain_point"] <= 0.9
    assert ap[0.7] > ap[0.3]


@pytest.mark.slow
def test_the_shipped_ensemble_names_its_parts_and_refuses_changed_ones(tmp_path):
    assert classifier_path("builtin-ensemble") == BUILTIN_ENSEMBLE
    with np.load(BUILTIN_ENSEMBLE, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
    # Shipped parts by their names, so an upgraded or moved install still finds them.
    assert (meta["heads"], meta["tuned"]) == ("builtin", "builtin-tuned")
    clf = load_classifier(BUILTIN_ENSEMBLE)
    assert isinstance(clf, EnsembleClassifier)
    assert clf.meta["versions"] == {"heads": load_classifier(BUILTIN_HEAD).meta["version"],
                                    "tuned": load_classifier(BUILTIN_TUNED).meta["version"]}
    assert set(clf.thresholds) == set(clf.kinds) and clf.kinds == clf.heads.kinds
    # An ensemble of copies beside it keeps them by name; retrained heads under that name are refused.
    heads, tuned = shutil.copy(BUILTIN_HEAD, tmp_path / "mine.npz"), shutil.copy(BUILTIN_TUNED, tmp_path / "mine_t.npz")
    mine = clf.save(tmp_path / "ens.npz", heads, tuned)
    assert load_classifier(mine).meta["version"] == clf.meta["version"]
    with pytest.raises(VocError, match="that is the ensemble's own mine.npz"):
        clf.save(heads, heads, tuned)
    with np.load(BUILTIN_HEAD, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(str(arrays.pop("meta")))
    np.savez(heads, meta=json.dumps({**meta, "version": "head-retrained"}), **arrays)
    with pytest.raises(VocError, match="rebuild it with `voc train --ensemble`") as err:
        load_classifier(mine)
    assert str(err.value).startswith(str(heads)) and "not a voc insight classifier" not in str(err.value)
