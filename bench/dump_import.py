"""Importing a Reddit dump of about a million sentences: crawl (parse, filter, pseudonymise, store)
and segmentation, timed, with peak RSS. Not part of `make bench` (39 minutes); run
`python bench/dump_import.py --sentences 1000000`.

The dump is NDJSON in the Pushshift comment layout, written from the real documents of
``bench/pipeline.py``'s corpus (Google Play, Steam, Amazon reviews and Reddit posts from
../shared/data: about 29,000 documents and 200,000 sentences), copied under new comment ids until
it holds about ``--sentences`` (estimated from the corpus's sentences per document; the importer's
``min_chars`` drops the shortest reviews, so a few percent fewer). Repeating documents is fair
here: neither the crawl nor segmentation reuses anything by content (the embedding cache, which
would, is not part of an import).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline import corpus  # bench/pipeline.py: the real documents
from run import SHARED

from voc.console import peak_rss_mb

SENTENCES_PER_DOC = 7.4  # the pipeline corpus: 198,212 sentences in 26,845 documents


def write_dump(path: Path, sentences: int) -> int:
    """The dump file; returns how many comments it holds."""
    docs = corpus(10**6)
    wanted = int(sentences / SENTENCES_PER_DOC) + 1
    with path.open("w", encoding="utf-8") as fh:
        for i in range(wanted):
            doc = docs[i % len(docs)]
            fh.write(json.dumps({"id": f"{i // len(docs)}x{doc['id']}", "body": doc["text"], "link_id": "t3_bench",
                                 "parent_id": "t3_bench", "subreddit": "bench", "author": f"user{i % 9973}",
                                 "created_utc": 1_500_000_000 + i * 60}) + "\n")
    return wanted


def child(path: Path) -> None:
    from voc.api import Study
    from voc.crawl import crawl_study
    from voc.stages import ModelSpec, segment_stage

    study_file = path.parent / "study.toml"
    study_file.write_text(f'name = "import"\n\n[[sources]]\nname = "dump"\ntype = "reddit_dump"\npath = "{path.name}"\n')
    study = Study.open(study_file)
    out: dict = {"seconds": {}, "peak_rss_mb": {}}
    t0 = time.perf_counter()
    out["documents"] = crawl_study(study.config, study.store)["new_documents"]
    out["seconds"]["crawl"] = time.perf_counter() - t0
    out["peak_rss_mb"]["crawl"] = peak_rss_mb()
    t0 = time.perf_counter()
    out["sentences"] = segment_stage(study.store, ModelSpec.of(study.config))["sentences_new"]
    out["seconds"]["segment"] = time.perf_counter() - t0
    out["peak_rss_mb"]["segment"] = peak_rss_mb()
    out["store_mb"] = round(study.config.store_path.stat().st_size / 2**20)
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=1_000_000)
    ap.add_argument("--child", help=argparse.SUPPRESS)  # internal: import this dump file
    args = ap.parse_args()
    if args.child:
        return child(Path(args.child))
    if not SHARED.exists():
        print("import bench skipped: ../shared/data not found (set VOC_SHARED_DATA)")
        return
    with tempfile.TemporaryDirectory(prefix="voc-import-") as tmp:
        path = Path(tmp) / "RC_bench.ndjson"
        comments = write_dump(path, args.sentences)
        size = path.stat().st_size / 2**20
        t0 = time.perf_counter()
        # Without VOC_STORE, which would send the dump into the user's own store.
        env = {k: v for k, v in os.environ.items() if k != "VOC_STORE"}
        done = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True,
                              cwd=tmp, env=env)
        r = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {}
        if not r.get("documents"):  # the crawl logs a failed source and carries on
            raise SystemExit(f"import failed:\n{done.stderr[-3000:]}")
        wall = time.perf_counter() - t0
    print(f"Reddit dump of {comments:,} comments ({size:.0f} MB): {r['documents']:,} documents, "
          f"{r['sentences']:,} sentences, store {r['store_mb']} MB, {wall:.0f} s in all")
    print("  " + "  ".join(f"{k} {v:.0f} s (peak RSS {r['peak_rss_mb'][k]} MB)" for k, v in r["seconds"].items())
          + f"  segment {r['sentences'] / r['seconds']['segment']:.0f} sent/s")


if __name__ == "__main__":
    sys.exit(main())
