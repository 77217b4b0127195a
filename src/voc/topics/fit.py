"""Topics: BERTopic per insight kind over cached sentence embeddings.

Reproducible by default (seeded UMAP, deterministic HDBSCAN, inputs in a fixed order), sized to
the corpus (fine clusters merged to a topic count within ``topic_range(n)``; the count,
HDBSCAN's core density and the UMAP seed picked by NPMI coherence among the candidates that leave
least to themes too diffuse to name), with an outlier budget: at most ``max_outlier_share`` of
insights stay in topic -1 (a kind grouped by aspect, ``by_aspect``, has no budget).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from voc.config import TopicSettings
from voc.console import release_freed_memory
from voc.defaults import COHERENCE_TIE, DENSITIES, DIFFUSE_TIE, MAX_THEME_SHARE, MIN_FOR_MODEL
from voc.schema import voices
from voc.topics.coherence import Coherence
from voc.topics.groups import TopicResult, by_aspect, heard_once
from voc.topics.labels import OUTLIER_LABEL, Labeller
from voc.topics.merge import absorb_small, ward_partitions
from voc.topics.names import label_names
from voc.topics.reduce import auto_restarts, neighbours, restart_seeds, umap_model
from voc.topics.vocabulary import TOKEN_PATTERN, stop_words


def auto_min_topic_size(n: int) -> int:
    """About 1 topic per 25 insights on small corpora, capped so large corpora stay readable."""
    return int(max(3, min(150, round(n / 25) if n < 2000 else 80 + n / 2000)))


def build_model(n: int, seed: int, min_topic_size: int = 0, embedding_model: Any = None,
                extra_stop_words: list[str] | None = None, n_clusters: int | None = None,
                density: float = DENSITIES[0], knn: tuple[np.ndarray, np.ndarray] | None = None) -> Any:
    """A seeded BERTopic; HDBSCAN by default (``density``: see ``_hdbscan``), or agglomerative
    clustering into ``n_clusters``. ``knn``: ``neighbours`` of the embeddings it will be fitted on."""
    from bertopic import BERTopic
    from bertopic.representation import KeyBERTInspired
    from bertopic.vectorizers import ClassTfidfTransformer

    size = min_topic_size or auto_min_topic_size(n)
    reducer = umap_model(n, seed, knn)
    if n_clusters:
        from sklearn.cluster import AgglomerativeClustering

        hdbscan_model = AgglomerativeClustering(n_clusters=n_clusters, linkage="ward")
    else:
        hdbscan_model = _hdbscan(size, density, prediction_data=True)
    vectorizer = _vectorizer(n, extra_stop_words)
    representation = KeyBERTInspired(random_state=seed) if embedding_model is not None else None
    return BERTopic(embedding_model=embedding_model, umap_model=reducer, hdbscan_model=hdbscan_model,
                    vectorizer_model=vectorizer, ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                    representation_model=representation, min_topic_size=size, calculate_probabilities=False)


def first_model(n: int, settings: TopicSettings, embedding_model: Any = None,
                knn: tuple[np.ndarray, np.ndarray] | None = None) -> Any:
    """The BERTopic that ``fit_topics`` starts from: the study's seed, size and first density.
    A notebook session over a saved model builds this one too, so both see the same model."""
    return build_model(n, settings.seed, settings.min_topic_size or micro_topic_size(n), embedding_model,
                       settings.stop_words, density=DENSITIES[0], knn=knn)


def _vectorizer(n: int, extra_stop_words: list[str] | None) -> Any:
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(stop_words=stop_words(extra_stop_words), ngram_range=(1, 2),
                           min_df=2 if n >= 60 else 1, token_pattern=TOKEN_PATTERN)


def too_plain_to_cluster(docs: list[str], extra_stop_words: list[str] | None = None) -> bool:
    """Whether insights cannot make topics: too few distinct sentences, or no word that is not a
    stop word (then c-TF-IDF has no vocabulary to describe a topic with)."""
    if len({" ".join(d.lower().split()) for d in docs}) < MIN_FOR_MODEL:
        return True
    try:
        _vectorizer(len(docs), extra_stop_words).fit(docs)
    except ValueError:  # "empty vocabulary" / "After pruning, no terms remain"
        return True
    return False


def _means(emb: np.ndarray, topics: np.ndarray) -> tuple[list[int], np.ndarray]:
    ids = sorted(t for t in set(topics.tolist()) if t != -1)
    return ids, np.stack([emb[topics == t].mean(0) for t in ids])


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9)


def centroids(emb: np.ndarray, topics: np.ndarray) -> tuple[list[int], np.ndarray]:
    ids, means = _means(emb, topics)
    return ids, _unit(means)


def reduce_outliers(emb: np.ndarray, topics: np.ndarray, budget: float, rank: np.ndarray | None = None) -> np.ndarray:
    """Move outliers to their nearest topic centroid, most similar first, until at most
    ``budget`` of all insights remain outliers (the least similar ones stay out). ``rank``: each
    row's place in the order that breaks ties (default: row order): a caller holding rows unsorted
    still breaks ties in sent_id order (``voc.topics.sample.sent_order``)."""
    topics = topics.copy()
    out = np.flatnonzero(topics == -1)
    allowed = int(np.floor(budget * len(topics)))
    if len(out) <= allowed or len(set(topics.tolist()) - {-1}) == 0:
        return topics
    ids, cents = centroids(emb, topics)
    best, sims = nearest(emb, out, cents)
    order = np.lexsort(((out if rank is None else rank[out]), -sims))
    for i in order[: len(out) - allowed]:
        topics[out[i]] = ids[best[i]]
    return topics


def nearest(emb: np.ndarray, rows: np.ndarray, cents: np.ndarray, chunk: int = 8192) -> tuple[np.ndarray, np.ndarray]:
    """Each of ``rows``' nearest centroid and its similarity, ``chunk`` rows at a time: a sampled fit
    leaves most of a kind's vectors to place, and a copy of every one of them doubled their memory.
    Equal to one product of them all up to float rounding (last digit)."""
    best = np.empty(len(rows), dtype=np.int64)
    sims = np.empty(len(rows), dtype=np.result_type(emb, cents))
    for lo in range(0, len(rows), chunk):
        part = emb[rows[lo:lo + chunk]] @ cents.T
        best[lo:lo + chunk] = part.argmax(1)
        sims[lo:lo + chunk] = part.max(1)
    return best, sims


def short_label(label: str) -> str:
    """The head of a label ("battery (dies, charge)" -> "battery")."""
    return label.split(" (")[0]


def topic_range(n: int) -> tuple[int, int]:
    """How many topics n insights may get: from about sqrt(n)/4 to sqrt(n)/2 (3-5 for 120
    insights, 10-20 for 1,700, 20-40 from 6,400 on)."""
    low = int(min(20, max(3, round(np.sqrt(n) / 4))))
    return low, int(max(low, min(40, round(np.sqrt(n) / 2))))


def micro_topic_size(n: int) -> int:
    """HDBSCAN's min_cluster_size for the fine-grained first pass (merged afterwards)."""
    return int(max(3, min(150, round(n / 60))))


