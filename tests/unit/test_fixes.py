"""What stands between mid-rated reviews and 5 stars: real review sentences from ../shared/data that
must be found with their fix, real ones that must not, and the report section built from a store.

The real sentences are found by their review's key and a few of their words (the review text stays
in ../shared); the sentence before is the one a plain split on sentence ends gives.
"""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from tests.unit.test_report import add_corpus
from tests.unit.test_report_safety import unsafe
from voc.config import StudyConfig
from voc.report import render_html, write_report
from voc.report.context import build_context
from voc.report.fixes import PREFILTER, find_fixes, fix_phrase, match_fix, stands_between
from voc.report.markdown import render_markdown
from voc.store import Store

TP, GP, AMZ = "trustpilot_pet_insurance_reviews", "app_reviews_urr_ciurumelea2017", "amazon_reviews_multidomain_blitzer2007"


@pytest.fixture(scope="module")
def reviews(shared):
    from voc.extract.realtext import documents_by_ref

    return documents_by_ref(shared, [TP, GP, AMZ])


def sentence(reviews, ref: str, words: str) -> tuple[str, str | None, float]:
    """(the sentence of review ``ref`` holding ``words``, the sentence before it, the review's rating)."""
    doc = reviews[ref]
    parts = re.split(r"(?<=[.!?])\s+", doc.text)
    at = next(i for i, p in enumerate(parts) if words in p)
    return parts[at], parts[at - 1] if at else None, doc.rating


# (review, words of the sentence, words the fix must hold, its short noun phrase)
FOUND = [
    (f"{TP}/aspca_reviews.csv#5e3b49cb3c93ae0b249ee281", "pay for a medication", "pay for a medication", "medication"),
    (f"{TP}/figo_reviews.csv#5b80cd7a8c83fd0b58d02128", "Loses 1 star", "premium is going up", "premium"),
    (f"{TP}/figo_reviews.csv#630e562d6a3e1ed2c3c50758", "knocking off two stars", "premium increases", "premium increase"),
    (f"{GP}/reviews_data.csv#5729140a507c69054da8e530", "if not for the hunger", "the hunger", "hunger"),
    (f"{GP}/reviews_data.csv#57291cf6507c69054da8edca", "bring back winamp", "winamp support", "winamp"),
    (f"{GP}/reviews_data.csv#5729be16507c690b8e0bd216", "keeping it from 5 stars", "the UI is dated", None),
    (f"{AMZ}/electronics/positive.review#545", "I strip one star", "crazy expensive", "price"),
]
# (review, words of a sentence that talks about stars but names nothing standing between it and 5)
NOT_FOUND = [
    (f"{TP}/akc_reviews.csv#61ef5f30e1196e51d76e1b49", "2 stars instead of 1"),          # the star kept
    (f"{TP}/figo_reviews.csv#62a8c04f6d54f9210715d806", "never had to use the coverage"),  # too soon to tell
    (f"{TP}/spot_reviews.csv#5f62d14c02e8570acc39d7dc", "I like the helpful hints"),       # what earned the stars
    (f"{TP}/healthypaws_reviews.csv#60dbb6eaf9f487073c6eb282", "I left a 5-star review"),  # a past rating
    (f"{AMZ}/books/negative.review#185", "edit my rating"),                                # about the rating itself
    (f"{AMZ}/books/negative.review#336", "only be 5 waves"),                               # a 5 that is no rating
    (f"{AMZ}/electronics/positive.review#481", "So why four stars"),                       # the answer comes later
]


@pytest.mark.parametrize("ref, words, fix, phrase", FOUND, ids=[f[1] for f in FOUND])
def test_real_sentences_name_their_fix(reviews, ref, words, fix, phrase):
    text, previous, rating = sentence(reviews, ref, words)
    hit = match_fix(text, rating, previous)
    assert hit is not None and fix in hit["fix"].replace("’", "'") and not hit["uses_previous"], (text, hit)
    assert re.search(PREFILTER.removeprefix("(?i)"), text, re.I)  # the store's filter lets it through
    if phrase:
        assert fix_phrase(hit["fix"]) == phrase


