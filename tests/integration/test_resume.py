"""kill -9 in the middle of analysis, then a re-run: the same insights, topics and personas as a run
that was never interrupted, no run left "running", no Prefect server left behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

STUDY = """
[study]
name = "resume"
output_dir = "{out}"

[crawl]
min_interval = 0.0

[[sources]]
name = "community"
type = "discourse"
base_url = "{base}/discourse"
"""


def voc(env, *args):
    proc = subprocess.run([sys.executable, "-m", "voc.cli", *args], env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def crawled_study(tmp_path, base, name, env):
    out = tmp_path / name
    out.mkdir()
    path = out / "study.toml"
    path.write_text(STUDY.format(out=out.as_posix(), base=base))
    voc(env, "crawl", str(path))
    return path


def kill_during(path, env, stage):
    """Start `voc analyze`, SIGKILL it once its progress bar for `stage` has moved, return the
    pid of the Prefect server it had started."""
    proc = subprocess.Popen([sys.executable, "-m", "voc.cli", "analyze", str(path)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen, deadline = "", time.time() + 600
    while time.time() < deadline:
        ch = proc.stderr.read(1)
        if not ch:
            break
        seen += ch
        tail = seen.rsplit(stage, 1)[-1] if stage in seen else ""
        # The bar has moved past 0 but not reached the end: the stage is half done.
        if tail.endswith("]") and "|" in tail and not tail.lstrip(" :").startswith("0%") and "100%" not in tail:
            break
    assert proc.poll() is None, f"analysis ended before {stage} could be interrupted:\n{seen[-1500:]}"
    servers = list((Path(env["VOC_RUNTIME_DIR"]) / "prefect-servers").glob("*.json"))
    os.kill(proc.pid, signal.SIGKILL)  # only voc itself, as `kill -9 <pid>` would: its server is orphaned
    proc.wait(timeout=60)
    return [int(p.stem) for p in servers]


def results(path):
    con = duckdb.connect(str(path.parent / "voc.duckdb"), read_only=True)
    try:
        latest = con.execute("SELECT run_id FROM runs WHERE flow = 'analyze' AND status = 'completed' "
                             "ORDER BY finished_at DESC LIMIT 1").fetchone()[0]
        return {
            "insights": con.execute("SELECT sent_id, kind, aspect, strength, confidence FROM insights ORDER BY ALL").fetchall(),
            "topics": con.execute("SELECT kind, topic_id, label, size FROM topics WHERE run_id = ? ORDER BY ALL", [latest]).fetchall(),
            "assignments": con.execute("SELECT sent_id, kind, topic_id FROM insight_topics WHERE run_id = ? ORDER BY ALL",
                                       [latest]).fetchall(),
            "personas": con.execute("SELECT persona_id, name, size, items FROM personas WHERE run_id = ? ORDER BY ALL",
                                    [latest]).fetchall(),
            "statuses": [s for (s,) in con.execute("SELECT status FROM runs WHERE flow = 'analyze' ORDER BY started_at").fetchall()],
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory, demo_server):
    tmp = tmp_path_factory.mktemp("resume")
    env = {**os.environ, "VOC_SALT": "resume-test-salt", "VOC_RUNTIME_DIR": str(tmp / "runtime"), "HF_HUB_OFFLINE": "1"}
    path = crawled_study(tmp, demo_server, "reference", env)
    voc(env, "analyze", str(path))
    return tmp, env, results(path)


def test_kill_9_mid_extraction_then_mid_topics_then_rerun_equals_an_uninterrupted_run(reference, demo_server):
    """One study killed twice (its second run resumes the first and dies in the next stage): the
    third run still ends where an uninterrupted run does."""
    tmp, env, expected = reference
    path = crawled_study(tmp, demo_server, "killed", env)
    servers = []
    for stage in ("extract", "topics"):
        started = kill_during(path, env, stage)
        assert started, f"the run killed in {stage} had started a Prefect server"
        assert any(os.path.exists(f"/proc/{pid}") for pid in started), "its server outlived it"
        servers += started
    voc(env, "analyze", str(path))
    got = results(path)
    assert got["statuses"] == ["interrupted", "interrupted", "completed"]
    for key in ("insights", "topics", "assignments", "personas"):
        assert got[key] == expected[key], key
    time.sleep(1)
    assert not any(os.path.exists(f"/proc/{pid}") and b"create_app" in open(f"/proc/{pid}/cmdline", "rb").read()
                   for pid in servers), "the orphaned Prefect servers were not stopped"
