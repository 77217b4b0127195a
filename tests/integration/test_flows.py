"""Scheduled, incremental and scaled-out pipeline runs under Prefect's test harness.

One small study (the demo's community forum and interviews, plus a source whose server is down)
is run twice from its deployment, as a schedule would run it, then once more on a Dask cluster
into a fresh store. Every assertion is about counts and rows, never timing.
"""

from __future__ import annotations

import json
import socket

import pandas as pd
import pytest
import yaml

from tests.conftest import DEMO, demo_study_file
from voc.config import load_study

pytestmark = pytest.mark.slow

STUDY = """
[study]
name = "flows-mini"
output_dir = "{out}"

[schedule]
cron = "30 7 * * 2"
timezone = "America/New_York"

[crawl]
min_interval = 0.0

[topics]
seed = 42
stop_words = ["dustly", "roamo", "sweepr", "cleanbee", "maxv", "robot", "vacuum", "bot"]

[[sources]]
name = "community"
type = "discourse"
base_url = "{base}/discourse"

[[sources]]
name = "interviews"
type = "file"
path = "{demo}/site/surveys/interviews.jsonl"
kind = "survey"
author_column = "respondent"
link_template = "{base}/surveys/interviews.jsonl#{{id}}"

[[sources]]
name = "down"
type = "discourse"
base_url = "http://127.0.0.1:{dead}/discourse"
"""

COMPARED = {
    "sentences": "SELECT sent_id, doc_id, idx, text, start_char, end_char FROM sentences ORDER BY sent_id",
    "insights": "SELECT * FROM insights ORDER BY sent_id, kind",
    "attributes": "SELECT * FROM attributes ORDER BY doc_id, attribute",
    "embeddings": "SELECT content_hash, model, vector FROM embeddings ORDER BY content_hash, model",
}


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused, like a server that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mini_study(tmp, base: str):
    path = tmp / "study.toml"
    path.write_text(STUDY.format(out=(tmp / "out").as_posix(), base=base, demo=DEMO.as_posix(), dead=closed_port()))
    return path


def snapshot(study_path) -> dict[str, pd.DataFrame]:
    from flows.common import study_and_store

    _study, store = study_and_store(str(study_path))
    return {name: store.query(sql) for name, sql in COMPARED.items()} | {"runs": store.runs()}


def run_from_deployment(deployment_id):
    """Start a flow run of the deployment and execute it here, as `voc schedule` does in a child process."""
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import load_flow_and_flow_run, run_flow

    with get_client(sync_client=True) as client:
        created = client.create_flow_run_from_deployment(deployment_id)
    flow_run, flow = load_flow_and_flow_run(created.id)
    return flow_run, run_flow(flow, flow_run=flow_run)


@pytest.fixture(scope="module")
def harness(prefect_harness):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VOC_HTTP_BACKOFF", "0")  # the down source's refused connections retry at once
        mp.setenv("VOC_SALT", "flows-test")  # same author pseudonyms in every store
        yield


@pytest.fixture(scope="module")
def scheduled(harness, demo_server, tmp_path_factory):
    """Two scheduled runs of the mini study, with nothing new upstream between them."""
    from flows.common import close_stores
    from flows.deploy import build_deployment

    path = mini_study(tmp_path_factory.mktemp("scheduled"), demo_server)
    deployment_id = build_deployment(load_study(path), retry_delay_seconds=0).apply()
    runs, snaps = [], []
    for _ in range(2):
        runs.append(run_from_deployment(deployment_id))
        snaps.append(snapshot(path))
    close_stores()
    return deployment_id, runs, snaps


@pytest.fixture(scope="module")
def dask_run(scheduled, demo_server, tmp_path_factory):
    """The same study into a fresh store, analysed on a local Dask cluster of two worker processes."""
    from flows.common import close_stores
    from flows.pipeline import pipeline_flow

    path = mini_study(tmp_path_factory.mktemp("dask"), demo_server)
    result = pipeline_flow(str(path), runner="dask", dask_workers=2, retry_delay_seconds=0)
    snap = snapshot(path)
    close_stores()
    return result, snap


