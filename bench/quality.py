"""Extraction quality, measured on real customer text: the real-text test split (by kind and by
source type) against the keyword baseline, with calibration; must-have F1 on SemEval-2019
suggestion mining; aspect-term F1 on SemEval-2014 laptops. The split we wrote ourselves is
printed last, for comparison only: it is not the yardstick.

Run: `.venv/bin/python bench/quality.py [--json]` (parts that need ../shared/data skip without it).
"""

from __future__ import annotations

import argparse
import json
import os
import string
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("VOC_SHARED_DATA", REPO.parent / "shared" / "data"))
# What a study of laptops would name as its product: the product itself is not an aspect of it.
LAPTOP_PRODUCT_TERMS = ["laptop", "computer", "notebook", "netbook", "machine", "pc", "mac", "macbook", "product", "toshiba", "dell", "hp", "acer", "asus", "apple", "lenovo", "sony", "samsung", "gateway"]


def split_quality(extractor, test: pd.DataFrame) -> dict:
    from voc.extract.classifier import expected_calibration_error, label_matrix
    from voc.extract.evaluate import evaluate
    from voc.extract.insights import baseline_predict

    kinds = extractor.classifier.kinds
    ours = evaluate(test, extractor.predict_labels, kinds)
    base = evaluate(test, baseline_predict, kinds)
    context = test[[c for c in ("text", "prev", "doc_kind", "rating", "position") if c in test.columns]]
    P = extractor.score(context.reset_index(drop=True))
    Y = label_matrix(test["labels"], kinds)
    ece = {k: round(expected_calibration_error(P[:, j], Y[:, j]), 4) for j, k in enumerate(kinds)}
    return {"classifier": ours, "baseline": base, "gain": round(ours["macro_f1"] - base["macro_f1"], 4), "ece": ece}


def real_split(extractor) -> dict | None:
    from voc.errors import VocError
    from voc.extract.train import real_rows

    try:
        test = real_rows("test", SHARED if SHARED.exists() else None)
    except VocError:
        return None
    return split_quality(extractor, test)


def written_split(extractor) -> dict:
    from voc.extract.evaluate import read_labelled
    from voc.extract.insights import LABELLED

    df = read_labelled(LABELLED)
    return split_quality(extractor, df[df["split"] == "test"].reset_index(drop=True))


def suggestion_mining(extractor) -> dict | None:
    path = SHARED / "suggestion_mining_semeval2019_task9" / "SubtaskA_Trial_Test_Labeled.csv"
    if not path.exists():
        return None
    from voc.extract.evaluate import scores

    df = pd.read_csv(path, encoding="latin-1")
    gold = [{"must_have_feature"} if y == 1 else set() for y in df["label"]]
    pred = [p & {"must_have_feature"} for p in extractor.predict_labels(df["sentence"].astype(str).tolist())]
    return scores(gold, pred)["per_kind"]["must_have_feature"] | {"n": len(df)}


def aspect_terms(nlp, product_terms: list[str]) -> dict | None:
    """Aspect-term extraction on the SemEval-2014 laptop train file (used as dev data; no training on it).

    A predicted term matches a gold term when their normalised forms are equal or one is the
    head of the other ("battery" ~ "battery life"); each gold term is matched at most once. Gold
    terms are normalised as predictions are, read in their sentence: lemmas, names as written.
    ("out_of_context" parses each gold term alone, as this measure did up to December 2026: the
    model then lemmatises "Windows" to "window" and "iTunes" to "itune", which no prediction of
    the name in its sentence matches.)
    """
    sents = laptop_sentences()
    if sents is None:
        return None
    from voc.extract.aspects import extract_terms

    exclude = {t.lower() for t in product_terms}
    docs = list(nlp.pipe([t for t, _ in sents], batch_size=256))
    preds = [[p for p in dict.fromkeys(extract_terms(d)) if not set(p.split()) & exclude] for d in docs]
    golds = [[gold_in_context(nlp, d, *g) for g in gold_terms] for d, (_, gold_terms) in zip(docs, sents)]
    alone = [[normalise_term(nlp, g[0]) for g in gold_terms] for _, gold_terms in sents]
    # Corpus-level pruning (Hu & Liu's "frequent features"): keep terms whose head noun recurs.
    heads = Counter(p.split()[-1] for ps in preds for p in ps)
    pruned = [[p for p in ps if heads[p.split()[-1]] >= 5] for ps in preds]
    return {"per_sentence": _term_f1(preds, golds), "frequent_heads_min5": _term_f1(pruned, golds),
            "out_of_context": _term_f1(preds, alone), "sentences": len(sents), "gold_terms": sum(map(len, golds))}


