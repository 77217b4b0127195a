"""Reports: self-contained HTML, Markdown, and CSV/JSON/Parquet exports in the study's output dir."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from voc.config import Study
from voc.report.charts import PALETTE, hbar, heatmap, stacked_months
from voc.report.context import build_context
from voc.report.markdown import render_markdown
from voc.schema import INSIGHT_KINDS, KIND_TITLES
from voc.store import Store


def render_html(ctx: dict[str, Any]) -> str:
    """The self-contained HTML report: inline CSS, inline SVG charts, a few lines of inline JS."""
    env = Environment(loader=PackageLoader("voc.report", "templates"), autoescape=select_autoescape(["html", "j2"]))
    pain = ctx["kinds"]["pain_point"]["topics"]
    charts = {
        "pain": hbar([(e["label"], e["count"]) for e in pain if not e["outlier"]][:10], PALETTE["pain_point"], title="Top pain points"),
        "sources": hbar(list(ctx["overview"]["sources"].items()), title="Documents per source"),
        # Full-width charts are drawn at the page's width so their text stays at reading size.
        "months": stacked_months(ctx["monthly"], list(INSIGHT_KINDS), width=1180, height=200),
        "themes": heatmap(ctx["topic_months"], width=1180),
    }
    return env.get_template("report.html.j2").render(**ctx, charts=charts, palette=PALETTE, kind_titles=KIND_TITLES)


def export_tables(store: Store, run_id: str, out: Path) -> list[Path]:
    """Insights, topics and personas of a run as CSV, JSON and Parquet under out/exports/."""
    exports = out / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    queries = {
        "insights": f"""SELECT i.sent_id, i.kind, i.aspect, i.strength, i.confidence, s.text, d.url, d.source,
                              d.kind AS doc_kind, d.created_at, d.rating, d.author_hash, t.topic_id, tp.label AS topic
                       FROM insights i JOIN sentences s USING (sent_id) JOIN documents d USING (doc_id)
                       LEFT JOIN insight_topics t ON t.sent_id = i.sent_id AND t.kind = i.kind AND t.run_id = '{run_id}'
                       LEFT JOIN topics tp ON tp.run_id = t.run_id AND tp.kind = t.kind AND tp.topic_id = t.topic_id
                       ORDER BY i.kind, i.sent_id""",
        "topics": f"SELECT kind, topic_id, label, array_to_string(keywords, '; ') AS keywords, size FROM topics WHERE run_id = '{run_id}' ORDER BY kind, topic_id",
        "personas": f"SELECT persona_id, name, share, size, items, channels, vocabulary, self_descriptions FROM personas WHERE run_id = '{run_id}' ORDER BY persona_id",
    }
    paths = []
    for name, sql in queries.items():
        paths.append(store.export_table(sql, exports / f"{name}.csv"))
        paths.append(store.export_table(sql, exports / f"{name}.parquet"))
        frame = store.query(sql)
        for col in frame.columns:
            if str(frame[col].dtype).startswith("datetime"):
                frame[col] = frame[col].astype(str)
        records = frame.to_dict(orient="records")
        for rec in records:
            for key in ("items", "channels", "vocabulary", "self_descriptions"):
                if isinstance(rec.get(key), str):
                    rec[key] = json.loads(rec[key])
        path = exports / f"{name}.json"
        path.write_text(json.dumps(records, indent=1, default=str, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def write_report(study: Study, store: Store, run_id: str | None = None) -> dict[str, Path]:
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
    personas_dir = out / "personas"
    personas_dir.mkdir(exist_ok=True)
    for old in personas_dir.glob("persona-*"):
        old.unlink()
    for p in ctx["personas"]:
        (personas_dir / f"persona-{p['id']}.json").write_text(json.dumps(p, indent=1, ensure_ascii=False), encoding="utf-8")
        (personas_dir / f"persona-{p['id']}.md").write_text(render_markdown(ctx, only_persona=p), encoding="utf-8")
    return {"html": html_path, "markdown": md_path, "exports": out / "exports", "personas": personas_dir}
