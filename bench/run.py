"""Benchmarks (run with `make bench`): extraction throughput and memory on many sentences.

Speed is reported as a ratio against the keyword baseline measured in the same run, since these
machines are shared and noisy; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("VOC_SHARED_DATA", REPO.parent / "shared" / "data"))


def corpus(n: int) -> list[str]:
    """Real review sentences from ../shared when present, else the demo corpus, repeated to n."""
    import pandas as pd

    from voc.segment import clean_text

    texts: list[str] = []
    play = SHARED / "app_reviews_urr_ciurumelea2017" / "reviews_data.csv"
    if play.exists():
        texts = [clean_text(t) for t in pd.read_csv(play)["reviewText"].dropna().astype(str)]
    else:
        texts = pd.read_csv(REPO / "examples/demo/site/reviews/reviews.csv")["text"].astype(str).tolist()
    sentences = [s.strip() for t in texts for s in t.replace("!", ".").split(".") if len(s.strip()) > 15]
    out = []
    while len(out) < n:
        out.extend(sentences[: n - len(out)])
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sentences", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()

    from voc.config import StudyConfig
    from voc.extract.insights import baseline_predict
    from voc.stages import components

    texts = corpus(args.sentences)
    ext = components(StudyConfig(name="bench")).extractor
    ext.classify(texts[:50])  # warm-up: model loading is not throughput
    base_rss = rss_mb()

    t0 = time.perf_counter()
    baseline_predict(texts)
    t_base = time.perf_counter() - t0

    t0 = time.perf_counter()
    found = 0
    for i in range(0, len(texts), args.batch):
        found += sum(len(r["kinds"]) for r in ext.classify(texts[i:i + args.batch]))
    t_cls = time.perf_counter() - t0

    print(f"sentences            {len(texts)}")
    print(f"classifier           {t_cls:8.1f} s   {len(texts) / t_cls:8.0f} sentences/s   {found} insights")
    print(f"keyword baseline     {t_base:8.3f} s   {len(texts) / t_base:8.0f} sentences/s")
    print(f"ratio (slower than baseline)  {t_cls / t_base:.0f}x")
    print(f"peak RSS             {rss_mb():8.0f} MB (after warm-up: {base_rss:.0f} MB; batches of {args.batch})")


if __name__ == "__main__":
    sys.exit(main())
