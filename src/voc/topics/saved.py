"""Saved, tuned topic models: what an analyst fixed in a notebook, kept for every later run.

A saved model for one insight kind is a folder ``models/<study>/topics/<kind>/`` holding:
``topics.json`` (stable topic ids, labels, keywords, the similarity each topic needs to claim a
new insight, the edit log), ``centroids.safetensors`` (one vector per topic), the BERTopic
object (safetensors serialisation, for notebooks) and ``MODEL_CARD.md``. New insights are placed
by nearest centroid, so merges, renames, splits and seeded themes all survive; what no topic can
claim is offered as candidate new topics.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from voc.errors import VocError
from voc.topics.fit import nearest
from voc.topics.labels import OUTLIER_LABEL

CANDIDATE_OFFSET = 1000  # candidate topic ids start here, clear of the saved model's ids


@dataclass
class TunedTopics:
    """Assignments of insights to topics plus everything needed to place future insights."""

    kind: str
    sent_ids: list[str]
    topics: np.ndarray                    # topic id per insight (-1 = outlier)
    labels: dict[int, str]
    keywords: dict[int, list[str]] = field(default_factory=dict)
    edits: list[dict[str, Any]] = field(default_factory=list)
    embedding_model: str = ""

    def centroids(self, emb: np.ndarray) -> tuple[list[int], np.ndarray]:
        ids = sorted(t for t in set(self.topics.tolist()) if t != -1)
        cents = np.stack([emb[self.topics == t].mean(0) for t in ids]) if ids else np.zeros((0, emb.shape[1]))
        cents = cents / (np.linalg.norm(cents, axis=1, keepdims=True) + 1e-9)
        return ids, cents.astype(np.float32)

    def frame(self) -> pd.DataFrame:
        sizes = pd.Series(self.topics).value_counts()
        rows = [{"topic_id": int(t), "label": self.labels.get(int(t), OUTLIER_LABEL if t == -1 else f"topic {t}"),
                 "keywords": self.keywords.get(int(t), []), "size": int(sizes.get(t, 0))} for t in sorted(sizes.index)]
        return pd.DataFrame(rows, columns=["topic_id", "label", "keywords", "size"])


def model_dir(models_root: Path, kind: str) -> Path:
    return models_root / "topics" / kind


def save_tuned(tuned: TunedTopics, emb: np.ndarray, models_root: Path, study_name: str,
               bertopic_model: Any = None, embedding_model_name: str = "") -> Path:
    """Write a tuned topic model (see module docstring); returns its folder."""
    from safetensors.numpy import save_file

    folder = model_dir(models_root, tuned.kind)
    folder.mkdir(parents=True, exist_ok=True)
    ids, cents = tuned.centroids(emb)
    claim = {tid: claim_similarity(emb[tuned.topics == tid], c) for tid, c in zip(ids, cents)}
    save_file({"centroids": cents, "topic_ids": np.asarray(ids, dtype=np.int64)}, str(folder / "centroids.safetensors"))
    # Insights the analyst has seen keep their topic exactly; only new ones are placed by centroid.
    pd.DataFrame({"sent_id": tuned.sent_ids, "topic_id": tuned.topics.astype(int)}).to_parquet(folder / "assignments.parquet")
    frame = tuned.frame()
    meta = {
        "study": study_name, "kind": tuned.kind, "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "embedding_model": embedding_model_name or tuned.embedding_model, "insights": len(tuned.sent_ids),
        "topics": [{**r, "claim_similarity": claim.get(r["topic_id"])} for r in frame.to_dict("records")],
        "edits": tuned.edits,
    }
    (folder / "topics.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
    if bertopic_model is not None:
        bertopic_model.save(str(folder / "bertopic"), serialization="safetensors", save_ctfidf=True,
                            save_embedding_model=embedding_model_name or tuned.embedding_model)
    (folder / "MODEL_CARD.md").write_text(model_card(meta), encoding="utf-8")
    return folder


def claim_similarity(members: np.ndarray, centroid: np.ndarray) -> float:
    """How similar a new insight must be to a topic's centroid to join it: about as close as the
    topic's own members (their 5th percentile), within [0.25, 0.9]."""
    return round(float(np.clip(np.percentile(members @ centroid, 5), 0.25, 0.9)), 4)


def model_card(meta: dict[str, Any]) -> str:
    lines = [f"# Topic model: {meta['kind']} ({meta['study']})", "",
             f"Saved {meta['saved_at']} from {meta['insights']} insights; embeddings `{meta['embedding_model']}`.",
             "New insights join the topic with the nearest centroid when their cosine similarity reaches the",
             "topic's claim similarity (the 5th percentile of its own members); the rest become candidate topics.", "",
             "| id | label | size | claim similarity | keywords |", "|---:|---|---:|---:|---|"]
    for t in meta["topics"]:
        lines.append(f"| {t['topic_id']} | {t['label']} | {t['size']} | {t['claim_similarity'] or ''} | {', '.join(t['keywords'][:6])} |")
    if meta["edits"]:
        lines += ["", "## Edits", ""] + [f"- {json.dumps(e, ensure_ascii=False)}" for e in meta["edits"]]
    return "\n".join(lines) + "\n"


@dataclass
class SavedTopics:
    kind: str
    topic_ids: list[int]
    centroids: np.ndarray
    labels: dict[int, str]
    keywords: dict[int, list[str]]
    claim: dict[int, float]
    embedding_model: str
    edits: list[dict[str, Any]]
    known: dict[str, int] = field(default_factory=dict)


def load_saved(models_root: Path, kind: str) -> SavedTopics | None:
    """The saved model for a kind, or None when the analyst has not saved one."""
    folder = model_dir(models_root, kind)
    if not (folder / "topics.json").exists():
        return None
    from safetensors.numpy import load_file

    try:
        meta = json.loads((folder / "topics.json").read_text(encoding="utf-8"))
        tensors = load_file(str(folder / "centroids.safetensors"))
    except (OSError, ValueError) as err:
        raise VocError(f"{folder}: saved topic model is unreadable ({err}); delete the folder to refit") from None
    topics = [t for t in meta["topics"] if t["topic_id"] != -1]
    return SavedTopics(kind=kind, topic_ids=[int(i) for i in tensors["topic_ids"]], centroids=tensors["centroids"],
                       labels={t["topic_id"]: t["label"] for t in topics}, keywords={t["topic_id"]: t["keywords"] for t in topics},
                       claim={t["topic_id"]: t["claim_similarity"] for t in topics}, embedding_model=meta["embedding_model"],
                       edits=meta.get("edits", []), known=_known(folder))


def _known(folder: Path) -> dict[str, int]:
    path = folder / "assignments.parquet"
    if not path.exists():
        return {}
    frame = pd.read_parquet(path)
    return dict(zip(frame["sent_id"], frame["topic_id"].astype(int)))


def place(saved: SavedTopics, emb: np.ndarray, sent_ids: list[str] | None = None) -> np.ndarray:
    """Topic id per insight: the saved one for insights the model was saved with, else the
    nearest centroid that claims it; -1 where no topic does."""
    if not saved.topic_ids:
        return np.full(len(emb), -1)
    best, sims = nearest(emb, np.arange(len(emb)), saved.centroids)
    ids = np.asarray(saved.topic_ids)[best]
    need = np.asarray([saved.claim.get(int(t), 0.5) for t in ids])
    placed = np.where(sims >= need, ids, -1)
    if sent_ids is not None and saved.known:
        placed = np.asarray([saved.known.get(s, p) for s, p in zip(sent_ids, placed)])
    return placed
