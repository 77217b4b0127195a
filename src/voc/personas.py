"""Persona drafts: segments of voices by the needs and triggers they express, not demographics.

Each voice (an author; a thread where authors are unknown) becomes a vector of the insight topics
it voices; k-means splits the voices into 3-8 segments, k chosen by silhouette. Each segment is
described by its top items per kind with counts and quotes, channels, vocabulary and the
self-descriptions its authors gave.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from voc.evidence import pick_quotes
from voc.schema import INSIGHT_KINDS, KIND_TITLES
from voc.topics import short_label

NAME_KINDS = ("purchase_trigger", "must_have_feature", "pain_point", "objection")


def voices(items: pd.DataFrame) -> pd.Series:
    """The voice behind each insight: its author, else its thread, else its document."""
    return items["author_hash"].fillna(items["thread_id"]).fillna(items["doc_id"]).astype(str)


def voice_matrix(items: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows = voices, columns = kind:topic features, TF-IDF weighted and L2-normalised."""
    feat = items["kind"] + ":" + items["topic_key"].astype(str)
    counts = pd.crosstab(items["voice"], feat)
    tf = counts.to_numpy(dtype=float)
    idf = np.log((1 + len(tf)) / (1 + (tf > 0).sum(0))) + 1.0
    X = tf * idf
    X /= np.linalg.norm(X, axis=1, keepdims=True) + 1e-9
    return counts, X


