"""Merge the labelling passes into the shipped real-text label file (keys only, no text).

    python bench/labelling/merge.py

Reads passes/sample_*.csv (sentence keys of each round), the final pass of every packet
(passes/v2/: round 1 after the guide's rules 11-19 were applied; passes/r2/: round 2, labelled
with them; passes/r3/: round 3, training data only, labelled with rules 1-22; passes/r4/: round 4, training
data only, labelled with rules 1-23; passes/r5/: round 5, training data only, drawn by the shipped heads'
rare-kind scores, labelled with rules 1-23, rule 24 applied in adjudication) and adjudicated.csv (the double-labelled sentences the two labellers still disagreed on), and
writes src/voc/data/insights/real_labels.csv. A sentence labelled in two packets takes the
adjudicated row where there is one; otherwise both passes agreed.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parents[1] / "src" / "voc" / "data" / "insights" / "real_labels.csv"
KINDS = ("pain_point", "objection", "purchase_trigger", "must_have_feature", "success_factor", "buying_role")
COLUMNS = ["dataset", "file", "key", "start", "end", "sha", "split", "source_type", "role",
           "labels", "aspect", "strength", "roles", "round"]
# Rounds 1 and 2 drew documents at random within sub-corpora; rounds 3 and 4 drew documents that
# mention buying, leaving or deciding more often, round 5 those the heads rate likeliest to hold a
# rare kind (training data for the rare kinds), so their share of each kind is not the share in
# real text: calibration leaves them out.
ROUND_OF_SAMPLE = {"sample_01.csv": 1, "sample_11.csv": 2, "sample_17.csv": 3, "sample_24.csv": 4, "sample_32.csv": 5}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def check(row: dict[str, str], where: str) -> None:
    kinds = [k for k in row["labels"].split(";") if k]
    if any(k not in KINDS for k in kinds) or kinds != sorted(kinds, key=KINDS.index) or len(kinds) > 2:
        raise SystemExit(f"{where}: bad labels {row['labels']!r}")
    if ("must_have_feature" in kinds) != bool(row["strength"]):
        raise SystemExit(f"{where}: strength {row['strength']!r} does not match labels {row['labels']!r}")
    if ("buying_role" in kinds) != bool(row["roles"]):
        raise SystemExit(f"{where}: roles {row['roles']!r} do not match labels {row['labels']!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passes", type=Path, nargs="+", default=[HERE / "passes" / d for d in ("v2", "r2", "r3", "r4", "r5")])
    args = ap.parse_args()
    sample = {r["id"]: {**r, "round": ROUND_OF_SAMPLE[p.name]}
              for p in sorted((HERE / "passes").glob("sample_*.csv")) for r in _rows(p)}
    adjudicated = {r["id"]: r for r in _rows(HERE / "adjudicated.csv")}
    final: dict[str, dict[str, str]] = {}
    for path in sorted(p for d in args.passes for p in d.glob("labels_*.csv")):
        for r in _rows(path):
            r = {k: (r.get(k) or "").strip() for k in ("id", "labels", "aspect", "strength", "roles")}
            check(r, f"{path.name} {r['id']}")
            prev = final.get(r["id"])
            if prev and (prev["labels"], prev["strength"]) != (r["labels"], r["strength"]) and r["id"] not in adjudicated:
                raise SystemExit(f"{r['id']}: passes disagree and adjudicated.csv has no row for it")
            final.setdefault(r["id"], r)
    for sid, r in adjudicated.items():
        check(r, f"adjudicated.csv {sid}")
        final[sid] = r
    missing = sorted(set(sample) - set(final))
    if missing:
        raise SystemExit(f"{len(missing)} sampled sentences have no label, e.g. {missing[:5]}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for sid in sorted(sample):
            s, r = sample[sid], final[sid]
            w.writerow({**{k: s[k] for k in COLUMNS[:9]}, **{k: r[k] for k in COLUMNS[9:13]}, "round": s["round"]})
    print(f"wrote {OUT} ({len(sample)} sentences)")


if __name__ == "__main__":
    main()
