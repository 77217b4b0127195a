"""What the analysis keeps in memory between its stages."""

from pathlib import Path

DEMO_INTERVIEWS = Path(__file__).resolve().parents[2] / "examples" / "demo" / "site" / "surveys" / "interviews.jsonl"


def test_the_classifier_is_let_go_before_topics_and_loaded_again_by_the_next_run(tmp_path, monkeypatch):
    # The ensemble's second encoder held 150 MB through the topics stage, where a run peaks;
    # topics and personas need no classifier.
    from voc import stages
    from voc.api import Study
    from voc.crawl import crawl_study

    study_file = tmp_path / "study.toml"
    study_file.write_text(f'name = "memory"\n\n[models]\nclassifier = "builtin"\n\n[[sources]]\nname = "interviews"\n'
                          f'type = "file"\npath = "{DEMO_INTERVIEWS.as_posix()}"\nkind = "survey"\n')
    held = []

    def watched(stage):
        def run(*args, **kwargs):
            held.append(stages._classifier.cache_info().currsize)
            return stage(*args, **kwargs)
        return run

    from voc.extract import classifier

    loads = []
    load = classifier.load_classifier
    monkeypatch.setattr(classifier, "load_classifier", lambda path: loads.append(path) or load(path))
    monkeypatch.setattr(stages, "topics_stage", watched(stages.topics_stage))
    monkeypatch.setattr(stages, "personas_stage", watched(stages.personas_stage))
    study = Study.open(study_file)
    crawl_study(study.config, study.store)
    run = stages.analyze(study.config, study.store)
    assert run["extract"]["sentences_classified"] > 0 and run["extract"]["insights_new"] > 0
    assert held == [0, 0] and len(loads) == 1
    # The next run asks the classifier which sentences it has not read: it is loaded again.
    again = stages.analyze(study.config, study.store)
    assert again["extract"]["sentences_classified"] == 0 and held == [0, 0, 0, 0] and len(loads) == 2