def smallest_topic(n: int) -> int:
    """The fewest insights a topic shown to users should hold."""
    return int(max(5, min(150, round(n / 50))))


def fit_topics(kind: str, insights: pd.DataFrame, embeddings: np.ndarray, settings: TopicSettings | None = None,
               embedding_model: Any = None) -> TopicResult:
    """Topics for one insight kind.

    HDBSCAN first finds fine-grained clusters; they are then merged (Ward's criterion, weighted
    by cluster size) down to the number of topics, within ``topic_range(n)``, whose c-TF-IDF words
    are most coherent (NPMI over the insights), the way LDA users choose K. ``n_topics`` fixes
    the number instead. HDBSCAN's core density (``DENSITIES``) is chosen the same way: each is
    clustered and merged on the same reduced coordinates, the more coherent wins (near-ties: the
    one with more topics). So is the UMAP reduction: ``restarts`` seeds, ``seed`` and seeds
    derived from it (0: ``auto_restarts(n)``), each reduce the embeddings; of each reduction's
    best clustering the most coherent wins (near-ties: more topics, then the higher score, then
    the earlier seed), since on a few hundred insights one UMAP draw can land far from another.
    At every step a candidate left with fewer topics than ``topic_range``'s least (small topics
    absorbed) competes only when none reaches it (``_in_range``), and so does one whose largest
    topic holds more than ``MAX_THEME_SHARE`` of the kind (``_balanced``). The model is refitted
    with the winner unless it is the first one tried.

    Args:
        insights: frame with sent_id, text, aspect; row i matches embeddings[i].
        embeddings: L2-normalised sentence vectors.
        settings: the study's [topics] (seed, stop_words, min_topic_size, n_topics,
            max_outlier_share, restarts, max_fit); defaults when None. Above ``max_fit``
            insights, see ``voc.topics.sample``.
        embedding_model: a sentence-transformers model for KeyBERT-style keywords (optional).
    """
    s = settings or TopicSettings()
    if s.max_fit and len(insights) > s.max_fit:
        from voc.topics.sample import fit_sampled

        return fit_sampled(kind, insights, embeddings, s, embedding_model)
    seed, min_topic_size, n_topics, max_outlier_share = s.seed, s.min_topic_size, s.n_topics, s.max_outlier_share
    extra_stop_words, restarts = s.stop_words, s.restarts
    order = np.argsort(insights["sent_id"].to_numpy(), kind="stable")
    ins = insights.iloc[order].reset_index(drop=True)
    emb = embeddings[order]
    docs = ins["text"].tolist()
    n = len(ins)
    if n < MIN_FOR_MODEL or too_plain_to_cluster(docs, extra_stop_words):
        return by_aspect(kind, ins, extra_stop_words + label_names(kind, s.names))
    low, high = (n_topics, n_topics) if n_topics else topic_range(n)
    size = min_topic_size or micro_topic_size(n)
    first = DENSITIES[0]
    knn = neighbours(emb)
    model = first_model(n, s, embedding_model, knn)
    topics = np.asarray(model.fit_transform(docs, embeddings=emb)[0])
    # Each step below frees what it allocated; handed back, the next does not stack on it
    # (a fit of 20,000 real review sentences peaked 80 MB lower: 1,236 MB against 1,315).
    release_freed_memory()
    coherence = Coherence(docs, extra_stop_words)
    labeller = Labeller(docs, extra_stop_words, label_names(kind, s.names))
    choices = []  # per UMAP seed, its best clustering
    for i, umap_seed in enumerate(restart_seeds(seed, restarts or auto_restarts(n))):
        reduced = model.umap_model.embedding_ if i == 0 else umap_model(n, umap_seed, knn).fit_transform(emb)
        options = _clusterings(reduced, topics if i == 0 else None, emb, docs, size, low, high,
                               max_outlier_share, coherence, labeller, search=not min_topic_size)
        if options:
            choices.append(_most_topics(_nameable(_balanced(_in_range(options, low), 6), 5)) + (umap_seed,))
        release_freed_memory()
    method = "bertopic"
    groups = None
    if choices:
        best = _most_topics(_nameable(_balanced(_in_range(choices, low), 6), 5))
        found, density, groups, umap_seed = best[2], best[3], best[4], best[7]
        if (found, density, umap_seed) != (size, first, seed):
            # Refit once with the chosen clustering so the BERTopic object matches what users see;
            # BERTopic numbers its topics anew, so the merges are planned again on its ids.
            model = build_model(n, umap_seed, found, embedding_model, extra_stop_words, density=density, knn=knn)
            topics = np.asarray(model.fit_transform(docs, embeddings=emb)[0])
            groups = None
    else:
        # Too few clusters at any size: a fixed number of clusters reads better than one or two blobs.
        model = build_model(n, seed, size, embedding_model, extra_stop_words, n_clusters=min(high, n - 1), knn=knn)
        topics = np.asarray(model.fit_transform(docs, embeddings=emb)[0])
        method = "bertopic-agglomerative"
    if (topics != -1).sum() == 0:
        return by_aspect(kind, ins, extra_stop_words + label_names(kind, s.names))
    if groups is None:
        groups = merge_plan(emb, topics, docs, low, high, max_outlier_share, coherence, labeller)[0]
    if groups:
        model.merge_topics(docs, groups)
        topics = np.asarray(model.topics_)
    # A topic one voice speaks in is no theme; its insights are outliers like any other, so the
    # budget below may place them in a theme near them.
    topics = heard_once(topics, voices(ins))
    # Outliers join their nearest topic, but keywords and labels stay those of the topic's core:
    # recomputing them over the looser members makes them less coherent.
    topics = reduce_outliers(emb, topics, max_outlier_share)
    keywords = {int(t): [w for w, _ in (model.get_topic(t) or [])][:8] for t in sorted(set(topics.tolist()))}
    labels = labeller.label(topics, keywords)
    rows = [{"topic_id": t, "label": labels.get(t, OUTLIER_LABEL), "keywords": words,
             "size": int((topics == t).sum())} for t, words in keywords.items()]
    return TopicResult(kind=kind, topics=pd.DataFrame(rows),
                       assignments=pd.DataFrame({"sent_id": ins["sent_id"], "topic_id": topics.astype(int)}),
                       model=model, method=method)


