"""Hostile files and dumps: bounded memory, skipped lines counted, errors that name file:line.

Each test reproduces one failure of issue 22 (a .zst expanding to one 1 GiB line, a 50 MB CSV
field, invalid UTF-8, a JSONL line nested 100,000 deep, an unknown encoding, a corrupt store)
and checks what a user now gets instead.
"""

from __future__ import annotations

import csv
import json
import logging
import sqlite3
import sys
import tracemalloc
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import duckdb
import pytest

from scrapers.base import MAX_LINE, Skips, bounded_lines, validate_source_options
from scrapers.files import FileOptions, FileSource
from scrapers.jsonio import MAX_JSON_DEPTH, loads_json
from scrapers.reddit_dump import RedditDumpOptions, RedditDumpSource
from scrapers.se_dump import SeDumpOptions, StackExchangeDumpSource
from voc.crawl import crawl_source
from voc.errors import VocError
from voc.schema import Document
from voc.store import Store

zstandard = pytest.importorskip("zstandard")
STUDY = SimpleNamespace(name="bounds")


def submission(i: int) -> str:
    return json.dumps({"id": f"p{i}", "subreddit": "roomba", "author": f"u{i}", "created_utc": 1709300000 + i,
                       "title": f"Post {i}", "selftext": f"The dock loses wifi every night, post {i}."}) + "\n"


def files(tmp_path: Path, **opts) -> FileSource:
    return FileSource("import", FileOptions(**opts), base_dir=tmp_path)


# -- the decompression bomb -----------------------------------------------------------------------
def test_zst_expanding_to_one_1gib_line_is_skipped_in_bounded_memory(tmp_path, caplog):
    path = tmp_path / "RS_bomb.zst"
    with path.open("wb") as out, zstandard.ZstdCompressor(level=3).stream_writer(out) as w:
        w.write(submission(1).encode())
        w.write(b'{"id": "big", "subreddit": "roomba", "title": "big", "selftext": "')
        block = b"a" * (1 << 20)
        for _ in range(1024):  # 1 GiB, never in memory here either
            w.write(block)
        w.write(b'"}\n')
        w.write(submission(2).encode())
    assert path.stat().st_size < 100_000
    src = RedditDumpSource("reddit", RedditDumpOptions(path=path.name), base_dir=tmp_path)
    with Store(tmp_path / "s.duckdb") as store, caplog.at_level(logging.WARNING):
        tracemalloc.start()
        try:
            result = crawl_source(store, STUDY, src)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        stored = sorted(store.documents()["title"])
        cursor = store.cursor("reddit")["files"][str(path)]
    assert peak < 64_000_000, f"peak {peak / 1e6:.0f} MB: the long line was held"
    assert (result.status, result.fetched, result.new) == ("completed", 2, 2)
    assert result.skipped == {"long_line": 1} and src.skipped_lines == 1
    assert stored == ["Post 1", "Post 2"]
    assert (cursor["lines"], cursor["done"]) == (3, True)
    assert f"RS_bomb.zst:2: line longer than {MAX_LINE:,} characters skipped" in caplog.text


def test_bounded_lines_keeps_line_numbers_and_limits():
    import io

    text = "ok\n" + "x" * 50 + "\n" + "y" * 10 + "\r\nlast"
    assert list(bounded_lines(io.StringIO(text), 10)) == ["ok\n", None, "y" * 10 + "\r\n", "last"]
    assert list(bounded_lines(io.BytesIO(b"a\n" + b"b" * 11), 10)) == [b"a\n", None]


# -- CSV and JSONL --------------------------------------------------------------------------------
def test_csv_50mb_field_is_skipped_and_the_rows_around_it_kept(tmp_path, caplog):
    path = tmp_path / "r.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "review", "stars"])
        w.writerow(["r1", "Cleans well but the app logs me out.", "3"])
        w.writerow(["r2", "z" * 50_000_000, "3"])
        w.writerow(["r3", "Gets stuck under the couch daily.", "2"])
    src = files(tmp_path, path="r.csv")
    with caplog.at_level(logging.WARNING):
        tracemalloc.start()
        try:
            docs = list(src.fetch(None))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert [(d.native_id, d.raw_ref) for d in docs] == [("r1", "r.csv:1"), ("r3", "r.csv:3")]
    assert src.skipped.as_dict() == {"long_line": 1} and peak < 16_000_000
    assert "r.csv:3: line longer than" in caplog.text  # file line 3 = data row 2
    assert src.cursor()["files"][str(path)]["rows"] == 3


