"""Scheduled runs without Prefect imports: prefect.yaml entries and readable run records.

`flows.deploy` turns a study into a Prefect deployment; this module holds the parts that are
plain data (so `voc runs` stays fast and the YAML handling is testable on its own).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from voc.config import StudyConfig
from voc.errors import VocError

# The flow every scheduled deployment runs; a module path, so it resolves wherever voc is
# installed, whatever directory a worker starts in.
PIPELINE_ENTRYPOINT = "flows.pipeline.pipeline_flow"
DEFAULT_WORK_POOL = "voc"


def deployment_name(study: StudyConfig) -> str:
    return f"{study.name}-pipeline"


def deployment_parameters(study: StudyConfig, **overrides: Any) -> dict[str, Any]:
    """Parameters of the study's pipeline deployment: the study file plus any non-default options."""
    return {"study_path": str(study.path), **{k: v for k, v in overrides.items() if v is not None}}


def deployment_entry(study: StudyConfig, work_pool: str = DEFAULT_WORK_POOL, **parameters: Any) -> dict[str, Any]:
    """The prefect.yaml `deployments:` entry for a study's scheduled pipeline."""
    return {
        "name": deployment_name(study),
        "description": f"voc pipeline for study {study.name} (crawl -> analyze -> report), from {study.path}",
        "entrypoint": PIPELINE_ENTRYPOINT,
        "parameters": deployment_parameters(study, **parameters),
        "tags": ["voc", study.name],
        # One run at a time: the study's store is a DuckDB file with a single writer.
        "concurrency_limit": 1,
        "schedules": [{"cron": study.schedule.cron, "timezone": study.schedule.timezone, "active": True}],
        # Workers start flow runs in the study's folder, where its relative paths point.
        "pull": [{"prefect.deployments.steps.set_working_directory": {"directory": str(study.base_dir)}}],
        "work_pool": {"name": work_pool, "work_queue_name": None, "job_variables": {}},
    }


def upsert_prefect_yaml(path: Path, entry: dict[str, Any], prefect_version: str | None = None) -> str:
    """Add a deployment entry to a prefect.yaml, or replace the one with the same name.

    Other deployments and top-level keys are kept (YAML comments are not).

    Returns:
        "added" or "updated".

    Raises:
        VocError: the file exists but is not a prefect.yaml mapping.
    """
    import yaml

    data: dict[str, Any] = {}
    if path.exists():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            raise VocError(f"{path}: not valid YAML ({err}); fix it or pass another --file") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise VocError(f"{path}: not a prefect.yaml (expected a mapping at the top level)")
        data = loaded or {}
    if not data:
        data = {"name": "voc", "prefect-version": prefect_version, "build": None, "push": None, "pull": None}
    deployments = data.get("deployments") or []
    names = [d.get("name") for d in deployments if isinstance(d, dict)]
    if entry["name"] in names:
        deployments[names.index(entry["name"])] = entry
        action = "updated"
    else:
        deployments.append(entry)
        action = "added"
    data["deployments"] = deployments
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, default_flow_style=False), encoding="utf-8")
    return action


def _duration(seconds: float) -> str:
    if seconds < 59.95:
        return f"{seconds:.1f}s"
    whole = round(seconds)  # rounded before splitting: 119.6 s is 2m00s, not 1m60s
    return f"{whole // 60}m{whole % 60:02d}s"


def _short(counts: dict[str, Any], flow: str) -> str:
    """The counts that matter per flow, as `key=value` pairs (the full JSON stays in the store)."""
    if flow == "crawl":
        per_source = " ".join(f"{name}:{s.get('new', 0)}/{s.get('fetched', 0)}{'' if s.get('status') == 'completed' else '!'}"
                              for name, s in (counts.get("sources") or {}).items())
        return f"new={counts.get('new_documents', 0)} fetched={counts.get('fetched', 0)} [{per_source}]"
    if flow == "analyze":
        seg, ext, emb = (counts.get(k) or {} for k in ("segment", "extract", "embed"))
        topics = counts.get("topics") or {}
        n_topics = sum(v.get("topics", 0) for v in topics.values() if isinstance(v, dict))
        return (f"docs={seg.get('documents_segmented', 0)} sentences={seg.get('sentences_new', 0)} "
                f"insights={ext.get('insights_new', 0)} embedded={ext.get('embeddings_computed', 0) + emb.get('computed', 0)} "
                f"topics={n_topics} personas={(counts.get('personas') or {}).get('personas', 0)}")
    if flow == "pipeline":
        emb = counts.get("embeddings") or {}
        return (f"new_documents={counts.get('new_documents', 0)} analysed={counts.get('documents_analysed', 0)} "
                f"insights={counts.get('insights_new', 0)} embeddings_computed={emb.get('computed', 0)} "
                f"embeddings_reused={emb.get('reused', 0)} personas={counts.get('personas')} runner={counts.get('runner')}")
    return json.dumps(counts, default=str)


def format_runs(runs: pd.DataFrame) -> list[str]:
    """One line per run record: id, flow, status, duration, the main counts, then where the time
    went (per stage), the peak memory after each stage and its errors.

    Args:
        runs: ``Store.runs()``.
    """
    lines = []
    for r in runs.itertuples():
        took = "" if pd.isna(r.finished_at) else f"{(r.finished_at - r.started_at).total_seconds():.0f}s"
        counts = json.loads(r.counts) if isinstance(r.counts, str) else (r.counts or {})
        errors = json.loads(r.errors) if isinstance(r.errors, str) else (r.errors or [])
        lines.append(f"{r.run_id}  {r.flow:<8} {r.status:<9} {took:>6}  {_short(counts, r.flow)}")
        if counts.get("seconds"):
            lines.append("    time: " + "  ".join(f"{stage} {_duration(s)}" for stage, s in counts["seconds"].items()))
        if counts.get("peak_rss_mb") and None not in counts["peak_rss_mb"].values():
            lines.append("    peak memory after: " + "  ".join(f"{stage} {mb:,} MB"
                                                            for stage, mb in counts["peak_rss_mb"].items()))
        for err in errors:
            what = f"{err.get('source')}: {err.get('error')}" if isinstance(err, dict) else str(err)
            attempts = f" (after {err['attempts']} attempts)" if isinstance(err, dict) and err.get("attempts") else ""
            lines.append(f"    error: {what}{attempts}")
    return lines
