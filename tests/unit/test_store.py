from datetime import datetime

import pytest

from voc.schema import Document
from voc.store import Store


def docs(n, source="forum"):
    return [Document(source=source, native_id=f"p{i}", kind="post", text=f"The dock is loud, post {i}",
                     created_at=datetime(2025, 1, i + 1), url=f"http://f.example/t/1#p{i}") for i in range(n)]


def test_upserts_are_idempotent_and_cursor_moves_with_documents(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        assert store.commit_batch(docs(3), "forum", {"page": 1}) == 3
        assert store.commit_batch(docs(5), "forum", {"page": 2}) == 2  # 3 seen before
        assert store.commit_batch(docs(5), "forum", {"page": 2}) == 0
        assert store.count("documents") == 5
        assert store.cursor("forum") == {"page": 2}
        assert store.cursor("other") is None
    with Store(tmp_path / "s.duckdb") as again:  # persisted on disk
        assert again.count("documents") == 5


def test_failed_transaction_leaves_nothing_behind(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(RuntimeError):
            with store.transaction():
                store._upsert("documents", __import__("pandas").DataFrame([d.to_row() for d in docs(2)]),
                              list(docs(1)[0].to_row()))
                raise RuntimeError("crash in the middle")
        assert store.count("documents") == 0


def test_runs_and_salt(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        run = store.start_run("crawl")
        store.finish_run(run, "completed", {"new_documents": 4}, [])
        runs = store.runs()
        assert runs.loc[0, "status"] == "completed" and '"new_documents": 4' in runs.loc[0, "counts"]
        assert store.salt() == store.salt() and len(store.salt()) == 32


def test_cached_vectors_come_back_exact_writable_and_of_one_length(tmp_path):
    import numpy as np

    from voc.errors import VocError

    vecs = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    with Store(tmp_path / "v.duckdb") as store:
        store.save_embeddings(["a", "b", "c"], vecs, "m")
        got = store.cached_embeddings(["a", "c", "zz"], "m")
        assert set(got) == {"a", "c"} and np.array_equal(got["c"], vecs[2])
        got["a"][0] = 0.0  # callers own what they get
        store.save_embeddings(["d"], np.ones((1, 4), np.float32), "m")  # another length under one name
        with pytest.raises(VocError, match="different lengths"):
            store.cached_embeddings(["a", "d"], "m")
        assert store.embedded(["a", "c", "zz", "d"], "m") == {"a", "c", "d"}
        assert store.embedded(["a"], "other") == set() and store.embedded([], "m") == set()


def test_the_store_page_cache_is_bounded_and_a_bad_size_says_which_setting(tmp_path, monkeypatch):
    from voc.errors import VocError

    with Store(tmp_path / "s.duckdb") as store:  # DuckDB's own default is 80% of the machine's memory
        assert store.scalar("SELECT current_setting('memory_limit')") == "244.1 MiB"  # 256MB
    monkeypatch.setenv("VOC_STORE_MEMORY", "1GB")
    with Store(tmp_path / "s.duckdb") as store:
        assert store.scalar("SELECT current_setting('memory_limit')") == "953.6 MiB"
    monkeypatch.setenv("VOC_STORE_MEMORY", "lots")
    with pytest.raises(VocError, match="'lots' \\(VOC_STORE_MEMORY\\).*such as 1GB"):
        Store(tmp_path / "s.duckdb")
