"""Agreement between two independent labelling passes (Cohen's kappa per kind) on the shared sentences.

    python bench/labelling/agreement.py LABEL_DIR OVERLAP_CSV
e.g. bench/labelling/passes/v1 bench/labelling/passes/overlap_01.csv (round 1, first pass),
     bench/labelling/passes/v2 ... (round 1 after rules 11-19), passes/r2 passes/overlap_11.csv (round 2).
OVERLAP_CSV lists (packet_a, packet_b, id) for every double-labelled sentence.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

KINDS = ("pain_point", "objection", "purchase_trigger", "must_have_feature", "success_factor", "buying_role")


def read_labels(path: Path) -> dict[str, set[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["id"]: {k for k in (r["labels"] or "").split(";") if k} for r in csv.DictReader(fh)}


def kappa(a: list[bool], b: list[bool]) -> float:
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def pairs(label_dir: Path, overlap: Path) -> list[tuple[str, set[str], set[str]]]:
    packets = {p.stem.split("_")[1]: read_labels(p) for p in label_dir.glob("labels_*.csv")}
    out = []
    with overlap.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            a, b = packets.get(r["packet_a"], {}), packets.get(r["packet_b"], {})
            if r["id"] in a and r["id"] in b:
                out.append((r["id"], a[r["id"]], b[r["id"]]))
    return out


def main() -> None:
    ps = pairs(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{len(ps)} double-labelled sentences")
    print(f"{'kind':<20}{'kappa':>7}{'agree':>7}{'A+':>5}{'B+':>5}{'both':>6}")
    for k in KINDS:
        a = [k in x for _, x, _ in ps]
        b = [k in y for _, _, y in ps]
        print(f"{k:<20}{kappa(a, b):>7.2f}{sum(x == y for x, y in zip(a, b)) / len(ps):>7.1%}{sum(a):>5}{sum(b):>5}"
              f"{sum(x and y for x, y in zip(a, b)):>6}")
    anyk_a = [bool(x) for _, x, _ in ps]
    anyk_b = [bool(y) for _, _, y in ps]
    print(f"{'any kind':<20}{kappa(anyk_a, anyk_b):>7.2f}")
    print(f"exact label-set agreement: {sum(x == y for _, x, y in ps) / len(ps):.1%}")


if __name__ == "__main__":
    main()
