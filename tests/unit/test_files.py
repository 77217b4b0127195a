import csv
import json

import pandas as pd
import pytest

from scrapers.files import FileOptions, FileSource
from voc.errors import VocError


def source(tmp_path, **opts):
    return FileSource("import", FileOptions(**opts), base_dir=tmp_path)


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


REVIEWS = [
    {"id": "r1", "stars": "5", "review": "Perfect, love it!!", "user": "ann", "date": "2025-03-01"},
    {"id": "r2", "stars": "3", "review": "Cleans well but the app logs me out every week.", "user": "bo", "date": "2025-03-02"},
    {"id": "r3", "stars": "1", "review": "DOA. Returned.", "user": "cy", "date": "2025-03-03"},
    {"id": "r4", "stars": "2", "review": "Gets stuck under the couch daily; I wish it had a height sensor.", "user": "di", "date": "2025-03-04"},
    {"id": "r5", "stars": "4", "review": "Bought it on sale after our old one died.", "user": "ed", "date": "bad date"},
]


def test_reviews_keep_mid_rated_by_default(tmp_path):
    write_csv(tmp_path / "r.csv", REVIEWS)
    docs = list(source(tmp_path, path="r.csv").fetch(None))
    assert [d.native_id for d in docs] == ["r2", "r4", "r5"]
    assert {d.kind for d in docs} == {"review"} and docs[0].rating == 3.0 and docs[0].author == "bo"
    assert docs[2].created_at is None  # unparseable dates become unknown, not errors
    everything = list(source(tmp_path, path="r.csv", min_rating=0, max_rating=5).fetch(None))
    assert len(everything) == 5


def test_ratings_on_other_scales_are_normalised(tmp_path):
    write_csv(tmp_path / "r.csv", [{"text": "ok", "score": "7"}, {"text": "meh", "score": "4"}])
    docs = list(source(tmp_path, path="r.csv", rating_column="score", rating_scale=10).fetch(None))
    assert [d.rating for d in docs] == [3.5, 2.0]


