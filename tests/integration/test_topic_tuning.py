"""The tuning notebook runs end to end, and its saved edits survive a run with new documents."""

import json
import os

import pandas as pd
import pytest

from tests.conftest import REPO, demo_study_file

pytestmark = pytest.mark.slow


def with_sources(path, names):
    """Keep only the named [[sources]] blocks of a study file."""
    text = path.read_text()
    head, *blocks = text.split("[[sources]]")
    kept = [b for b in blocks if any(f'name = "{n}"' in b for n in names)]
    path.write_text(head + "".join("[[sources]]" + b for b in kept))


def test_notebook_edits_survive_the_next_run_with_new_documents(prefect_harness, demo_server, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    from flows.common import close_stores, study_and_store
    from flows.pipeline import pipeline_flow

    path = demo_study_file(tmp_path, demo_server)
    full = path.read_text()
    with_sources(path, ["shop-reviews", "interviews", "botvac-forum"])
    before = pipeline_flow(str(path))
    close_stores()  # the notebook's kernel opens the store next

    path.write_text(full)  # the community forum joins: the notebook's run brings new documents
    nb = nbformat.read(REPO / "examples" / "notebooks" / "tune_topics.ipynb", as_version=4)
    os.environ["VOC_STUDY"] = str(path)
    try:
        NotebookClient(nb, timeout=900, kernel_name="python3",
                       resources={"metadata": {"path": str(REPO / "examples" / "notebooks")}}).execute()
    finally:
        os.environ.pop("VOC_STUDY", None)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]

    study, store = study_and_store(str(path))
    folder = study.models_dir / "topics" / "pain_point"
    saved = json.loads((folder / "topics.json").read_text())
    merge = saved["edits"][0]
    assert merge["op"] == "merge" and len(merge["topics"]) == 2
    members = pd.read_parquet(folder / "assignments.parquet")
    members = set(members.loc[members["topic_id"] == merge["into"], "sent_id"])
    run = store.latest_run("analyze")
    assert run != before["analyze"]["run_id"]
    crawls = store.runs()
    assert json.loads(crawls[crawls["flow"] == "crawl"].iloc[-1]["counts"])["new_documents"] > 100
    topics = store.query("SELECT topic_id, label, size FROM topics WHERE run_id = ? AND kind = 'pain_point'", [run])
    assert topics.loc[topics["topic_id"] == merge["into"], "label"].tolist() == ["Everyday reliability"]
    assert not (topics["topic_id"] == merge["topics"][1]).any()  # still merged
    now = store.query("SELECT sent_id, topic_id FROM insight_topics WHERE run_id = ? AND kind = 'pain_point'", [run])
    of_members = now[now["sent_id"].isin(members)]
    assert len(of_members) == len(members) > 20 and (of_members["topic_id"] == merge["into"]).all()
    assert int(topics.loc[topics["topic_id"] == merge["into"], "size"].iloc[0]) > len(members)  # new insights joined
    # Against the run before the edit, one of the two merged topics continues and the other reads "merged".
    from voc.trends import topic_flags

    flags = topic_flags(store, "pain_point")
    assert flags.loc[flags["flag"] == "merged", "merged_into"].tolist() == ["Everyday reliability"]
    close_stores()
