import io
import itertools
import json
import os
import time
import tracemalloc
from datetime import date, datetime
from pathlib import Path

import pytest

from scrapers.reddit_dump import RedditDumpOptions, RedditDumpSource
from voc.errors import VocError
from voc.schema import make_doc_id

zstandard = pytest.importorskip("zstandard")

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "reddit" / "dump_sample.jsonl"
POSTS = {"t3_1b4x9qk", "t3_1b7m2zz", "t3_17zq0ab"}
COMMENTS = {"t1_kt0a1b2", "t1_kt0c3d4", "t1_kt9zz02", "t1_kt9zz03", "t1_ka1b2c3"}


def source(tmp_path, **opts):
    return RedditDumpSource("reddit", RedditDumpOptions(**opts), base_dir=tmp_path)


def compress(src: Path, dst: Path) -> Path:
    # --long=31 as the real dumps use: reading needs max_window_size=2**31.
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=31)
    with src.open("rb") as fin, dst.open("wb") as fout:
        zstandard.ZstdCompressor(compression_params=params).copy_stream(fin, fout)
    return dst


@pytest.fixture
def dumps(tmp_path):
    (tmp_path / "RS_sample.jsonl").write_bytes(SAMPLE.read_bytes())
    compress(SAMPLE, tmp_path / "RC_sample.zst")
    return tmp_path


@pytest.mark.parametrize("name", ["RS_sample.jsonl", "RC_sample.zst"])
def test_kinds_links_and_skips(dumps, name):
    src = source(dumps, path=name)
    docs = list(src.fetch(None))
    by_id = {d.native_id: d for d in docs}
    assert set(by_id) == POSTS | COMMENTS  # deleted, removed, AutoModerator, short and cut lines dropped
    assert src.skipped_lines == 1
    assert {by_id[i].kind for i in POSTS} == {"post"} and {by_id[i].kind for i in COMMENTS} == {"comment"}
    post = by_id["t3_1b4x9qk"]
    assert post.text.startswith("S8 keeps getting stuck under the couch\n\nEvery night")
    assert post.title == "S8 keeps getting stuck under the couch" and post.parent_id is None
    assert post.url == "https://www.reddit.com/r/RobotVacuums/comments/1b4x9qk/s8_keeps_getting_stuck_under_t/"
    assert post.created_at == datetime(2024, 3, 2, 8, 15) and post.author == "dusty_floors" and post.score == 41
    reply = by_id["t1_kt0c3d4"]
    assert reply.parent_id == make_doc_id("reddit", "t1_kt0a1b2") == by_id["t1_kt0a1b2"].doc_id
    assert by_id["t1_kt0a1b2"].parent_id == post.doc_id
    assert reply.thread_id == "t3_1b4x9qk" and reply.url == "https://www.reddit.com/comments/1b4x9qk/_/kt0c3d4/"
    assert by_id["t1_kt9zz03"].created_at == datetime(2024, 3, 5, 21, 2)  # created_utc as a string
    assert reply.raw_ref == f"{name}:3"


def test_filters(dumps):
    ids = lambda **o: {d.native_id for d in source(dumps, path="RS_sample.jsonl", **o).fetch(None)}  # noqa: E731
    assert ids(subreddits=["Roomba", "r/HomeAutomation"]) == {"t3_1b7m2zz", "t1_kt9zz02", "t1_kt9zz03",
                                                               "t3_17zq0ab", "t1_ka1b2c3"}
    assert ids(keywords=["CLOUD", "height sensor"]) == {"t3_1b4x9qk", "t3_17zq0ab", "t1_kt9zz03", "t1_ka1b2c3"}
    assert ids(since=date(2024, 1, 1)) == (POSTS | COMMENTS) - {"t3_17zq0ab", "t1_ka1b2c3"}
    assert ids(until=date(2024, 3, 2)) == {"t3_17zq0ab", "t1_ka1b2c3", "t3_1b4x9qk", "t1_kt0a1b2", "t1_kt0c3d4"}
    assert ids(keywords=["i'm not putting"]) == {"t3_17zq0ab"}  # not plain ASCII: no raw-line shortcut
    assert "t1_kt9zz04" in ids(min_chars=5)  # "lol same"
    with pytest.raises(ValueError, match="before since"):
        RedditDumpOptions(path="x.zst", since=date(2024, 2, 1), until=date(2024, 1, 1))