def _clusterings(reduced: np.ndarray, labels: np.ndarray | None, emb: np.ndarray, docs: list[str], size: int,
                 low: int, high: int, max_outlier_share: float, coherence: Coherence, labeller: Labeller,
                 search: bool) -> list[tuple]:
    """(npmi, topic count, cluster size, density, merge groups, diffuse share, largest theme's
    share) per density, on one reduction.

    ``labels``: HDBSCAN's clusters at (``size``, the first density), when already computed. With
    ``search``, the cluster size is halved (down to 3) until HDBSCAN finds enough fine clusters.
    """
    options = []
    for density in DENSITIES:
        found = size
        if labels is not None and density == DENSITIES[0]:
            clusters = labels
        else:
            clusters = _hdbscan(size, density).fit_predict(reduced)
        if search and _n_topics(clusters) < high and size > 3:
            # HDBSCAN found a few dense blobs: search a smaller cluster size.
            found = _smaller_size(reduced, size, high, density)
            if found != size:
                clusters = _hdbscan(found, density).fit_predict(reduced)
        if _n_topics(clusters) >= low:
            groups, score, count, diffuse, largest = merge_plan(emb, clusters, docs, low, high, max_outlier_share,
                                                                coherence, labeller)
            options.append((score if score == score else -2.0, count, found, density, groups, diffuse,  # nan: no words
                            largest))
    return options