@pytest.mark.parametrize("ref, words", NOT_FOUND, ids=[n[1] for n in NOT_FOUND])
def test_real_star_talk_that_names_no_fix_is_left_out(reviews, ref, words):
    text, previous, rating = sentence(reviews, ref, words)
    assert match_fix(text, rating, previous) is None, text


def test_a_sentence_pointing_back_takes_its_fix_from_the_one_before(reviews):
    text, previous, rating = sentence(reviews, f"{GP}/reviews_data.csv#57291d87507c69054da8ee1c", "I removed 2 stars")
    hit = match_fix(text, rating, previous)
    assert hit["uses_previous"] and "widget" in hit["fix"]
    assert match_fix(text, rating, None) is None  # nothing to point back to: nothing named


def test_reviewers_naming_the_same_thing_are_one_group_most_named_first(reviews):
    refs = [(f"{TP}/healthypaws_reviews.csv#5ef0319a7dd7530324726a2e", "premium has increased twice"),
            (f"{TP}/embrace_reviews.csv#5d24efa242fa560af4340720", "premiums go up significantly"),
            (f"{TP}/embrace_reviews.csv#63d969a94b01fb3f5492c27c", "raise the premium every year"),
            (f"{TP}/aspca_reviews.csv#5e3b49cb3c93ae0b249ee281", "pay for a medication"),
            (f"{TP}/spot_reviews.csv#5f62d14c02e8570acc39d7dc", "I like the helpful hints")]
    rows = []
    for i, (ref, words) in enumerate(refs):
        text, previous, rating = sentence(reviews, ref, words)
        rows.append({"sent_id": f"s{i}", "doc_id": ref, "text": text, "prev_text": previous, "rating": rating,
                     "url": f"https://www.trustpilot.com/reviews/{ref.rsplit('#', 1)[1]}", "source": "trustpilot",
                     "created_at": datetime(2023, 1, 1 + i)})
    # The medication sentence is an insight about "medication": its aspect is the group, whatever
    # the phrase would have been.
    rows[3]["aspect"] = "medication"
    section = stands_between(pd.DataFrame(rows), mid_rated_reviews=5)
    assert [(g["label"], g["reviewers"]) for g in section["groups"]] == [("premium", 3), ("medication", 1)]
    assert section["reviewers"] == 4 and section["note"] is None
    quote = section["groups"][0]["quotes"][0]
    assert quote["rating"] == 4.0 and quote["url"].startswith("https://") and quote["date"]


def test_the_insight_aspect_the_fix_names_is_its_group(reviews, nlp):
    from voc.extract.aspects import extract_aspect

    # Grouped as "cover pre" (the fix's first two content words) while "condition" was no aspect.
    ref = f"{TP}/aspca_reviews.csv#5cae6729a843690a54087b5b"
    text, previous, rating = sentence(reviews, ref, "pre existing conditions")
    assert rating == 4.0 and extract_aspect(nlp(text)) == "condition"
    row = {"sent_id": "s0", "doc_id": ref, "text": text, "prev_text": previous, "rating": rating,
           "aspect": extract_aspect(nlp(text))}
    found = find_fixes(pd.DataFrame([row]))
    assert found["fix"].tolist() == ["you do not cover pre existing conditions"] and found["group"].tolist() == ["condition"]
    # A span of time names no aspect, nor does what qualifies it: grouped "business" for a while.
    text, _previous, _rating = sentence(reviews, f"{TP}/aspca_reviews.csv#5e3b2b823c93ae0b249ed1f5", "business days")
    assert "7 business days for the turn around time" in text and extract_aspect(nlp(text)) != "business"


