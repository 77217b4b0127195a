"""The fine-tuned insight classifier: the bundled MiniLM fine-tuned to read a sentence with its context.

The frozen-embedding heads (``voc.extract.classifier``) see a sentence only through a vector made
for similarity search; fine-tuning the encoder on the real labelled sentences lets it learn what
makes "I have approximately 10,000 slides to scan" a purchase trigger. Each sentence is read as a
pair: the sentence, then its context (the document kind, the rating, the sentence before it).

What ships is small: the difference between the fine-tuned and the bundled weights, as low-rank
factors per weight matrix (the package already ships the model itself), plus the classification
head, Platt calibration and per-kind thresholds, all in one .npz. Calibration and thresholds come
from documents held out of fine-tuning, scored by the low-rank model that ships, so a stated 0.8
means about 80% right for that model.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from voc.errors import VocError

log = logging.getLogger(__name__)
FORMAT = "voc-tuned-v1"
MAX_LENGTH = 112            # word pieces of sentence + context; longer pairs lose the context's far end first
PREV_CHARS = 200            # the end of the previous sentence is what "it" and "so" lean on
METHOD = "fine-tuned MiniLM (sentence + context)"


def context_text(frame: pd.DataFrame, with_prev: bool = True) -> list[str]:
    """The second segment of each pair: "review 2 stars. <previous sentence>"."""
    out = []
    for kind, rating, prev in zip(frame["doc_kind"], frame["rating"], frame["prev"]):
        head = (kind or "text") + ("" if rating != rating else f" {int(rating)} stars")
        out.append(f"{head}. {prev[-PREV_CHARS:]}" if with_prev and prev else head)
    return out


@dataclass
class TunedClassifier:
    """Low-rank weight deltas on the bundled encoder, a linear head per kind, calibration, thresholds."""

    deltas: dict[str, np.ndarray]      # "name" -> full delta, or "name@A"/"name@B" low-rank factors
    head_w: np.ndarray                 # (kinds, hidden)
    head_b: np.ndarray                 # (kinds,)
    platt: np.ndarray                  # (kinds, 2): p = sigmoid(a * z + b)
    thresholds: dict[str, float]
    embedding_model: str               # the bundled model the deltas apply to
    kinds: tuple[str, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    method: ClassVar[str] = METHOD
    # Feed-forward layers at int8 when scoring (``voc.embed.quantised_feed_forward``), as the
    # ensemble runs it; not saved. Alone the fine-tuned model stays float: there int8 cost 0.013
    # macro-F1 on the real test split (0.518 against 0.531).
    int8: bool = field(default=False, compare=False)
    # Built from ``int8`` on first use; not an argument, so ``dataclasses.replace`` starts afresh.
    _model: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def precision(self) -> str:
        """How the encoder's weights run; part of the extraction model id, so a store extracted
        one way re-extracts when the other is used."""
        return "ffn-int8" if self.int8 else "float"

    @property
    def with_prev(self) -> bool:
        return bool(self.meta.get("with_prev", True))

    def encoder(self) -> tuple[Any, Any]:
        """(tokenizer, encoder) with the deltas applied; built once."""
        if self._model is None:
            import torch
            from transformers import AutoModel, AutoTokenizer

            from voc.embed import quantised_feed_forward, resolve_model_path

            path = resolve_model_path(self.embedding_model)
            tok, enc = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)
            state = enc.state_dict()
            names = {k.split("@")[0] for k in self.deltas}
            missing = sorted(n for n in names if n not in state)
            if missing:
                raise VocError(f"the tuned insight classifier does not fit {self.embedding_model!r} (no weights "
                               f"{missing[:3]}); retrain it with `voc train --fine-tune`")
            with torch.no_grad():
                for name in names:
                    state[name] += torch.from_numpy(_delta(self.deltas, name).astype(np.float32))
            enc.load_state_dict(state)
            enc.eval()
            self._model = (tok, quantised_feed_forward(enc) if self.int8 else enc)
        return self._model

    def decision(self, frame: pd.DataFrame, batch_size: int = 64) -> np.ndarray:
        tok, enc = self.encoder()
        texts, contexts = frame["text"].tolist(), context_text(frame, self.with_prev)
        return pooled_logits(tok, enc, texts, contexts, self.head_w, self.head_b, batch_size)

    def score_frame(self, frame: pd.DataFrame, embedder: Any = None, store: Any = None, progress: bool = False) -> np.ndarray:
        """Calibrated probabilities of ``context_frame`` rows. Nothing is embedded for the store
        here: only the sentences that turn out to be insights need a vector."""
        return self.proba(frame)

    def proba(self, frame: pd.DataFrame) -> np.ndarray:
        z = self.decision(frame)
        return 1.0 / (1.0 + np.exp(-(z * self.platt[:, 0] + self.platt[:, 1])))

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT, "thresholds": self.thresholds, "embedding_model": self.embedding_model,
                "kinds": list(self.kinds), **self.meta}
        arrays = {f"delta:{k}": v for k, v in self.deltas.items()}
        np.savez_compressed(path, head_w=self.head_w.astype(np.float32), head_b=self.head_b.astype(np.float32),
                            platt=self.platt.astype(np.float32), meta=json.dumps(meta), **arrays)
        return path

    @classmethod
    def from_npz(cls, data: Any, meta: dict[str, Any]) -> "TunedClassifier":
        deltas = {k.removeprefix("delta:"): data[k] for k in data.files if k.startswith("delta:")}
        return cls(deltas=deltas, head_w=data["head_w"], head_b=data["head_b"], platt=data["platt"],
                   thresholds=meta.pop("thresholds"), embedding_model=meta.pop("embedding_model"),
                   kinds=tuple(meta.pop("kinds")), meta=meta)


def _delta(deltas: dict[str, np.ndarray], name: str) -> np.ndarray:
    if name in deltas:
        return deltas[name]
    return deltas[f"{name}@A"].astype(np.float32) @ deltas[f"{name}@B"].astype(np.float32)


def pooled_logits(tok: Any, enc: Any, texts: list[str], contexts: list[str], head_w: np.ndarray,
                  head_b: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Head scores of mean-pooled (sentence, context) pairs; batches of similar length pad least."""
    import torch

    out = np.zeros((len(texts), len(head_b)), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]) + len(contexts[i]))
    W, b = torch.from_numpy(np.asarray(head_w, np.float32)), torch.from_numpy(np.asarray(head_b, np.float32))
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            idx = order[s:s + batch_size]
            enc_in = _pairs(tok, texts, contexts, idx)
            out[idx] = (_pool(enc(**enc_in).last_hidden_state, enc_in["attention_mask"]) @ W.T + b).numpy()
    return out


