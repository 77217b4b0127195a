"""Products and competitors: which pains and doubts attach to which product.

Every insight carries the product, brand and model names its sentence mentions. The names are the
study's own list (``[study] own_products`` and ``competitors``) when it gives one, else the names
the corpus itself shows (``voc.topics.names.learn_names``, learnt by the topics stage).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pandas as pd

from voc.defaults import PRODUCT_MIN_DOCUMENTS, PRODUCTS_SHOWN
from voc.personas.evidence import pick_quotes

_TOKEN = re.compile(r"[a-z0-9][a-z0-9'\u2019&]*(?:-[a-z0-9]+)*", re.I)


def _words(text: str) -> list[str]:
    """Whole words as written ("Spot" is not "spotted"), a possessive dropped ("Figo's" is Figo)."""
    return [re.sub(r"['\u2019]s$", "", w, flags=re.I) for w in _TOKEN.findall(text)]


def mentions(texts: pd.Series, names: list[str]) -> pd.Series:
    """For each text, the names it mentions (whole words, any case, a possessive too), in the
    order of ``names``."""
    by_lower = {n.lower(): n for n in names}
    order = {n: i for i, n in enumerate(names)}
    longest = max((len(n.split()) for n in by_lower), default=0)

    # Words looked up in a dict, one and two at a time: a regex per name (or one alternation of
    # hundreds of learnt names) took 5-39 s on 18k reviews.
    def found(text: str) -> list[str]:
        words = [w.lower() for w in _words(text)]
        hits = {by_lower[w] for w in words if w in by_lower}
        if longest > 1:
            hits |= {by_lower[p] for p in map(" ".join, zip(words, words[1:])) if p in by_lower}
        return sorted(hits, key=order.__getitem__)

    return texts.map(found)


def display_name(name: str, texts: pd.Series) -> str:
    """How the corpus writes a name most often ("figo" -> "Figo", "aspca" -> "ASPCA")."""
    size = len(name.split())
    forms: Counter[str] = Counter()
    for text in texts:
        words = _words(text)
        spans = (" ".join(words[i:i + size]) for i in range(len(words) - size + 1))
        forms.update(s for s in spans if s.lower() == name.lower())
    return forms.most_common(1)[0][0] if forms else name


def product_table(items: pd.DataFrame, learnt: list[str], own: list[str], competitors: list[str]) -> dict[str, Any]:
    """Per product: its insights per kind, its top pain and objection themes with a quote each.

    Args:
        items: insights with kind, text, doc_id, topic_id, label (theme), confidence and evidence
            columns (url, source, created_at).
        learnt: names the corpus shows (lowercase), used when the study lists none.
        own, competitors: the study's own products and its competitors, as the study writes them.

    Returns:
        {"listed": whether the names are the study's, "rows": one dict per product, most
        discussed first}; products mentioned in fewer than PRODUCT_MIN_DOCUMENTS documents are
        left out (one review naming a brand is not a pattern).
    """
    listed = bool(own or competitors)
    names = [*own, *competitors] if listed else sorted(learnt)
    if items.empty or not names:
        return {"listed": listed, "rows": []}
    named = items.assign(_name=mentions(items["text"], names)).explode("_name").dropna(subset=["_name"])
    docs_of = named.groupby("_name")["doc_id"].nunique()
    if not listed:  # only the most discussed learnt names are described
        # "Paws" is nearly always "Healthy Paws": a word mostly said inside a two-word name is not
        # a product of its own, while "Dustly" (also in "Dustly D7") is.
        parts = {w for n in docs_of.index if " " in n for w in n.split()
                 if docs_of.get(w, 0) and docs_of[n] >= 0.8 * docs_of[w]}
        kept = docs_of[(docs_of >= PRODUCT_MIN_DOCUMENTS) & ~docs_of.index.isin(parts)]
        kept = kept.sort_values(ascending=False, kind="stable")
        names = [n for n in names if n in set(kept.index[:PRODUCTS_SHOWN])]
    rows = []
    for name in names:
        docs = int(docs_of.get(name, 0))
        if not docs:
            continue
        mine = named[named["_name"] == name]
        row: dict[str, Any] = {
            "name": name if listed else display_name(name, mine["text"]),
            "role": "own" if name in own else "competitor" if name in competitors else "mentioned",
            "documents": int(docs), "insights": int(len(mine)),
            "kinds": {str(k): int(v) for k, v in mine["kind"].value_counts().items()}, "themes": {}}
        for kind in ("pain_point", "objection"):
            themed = mine[(mine["kind"] == kind) & (mine["topic_id"] != -1)]
            top = themed.groupby("label").size().sort_values(ascending=False, kind="stable").head(2)
            row["themes"][kind] = [{"label": str(label), "count": int(n),
                                    "quotes": pick_quotes(themed[themed["label"] == label], 1)}
                                   for label, n in top.items()]
        rows.append(row)
    rows.sort(key=lambda r: (r["role"] != "own", -r["documents"], r["name"].lower()))
    return {"listed": listed, "rows": rows}