def test_resume_after_partial_consumption_and_skip_when_unchanged(dumps):
    first = source(dumps, path="*")
    taken = [d.native_id for d in itertools.islice(first.fetch(None), 3)]
    cursor = first.cursor()
    assert cursor["files"][str(dumps / "RC_sample.zst")]["done"] is False
    second = source(dumps, path="*")
    rest = [d.native_id for d in second.fetch(cursor)]
    assert len(taken) + len(rest) == 16 and not set(taken) & set(rest[:5])  # 8 per file, no repeats
    assert sorted(taken + rest[:5]) == sorted(POSTS | COMMENTS)
    done = second.cursor()
    assert all(state["done"] for state in done["files"].values())
    assert list(source(dumps, path="*").fetch(done)) == []  # finished and unchanged: skipped
    # a changed file is read again from its start
    with (dumps / "RS_sample.jsonl").open("a") as fh:
        fh.write(json.dumps({"id": "kzz0001", "subreddit": "roomba", "author": "late", "link_id": "t3_1b7m2zz",
                             "parent_id": "t3_1b7m2zz", "created_utc": 1709900000,
                             "body": "Returned mine after the third firmware update bricked the dock."}) + "\n")
    again = [d.native_id for d in source(dumps, path="*").fetch(done)]
    assert len(again) == 9 and again[-1] == "t1_kzz0001"


def test_mostly_bad_file_names_it(tmp_path):
    (tmp_path / "array.json").write_text(json.dumps([{"id": "a", "title": "x"}, {"id": "b", "title": "y"}], indent=2))
    with pytest.raises(VocError, match="array.json.*one submission or comment object per line"):
        list(source(tmp_path, path="array.json").fetch(None))
    with pytest.raises(VocError, match="no file matches"):
        list(source(tmp_path, path="missing/*.zst").fetch(None))
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(VocError, match="notes.txt is not a Reddit dump"):
        list(source(tmp_path, path="*").fetch(None))
    (tmp_path / "broken.zst").write_bytes(b"this is not zstd at all" * 10)
    with pytest.raises(VocError, match="broken.zst: not a readable zstandard file"):
        list(source(tmp_path, path="broken.zst").fetch(None))


def test_large_zst_streams_in_bounded_memory(tmp_path):
    """200k lines (~55 MB of NDJSON) decompress and filter with a small, flat Python heap."""
    path = tmp_path / "RC_big.zst"
    n = 200_000
    params = zstandard.ZstdCompressionParameters.from_level(1, window_log=31)
    raw = 0
    with path.open("wb") as out, zstandard.ZstdCompressor(compression_params=params).stream_writer(out) as w:
        buf = io.StringIO()
        for i in range(n):
            sub = "roomba" if i % 100 == 0 else f"sub{i % 7}"
            buf.write(json.dumps({
                "id": f"c{i:07d}", "subreddit": sub, "author": f"user{i % 5000}", "link_id": f"t3_s{i // 50:06d}",
                "parent_id": f"t3_s{i // 50:06d}", "created_utc": 1700000000 + i, "score": i % 13,
                "body": f"Comment {i}: the dock keeps losing wifi and the map resets after every update, again.",
            }) + "\n")
            if i % 5000 == 4999:
                data = buf.getvalue().encode()
                raw += len(data)
                w.write(data)
                buf = io.StringIO()
    assert raw > 40_000_000 and os.path.getsize(path) < raw / 5
    src = source(tmp_path, path="RC_big.zst", subreddits=["roomba"])
    start = time.perf_counter()
    tracemalloc.start()
    try:
        kept = sum(1 for _ in src.fetch(None))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kept == n // 100
    assert src.cursor()["files"][str(path)] == {**src.cursor()["files"][str(path)], "lines": n, "done": True}
    assert peak < 5_000_000, f"peak {peak / 1e6:.1f} MB: the file is being loaded, not streamed"
    assert time.perf_counter() - start < 20


