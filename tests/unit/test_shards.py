"""Per-document stages read the store a batch at a time and pair each shard with its own result."""

from collections import deque

import pandas as pd
import pytest

from voc import stages
from voc.config import StudyConfig
from voc.schema import Document
from voc.shards import doc_batches, run_shards
from voc.store import Store


def test_doc_batches_hold_whole_documents_of_about_the_size():
    docs = ["a", "b", "c", "d", "e"]
    assert list(doc_batches(docs, [3, 5, 1, 4, 2], 6)) == [["a", "b"], ["c", "d", "e"]]
    assert list(doc_batches(docs, None, 2)) == [["a", "b"], ["c", "d"], ["e"]]
    assert list(doc_batches([], None, 2)) == []


def ahead(window):
    """A runner like the analyze flow's under Dask: it takes up to ``window`` jobs before the
    first result comes back, and yields results in job order."""
    def run(fn, jobs):
        pending = deque()
        for job in jobs:
            pending.append(fn(**job))
            if len(pending) >= window:
                yield pending.popleft()
        yield from pending
    return run


def test_each_shard_meets_its_own_result_however_far_the_runner_reads_ahead():
    frames = [pd.DataFrame({"doc_id": [f"d{i}"]}) for i in range(7)]
    for runner in (stages.in_process, ahead(3)):
        pairs = list(run_shards(runner, lambda frame: frame["doc_id"].iloc[0].upper(), iter(frames),
                                lambda s: {"frame": s}))
        assert [(s["doc_id"].iloc[0], r) for s, r in pairs] == [(f"d{i}", f"D{i}") for i in range(7)]


@pytest.fixture(scope="module")
def reviews(shared):
    """300 real Google Play reviews (Ciurumelea et al. 2017), as a file source would give them."""
    df = pd.read_csv(shared / "app_reviews_urr_ciurumelea2017" / "reviews_data.csv").head(300)
    return [Document(source="play", native_id=str(r["_id"]), kind="review", text=str(r["reviewText"]),
                     rating=float(r["ratingStars"])) for _, r in df.iterrows()]


def analysed(path, reviews, batch_shards, monkeypatch):
    monkeypatch.setattr(stages, "STAGE_BATCH_SHARDS", batch_shards)
    with Store(path) as store:
        store.commit_batch(reviews, "play", None)
        spec = stages.ModelSpec.of(StudyConfig(name="batches"))
        seg = stages.segment_stage(store, spec)
        ext = stages.extract_stage(store, spec, store.start_run("analyze"))
        tables = {t: store.query(f"SELECT * FROM {t} ORDER BY ALL") for t in ("sentences", "insights", "extracted")}
        vectors = store.query("SELECT content_hash, vector FROM embeddings ORDER BY content_hash")
    return seg, ext, tables, vectors


def test_reading_a_shard_at_a_time_changes_no_row(tmp_path, reviews, monkeypatch):
    one, one_ext, one_tables, one_vectors = analysed(tmp_path / "one.duckdb", reviews, 1, monkeypatch)
    whole, whole_ext, whole_tables, whole_vectors = analysed(tmp_path / "whole.duckdb", reviews, 1000, monkeypatch)
    assert one["documents_segmented"] == whole["documents_segmented"] == 300
    assert one["shards"] == 3 and whole["shards"] == 3  # 100 documents a shard either way
    assert one_ext == whole_ext and one_ext["shards"] >= 2
    for name, table in whole_tables.items():
        pd.testing.assert_frame_equal(one_tables[name], table)
    assert len(whole_tables["insights"]) > 0
    assert one_vectors["content_hash"].tolist() == whole_vectors["content_hash"].tolist()
    assert all((a == b).all() for a, b in zip(one_vectors["vector"], whole_vectors["vector"]))