def test_csv_invalid_utf8_is_replaced_counted_and_named(tmp_path, caplog):
    path = tmp_path / "survey.csv"
    path.write_bytes(b"id,answer\n1,Great support\n2,Caf\xe9 mode is too loud\n3,Price held me back\n")
    src = files(tmp_path, path="survey.csv")
    with caplog.at_level(logging.WARNING):
        docs = list(src.fetch(None))
    assert [d.text for d in docs] == ["Great support", "Caf\ufffd mode is too loud", "Price held me back"]
    assert src.skipped.as_dict() == {"undecodable": 1}
    assert "survey.csv:3: bytes that are not utf-8-sig read as U+FFFD" in caplog.text
    assert 'set encoding = "..." (e.g. cp1252)' in caplog.text
    # With the right encoding the same file reads cleanly.
    assert [d.text for d in files(tmp_path, path="survey.csv", encoding="cp1252").fetch(None)][1] == \
        "Café mode is too loud"


def test_csv_unclosed_quote_names_its_line_and_keeps_the_rows_before(tmp_path):
    rows = "".join(f'r{i},"Answer number {i} about the dock"\n' for i in range(1, 4))
    (tmp_path / "q.csv").write_text("id,text\n" + rows + 'r4,"This quote never ends\n' + "filler line\n" * 400_000)
    src = files(tmp_path, path="q.csv")
    got = []
    with pytest.raises(VocError, match=r"q\.csv:5: a quoted field starting here does not end"):
        for doc in src.fetch(None):
            got.append(doc.native_id)
    assert got == ["r1", "r2", "r3"]


def test_files_larger_than_a_record_limit_read_whole(tmp_path):
    text = "We outgrew spreadsheets when the team doubled. " * 20  # ~1 KB a row, 6 MB a file
    (tmp_path / "big.jsonl").write_text("".join(json.dumps({"id": i, "text": text}) + "\n" for i in range(6000)))
    (tmp_path / "big.csv").write_text("id,text\n" + "".join(f'{i},"{text}"\n' for i in range(6000)))
    for name in ("big.jsonl", "big.csv"):
        src = files(tmp_path, path=name)
        assert sum(1 for _ in src.fetch(None)) == 6000 and not src.skipped.as_dict()


def test_jsonl_line_nested_100000_deep_is_skipped(tmp_path, caplog):
    good = [{"id": "a", "text": "Onboarding took a week."}, {"id": "b", "text": "Export to CSV is missing."}]
    deep = '{"id": "deep", "text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (tmp_path / "i.jsonl").write_text(f"{json.dumps(good[0])}\n{deep}\n{json.dumps(good[1])}\n")
    src = files(tmp_path, path="i.jsonl")
    with caplog.at_level(logging.WARNING):
        assert [d.native_id for d in src.fetch(None)] == ["a", "b"]
    assert src.skipped.as_dict() == {"deep_json": 1}
    assert f"i.jsonl:2: line nested deeper than {MAX_JSON_DEPTH} levels skipped" in caplog.text


def test_loads_json_refuses_depth_nan_and_huge_numbers_and_mends_surrogates():
    assert loads_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    assert loads_json('["[[[[' + "[" * 100 + '"]') == ["[[[[" + "[" * 100]  # brackets in strings do not count
    for bad in ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "[NaN]", "[1e400]", "[" + "9" * 400 + "]"):
        with pytest.raises(ValueError):
            loads_json(bad)
    assert loads_json('{"a": "x\\ud800y", "b": "\\ud83d\\ude00"}') == {"a": "x\ufffdy", "b": "\U0001f600"}


@pytest.mark.parametrize("given, used", [("utf8mb4", "utf-8"), ("UTF8MB4", "utf-8"), ("latin-1", "latin-1")])
def test_encoding_aliases(tmp_path, given, used):
    (tmp_path / "a.csv").write_bytes("id,text\n1,Über gut\n".encode(used))
    src = files(tmp_path, path="a.csv", encoding=given)
    assert src.opts.encoding == used and [d.text for d in src.fetch(None)] == ["Über gut"]