def _n_topics(topics: np.ndarray) -> int:
    return len(set(topics.tolist()) - {-1})


def _hdbscan(size: int, density: float = DENSITIES[0], prediction_data: bool = False) -> Any:
    """The one HDBSCAN configuration (min_samples = ``density`` x ``size``): the size search
    must see what the model will see."""
    from hdbscan import HDBSCAN

    return HDBSCAN(min_cluster_size=size, min_samples=max(1, int(size * density)), metric="euclidean",
                   cluster_selection_method="eom", prediction_data=prediction_data)


def _smaller_size(reduced: np.ndarray, size: int, wanted: int, density: float = DENSITIES[0]) -> int:
    """Halve HDBSCAN's cluster size until it finds ``wanted`` clusters (or reaches 3)."""
    while size > 3:
        size = max(3, size // 2)
        labels = _hdbscan(size, density).fit_predict(reduced)
        if _n_topics(labels) >= wanted:
            break
    return size


def merge_plan(emb: np.ndarray, topics: np.ndarray, docs: list[str], low: int, high: int,
               max_outlier_share: float, coherence: Coherence,
               labeller: Labeller | None = None) -> tuple[list[list[int]], float, int, float, float]:
    """The merges that leave between ``low`` and ``high`` topics, with the NPMI, the number of the
    topics they leave, the share of insights in topics too diffuse to name and the largest
    topic's share of the kind. The count chosen is the one whose topics (after outlier
    reduction, as users see them) are most coherent, or the largest count within
    ``COHERENCE_TIE`` of it, among the counts whose diffuse share (by ``labeller``; 0 without
    one) is within ``DIFFUSE_TIE`` of the least, among those whose largest topic holds at most
    ``MAX_THEME_SHARE`` if any do, and among the counts of at least ``low`` when absorption
    leaves any. No groups when nothing should be merged.

    Merges follow Ward's criterion weighted by cluster size (see ``ward_partitions``); a merged
    topic smaller than ``smallest_topic(n)`` joins its nearest neighbour, since a three-sentence
    theme is an anecdote, not a topic.
    """
    # Number the clusters by first member: the plan (Ward's and the absorption's tie-breaks) must
    # not depend on ids, which BERTopic renumbers by size when it refits the chosen clustering.
    values = np.asarray(topics).tolist()
    seen = list(dict.fromkeys(t for t in values if t != -1))
    rank = {t: i for i, t in enumerate(seen)}
    topics = np.array([rank.get(t, -1) for t in values], dtype=np.int64)
    ids, means = _means(emb, topics)

    def judged(partition: np.ndarray) -> tuple[float, float, float]:
        shown = reduce_outliers(emb, partition, max_outlier_share)
        words = coherence.topic_words(shown)  # one c-TF-IDF pass serves both measures
        # Labelled from c-TF-IDF words: BERTopic's keywords exist only for the clustering finally fitted.
        diffuse = labeller.diffuse_share(shown, [w[:8] for w in words]) if labeller is not None else 0.0
        return coherence.npmi(words), diffuse, _largest_share(shown)

    if len(ids) <= low:
        score, diffuse, largest = judged(topics)
        return [], score, len(ids), diffuse, largest
    cents = _unit(means)
    sizes = np.array([(topics == t).sum() for t in ids])
    partitions = ward_partitions(means, sizes, low, min(high, len(ids)))
    floor = smallest_topic(len(topics))
    scored = []
    for k in sorted(partitions):
        clusters = absorb_small(partitions[k], cents, sizes, floor)
        lookup = np.full(max(ids) + 2, -1)
        lookup[np.array(ids) + 1] = clusters
        score, diffuse, largest = judged(lookup[topics + 1])
        if score == score:
            scored.append((score, len(set(clusters.tolist())), clusters, diffuse, largest))
    if not scored:
        return [], float("nan"), len(ids), 0.0, 1.0
    score, count, clusters, diffuse, largest = _most_topics(_nameable(_balanced(_in_range(scored, low), 4), 3))
    if count == len(ids):
        return [], score, count, diffuse, largest
    by_cluster: dict[int, list[int]] = {}
    for tid, c in zip(ids, clusters):
        by_cluster.setdefault(int(c), []).append(int(seen[tid]))
    return [g for g in by_cluster.values() if len(g) > 1], score, count, diffuse, largest


def _largest_share(topics: np.ndarray) -> float:
    """The share of the kind's insights in its largest topic (outliers count in the whole)."""
    grouped = topics[topics != -1]
    return float(np.bincount(grouped - grouped.min()).max() / len(topics)) if len(grouped) else 1.0


def _balanced(options: list[tuple], at: int) -> list[tuple]:
    """The options whose largest topic (its share: item ``at``) holds at most ``MAX_THEME_SHARE``
    of the kind, if any do. Two or three tiny themes that repeat one phrase beside a blob of the
    rest score as the most coherent (coffee Q&A: 46 of 52 pain points in one theme "filter
    (water, cup)" beside two themes of 3), and a theme holding most of a kind tells a reader
    nothing the kind's title does not."""
    kept = [o for o in options if o[at] <= MAX_THEME_SHARE]
    return kept or options


def _in_range(options: list[tuple], low: int) -> list[tuple]:
    """The options (item 1: topic count) that leave at least ``low`` topics, if any do: absorbing
    small topics can leave one blob that holds most of a kind, and a blob of the corpus's common
    words scores as coherent (coffee Q&A: 51 of 54 pain points in one theme "filter (cup, machine)")."""
    kept = [o for o in options if o[1] >= low]
    return kept or options


def _nameable(options: list[tuple], at: int) -> list[tuple]:
    """The options whose diffuse share (item ``at``) is within ``DIFFUSE_TIE`` of the least."""
    least = min(o[at] for o in options)
    return [o for o in options if o[at] <= least + DIFFUSE_TIE + 1e-12]


def _most_topics(options: list[tuple]) -> tuple:
    """Of (npmi, topic count, ...) options, the one with most topics among those within
    ``COHERENCE_TIE`` of the most coherent; the first listed among equals."""
    top = max(o[0] for o in options)
    close = [(i, o) for i, o in enumerate(options) if o[0] >= top - COHERENCE_TIE - 1e-12]
    return max(close, key=lambda io: (io[1][1], io[1][0], -io[0]))[1]