def test_only_mid_rated_reviews_count():
    rows = pd.DataFrame({"sent_id": ["a", "b", "c"], "doc_id": ["d1", "d2", "d3"], "rating": [1.0, 4.0, 5.0],
                         "text": ["Would be 5 stars if it had a dark theme."] * 3, "url": None, "source": "play",
                         "created_at": None})
    assert find_fixes(rows)["doc_id"].tolist() == ["d2"]


HOSTILE = "<script>alert('x')</script>"


def review_rows(texts: list[tuple[str, float]], aspects: dict[int, str] | None = None) -> list[dict]:
    """Reviews of one sentence each; ``aspects``: which of them are insights, about what."""
    aspects = aspects or {}
    return [{"id": f"r{i}", "source": "play", "doc_kind": "review", "rating": rating, "text": text, "author": f"a{i}",
             "date": datetime(2025, 2, 1 + i), "url": f"https://play.example/r{i}" if i else "javascript:alert(1)",
             **({"kind": "pain_point", "aspect": aspects[i]} if i in aspects else {})}
            for i, (text, rating) in enumerate(texts)]


def report_of(tmp_path, rows):
    study = StudyConfig(name="fixes", product="Lock screen", output_dir=tmp_path / "out")
    with Store(tmp_path / "s.duckdb") as store:
        run = store.start_run("analyze")
        add_corpus(store, rows, run)
        store.finish_run(run, "completed", {}, [])
        ctx = build_context(study, store, run)
        paths = write_report(study, store, run)
    return ctx, paths


def test_the_section_renders_from_a_store_in_markdown_html_and_exports(tmp_path):
    ctx, paths = report_of(tmp_path, review_rows([
        (f"Would give 5 stars if there was a PIN lock {HOSTILE}.", 4.0),
        ("5 stars if pw lock is built in.", 3.0),
        ("The only reason I did not give it 5 stars is the battery drain.", 4.0),
        ("Would be 5 stars if it had a PIN lock.", 1.0),  # a 1-star review rejects; it names no missing star
        ("Great app, works on every phone I own.", 4.0),
    ], aspects={2: "battery"}))
    groups = ctx["fixes"]["groups"]
    # "pin lock" joins "lock"; the battery sentence is an insight about "battery", its group.
    assert [(g["label"], g["reviewers"]) for g in groups] == [("lock", 2), ("battery", 1)]
    md = paths["markdown"].read_text(encoding="utf-8")
    section = md.split("## What stands between them and 5 stars")[1].split("\n## ")[0]
    assert "| 1 | lock | 2 | 3.5★ |" in section and "3 of 4 mid-rated" in section and "\\<script\\>" in section
    html = paths["html"].read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "lxml")
    table = soup.find(id="table-fixes")
    assert table is not None and HOSTILE in table.get_text() and "<script>alert" not in str(table)
    assert [a["href"] for a in table.find_all("a")] == ["https://play.example/r1", "https://play.example/r2"]
    assert unsafe(str(table), None) == []
    exported = pd.read_csv(paths["exports"] / "fixes.csv")
    assert sorted(exported["group"]) == ["battery", "lock", "lock"]


def test_no_such_sentence_is_one_line_and_no_reviews_no_section(tmp_path):
    ctx, paths = report_of(tmp_path / "a", review_rows([("Works fine, does what it says on the tin.", 3.0)]))
    line = "None of the 1 mid-rated (2–4★) reviews names what stands between its rating and 5 stars."
    assert ctx["fixes"]["note"] == line
    assert line in paths["markdown"].read_text(encoding="utf-8") and line in paths["html"].read_text(encoding="utf-8")
    rows = [dict(r, doc_kind="post", rating=None) for r in review_rows([("Would be 5 stars if it had a PIN lock.", 4.0)])]
    ctx, paths = report_of(tmp_path / "b", rows)
    assert ctx["fixes"] is None
    assert "5 stars</h2>" not in render_html(ctx) and "What stands between" not in render_markdown(ctx)
    assert not (paths["exports"] / "fixes.csv").exists()