def test_only_network_failures_are_retried():
    from types import SimpleNamespace

    from flows.crawl import SourceFailed, retry_on_network_errors
    from scrapers.http import FetchError, RobotsDisallowed
    from voc.crawl import is_transient
    from voc.errors import VocError

    url = "https://forum.example.com/latest.json"
    assert is_transient(FetchError(url, "connection refused"))
    assert is_transient(FetchError(url, "HTTP 503", 503)) and is_transient(FetchError(url, "HTTP 429", 429))
    assert not is_transient(FetchError(url, "HTTP 404", 404))
    assert not is_transient(VocError("study.toml: sources.0: unknown key"))
    assert not is_transient(RobotsDisallowed(url, "disallowed"), {"robots_disallowed": 1})
    assert is_transient(RobotsDisallowed(url, "disallowed"), {"connection_error": 2, "robots_disallowed": 1})

    def state(exc):
        return SimpleNamespace(result=lambda raise_on_failure=True: exc)

    assert retry_on_network_errors(None, None, state(SourceFailed("down", {"transient": True})))
    assert not retry_on_network_errors(None, None, state(SourceFailed("HTTP 404", {"transient": False})))
    assert not retry_on_network_errors(None, None, state(VocError("bad option")))
    assert retry_on_network_errors(None, None, state(ConnectionResetError()))


def test_deployment_has_the_study_schedule(harness, tmp_path, demo_server):
    from prefect.client.orchestration import get_client

    from flows.deploy import build_deployment

    study = load_study(demo_study_file(tmp_path, demo_server))
    deployment = build_deployment(study)
    assert deployment.entrypoint == "flows.pipeline.pipeline_flow"
    assert deployment.parameters == {"study_path": str(study.path)}
    with get_client(sync_client=True) as client:
        stored = client.read_deployment(deployment.apply())
    (schedule,) = [s.schedule for s in stored.schedules]
    assert (schedule.cron, schedule.timezone) == ("0 6 * * 1", "Europe/Berlin")
    assert stored.name == "robot-vacuums-demo-pipeline" and set(stored.tags) == {"voc", "robot-vacuums-demo"}


def test_deploy_writes_then_updates_one_prefect_yaml_entry(tmp_path, demo_server):
    from prefect.cli.deploy._models import PrefectYamlModel
    from prefect.flows import load_flow_from_entrypoint

    from flows.deploy import deploy_study
    from flows.pipeline import pipeline_flow

    path = demo_study_file(tmp_path, demo_server)
    prefect_yaml = tmp_path / "prefect.yaml"
    prefect_yaml.write_text("name: mine\ndeployments:\n- name: other\n  entrypoint: mine.flow\n")
    assert deploy_study(path)[2] == "added"
    written, name, action = deploy_study(path, runner="dask", dask_workers=4)
    assert (written, action) == (prefect_yaml, "updated")
    data = yaml.safe_load(prefect_yaml.read_text())
    assert data["name"] == "mine" and [d["name"] for d in data["deployments"]] == ["other", name]
    model = PrefectYamlModel.model_validate(data)  # what `prefect deploy` reads
    ours = model.deployments[1]
    assert (ours.schedules[0].cron, ours.schedules[0].timezone) == ("0 6 * * 1", "Europe/Berlin")
    assert ours.parameters == {"study_path": str(path.resolve()), "runner": "dask", "dask_workers": 4}
    assert ours.work_pool.name == "voc" and ours.concurrency_limit == 1
    assert load_flow_from_entrypoint(ours.entrypoint) is pipeline_flow


def test_scheduled_run_is_a_run_of_the_deployment(scheduled):
    deployment_id, runs, _snaps = scheduled
    (flow_run, first), (_, second) = runs
    assert flow_run.deployment_id == deployment_id
    assert first["report"]["html"].endswith("report.html") and second["analyze"]["run_id"] != first["analyze"]["run_id"]


