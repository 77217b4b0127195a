"""Planted personal data through the real ingest path (a file source, crawl, analyse, report).

tests/fixtures/pii/planted_reviews.jsonl holds 90 robot-vacuum reviews (written for this test)
with 88 planted values of every kind README says voc masks: emails plain and spelled out, phone
numbers in US, UK, German, French and international formats, names after a cue, street addresses,
IBANs, card numbers, SSNs, handles, and personal parts of links and titles. None of them may
survive anywhere a reader or an analyst can look: any text column of the store, report.html,
report.md, the exports, the persona files, or an aspect label. Nor may an author's name.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from tests.conftest import FIXTURES
from voc import stages
from voc.config import load_study
from voc.crawl import build_source, crawl_source
from voc.report import write_report
from voc.store import Store

pytestmark = pytest.mark.slow

PLANTED = FIXTURES / "pii" / "planted_reviews.jsonl"
STUDY = """
[study]
name = "pii"
product = "Robot vacuums"
output_dir = "{out}"

[[sources]]
name = "shop-reviews"
type = "file"
path = "{path}"
min_rating = 0
max_rating = 5
"""
TEXT_TYPES = ("VARCHAR", "JSON", "VARCHAR[]")


def planted_rows() -> list[dict]:
    return [json.loads(line) for line in PLANTED.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory, embedder):
    """Crawl, analyse and report the planted reviews; the salt lives in a key file in tmp."""
    tmp = tmp_path_factory.mktemp("pii")
    (tmp / "study.toml").write_text(STUDY.format(out=(tmp / "out").as_posix(), path=PLANTED.as_posix()))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("VOC_SALT", raising=False)
        mp.setenv("VOC_SALT_FILE", str(tmp / "keys" / "salt"))
        study = load_study(tmp / "study.toml")
        with Store(study.store_path) as store:
            crawl = crawl_source(store, study, build_source(study, study.sources[0]))
            run = store.start_run("analyze")
            spec = stages.ModelSpec.of(study)
            stages.segment_stage(store, spec)
            stages.extract_stage(store, spec, run)
            stages.embed_stage(store, spec, run)
            stages.topics_stage(study, store, run, embedder)
            stages.personas_stage(study, store, run)
            store.finish_run(run, "completed", {}, [])
            paths = write_report(study, store, run)
            tables = {t: store.query(f"SELECT * FROM {t}") for t in store.query("SHOW TABLES")["name"]}
            columns = store.query("SELECT table_name, column_name, data_type FROM information_schema.columns")
    return {"crawl": crawl, "paths": paths, "tables": tables, "columns": columns, "out": study.out_dir,
            "salt": (tmp / "keys" / "salt").read_text().strip(), "store_file": study.store_path}


def pattern(value: str) -> re.Pattern:
    """The value as a whole token, in any case (topic keywords are lowercased)."""
    return re.compile(r"(?<![A-Za-z0-9])" + re.escape(value) + r"(?![A-Za-z0-9])", re.I)


def readable(text: str) -> str:
    """Every form a value could take in an output: HTML entities, %-escapes and Markdown escapes undone."""
    return "\n".join({text, html.unescape(text), unquote(text), re.sub(r"\\(.)", r"\1", html.unescape(text))})


def store_texts(run: dict) -> dict[str, str]:
    """Every text column of every table of the store, as one string per column."""
    texts = {}
    for row in run["columns"].itertuples():
        if row.data_type in TEXT_TYPES and row.table_name in run["tables"]:
            values = run["tables"][row.table_name][row.column_name].dropna()
            texts[f"store {row.table_name}.{row.column_name}"] = "\n".join(map(str, values))
    return texts


def output_texts(out: Path) -> dict[str, str]:
    """report.html, report.md, every export and every persona file."""
    texts = {}
    for path in sorted(out.rglob("*")):
        if path.suffix == ".parquet":
            texts[str(path)] = pd.read_parquet(path).astype(str).to_csv()
        elif path.suffix in (".html", ".md", ".csv", ".json"):
            texts[str(path)] = path.read_text(encoding="utf-8")
    return texts


def test_the_planted_corpus_went_through_every_stage(planted_run):
    assert planted_run["crawl"].status == "completed" and planted_run["crawl"].new == len(planted_rows()) == 90
    assert sum(len(r["planted"]) for r in planted_rows()) == 88
    tables = planted_run["tables"]
    assert len(tables["sentences"]) > 100 and len(tables["insights"]) > 40 and len(tables["topics"]) > 0
    html_text = planted_run["paths"]["html"].read_text(encoding="utf-8")
    # The masks are what the report shows where the personal data was.
    masked = "\n".join(tables["documents"]["text"])
    for mask in ("[email]", "[phone]", "[name]", "[address]", "[iban]", "[card]", "[ssn]", "[user]"):
        assert mask in masked, mask
    assert "<blockquote" in html_text


def test_no_planted_value_survives_anywhere(planted_run):
    places = {**store_texts(planted_run), **output_texts(planted_run["out"])}
    assert any("report.html" in p for p in places) and any(p.endswith("insights.parquet") for p in places)
    leaks = []
    for row in planted_rows():
        for kind, value, also in row["planted"]:
            for needle in [value, *also]:
                regex = pattern(needle)
                leaks += [(row["id"], kind, needle, where) for where, text in places.items() if regex.search(readable(text))]
    assert leaks == [], f"{len(leaks)} leaks: {leaks[:10]}"


def test_no_author_name_and_no_salt_in_the_store_or_the_outputs(planted_run):
    places = {**store_texts(planted_run), **output_texts(planted_run["out"])}
    authors = sorted({r["author"] for r in planted_rows()})
    found = [(a, where) for a in authors for where, text in places.items() if pattern(a).search(readable(text))]
    assert found == []
    docs = planted_run["tables"]["documents"]
    assert docs["author_hash"].str.fullmatch(r"a_[0-9a-f]{16}").all() and docs["author_hash"].nunique() == len(authors)
    assert "author_salt" not in set(planted_run["tables"]["meta"]["key"])
    assert planted_run["salt"].encode() not in planted_run["store_file"].read_bytes()


def test_no_aspect_label_contains_a_planted_value(planted_run):
    aspects = planted_run["tables"]["insights"]["aspect"].dropna().unique().tolist()
    assert len(aspects) >= 10  # the check below is about real labels, not an empty list
    values = [v for r in planted_rows() for _, value, also in r["planted"] for v in [value, *also]]
    assert [(a, v) for a in aspects for v in values if pattern(v).search(a)] == []


def test_links_keep_their_page_but_lose_the_personal_parts(planted_run):
    urls = dict(zip(planted_run["tables"]["documents"]["raw_ref"].str.split(":").str[-1].astype(int),
                    planted_run["tables"]["documents"]["url"]))
    by_line = {i: r for i, r in enumerate(planted_rows(), start=1)}
    changed = {by_line[i]["url"]: u for i, u in urls.items() if u != by_line[i]["url"]}
    assert changed == {
        "https://shop.example.com/reviews/d7/101?email=olga.sorensen%40gmail.com&page=2": "https://shop.example.com/reviews/d7/101?page=2",
        "https://forum.example.com/user/anna_schmidt_1988/posts/55": "https://forum.example.com/user/%5Buser%5D/posts/55",
        "https://reviews.example.com/r/88?token=s3cr3tT0k3nXYZ&ref=newsletter": "https://reviews.example.com/r/88?ref=newsletter",
        "https://community.example.com/members/bob.miller.1234/": "https://community.example.com/members/%5Buser%5D/",
        "https://shop.example.com/r/77?name=Peter+Parkinson&sort=new": "https://shop.example.com/r/77?sort=new",
        "https://shop.example.com/r/78?phone=%2B4917612345678&lang=en": "https://shop.example.com/r/78?lang=en",
        "https://admin:p4ssw0rd!Q@shop.example.com/r/79": "https://shop.example.com/r/79",
        "https://shop.example.com/r/80/by/marta.ruiz@gmail.com": "https://shop.example.com/r/80/by/%5Bemail%5D",
    }
