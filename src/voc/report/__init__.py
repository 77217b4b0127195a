"""Reports: self-contained HTML, Markdown, and CSV/JSON/Parquet exports in the study's output dir."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from voc.config import StudyConfig
from voc.personas.evidence import http_url
from voc.personas.wording import LESS_OFTEN, NONE_MORE, raised
from voc.report.charts import PALETTE, hbar, heatmap, stacked_months
from voc.report.context import build_context
from voc.report.markdown import render_markdown
from voc.schema import INSIGHT_KINDS, KIND_TITLES
from voc.store import Store
from voc.topics.fit import MIN_FOR_MODEL


def render_html(ctx: dict[str, Any]) -> str:
    """The self-contained HTML report: inline CSS, inline SVG charts, a few lines of inline JS."""
    env = Environment(loader=PackageLoader("voc.report", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["http_url"] = http_url  # links from the data are rendered only when they are http(s)
    pain = ctx["kinds"]["pain_point"]["topics"]
    charts = {
        "pain": hbar([(e["label"], e["count"]) for e in pain if not e["outlier"]][:10], PALETTE["pain_point"], title="Top pain points"),
        "sources": hbar(list(ctx["overview"]["sources"].items()), title="Documents per source"),
        # Full-width charts are drawn at the page's width so their text stays at reading size.
        "months": stacked_months(ctx["monthly"], list(INSIGHT_KINDS), width=1180, height=200),
        "themes": heatmap(ctx["topic_months"], width=1180),
    }
    return env.get_template("report.html.j2").render(**ctx, charts=charts, palette=PALETTE, kind_titles=KIND_TITLES,
                                                     min_for_model=MIN_FOR_MODEL, less_often=LESS_OFTEN,
                                                     none_more=NONE_MORE, raised=raised)


def json_safe(value: Any) -> Any:
    """A value JSON can hold: missing numbers and dates become null, timestamps ISO strings."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return json_safe(value.item())
    return value


def export_tables(store: Store, run_id: str, out: Path) -> list[Path]:
    """Insights, topics and personas of a run as CSV, JSON and Parquet under out/exports/."""
    exports = out / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in ("insights", "topics", "personas"):
        paths.append(store.write_export(name, run_id, exports / f"{name}.csv"))
        paths.append(store.write_export(name, run_id, exports / f"{name}.parquet"))
        frame = store.export_frame(name, run_id)
        path = exports / f"{name}.json"
        write_json_array(path, (_record(rec) for at in range(0, len(frame), JSON_CHUNK)
                                for rec in frame.iloc[at:at + JSON_CHUNK].to_dict(orient="records")))
        paths.append(path)
    return paths


# Rows turned into dicts at a time: the 89,108 insights of the 27k-document bench study as one
# list of dicts, its JSON-safe copy and one string took 700 MB above the rest of the report.
JSON_CHUNK = 2_000


def _record(rec: dict[str, Any]) -> dict[str, Any]:
    for key in ("items", "buying_process", "channels", "vocabulary", "self_descriptions"):
        if isinstance(rec.get(key), str):
            rec[key] = json.loads(rec[key])
    return json_safe(rec)


def write_json_array(path: Path, records: Iterable[Any]) -> None:
    """The file ``json.dumps(list(records), indent=1)`` would write, one record at a time (into a
    side file renamed at the end, so a failure never leaves half an export)."""
    part = path.with_name(path.name + ".part")
    try:
        with part.open("w", encoding="utf-8") as fh:
            first = True
            for rec in records:
                # allow_nan=False: NaN is not JSON, and a value json_safe missed must fail here, not in jq.
                text = json.dumps(rec, indent=1, ensure_ascii=False, allow_nan=False).replace("\n", "\n ")
                fh.write(("[\n " if first else ",\n ") + text)
                first = False
            fh.write("[]" if first else "\n]")
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    part.replace(path)


def export_fixes(fixes: dict[str, Any] | None, out: Path) -> list[Path]:
    """What mid-rated reviews say stands between them and 5 stars, one row per sentence, as CSV
    and JSON under out/exports/ (nothing when the corpus has no reviews)."""
    if fixes is None:
        return []
    exports = out / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    columns = ["group", "fix", "text", "rating", "source", "date", "url", "sent_id"]
    rows = pd.DataFrame(fixes["rows"], columns=columns)
    csv_path, json_path = exports / "fixes.csv", exports / "fixes.json"
    rows.to_csv(csv_path, index=False)
    write_json_array(json_path, map(json_safe, fixes["rows"]))
    return [csv_path, json_path]


def write_report(study: StudyConfig, store: Store, run_id: str | None = None) -> dict[str, Path]:
    """Write report.html, report.md and exports for a run (the latest completed analysis by default)."""
    from voc.errors import VocError

    run_id = run_id or store.latest_run("analyze")
    if run_id is None:
        raise VocError(f"study {study.name}: nothing analysed yet; run `voc analyze {study.path}` first")
    out = study.out_dir
    out.mkdir(parents=True, exist_ok=True)
    ctx = build_context(study, store, run_id)
    html_path = out / "report.html"
    html_path.write_text(render_html(ctx), encoding="utf-8")
    md_path = out / "report.md"
    md_path.write_text(render_markdown(ctx), encoding="utf-8")
    export_tables(store, run_id, out)
    export_fixes(ctx.get("fixes"), out)
    personas_dir = out / "personas"
    personas_dir.mkdir(exist_ok=True)
    for old in personas_dir.glob("persona-*"):
        old.unlink()
    for p in ctx["personas"]:
        (personas_dir / f"persona-{p['id']}.json").write_text(
            json.dumps(json_safe(p), indent=1, ensure_ascii=False, allow_nan=False), encoding="utf-8")
        (personas_dir / f"persona-{p['id']}.md").write_text(render_markdown(ctx, only_persona=p), encoding="utf-8")
    return {"html": html_path, "markdown": md_path, "exports": out / "exports", "personas": personas_dir}