def test_jsonl_survey_with_link_template_and_incremental_skip(tmp_path):
    lines = [{"id": "INT-1", "text": "We hired two people and outgrew spreadsheets.", "respondent": "P1"},
             {"id": "INT-2", "text": "Price was the only thing that held me back.", "respondent": "P2"}]
    (tmp_path / "i.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    src = source(tmp_path, path="i.jsonl", author_column="respondent", link_template="https://x.example/i#{id}")
    docs = list(src.fetch(None))
    assert [d.kind for d in docs] == ["survey", "survey"]
    assert docs[1].url == "https://x.example/i#INT-2" and docs[0].author == "P1"
    assert list(src.fetch(src.cursor())) == []  # unchanged file: nothing new
    with (tmp_path / "i.jsonl").open("a") as fh:
        fh.write(json.dumps({"id": "INT-3", "text": "Our old CRM died with the vendor."}) + "\n")
    assert [d.native_id for d in src.fetch(src.cursor())] == ["INT-3"]  # appended: only the new row
    (tmp_path / "i.jsonl").write_text((tmp_path / "i.jsonl").read_text().replace("two people", "three people"))
    assert [d.native_id for d in src.fetch(src.cursor())] == ["INT-1", "INT-2", "INT-3"]  # rewritten: all of it


def test_a_real_review_export_that_grows_is_read_only_where_it_grew(shared, tmp_path):
    """The real Google Play export split in two: the second crawl of the appended file reads
    exactly the appended reviews, the real ones; a line cut short at the end is read again whole."""
    lines = (shared / "app_reviews_urr_ciurumelea2017" / "reviews_data.csv").read_text(encoding="utf-8").splitlines(True)
    frame = pd.read_csv(shared / "app_reviews_urr_ciurumelea2017" / "reviews_data.csv")
    assert len(lines) == len(frame) + 1  # one line per review: the split falls between reviews
    path = tmp_path / "play.csv"
    path.write_text("".join(lines[:4001]), encoding="utf-8")
    src = FileSource("play", FileOptions(path=str(path), kind="review", min_rating=0, max_rating=5))
    first = [d.native_id for d in src.fetch(None)]
    assert first == frame["_id"].astype(str).head(len(first)).tolist() and len(first) == 4000
    with path.open("a", encoding="utf-8") as fh:
        fh.write("".join(lines[4001:]))
    later = list(src.fetch(src.cursor()))
    assert [d.native_id for d in later] == frame["_id"].astype(str).iloc[4000:].tolist()
    assert later[0].text == frame["reviewText"].iloc[4000]
    # A crawl that met a half-written last line has no whole line to resume after: it reads all again.
    path.write_text("".join(lines[:4001]) + lines[4001][:20], encoding="utf-8")
    cut = FileSource("play", FileOptions(path=str(path), kind="review", min_rating=0, max_rating=5))
    list(cut.fetch(None))
    path.write_text("".join(lines[:4003]), encoding="utf-8")
    assert len(list(cut.fetch(cut.cursor()))) == 4002


def test_clear_errors(tmp_path):
    write_csv(tmp_path / "r.csv", [{"comments": "x"}])
    with pytest.raises(VocError, match="no text column"):
        list(source(tmp_path, path="r.csv").fetch(None))
    (tmp_path / "b.jsonl").write_text('{not json\n{"text": "fine"}\n')
    with pytest.raises(VocError, match=r"b.jsonl:1: not valid JSON"):  # the first line: no JSON file at all
        list(source(tmp_path, path="b.jsonl").fetch(None))
    with pytest.raises(VocError, match="no file matches"):
        list(source(tmp_path, path="missing*.csv").fetch(None))


def test_real_google_play_reviews_mid_rated_filter(shared):
    path = shared / "app_reviews_urr_ciurumelea2017" / "reviews_data.csv"
    src = FileSource("play", FileOptions(path=str(path), kind="review", date_format="%d.%m.%y"))
    docs = list(src.fetch(None))
    frame = pd.read_csv(path)
    expected = frame[frame["ratingStars"].between(2, 4) & frame["reviewText"].fillna("").str.strip().ne("")]
    assert len(docs) == len(expected) > 2000
    assert all(2 <= d.rating <= 4 for d in docs)
    assert docs[0].created_at.year == 2016 and docs[0].native_id == str(expected.iloc[0]["_id"])


def test_tab_separated_exports_are_read_by_extension_and_by_sniffing(tmp_path, caplog):
    import logging

    rows = ["id\tstars\treview", "t1\t3\tThe lid cracked, after a week; annoying.", "t2\t4\tGood, but loud"]
    (tmp_path / "r.tsv").write_text("\n".join(rows) + "\n")
    (tmp_path / "r.txt").write_text("\n".join(rows) + "\n")
    (tmp_path / "s.csv").write_text("id;stars;review\ns1;2;Too loud, returned it\n")
    with caplog.at_level(logging.INFO, logger="scrapers.files"):
        by_ext = source(tmp_path, path="r.tsv")
        docs = list(by_ext.fetch(None))
        assert [(d.native_id, d.text) for d in docs] == [("t1", "The lid cracked, after a week; annoying."),
                                                          ("t2", "Good, but loud")]
        sniffed = source(tmp_path, path="r.txt", format="csv")
        assert [d.text for d in sniffed.fetch(None)] == [d.text for d in docs]
        semi = source(tmp_path, path="s.csv")
        assert [(d.native_id, d.rating, d.text) for d in semi.fetch(None)] == [("s1", 2.0, "Too loud, returned it")]
    assert by_ext.delimiters == {str(tmp_path / "r.tsv"): "\t"} and semi.delimiters == {str(tmp_path / "s.csv"): ";"}
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "r.tsv: fields separated by tabs (by the file's extension)" in said
    assert "s.csv: fields separated by semicolons (sniffed)" in said


def test_the_notebook_crawl_keeps_going_past_a_broken_source(shared, tmp_path):
    """voc.crawl.crawl_study (Study.run's crawl, no Prefect): a missing file fails its own source,
    the real reviews still land, and the run record says which source failed and why."""
    from voc.config import parse_study
    from voc.crawl import crawl_study
    from voc.store import Store

    path = shared / "app_reviews_urr_ciurumelea2017" / "reviews_data.csv"
    study = parse_study({"name": "play", "sources": [
        {"name": "gone", "type": "file", "path": str(tmp_path / "missing.csv")},
        {"name": "play", "type": "file", "path": str(path), "kind": "review", "date_format": "%d.%m.%y"}]},
        tmp_path / "study.toml")
    frame = pd.read_csv(path)
    mid_rated = int((frame["ratingStars"].between(2, 4) & frame["reviewText"].fillna("").str.strip().ne("")).sum())
    with Store(tmp_path / "play.duckdb") as store:
        result = crawl_study(study, store)
        assert result["status"] == "partial" and result["new_documents"] == mid_rated == store.count("documents")
        assert result["sources"]["play"]["status"] == "completed"
        assert [e["source"] for e in result["errors"]] == ["gone"] and "missing.csv" in result["errors"][0]["error"]
        assert store.runs().iloc[-1]["status"] == "partial"
        again = crawl_study(study, store)  # incremental: the second crawl finds nothing new
        assert again["new_documents"] == 0 and again["sources"]["play"]["fetched"] == 0


def test_a_real_review_site_export_with_a_title_line_and_answers_in_several_columns(shared, caplog):
    # Capterra's export of Forms On Fire reviews: line 1 is a title ("Capterra-Forms-On-Fire"),
    # line 2 the header; each review answers in three columns (Overall, Pros, Cons).
    import logging

    path = shared / "software_reviews_capterra_nocode" / "Capterra-Forms-On-Fire.csv"
    src = FileSource("capterra", FileOptions(path=str(path), kind="review", text_column=["Overall", "Pros", "Cons"]))
    with caplog.at_level(logging.INFO, logger="scrapers.files"):
        docs = list(src.fetch(None))
    assert "line 1 above the header taken for a title and skipped: 'Capterra-Forms-On-Fire'" in caplog.text
    assert len(docs) == 118  # 119 rows, one with no answer in any of the three columns
    first = docs[0].text.split("\n\n")
    assert [p.split(". ")[0][:40] for p in first] == [
        "Overall:\xa0I have built a fully comprehens", "Pros:\xa0The best thing about Forms on Fire",
        "Cons:\xa0The built in data dashboards and a"]
    assert docs[0].created_at.date().isoformat() == "2021-07-14" and docs[0].rating is None
    # One text column as before: the title line is still skipped.
    only = list(FileSource("capterra", FileOptions(path=str(path), text_column="Cons")).fetch(None))
    assert only[0].text.startswith("Cons:\xa0The built in data dashboards") and "\n\n" not in only[0].text


def test_a_one_column_file_keeps_its_first_line_as_header(tmp_path):
    # Edge cases of the title rule: a one-column survey is no title line and its answers.
    (tmp_path / "a.csv").write_text("Feedback\nToo loud at night\nThe app logs me out\n")
    docs = list(source(tmp_path, path="a.csv", text_column="Feedback").fetch(None))
    assert [d.text for d in docs] == ["Too loud at night", "The app logs me out"]
    (tmp_path / "b.csv").write_text("Feedback\nToo loud at night\n")
    with pytest.raises(VocError, match=r"no text column; .*\['Feedback'\]"):
        list(source(tmp_path, path="b.csv").fetch(None))
    (tmp_path / "c.csv").write_text("Survey export\ntext,stars\nToo loud,3\n")
    assert [(d.text, d.rating) for d in source(tmp_path, path="c.csv").fetch(None)] == [("Too loud", 3.0)]
    (tmp_path / "d.csv").write_text("Survey export,,\ntext,stars,user\nToo loud,3,ann\n")  # a spreadsheet's title row
    assert [(d.text, d.rating) for d in source(tmp_path, path="d.csv").fetch(None)] == [("Too loud", 3.0)]
    with pytest.raises(VocError, match=r"column 'Pros' \(for text\) not found"):
        list(source(tmp_path, path="c.csv", text_column=["text", "Pros"]).fetch(None))


def test_real_json_array_exports_are_read_item_by_item(shared):
    # Reddit posts a scraper saved as JSON arrays (pretty-printed), in two schemas: the older
    # with "text", the newer with "preview" in its place. Title and body make one document.
    folder = shared / "reddit_saas_pain_posts_2025"
    opts = FileOptions(path=str(folder / "2025-09*_reddit_frustrations.json"), kind="post",
                       text_column=["title", "text", "preview"], id_column="url")
    docs = list(FileSource("saas", opts).fetch(None))
    old = json.loads((folder / "2025-09-07_reddit_frustrations.json").read_text(encoding="utf-8"))
    new = json.loads((folder / "2025-09-13_reddit_frustrations.json").read_text(encoding="utf-8"))
    assert len(docs) == len(old) + len(new)
    first = docs[0]
    assert first.text.startswith("Why is it so hard to create a system where I can access my notes and to-dos across "
                                 "all devices?\n\nI'm a freshman now at uni")
    assert first.native_id == first.url == old[0]["url"] and first.rating is None and first.created_at.date().isoformat() == "2025-09-07"
    later = docs[len(old)]
    assert later.text == f"{new[0]['title']}\n\n{new[0]['preview']}" and later.title == new[0]["title"]


def test_real_json_arrays_read_in_tiny_blocks_give_every_item(shared, monkeypatch):
    # Blocks of 7 characters end inside every kind of token ("tr|ue", "\\u00|e9", numbers, strings):
    # what a cut token stops must go on with the next block, not fail as invalid JSON.
    from scrapers import records

    monkeypatch.setattr(records, "_BLOCK", 7)
    for path in sorted((shared / "reddit_saas_pain_posts_2025").glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            items = [json.loads(text) for _line, text in records.json_array_items(fh, path, "utf-8", None)]
        assert items == json.loads(path.read_text(encoding="utf-8")), path.name


def test_json_array_edges(tmp_path, monkeypatch):
    from scrapers import records

    items = [{"id": f"r{i}", "text": f"Review {i}: the lid {'cracks' * i}", "stars": 3} for i in range(1, 6)]
    (tmp_path / "one.json").write_text(json.dumps(items))  # minified: one line
    monkeypatch.setattr(records, "_BLOCK", 7)  # items cross many blocks
    assert [d.native_id for d in source(tmp_path, path="one.json").fetch(None)] == ["r1", "r2", "r3", "r4", "r5"]
    pretty = json.dumps(items, indent=2)
    (tmp_path / "cut.json").write_text(pretty[: pretty.index('"r4"')])
    with pytest.raises(VocError, match=r"cut.json:\d+: not valid JSON"):
        list(source(tmp_path, path="cut.json").fetch(None))
    (tmp_path / "bad.json").write_text(pretty.replace('"r2",', '"r2",,'))
    line = pretty.replace('"r2",', '"r2",,').splitlines().index('    "id": "r2",,') + 1
    with pytest.raises(VocError, match=rf"bad.json:{line}: not valid JSON"):
        list(source(tmp_path, path="bad.json").fetch(None))
    (tmp_path / "nums.json").write_text("[1, 2]")
    with pytest.raises(VocError, match="each item must be a JSON object"):
        list(source(tmp_path, path="nums.json").fetch(None))
    (tmp_path / "bom.json").write_text("\ufeff" + pretty, encoding="utf-8")  # read with encoding = "utf-8"
    assert len(list(source(tmp_path, path="bom.json", encoding="utf-8").fetch(None))) == 5
    with pytest.raises(VocError, match=r"column 'body' \(for text\) not found"):  # every listed name mistyped
        list(source(tmp_path, path="one.json", text_column=["body", "titel"]).fetch(None))
    (tmp_path / "lines.json").write_text("\n".join(json.dumps(i) for i in items))  # JSON lines named .json
    assert len(list(source(tmp_path, path="lines.json").fetch(None))) == 5
    with pytest.raises(VocError, match="must hold one JSON array"):
        list(source(tmp_path, path="lines.json", format="json").fetch(None))


def test_a_real_json_lines_file_with_lines_json_refuses(shared):
    # Amazon product Q&A (McAuley and Yang 2016): 9,011 lines, 385 of them not JSON (quotes escaped
    # as in Python: "o\\'clock"), 3 of those readable as neither. Line 75 stopped the import before.
    path = shared / "amazon_qa_appliances_mcauley" / "qa_Appliances.json"
    src = FileSource("qa", FileOptions(path=str(path), text_column=["question", "answer"], date_column="answerTime"))
    docs = list(src.fetch(None))
    assert len(docs) == 9008 and src.skipped.as_dict() == {"malformed": 3}
    knob = docs[74]
    assert knob.text.startswith("Can the knob be oriented with 'off* at 9 o'clock rather than 12 o'clock position?"
                                "\n\ni couldn't use these knobs at all")
    assert knob.created_at.date().isoformat() == "2014-10-22" and knob.native_id == "qa_Appliances.json:75"
    # Each row a question and its answer, one thread: the report reads askers apart from answerers.
    qa = FileSource("qa", FileOptions(path=str(path), text_column="question", answer_column="answer"))
    pairs = list(qa.fetch(None))
    assert len(pairs) == 2 * 9008 and [d.kind for d in pairs[148:150]] == ["question", "answer"]
    question, answer = pairs[148:150]
    assert question.text == "Can the knob be oriented with 'off* at 9 o'clock rather than 12 o'clock position?"
    assert answer.text.startswith("i couldn't use these knobs at all and actually broke one trying to install.")
    assert answer.parent_id == question.doc_id and answer.thread_id == question.thread_id == question.native_id
    assert answer.native_id == "qa_Appliances.json:75#answer" and question.parent_id is None
    with pytest.raises(ValueError, match="answer_column makes each row a question and an answer"):
        FileOptions(path=str(path), answer_column="answer", kind="review")


def test_json_lines_json_refuses_are_read_as_python_or_skipped(tmp_path):
    lines = ["{'text': 'it\\'s loud', 'id': 'p1'}",          # a Python dict first: still a JSON-lines file
             '{"text": "the o\\\'clock knob", "id": "p2"}',   # JSON refuses \', Python reads it
             "{not json",                                        # neither: skipped, counted
             "[1, 2]",                                           # no object: skipped, counted
             "{'text': 'bad \\ud83d here', 'id': 'p5'}",         # a lone surrogate, mended
             '{"text": "fine", "id": "p6"}']
    (tmp_path / "p.jsonl").write_text("\n".join(lines) + "\n")
    src = source(tmp_path, path="p.jsonl")
    assert [(d.native_id, d.text) for d in src.fetch(None)] == [
        ("p1", "it's loud"), ("p2", "the o'clock knob"), ("p5", "bad \ufffd here"), ("p6", "fine")]
    assert src.skipped.as_dict() == {"malformed": 2}


def test_answer_column_edges(tmp_path):
    rows = [{"question": "Does it fit a 30 inch range?", "answer": "Yes it fits", "score": "5"},
            {"question": "Is it loud?", "answer": "", "score": "12"},
            {"question": "Will it vent outside?", "answer": "Only with the kit", "score": "3"}]
    write_csv(tmp_path / "qa.csv", rows)
    src = source(tmp_path, path="qa.csv", answer_column="answer")
    docs = list(src.fetch(None))
    # The question is the text (not "answer", a text column name), votes are no rating, no answer no document.
    assert [(d.kind, d.text, d.rating) for d in docs] == [
        ("question", "Does it fit a 30 inch range?", None), ("answer", "Yes it fits", None),
        ("question", "Is it loud?", None),
        ("question", "Will it vent outside?", None), ("answer", "Only with the kit", None)]
    # A crash between a question and its answer reads that row again: the answer is not lost.
    src = source(tmp_path, path="qa.csv", answer_column="answer")
    it = src.fetch(None)
    assert [next(it).text for _ in range(4)][-1] == "Will it vent outside?"
    assert src.cursor()["files"][str(tmp_path / "qa.csv")]["rows"] == 2
    again = source(tmp_path, path="qa.csv", answer_column="answer")
    assert [d.text for d in again.fetch(src.cursor())] == ["Will it vent outside?", "Only with the kit"]
    with pytest.raises(VocError, match=r"column 'answers' \(for answers\) not found"):
        list(source(tmp_path, path="qa.csv", answer_column="answers").fetch(None))
    with pytest.raises(VocError, match="both answer_column and a text column"):
        list(source(tmp_path, path="qa.csv", answer_column="answer", text_column=["question", "answer"]).fetch(None))


def test_the_example_studies_load():
    # Every example study file is valid as written (its sources' options included).
    from pathlib import Path

    from voc.config import load_study

    folder = Path(__file__).resolve().parents[2] / "examples" / "studies"
    studies = {p.name: load_study(p) for p in sorted(folder.glob("*.toml"))}
    assert {"amazon_appliance_qa.toml", "capterra_reviews.toml", "google_play_reviews.toml"} <= set(studies)
    capterra = studies["capterra_reviews.toml"].sources[0]
    assert capterra.type == "file" and capterra.options["text_column"] == ["Overall", "Pros", "Cons"]
