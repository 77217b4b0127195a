"""Score judged sheets by #18's rubric, and write the committed copy without corpus text.

    python bench/content/score.py out/content/pet-insurance-judged.csv [more.csv ...]
    python bench/content/score.py JUDGED.csv --strip bench/content/judged/pet-insurance-after.csv

Each measure is the share (or count) of ``y`` verdicts among the rows of one item type; see
RUBRIC.md for what a judge answers for each.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

MEASURES = [
    ("quote_kind", "quotes shown under a kind that truly are that kind", "share", ">= 90%"),
    ("theme_label", "themes whose label describes at least 2 of its 3 quotes", "count", ">= 85%"),
    ("label_generic", "theme labels that are only product/brand names or generic words", "count", "none"),
    ("persona_name", "persona names that read as a sensible needs/trigger segment", "count", "all"),
    ("self_description", "self-descriptions that are real self-descriptions", "count", ">= 90%"),
    ("copy_words", "'their words (for copy)' a copywriter could use", "share", ">= 80%"),
]


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    missing = [i + 2 for i, r in enumerate(rows) if not (r.get("verdict") or "").strip()]
    if missing:
        raise SystemExit(f"{path}: {len(missing)} rows have no verdict (lines {missing[:10]}...); "
                         "judge every row by bench/content/RUBRIC.md")
    return rows


def _tally(rows: list[dict[str, str]], how: str = "share") -> str:
    """The rows' ``y`` verdicts as a share ("84% (87/104)") or a count ("29/35"); "–" for none."""
    vs = [r["verdict"].strip().lower() for r in rows]
    yes = sum(v.startswith("y") for v in vs)
    if not vs:
        return "–"
    return f"{yes / len(vs):.0%} ({yes}/{len(vs)})" if how == "share" else f"{yes}/{len(vs)}"


def scores(rows: list[dict[str, str]]) -> dict[str, str]:
    out = {}
    for item, _, how, _ in MEASURES:
        out[item] = _tally([r for r in rows if r["item"] == item], how)
    themes = [r for r in rows if r["item"] == "theme_label"]
    # "various (...)" is the report declining to name a diffuse theme: counted apart so it is seen.
    out["various"] = f"{sum(r['label'].startswith('various') for r in themes)}/{len(themes)}"
    # Quotes the report vouches for and those it marks unsure, apart (sheets from before the mark
    # have no ``sure`` column).
    for mark, key in (("y", "quote_sure"), ("n", "quote_unsure")):
        out[key] = _tally([r for r in rows if r["item"] == "quote_kind" and r.get("sure") == mark])
    out["quote_sure_rule"] = _tally(sure_rule([r for r in rows if r["item"] == "quote_kind" and r.get("sure")]))
    distinct = [r["verdict"].strip() for r in rows if r["item"] == "persona_distinct"]
    out["persona_distinct"] = distinct[0] if distinct else "–"
    return out


def sure_rule(quotes: list[dict[str, str]]) -> list[dict[str, str]]:
    """The quotes of a sheet from before 04830ba that the report shows since: a theme's sure
    quotes when it has any, else its first (best) quote."""
    themes: dict[tuple[str, str], list[dict[str, str]]] = {}
    for r in quotes:
        themes.setdefault((r.get("corpus", ""), r["theme"]), []).append(r)
    return [q for qs in themes.values() for q in ([q for q in qs if q["sure"] == "y"] or qs[:1])]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("judged", type=Path, nargs="+")
    ap.add_argument("--strip", type=Path, help="write the first sheet here without its text column")
    args = ap.parse_args(argv)
    sheets = {p.stem: scores(read(p)) for p in args.judged}
    names = list(sheets)
    print("| measure | " + " | ".join(names) + " | goal |")
    print("|---|" + "---|" * (len(names) + 1))
    for item, title, _, goal in MEASURES:
        print(f"| {title} | " + " | ".join(sheets[n][item] for n in names) + f" | {goal} |")
    print("| of them, quotes the report vouches for | " + " | ".join(sheets[n]["quote_sure"] for n in names) + " | >= 90% |")
    print("| of them, quotes marked unsure | " + " | ".join(sheets[n]["quote_unsure"] for n in names) + " | - |")
    print("| quotes the report shows since 04830ba (sure ones, else one) | "
          + " | ".join(sheets[n]["quote_sure_rule"] for n in names) + " | >= 90% |")
    print("| themes labelled 'various' (too diffuse to name) | " + " | ".join(sheets[n]["various"] for n in names)
          + " | - |")
    print("| personas distinct from each other (1-5) | " + " | ".join(sheets[n]["persona_distinct"] for n in names)
          + " | >= 4 |")
    if args.strip:
        rows = read(args.judged[0])
        args.strip.parent.mkdir(parents=True, exist_ok=True)
        with args.strip.open("w", newline="", encoding="utf-8") as fh:
            cols = [c for c in rows[0] if c != "text"]
            w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
        print(f"wrote {args.strip} ({len(rows)} rows, no corpus text)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