def _pairs(tok: Any, texts: list[str], contexts: list[str], idx: Any) -> Any:
    """Token ids of the (sentence, context) pairs at ``idx``, as training and scoring both read them."""
    return tok([texts[i] for i in idx], [contexts[i] for i in idx], truncation="longest_first",
               max_length=MAX_LENGTH, padding=True, return_tensors="pt")


def _pool(hidden: Any, mask: Any) -> Any:
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1)


def low_rank(delta: np.ndarray, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """The best rank-``rank`` factors (A @ B) of a weight difference (truncated SVD)."""
    U, S, Vh = np.linalg.svd(delta.astype(np.float32), full_matrices=False)
    return (U[:, :rank] * S[:rank]).astype(np.float16), Vh[:rank].astype(np.float16)


def compress(tuned: dict[str, np.ndarray], base: dict[str, np.ndarray], rank: int) -> dict[str, np.ndarray]:
    """Deltas to ship: low-rank factors for matrices (the word-embedding table included), full
    deltas for the small vectors (biases, layer norms); unchanged tensors are left out."""
    deltas: dict[str, np.ndarray] = {}
    for name, value in tuned.items():
        d = value - base[name]
        if not np.any(d):
            continue
        if d.ndim == 2 and min(d.shape) > 2 * rank:
            deltas[f"{name}@A"], deltas[f"{name}@B"] = low_rank(d, rank)
        else:
            deltas[name] = d.astype(np.float32)
    return deltas


@dataclass
class FineTuneSettings:
    epochs: float = 3.0
    lr: float = 5e-5           # encoder; the new head learns at 1e-3
    batch_size: int = 32
    rank: int = 32             # of the shipped weight deltas (0.524 vs 0.529 macro-F1 for the full deltas)
    dev_share: float = 0.2     # of documents held out for calibration and thresholds
    with_prev: bool = True
    seed: int = 0


@dataclass
class WeakRows:
    """Sentences labelled for some kinds only (suggestion mining -> must_have_feature), each
    counting ``weight`` in the loss of those kinds and nothing in the others'."""

    texts: list[str]
    y: np.ndarray                  # (rows, len(kinds)) 0/1
    kinds: tuple[str, ...]
    weight: float = 0.5


def weighted_loss(logits: Any, y: Any, w: Any, pos_weight: Any) -> Any:
    """Binary cross-entropy per label, positives weighted by ``pos_weight``, each label by ``w``
    (0: a weak row says nothing of that kind), averaged over the weight: for rows of full weight
    the plain mean."""
    import torch

    each = torch.nn.functional.binary_cross_entropy_with_logits(logits, y, pos_weight=pos_weight, reduction="none")
    return (each * w).sum() / w.sum().clamp(min=1e-6)


def dev_mask(groups: Any, share: float, rng: np.random.RandomState) -> np.ndarray:
    """Which rows belong to the documents held out of fine-tuning (``share`` of the documents).

    ``rng`` is the fine-tune's own generator before its first draw, so the ensemble can find the
    same held-out documents again from the training rows and the seed.
    """
    groups = np.asarray(groups, dtype=str)
    unique = np.unique(groups)
    held = set(rng.choice(unique, int(round(share * len(unique))), replace=False))
    return np.array([g in held for g in groups])


def fine_tune(frame: pd.DataFrame, Y: np.ndarray, kinds: tuple[str, ...], embedding_model: str,
              settings: FineTuneSettings | None = None, meta: dict[str, Any] | None = None,
              weak: WeakRows | None = None) -> TunedClassifier:
    """Fine-tune the bundled encoder on labelled sentences and return the shippable classifier.

    Args:
        frame: ``context_frame`` columns plus ``group`` (the document) and, optionally,
            ``calibrate`` (rows that may set calibration and thresholds: real text drawn at random).
        Y: 0/1 labels (rows x kinds).
        weak: extra rows that teach some kinds only (``WeakRows``); they are fitted, never held
            out, so calibration and thresholds stay those of ``frame``'s held-out documents.
    """
    import torch
    from transformers import AutoModel, AutoTokenizer

    from voc.embed import resolve_model_path
    from voc.extract.classifier import calibrate_kind, context_frame

    s = settings or FineTuneSettings()
    torch.manual_seed(s.seed)
    rng = np.random.RandomState(s.seed)
    path = resolve_model_path(embedding_model)
    tok, enc = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)
    base = {k: v.detach().numpy().copy() for k, v in enc.state_dict().items()}
    head = torch.nn.Linear(enc.config.hidden_size, len(kinds))
    dev = dev_mask(frame["group"], s.dev_share, rng)
    cal = frame["calibrate"].fillna(False).to_numpy(bool)[dev] if "calibrate" in frame else np.ones(dev.sum(), bool)
    if cal.sum() < 50:
        cal = np.ones(dev.sum(), bool)
    # Checked before the half hour of training, not after it.
    for j, kind in enumerate(kinds):
        if Y[dev][cal, j].sum() < 5:
            raise VocError(f"only {int(Y[dev][cal, j].sum())} {kind} examples fall in the held-out documents "
                           f"(dev_share {s.dev_share}); at least 5 are needed to set its threshold: add labelled "
                           "rows of that kind")
    texts, contexts = frame["text"].tolist(), context_text(frame, s.with_prev)
    y = torch.tensor(Y, dtype=torch.float32)
    pos = y[~torch.from_numpy(dev)].sum(0).clamp(min=1)
    pos_weight = ((len(y) - pos) / pos).sqrt()
    # Each label's weight in the loss: 1 for the labelled rows; a weak row teaches only its kinds.
    w = torch.ones_like(y)
    if weak is not None and not set(weak.kinds) & set(kinds):
        # They would only lengthen every epoch: a user's rows may teach no must-haves at all.
        log.warning("the weak rows teach %s, which these rows do not learn: left out", ", ".join(weak.kinds))
        weak = None
    if weak is not None and len(weak.texts):
        weak_frame = context_frame(pd.DataFrame({"text": weak.texts}))
        texts, contexts = texts + weak_frame["text"].tolist(), contexts + context_text(weak_frame, s.with_prev)
        extra = torch.zeros((len(weak.texts), len(kinds)), dtype=torch.float32)
        taught = torch.zeros_like(extra)
        for j, kind in enumerate(weak.kinds):
            if kind in kinds:
                extra[:, kinds.index(kind)] = torch.from_numpy(np.asarray(weak.y[:, j], dtype=np.float32))
                taught[:, kinds.index(kind)] = weak.weight
        y, w = torch.cat([y, extra]), torch.cat([w, taught])
        dev = np.r_[dev, np.zeros(len(weak.texts), dtype=bool)]
    opt = torch.optim.AdamW([{"params": enc.parameters(), "lr": s.lr}, {"params": head.parameters(), "lr": 1e-3}],
                            weight_decay=0.01)
    train_idx = np.where(~dev)[0]
    steps = int(math.ceil(len(train_idx) / s.batch_size) * s.epochs)
    warmup = max(1, int(0.06 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: min(1.0, t / warmup) * max(0.0, (steps - t) / steps))
    enc.train()
    step = 0
    while step < steps:
        perm = rng.permutation(train_idx)
        for start in range(0, len(perm), s.batch_size):
            if step >= steps:
                break
            b = perm[start:start + s.batch_size]
            batch = _pairs(tok, texts, contexts, b)
            opt.zero_grad()
            loss = weighted_loss(head(_pool(enc(**batch).last_hidden_state, batch["attention_mask"])), y[b], w[b],
                                 pos_weight)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([*enc.parameters(), *head.parameters()], 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 100 == 0:
                log.info("fine-tune step %d/%d loss %.3f", step, steps, loss.item())
    enc.eval()
    tuned = {k: v.detach().numpy() for k, v in enc.state_dict().items()}
    clf = TunedClassifier(deltas=compress(tuned, base, s.rank), head_w=head.weight.detach().numpy().copy(),
                          head_b=head.bias.detach().numpy().copy(), platt=np.zeros((len(kinds), 2), np.float32),
                          thresholds={}, embedding_model=embedding_model, kinds=tuple(kinds),
                          meta={**(meta or {}), "with_prev": s.with_prev, "rank": s.rank, "epochs": s.epochs,
                                "lr": s.lr, "dev_share": s.dev_share, "seed": s.seed})
    # Calibrate the model that ships (low-rank deltas on the bundled weights), on held-out documents.
    dev = dev[:len(frame)]
    dev_frame = frame[dev].reset_index(drop=True)
    z = clf.decision(dev_frame)
    platts = []
    for j, kind in enumerate(kinds):
        a, b, threshold = calibrate_kind(z[cal, j], Y[dev][cal, j], kind)
        platts.append((a, b))
        clf.thresholds[kind] = threshold
    clf.platt = np.asarray(platts, dtype=np.float32)
    clf.meta["n_dev"] = int(dev.sum())
    clf.meta["n_fit"] = int((~dev).sum())
    if weak is not None:
        clf.meta["n_weak"] = len(weak.texts)
    else:
        clf.meta["weak"] = None   # none were used, whatever was asked
    return clf