def choose_k(X: np.ndarray, k_min: int, k_max: int, seed: int) -> tuple[int, np.ndarray, float]:
    """k-means for each k in range; keep the best silhouette (cosine). Returns (k, labels, score)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = len(X)
    best: tuple[int, np.ndarray, float] | None = None
    for k in range(k_min, min(k_max, n - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(X)
        if len(set(labels)) < 2:
            continue
        score = float(silhouette_score(X, labels, metric="cosine"))
        if best is None or score > best[2] + 1e-9:
            best = (k, labels, score)
    if best is None:
        return 1, np.zeros(n, dtype=int), 0.0
    return best


def distinctive_terms(texts: pd.Series, others: pd.Series, top: int = 12) -> list[str]:
    """Words and bigrams this segment uses more than everyone else (for copywriting)."""
    from sklearn.feature_extraction.text import CountVectorizer

    if texts.empty:
        return []
    vec = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=2 if len(texts) > 20 else 1,
                          token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z'-]+\b")
    try:
        vec.fit(pd.concat([texts, others]))
    except ValueError:
        return []
    a = np.asarray(vec.transform(texts).sum(0)).ravel() + 0.5
    b = np.asarray(vec.transform(others).sum(0)).ravel() + 0.5
    lift = (a / a.sum()) / (b / b.sum())
    score = lift * np.log1p(a)
    vocab = np.array(vec.get_feature_names_out())
    ranked = [w for w in vocab[np.argsort(-score)] if not w.isdigit()]
    picked: list[str] = []
    for w in ranked:
        if any(w in p or p in w for p in picked):
            continue
        picked.append(w)
        if len(picked) == top:
            break
    return picked


def channel_of(source: str, url: str | None) -> str:
    host = urlsplit(url).netloc if url else ""
    return f"{source} ({host})" if host else source


def describe(members: pd.DataFrame, everyone: pd.DataFrame, attrs: pd.DataFrame, topic_labels: dict) -> dict[str, Any]:
    items: dict[str, list[dict[str, Any]]] = {}
    for kind in INSIGHT_KINDS:
        rows = members[members["kind"] == kind]
        ranked = rows.groupby("topic_key").size().sort_values(ascending=False, kind="stable")
        items[kind] = [{
            "topic_id": key, "label": topic_labels.get((kind, key), str(key)), "count": int(cnt),
            "quotes": pick_quotes(rows[rows["topic_key"] == key]),
        } for key, cnt in ranked.head(5).items()]
    channels = Counter(channel_of(s, u) for s, u in members.drop_duplicates("doc_id")[["source", "url"]].itertuples(index=False))
    selfdesc = Counter(attrs[attrs["voice"].isin(set(members["voice"]))]["attribute"]) if not attrs.empty else Counter()
    return {
        "items": items,
        "channels": [{"channel": c, "count": n} for c, n in channels.most_common(6)],
        "vocabulary": distinctive_terms(members["text"], everyone.loc[~everyone.index.isin(members.index), "text"]),
        "self_descriptions": [{"text": t, "count": n} for t, n in selfdesc.most_common(8)],
    }


def persona_name(items: dict[str, list[dict[str, Any]]], lift: dict[tuple[str, Any], float],
                 taken: set[str] | None = None) -> str:
    """A working name from the segment's most distinctive trigger and need (plus a third trait
    when another segment already has that name)."""
    taken = taken or set()
    parts: list[str] = []
    for kind, template in (("purchase_trigger", "triggered by {}"), ("must_have_feature", "needs {}"),
                           ("pain_point", "struggles with {}"), ("objection", "worried about {}")):
        cands = [i for i in items.get(kind, []) if i["label"] not in ("unassigned (outliers)", "other")]
        if not cands:
            continue
        best = max(cands, key=lambda i: (lift.get((kind, i["topic_id"]), 0) * np.log1p(i["count"]), i["count"]))
        parts.append(template.format(short_label(best["label"])))
        name = ", ".join(parts)
        if len(parts) >= 2 and name[0].upper() + name[1:] not in taken:
            break
    if not parts:
        return "Unnamed segment"
    name = ", ".join(parts)
    return name[0].upper() + name[1:]


def build_personas(items: pd.DataFrame, topics: pd.DataFrame, attrs: pd.DataFrame,
                   k_min: int = 3, k_max: int = 8, seed: int = 42) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Persona drafts from insights with topic assignments.

    Args:
        items: insights frame (sent_id, kind, topic_id, text, url, source, created_at, author_hash,
            thread_id, doc_id, confidence, aspect).
        topics: (kind, topic_id, label).
        attrs: self-descriptions (doc_id, author_hash, attribute).

    Returns:
        (personas frame, diagnostics with k, silhouette and voice counts).
    """
    items = items.copy()
    if items.empty:
        return pd.DataFrame(), {"voices": 0, "k": 0, "silhouette": None, "reason": "no insights"}
    items["voice"] = voices(items)
    # Outliers carry no theme; fall back to the aspect so their voices still count.
    items["topic_key"] = np.where(items["topic_id"] == -1, "aspect:" + items["aspect"].fillna("other"),
                                  items["topic_id"].astype(str))
    labels = {(r.kind, str(r.topic_id)): r.label for r in topics.itertuples()}
    labels.update({(k, key): key.split(":", 1)[1] for k, key in zip(items["kind"], items["topic_key"]) if key.startswith("aspect:")})
    counts, X = voice_matrix(items)
    n_voices = len(counts)
    if n_voices < max(2, k_min):
        k, assign, sil = 1, np.zeros(n_voices, dtype=int), None
    else:
        k, assign, sil = choose_k(X, k_min, k_max, seed)
    seg_of = dict(zip(counts.index, assign))
    items["segment"] = items["voice"].map(seg_of)
    attrs = attrs.copy()
    if not attrs.empty:
        attrs["voice"] = attrs["author_hash"].fillna(attrs["doc_id"]).astype(str)
    overall = items.groupby(["kind", "topic_key"]).size() / len(items)
    rows = []
    for seg in sorted(set(assign.tolist()), key=lambda s: -int((assign == s).sum())):
        members = items[items["segment"] == seg]
        share_in = members.groupby(["kind", "topic_key"]).size() / len(members)
        lift = {key: float(share_in[key] / overall[key]) for key in share_in.index}
        desc = describe(members, items, attrs, labels)
        quotes = [q for kind in NAME_KINDS for it in desc["items"][kind][:1] for q in it["quotes"][:1]]
        rows.append({"persona_id": len(rows) + 1, "name": persona_name(desc["items"], lift, {r["name"] for r in rows}),
                     "share": round(int((assign == seg).sum()) / n_voices, 4), "size": int((assign == seg).sum()),
                     "quotes": quotes, **desc})
    diag = {"voices": n_voices, "k": k, "silhouette": None if sil is None else round(sil, 4),
            "kinds": {KIND_TITLES[k_]: int((items["kind"] == k_).sum()) for k_ in INSIGHT_KINDS}}
    return pd.DataFrame(rows), diag
