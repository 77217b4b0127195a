"""Write the judging sheet for #18's content-lead rubric from a study's latest report.

    python bench/content/sheet.py bench/content/pet_insurance.toml --out out/content/pet-insurance-sheet.csv

The sheet lists exactly what the report shows (it is built from the same ``build_context``):
every theme of every kind with its label and quotes, every persona with its name, tagline,
self-descriptions and "their words". A judge fills the ``verdict`` column by RUBRIC.md. The
sheet holds quote text so a judge can read it; ``score.py --strip`` writes the committed copy with
ids and verdicts only (most corpora in ../shared may not be redistributed).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

# ``sure``: whether the report vouches for the quote (y) or marks it unsure (n). Drop the column
# from the copy a judge fills (``--blind``), so every quote is read alike, and join it back by ref.
COLUMNS = ["item", "ref", "kind", "theme", "label", "text", "verdict", "sure"]


def ref(*parts: str) -> str:
    """A short stable id for a quote or phrase: the corpus text stays out of the committed sheet."""
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:12]


def sheet_rows(ctx: dict) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for kind, table in ctx["kinds"].items():
        for t in table["topics"]:
            if t["outlier"]:
                continue
            theme = f"{kind}:{t['topic_id']}"
            quotes = t["quotes"][:3]
            rows.append({"item": "theme_label", "ref": theme, "kind": kind, "theme": theme, "label": t["label"],
                         "text": " || ".join(q["text"] for q in quotes), "verdict": ""})
            rows.append({"item": "label_generic", "ref": theme, "kind": kind, "theme": theme, "label": t["label"],
                         "text": "", "verdict": ""})
            for q in quotes:
                rows.append({"item": "quote_kind", "ref": f"{q.get('url') or ''}#{ref(q['text'])}", "kind": kind,
                             "theme": theme, "label": t["label"], "text": q["text"], "verdict": "",
                             "sure": "y" if q.get("sure", True) else "n"})
    for p in ctx["personas"]:
        pid = f"persona:{p['id']}"
        summary = p.get("tagline") or ""
        rows.append({"item": "persona_name", "ref": pid, "kind": "", "theme": pid, "label": p["name"],
                     "text": summary, "verdict": ""})
        for s in p["self_descriptions"][:6]:
            rows.append({"item": "self_description", "ref": f"{pid}#{ref(s['text'])}", "kind": "", "theme": pid,
                         "label": p["name"], "text": s["text"], "verdict": ""})
        for w in p["vocabulary"]:
            rows.append({"item": "copy_words", "ref": f"{pid}#{ref(w)}", "kind": "", "theme": pid,
                         "label": p["name"], "text": w, "verdict": ""})
    if ctx["personas"]:
        rows.append({"item": "persona_distinct", "ref": "personas", "kind": "", "theme": "personas",
                     "label": " | ".join(p["name"] for p in ctx["personas"]), "text": "", "verdict": ""})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("study", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--blind", action="store_true", help="leave the report's sure/unsure mark out of the sheet")
    args = ap.parse_args(argv)

    from voc.config import load_study
    from voc.report.context import build_context
    from voc.store import Store

    study = load_study(args.study)
    with Store(study.store_path, read_only=True) as store:
        runs = store.analysis_runs()
        if not runs:
            print(f"{study.store_path}: no analysis run yet; run `voc run {args.study}` first", file=sys.stderr)
            return 2
        ctx = build_context(study, store, runs[-1])
    rows = sheet_rows(ctx)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=[c for c in COLUMNS if not (args.blind and c == "sure")],
                           extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["item"]] = counts.get(r["item"], 0) + 1
    print(f"{args.out}: {len(rows)} rows " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
