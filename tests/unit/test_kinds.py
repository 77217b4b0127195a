"""Every part of voc that lists insight kinds takes the list from the registry in voc.kinds."""

from voc.kinds import BY_NAME, INSIGHT_KINDS, KINDS, kind


def test_the_kind_lists_everywhere_are_the_registry():
    from voc import schema
    from voc.config import Extract
    from voc.extract.classifier import load_classifier
    from voc.extract.insights import BUILTIN_HEAD
    from voc.report.charts import PALETTE

    names = tuple(k.name for k in KINDS)
    assert names == INSIGHT_KINDS == schema.INSIGHT_KINDS
    assert set(schema.KIND_TITLES) == set(PALETTE) == set(BY_NAME) == set(names)
    assert tuple(load_classifier(BUILTIN_HEAD).kinds) == names  # one head per registered kind
    Extract(thresholds={n: 0.5 for n in names})  # every registered kind can be tuned in a study file


def test_a_kind_record_says_how_it_is_shown():
    assert kind("must_have_feature").strength and not kind("pain_point").strength
    assert kind("buying_role").roles and not kind("buying_role").segments
    assert len({k.colour for k in KINDS}) == len(KINDS)  # charts tell the kinds apart
    try:
        kind("complaint")
    except KeyError as err:
        assert "pain_point" in str(err)
    else:
        raise AssertionError("an unknown kind must be an error naming the known ones")
