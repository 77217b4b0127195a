"""Evidence drawn from what people wrote: the quotes that back a theme, the phrases a segment
uses (for copywriting), the channels where it talks, and the roles and life events persona
names are built from."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd

from voc.privacy.pii import MASKS

# Hosts that say nothing about the channel (a local demo server, an IP address).
_LOCAL_HOST = re.compile(r"^(localhost|127\.\d+\.\d+\.\d+|\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\])(:\d+)?$", re.I)
_SUBREDDIT = re.compile(r"/r/([A-Za-z0-9_]+)")
# Phrases every group uses; they make poor copy.
_FILLER = {"just", "really", "like", "thing", "things", "got", "get", "good", "lot", "bit", "thanks", "lol",
           "yeah", "know", "think", "want", "need", "did", "does", "don't", "i'm", "it's", "i've", "i'd",
           "that's", "use", "used", "make", "way", "actually", "pretty", "said", "say", "going", "one"}


def _weak(word: str) -> bool:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return word in ENGLISH_STOP_WORDS or word in _FILLER or "'" in word or len(word) < 3


def quote_score(text: str, confidence: float) -> float:
    """Prefer confident sentences of readable length that survive being read alone."""
    n = len(text)
    length = 1.0 if 50 <= n <= 220 else 0.6 if 30 <= n <= 320 else 0.2
    masked = 0.5 if any(m in text for m in MASKS) else 1.0  # a quote with holes reads poorly
    # A lowercase start usually means the sentence continues an earlier one.
    dangling = 0.8 if text[:1].islower() and n < 60 else 1.0
    # Questions ask about a theme more often than they state it.
    question = 0.8 if text.rstrip().endswith("?") else 1.0
    return float(confidence) * length * masked * dangling * question


def _date(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(pd.Timestamp(value).date())


def pick_quotes(rows: pd.DataFrame, n: int = 3) -> list[dict[str, Any]]:
    """The n best quotes of a group of insights, each with its link, source and date.

    One quote per document while other documents are left, so the evidence shows several
    people rather than one long post.

    Args:
        rows: insights with text, confidence, sent_id, url, source, created_at (doc_id optional).
        n: how many quotes to return.

    Returns:
        Dicts with text, url, source and date (ISO day or None).
    """
    if rows.empty:
        return []
    scored = rows.assign(_q=[quote_score(t, c) for t, c in zip(rows["text"], rows["confidence"])])
    ranked = scored.sort_values(["_q", "sent_id"], ascending=[False, True]).drop_duplicates("text")
    if "doc_id" in ranked.columns:
        first = ranked.drop_duplicates("doc_id")
        ranked = pd.concat([first, ranked.drop(first.index)])
    # List markers and quote marks from the post's formatting are not part of what was said.
    return [{"text": r.text.strip(" -–—*•>\"“”\t"), "url": r.url if isinstance(r.url, str) and r.url else None, "source": r.source,
             "date": _date(r.created_at)} for r in ranked.head(n).itertuples()]


def http_url(url: Any) -> str | None:
    """The link to render for a stored URL: http(s) with a host, else None (shown as text).

    A source's url column can hold anything, and a ``javascript:``, ``data:`` or ``vbscript:``
    link in the report would run when a reader clicks it. The URL is returned as urlsplit
    understood it (leading spaces and control characters removed, as browsers do), so the scheme
    checked is the scheme the browser sees.
    """
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit(parts)


def channel_of(source: str, url: str | None) -> str:
    """Where a document was said: the subreddit for Reddit, else the source and its site.

    A local or numeric host (the demo server) adds nothing, so only the source name is kept.
    Documents without a link (imported surveys) arrive with url None or NaN.
    """
    if isinstance(url, str) and url:
        sub = _SUBREDDIT.search(url)
        if sub and "reddit" in url:
            return f"r/{sub.group(1)}"
        host = urlsplit(url).netloc.lower()
        if host.startswith("www."):
            host = host[4:]
        if host and not _LOCAL_HOST.match(host) and host not in source:
            return f"{source} ({host})"
    return source


def distinctive_phrases(texts: pd.Series, groups: pd.Series, inside: pd.Series, top: int = 12) -> list[str]:
    """Phrases one segment uses more than everyone else, for copywriting.

    Counted per voice (a phrase one person repeats ten times counts once) and kept only when
    at least two voices of the segment use it, so the list is the segment's language rather
    than one author's habits. Two- and three-word phrases win ties: they are easier to reuse.

    Args:
        texts: one text per insight.
        groups: the voice of each text (same index).
        inside: True where the text belongs to the segment (same index).
        top: how many phrases to return.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    if texts.empty or not inside.any():
        return []
    per_voice = texts.groupby([inside.to_numpy(), groups.to_numpy()]).agg(" ".join)
    is_in = np.array([k[0] for k in per_voice.index], dtype=bool)
    # Stop words stay in while counting so phrases are what people wrote ("gets stuck on rugs"),
    # then phrases that start or end on one are dropped.
    vec = CountVectorizer(ngram_range=(1, 3), binary=True, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z'-]+\b")
    try:
        X = vec.fit_transform(per_voice.to_numpy())
    except ValueError:  # nothing but stop words
        return []
    a = np.asarray(X[is_in].sum(0)).ravel().astype(float)
    b = np.asarray(X[~is_in].sum(0)).ravel().astype(float)
    # Log-odds with an informative Dirichlet prior (Monroe et al. 2008, "Fightin' Words"): a
    # z-score that neither lets rare words win on ratio alone nor common words on count alone.
    # The prior weighs about 1% of the corpus: enough to tame one-off phrases at any corpus size.
    prior = (a + b) / (a + b).sum() * max(10.0, 0.01 * (a + b).sum())
    n_a, n_b, a0 = a.sum(), b.sum(), prior.sum()
    delta = (np.log((a + prior) / (n_a + a0 - a - prior)) - np.log((b + prior) / (n_b + a0 - b - prior)))
    z = delta / np.sqrt(1.0 / (a + prior) + 1.0 / (b + prior))
    vocab = np.array(vec.get_feature_names_out())
    words = np.array([len(v.split()) for v in vocab])
    min_voices = 2 if int(is_in.sum()) >= 4 else 1
    weak = np.array([_weak(v.split()[0]) or _weak(v.split()[-1]) for v in vocab])
    # Phrases are easier to reuse in copy than single words: a small bonus per extra word.
    score = np.where((a >= min_voices) & (z > 1.0) & ~weak, z * (1 + 0.5 * (words - 1)), 0)
    picked: list[tuple[str, float]] = []
    for i in np.argsort(-score, kind="stable")[: top * 20]:
        if score[i] <= 0:
            break
        phrase, words_i = vocab[i], set(vocab[i].split())
        overlap = [j for j, (p, _) in enumerate(picked) if words_i <= set(p.split()) or set(p.split()) <= words_i]
        if not overlap:
            picked.append((phrase, score[i]))
        elif len(overlap) == 1 and words_i > set(picked[overlap[0]][0].split()) and score[i] >= 0.5 * picked[overlap[0]][1]:
            # "gets stuck" says more than "stuck" alone: the phrase takes the word's place.
            picked[overlap[0]] = (phrase, picked[overlap[0]][1])
    return [p for p, _ in picked[:top]]


# -- roles and life events, for persona names ------------------------------------------------------
_NUMBER = r"(?:a |an |one |two |three |four |five |\d+ )?"
_ROLE_FORMS = (
    (re.compile(r"^(?:as an?|i'?m an?|i am an?|i work as an?) (?P<x>.+)$"), "{x}"),
    (re.compile(r"^we(?:'re| are) an? (?P<x>.+)$"), "{x}"),
    (re.compile(rf"^(?:i|we) (?:have|own|got) {_NUMBER}(?P<x>.+)$"), "{owner}"),
)
_ROLE_GROUPS = {
    frozenset({"kid", "toddler", "newborn", "baby", "child", "children", "twin"}): "parent",
    frozenset({"dog", "puppy", "pup", "retriever", "husky", "lab", "labrador", "shepherd", "poodle", "terrier",
               "collie", "spaniel", "doodle"}): "dog owner",
    frozenset({"cat", "kitten"}): "cat owner",
}
# First-person events that start a search: "our old one died", "we moved into a flat".
_BROKE = re.compile(r"\b(?:my|our) (?P<thing>(?:old |previous |last |first )?[a-z][a-z0-9' ]{1,22}?) "
                    r"(?:\w+ly |just |finally )?(?P<verb>died|broke(?: down)?|gave (?:up|out)|passed away|"
                    r"stopped working|was stolen|fell apart)\b", re.I)
_LIFE = re.compile(r"\b(?:i|we) (?:just |recently |finally )?(?P<verb>moved|had|adopted|got|retired|switched|upgraded)"
                   r"(?P<rest>(?: (?:a|an|the|my|our|into|to|from|in|two|three|twins|back)\b[a-z0-9' -]{0,36}?)?)"
                   r"(?=[,.;:!?)]| (?:and|so|but|because|which|when|after|who|with)\b|$)", re.I)
_SALE = re.compile(r"\b(prime day|black friday|cyber monday|on sale|a sale|a deal|discount)\b", re.I)
_VAGUE = {"a", "an", "the", "their", "into", "to", "in", "from", "place", "one", "thing", "new", "it", "them", "back"}
_PRONOUNS = ((r"\b(my|our)\b", "their"), (r"\b(me|us)\b", "them"), (r"\b(i|we)\b", "they"))


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def role_of(self_description: str) -> str:
    """A role noun from a self-description: "i'm a nurse" -> "nurse", "we have two dogs" -> "dog owner"."""
    text = re.sub(r"\s+", " ", self_description.strip().lower())
    for pattern, template in _ROLE_FORMS:
        m = pattern.match(text)
        if not m:
            continue
        x = m.group("x").strip()
        last = _singular(x.split()[-1]) if x else ""
        # Breeds and puppies are one role: it is the pet that shapes the needs.
        for group, role in _ROLE_GROUPS.items():
            if last in group:
                return role
        return template.format(x=x, owner=" ".join(x.split()[:-1] + [last]) + " owner").strip()
    return text


def _third_person(phrase: str) -> str:
    for pattern, repl in _PRONOUNS:
        phrase = re.sub(pattern, repl, phrase, flags=re.I)
    return phrase


def _trim(phrase: str, limit: int = 44) -> str:
    words, out = phrase.split(), []
    for w in words:
        if len(" ".join(out + [w])) > limit:
            break
        out.append(w)
    while out and out[-1].lower() in {"a", "an", "the", "to", "in", "into", "from", "of", "for", "their", "with", "and"}:
        out.pop()
    return " ".join(out)


def _clause(text: str) -> str | None:
    m = _BROKE.search(text)
    if m:
        return _third_person(f"whose {_trim(m.group('thing'), 26)} {m.group('verb').lower()}")
    m = _LIFE.search(text)
    if m and (m.group("rest").strip() or m.group("verb").lower() == "retired"):
        return _trim(_third_person(f"who {m.group('verb').lower()}{m.group('rest')}"))
    m = _SALE.search(text)
    if m:
        what = m.group(1).lower()
        return f"who buys on {what.title()}" if what in ("prime day", "black friday", "cyber monday") else "who waits for a deal"
    return None


def event_clauses(texts: list[str], top: int = 3) -> list[str]:
    """Relative clauses for the life events in trigger quotes ("whose old one died"), the most
    informative first ("who moved into an old house" before "who moved into a place")."""
    found = list(dict.fromkeys(c for c in map(_clause, texts) if c))
    return sorted(found, key=lambda c: -sum(w.lower() not in _VAGUE for w in c.split()[2:]))[:top]