def test_a_down_source_fails_its_own_task_after_retries_and_the_rest_runs(scheduled):
    from voc.scheduling import format_runs

    _id, runs, snaps = scheduled
    crawl, analysis = runs[0][1]["crawl"], runs[0][1]["analyze"]
    (error,) = crawl["errors"]
    assert error["source"] == "down" and error["type"] == "SourceFailed" and error["attempts"] == 3
    assert "127.0.0.1" in error["error"]
    assert crawl["sources"]["down"]["status"] == "failed"
    assert all(crawl["sources"][s]["new"] > 0 and crawl["sources"][s]["status"] == "completed"
               for s in ("community", "interviews"))
    assert analysis["extract"]["insights_new"] > 0 and analysis["personas"]["personas"] > 0
    runs_table = snaps[0]["runs"].set_index("flow")
    assert runs_table.loc["crawl", "status"] == "partial" and '"down"' in runs_table.loc["crawl", "errors"]
    assert runs_table.loc["pipeline", "status"] == "partial" and runs_table.loc["analyze", "status"] == "completed"
    lines = format_runs(snaps[0]["runs"])
    assert any("crawl" in ln and "partial" in ln for ln in lines)
    assert any(ln.strip().startswith("error: down:") and "after 3 attempts" in ln for ln in lines)
    # Where the time went, per stage, in the run records and in `voc runs`.
    stages = json.loads(runs_table.loc["analyze", "counts"])["seconds"]
    assert list(stages) == ["segment", "extract", "embed", "topics", "personas"]
    assert stages["extract"] > 0 and stages["topics"] > 0 and all(v >= 0 for v in stages.values())
    analyze_took = (runs_table.loc["analyze", "finished_at"] - runs_table.loc["analyze", "started_at"]).total_seconds()
    assert sum(stages.values()) <= analyze_took + 0.01
    whole = json.loads(runs_table.loc["pipeline", "counts"])["seconds"]
    assert list(whole) == ["crawl", *stages, "report", "alerts"] and whole["crawl"] > 0 and whole["report"] > 0
    assert any(ln.strip().startswith("time: segment ") and " topics " in ln for ln in lines)
    assert any(ln.strip().startswith("time: crawl ") and " report " in ln for ln in lines)
    # And the memory: the process's peak after each stage (spaCy and MiniLM alone take 100s of MB).
    peaks = json.loads(runs_table.loc["analyze", "counts"])["peak_rss_mb"]
    assert list(peaks) == list(stages) and peaks["segment"] > 100
    assert any(ln.strip().startswith("peak memory after: segment ") and " MB" in ln for ln in lines)


def test_second_scheduled_run_adds_nothing_and_reuses_embeddings(scheduled):
    _id, runs, snaps = scheduled
    first, second = runs[0][1], runs[1][1]
    assert first["crawl"]["new_documents"] > 0 and second["crawl"]["new_documents"] == 0
    assert second["analyze"]["segment"]["documents_segmented"] == 0
    assert second["analyze"]["extract"]["sentences_classified"] == 0
    # The shipped classifier embeds nothing for the store: the embed stage embeds the insights.
    assert first["analyze"]["extract"]["embeddings_computed"] + first["analyze"]["embed"]["computed"] > 0
    assert second["analyze"]["extract"]["embeddings_computed"] == 0
    embed = second["analyze"]["embed"]
    assert embed["computed"] == 0 and embed["reused"] == embed["texts"] > 0
    assert len(snaps[1]["embeddings"]) == len(snaps[0]["embeddings"])
    pipeline_runs = snaps[1]["runs"].query("flow == 'pipeline'")["counts"].map(json.loads).tolist()
    assert [r["new_documents"] for r in pipeline_runs] == [first["crawl"]["new_documents"], 0]
    assert pipeline_runs[1]["embeddings"] == {"computed": 0, "reused": embed["reused"]}


def test_dask_runner_gives_the_default_runners_results(scheduled, dask_run):
    _id, _runs, snaps = scheduled
    result, dask_snap = dask_run
    assert result["analyze"]["runner"] == "DaskTaskRunner"
    assert result["analyze"]["segment"]["shards"] >= 2 and result["analyze"]["extract"]["shards"] >= 2
    for name in COMPARED:
        pd.testing.assert_frame_equal(dask_snap[name], snaps[0][name], obj=name)
    assert len(dask_snap["insights"]) > 50