def laptop_sentences() -> list[tuple[str, list[tuple[str, int, int]]]] | None:
    """The SemEval-2014 laptop train file: (text, [(term, from, to)]) per sentence; None without it."""
    path = SHARED / "semeval2014_task4_absa" / "Laptop_Train_v2.xml"
    if not path.exists():
        return None
    root = ET.parse(path).getroot()
    return [(s.find("text").text or "", [(a.get("term"), int(a.get("from")), int(a.get("to")))
                                         for a in s.iter("aspectTerm")]) for s in root.iter("sentence")]


def normalise_term(nlp, term: str) -> str:
    """A term parsed alone: lemmas, no punctuation or determiners."""
    return " ".join(w.lemma_.lower() for w in nlp(term) if not w.is_punct and w.pos_ != "DET")


def gold_in_context(nlp, doc, term: str, start: int, end: int) -> str:
    """A gold term normalised as predictions are, read in its parsed sentence ``doc``."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return normalise_term(nlp, term)
    words = [(w.text if w.pos_ == "PROPN" else w.lemma_).lower() for w in span
             if not w.is_punct and w.pos_ != "DET" and w.tag_ != "POS"]
    # The tokeniser can glue punctuation to a word ("speaker-", 'now")software').
    words = [w.rsplit('"', 1)[-1].strip(string.punctuation) for w in words]
    return " ".join(w for w in words if w)


def insight_aspects(nlp) -> dict | None:
    """How often the aspect voc gives an insight agrees with the labeller's aspect, on every real
    labelled sentence that has one (agreement: one phrase's words contain the other's, so "claim"
    agrees with "claim denial")."""
    from voc.errors import VocError
    from voc.extract.aspects import extract_aspect
    from voc.extract.train import real_rows

    try:
        rows = pd.concat([real_rows(split, SHARED if SHARED.exists() else None) for split in ("train", "test")])
    except VocError:
        return None
    rows = rows[rows["aspect"].fillna("").str.strip() != ""]
    agree = named = 0
    for doc, gold in zip(nlp.pipe(rows["text"].tolist(), batch_size=256), rows["aspect"]):
        ours = extract_aspect(doc)
        if ours is None:
            continue
        named += 1
        a, b = set(ours.lower().split()), set(gold.lower().split())
        agree += a <= b or b <= a
    return {"insights": len(rows), "named": named, "agree": agree, "agree_share": round(agree / max(1, len(rows)), 4)}


def match_term(pred: str, unmatched: list[str]) -> str | None:
    """The gold term a predicted one matches (equal, or one is a word of the other), removed from
    ``unmatched`` (each gold term matches once); None when none does."""
    hit = next((g for g in unmatched if pred == g or pred in g.split() or g in pred.split()), None)
    if hit is not None:
        unmatched.remove(hit)
    return hit


def prf(tp: int, predicted: int, gold: int) -> dict:
    prec, rec = tp / max(1, predicted), tp / max(1, gold)
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(2 * prec * rec / max(1e-9, prec + rec), 4)}


def _term_f1(preds: list[list[str]], golds: list[list[str]]) -> dict:
    tp = 0
    for pred, gold in zip(preds, golds):
        unmatched = list(gold)
        tp += sum(match_term(p, unmatched) is not None for p in pred)
    return prf(tp, sum(map(len, preds)), sum(map(len, golds)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from voc.config import StudyConfig
    from voc.stages import components

    comp = components(StudyConfig(name="quality"))
    result = {"real_test_split": real_split(comp.extractor), "written_test_split": written_split(comp.extractor),
              "suggestion_mining_must_have": suggestion_mining(comp.extractor),
              "aspects_semeval2014_laptop": aspect_terms(comp.nlp, LAPTOP_PRODUCT_TERMS),
              "aspects_real_insights": insight_aspects(comp.nlp)}
    if args.json:
        print(json.dumps(result, indent=1))
        return
    from voc.extract.evaluate import format_table

    t = result["real_test_split"]
    if t is None:
        print("real-text test split: skipped (../shared/data not found; set VOC_SHARED_DATA)")
    else:
        print(format_table(t["classifier"], "classifier, real-text test split"))
        print(format_table(t["baseline"], "keyword baseline, real-text test split"))
        print(f"macro-F1 gain {t['gain']:+.3f}; expected calibration error per kind {t['ece']}")
    w = result["written_test_split"]
    print(f"\n(for comparison only) the split we wrote: macro-F1 {w['classifier']['macro_f1']:.3f}, "
          f"keyword baseline {w['baseline']['macro_f1']:.3f}")
    sm = result["suggestion_mining_must_have"]
    print("suggestion mining (SemEval-2019 trial test), must_have_feature:", sm or "skipped: ../shared/data not found")
    asp = result["aspects_semeval2014_laptop"]
    print("aspect terms (SemEval-2014 laptop train):", asp or "skipped: ../shared/data not found")
    ins = result["aspects_real_insights"]
    print("insight aspects agreeing with the labeller's (real labels):", ins or "skipped: ../shared/data not found")


if __name__ == "__main__":
    main()