def test_unknown_encoding_is_a_study_error_naming_the_option():
    bad = SimpleNamespace(type="file", name="survey", options={"path": "a.csv", "encoding": "klingon"})
    with pytest.raises(VocError, match=r"sources \(survey\): encoding: unknown encoding 'klingon'; use a Python codec"):
        validate_source_options(bad, where="study.toml: sources (survey)")
    bad.options["encoding"] = "rot13"
    with pytest.raises(VocError, match="encoding: 'rot13' is not a text encoding"):
        validate_source_options(bad, where="study.toml: sources (survey)")


def test_utf16_file_with_a_broken_tail_names_the_line_and_keeps_the_rows_before(tmp_path):
    rows = [f"Answer {i} about the grinder" for i in range(1, 2001)]
    text = "id,text\n" + "".join(f"{i},{t}\n" for i, t in enumerate(rows, 1))
    (tmp_path / "u.csv").write_bytes(text.encode("utf-16") + b"\x00\xd8\x41\x00")  # a lone high surrogate
    got = []
    with pytest.raises(VocError, match=r"u\.csv: cannot read past line (\d+) as utf-16 .*set encoding") as err:
        for doc in files(tmp_path, path="u.csv", encoding="utf-16").fetch(None):
            got.append(doc.text)
    # Decoding runs a chunk ahead of the rows, so the failure comes a little before the end.
    assert 1500 < len(got) <= 2000 and got == rows[:len(got)]
    assert f"cannot read past line {len(got) + 1} " in str(err.value)


def test_bad_values_name_file_and_row(tmp_path):
    (tmp_path / "r.csv").write_text("id,text,stars\n1,Fine,3\n2,Loud,7\n")
    with pytest.raises(VocError, match=r"r\.csv: row 2: rating '7' \(column 'stars'\) is outside 0-5; set rating_scale"):
        list(files(tmp_path, path="r.csv").fetch(None))
    (tmp_path / "n.csv").write_text("id,text,stars\n1,Fine,nan\n")
    with pytest.raises(VocError, match=r"row 1: rating 'nan' \(column 'stars'\) is outside 0-5"):
        list(files(tmp_path, path="n.csv").fetch(None))
    with pytest.raises(VocError, match=r"link_template '\{0\}' does not fit row 1 of .*r\.csv"):
        list(files(tmp_path, path="r.csv", link_template="{0}").fetch(None))


# -- dumps ----------------------------------------------------------------------------------------
def test_reddit_dump_deep_and_oddly_typed_lines_are_counted(tmp_path):
    deep = '{"id": "d", "title": "t", "x": ' + "[" * 5000 + "]" * 5000 + "}\n"
    typed = json.dumps({"id": "t", "title": ["not", "text"], "selftext": "x" * 30}) + "\n"
    (tmp_path / "RS.ndjson").write_text(submission(1) + deep + typed + submission(2))
    src = RedditDumpSource("reddit", RedditDumpOptions(path="RS.ndjson"), base_dir=tmp_path)
    assert [d.native_id for d in src.fetch(None)] == ["t3_p1", "t3_p2"]
    assert src.skipped.as_dict() == {"deep_json": 1, "bad_fields": 1} and src.skipped_lines == 2


def test_posts_xml_long_line_skipped_and_unknown_encoding_named(tmp_path):
    row = '<row Id="{0}" PostTypeId="1" Score="1" Title="Q{0}" Body="&lt;p&gt;Grinder question {0}&lt;/p&gt;" />\n'
    huge = '<row Id="2" PostTypeId="1" Title="big" Body="' + "b" * (MAX_LINE + 10) + '" />\n'
    (tmp_path / "Posts.xml").write_text('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n' + row.format(1) + huge
                                        + row.format(3) + "</posts>\n")
    src = StackExchangeDumpSource("se", SeDumpOptions(path="Posts.xml"), base_dir=tmp_path)
    assert [d.native_id for d in src.fetch(None)] == ["question:1", "question:3"]
    assert src.skipped.as_dict() == {"long_line": 1}
    (tmp_path / "Posts.xml").write_text('<?xml version="1.0" encoding="utf8mb4"?>\n<posts>\n' + row.format(1))
    with pytest.raises(VocError, match=r"Posts\.xml: not a readable Posts\.xml \(unknown encoding: utf8mb4\)"):
        list(StackExchangeDumpSource("se", SeDumpOptions(path="Posts.xml"), base_dir=tmp_path).fetch(None))