def test_crawl_into_the_store_twice(dumps, tmp_path):
    from types import SimpleNamespace

    from scrapers.base import Source
    from voc.crawl import crawl_source
    from voc.store import Store

    src = source(dumps, path="*.jsonl")
    assert isinstance(src, Source)
    with Store(tmp_path / "s.duckdb") as store:
        first = crawl_source(store, SimpleNamespace(name="vacuums"), src)
        again = crawl_source(store, SimpleNamespace(name="vacuums"), source(dumps, path="*.jsonl"))
        rows = store.documents()
    assert (first.status, first.new, again.fetched) == ("completed", 8, 0)
    assert len(rows) == 8 and rows["author_hash"].notna().all() and set(rows["kind"]) == {"post", "comment"}


# -- export shapes: Arctic Shift downloads, Pushshift / Arctic Shift API answers, Reddit listings ---------
SUBMISSION = {"id": "1c2d3e4", "name": "t3_1c2d3e4", "subreddit": "RobotVacuums", "author": "mop_mom",
              "created_utc": 1712650364, "title": "Mop pads smell after two weeks",
              "selftext": "The D7 mop pads start to smell sour after about two weeks even though I wash them.",
              "permalink": "/r/RobotVacuums/comments/1c2d3e4/mop_pads_smell_after_two_weeks/", "score": 12}
COMMENT = {"id": "kz9y8x7", "name": "t1_kz9y8x7", "subreddit": "RobotVacuums", "author": "lint_trap",
           "created_utc": 1712653964, "body": "Dry them fully before the next run, the dock keeps them damp.",
           "link_id": "t3_1c2d3e4", "parent_id": "t3_1c2d3e4", "score": 7}


def test_arctic_shift_posts_and_comments_downloads(tmp_path):
    (tmp_path / "r_RobotVacuums_posts.jsonl").write_text(json.dumps(SUBMISSION) + "\n")
    (tmp_path / "r_RobotVacuums_comments.jsonl").write_text(json.dumps(COMMENT) + "\n")
    docs = list(source(tmp_path, path="r_RobotVacuums_*.jsonl").fetch(None))
    by_id = {d.native_id: d for d in docs}
    assert set(by_id) == {"t3_1c2d3e4", "t1_kz9y8x7"}
    assert by_id["t1_kz9y8x7"].parent_id == by_id["t3_1c2d3e4"].doc_id and by_id["t1_kz9y8x7"].kind == "comment"
    assert by_id["t3_1c2d3e4"].created_at == datetime(2024, 4, 9, 8, 12, 44)


def test_api_answers_listings_and_wrapped_items(tmp_path):
    # A saved search answer of the Pushshift / Arctic Shift API, pretty-printed as they come.
    answer = {"data": [SUBMISSION, COMMENT], "metadata": {"total_results": 2}}
    (tmp_path / "search.json").write_text(json.dumps(answer, indent=2))
    assert [d.native_id for d in source(tmp_path, path="search.json").fetch(None)] == ["t3_1c2d3e4", "t1_kz9y8x7"]
    # A Reddit Listing (the shape of reddit.com/r/<sub>/new.json), items without "id" but with their fullname.
    listing = {"kind": "Listing", "data": {"after": None, "children": [
        {"kind": "t3", "data": {k: v for k, v in SUBMISSION.items() if k != "id"}},
        {"kind": "t1", "data": {k: v for k, v in COMMENT.items() if k != "id"}}]}}
    (tmp_path / "new.json").write_text(json.dumps(listing))
    docs = list(source(tmp_path, path="new.json").fetch(None))
    assert [(d.native_id, d.kind) for d in docs] == [("t3_1c2d3e4", "post"), ("t1_kz9y8x7", "comment")]
    assert docs[1].raw_ref == "new.json:2"  # the item's place in the document
    # NDJSON of API-wrapped items, a submission known only by its permalink.
    bare = {k: v for k, v in SUBMISSION.items() if k not in ("id", "name")}
    (tmp_path / "wrapped.ndjson").write_text(json.dumps({"kind": "t3", "data": bare}) + "\n"
                                             + json.dumps({"kind": "t1", "data": COMMENT}) + "\n")
    assert [d.native_id for d in source(tmp_path, path="wrapped.ndjson").fetch(None)] == ["t3_1c2d3e4", "t1_kz9y8x7"]
    (tmp_path / "odd.json").write_text(json.dumps({"data": {"after": None}}, indent=1))
    with pytest.raises(VocError, match='odd.json: a JSON document without a list of items'):
        list(source(tmp_path, path="odd.json").fetch(None))