# -- failures keep what came before them ----------------------------------------------------------
def test_failure_mid_file_keeps_earlier_rows_and_resumes_after_them(tmp_path):
    good = "".join(f"r{i},Answer {i}: the dock loses wifi,3\n" for i in range(1, 121))
    (tmp_path / "s.csv").write_text("id,text,stars\n" + good + "r121,Too loud,70\nr122,Never reached,3\n")
    study = SimpleNamespace(name="bounds")
    with Store(tmp_path / "s.duckdb") as store:
        first = crawl_source(store, study, files(tmp_path, path="s.csv"))
        assert (first.status, first.fetched, first.new) == ("failed", 120, 120)
        assert "s.csv: row 121: rating '70' (column 'stars') is outside 0-5" in first.error
        assert store.count("documents") == 120
        assert store.cursor("import")["files"][str(tmp_path / "s.csv")]["rows"] == 120
        again = crawl_source(store, study, files(tmp_path, path="s.csv"))
        assert (again.status, again.fetched) == ("failed", 0)  # resumed after the kept rows


class Crashing:
    """A source that yields three documents and then hits a bug (not a VocError)."""

    key: ClassVar[str] = "crashing"

    def __init__(self):
        self.name, self.skipped, self._done = "crashing", Skips(logging.getLogger(__name__)), 0

    def fetch(self, since):
        for i in range(3):
            self._done = i + 1
            yield Document(source=self.name, native_id=str(i), kind="post", text=f"Post {i} about the dock")
        raise KeyError("a bug")

    def cursor(self):
        return {"done": self._done}


def test_unexpected_error_is_raised_after_earlier_documents_are_kept(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(KeyError, match="a bug"):
            crawl_source(store, STUDY, Crashing())
        assert store.count("documents") == 3 and store.cursor("crashing") == {"done": 3}


def test_store_error_is_the_real_one_not_a_transaction_exception(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.con.execute("SET memory_limit='4MB'")
        big = Document(source="s", native_id="1", kind="post", text="x" * (64 << 20))
        with pytest.raises(duckdb.OutOfMemoryException):
            store.commit_batch([big], "s", {"at": 1})
        store.con.execute("RESET memory_limit")
        assert store.count("documents") == 0 and store.cursor("s") is None  # rolled back, and usable
        store.commit_batch([Document(source="s", native_id="2", kind="post", text="ok")], "s", {"at": 2})
        assert store.count("documents") == 1 and store.cursor("s") == {"at": 2}


# -- the store file -------------------------------------------------------------------------------
def test_corrupt_or_foreign_store_file_is_one_clear_error(tmp_path):
    with Store(tmp_path / "good.duckdb") as store:
        store.set_meta("k", "v")
    data = (tmp_path / "good.duckdb").read_bytes()
    (tmp_path / "text.duckdb").write_text("these are my notes, not a database\n")
    (tmp_path / "cut.duckdb").write_bytes(data[:5000])
    flipped = bytearray(data)
    flipped[20000:20100] = b"x" * 100
    (tmp_path / "flipped.duckdb").write_bytes(bytes(flipped))
    sqlite3.connect(tmp_path / "lite.duckdb").execute("CREATE TABLE t (a)").connection.commit()
    for name in ("text", "cut", "flipped", "lite"):
        with pytest.raises(VocError, match=rf"{name}\.duckdb: not a readable voc store \(.+\); .*move it away"):
            Store(tmp_path / f"{name}.duckdb")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's (Linux)")
def test_freed_memory_goes_back_to_the_os_between_shards():
    """What extraction and embedding call after each shard: without it the freed blocks of every
    batch stay in the process (it grew shard after shard on real sentences; bench/pipeline.py)."""
    from voc.console import release_freed_memory

    def rss_mb():
        return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024

    blocks = [bytes(1000 + i % 7) for i in range(200_000)]  # about 200 MB in malloc's heap
    keep = blocks[-1]  # still in use at the top of the heap: free() alone cannot shrink it
    high = rss_mb()
    del blocks
    freed = rss_mb()
    release_freed_memory()
    assert keep and freed > high - 50 and rss_mb() < freed - 150
