"""What stands between a mid-rated review and 5 stars: the fixes reviewers name for their missing
stars ("fix YouTube and it's a 5-star item", "the only reason I didn't give 5 stars is the wait").

A reading of review sentences, not a stage: nothing is stored, and the report runs it on the
sentences of 2-4 star reviews that mention a rating (``Store.rated_review_sentences``). It works on
patterns rather than the insight classifier because the rating words themselves say which stars
are missing and what for; the classifier reads "would be 5 stars if it had a dark theme" as praise
as often as a request.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from voc.report.fix_patterns import (
    ABOUT_RATING,
    AHEAD,
    ALMOST,
    FURTHER,
    KEPT,
    MODAL,
    NEGATIVE,
    NO_FIX,
    NUM,
    OPENERS,
    PATTERNS,
    POSITIVE,
    STOP,
    SYNONYMS,
)

# The mid-rated band in the store's 0-5 scale: below 2 a review rejects the product rather than
# naming what it lacks; at 5 nothing is missing.
MID_RATED = (2.0, 4.0)
# What every sentence the patterns can match contains; the store filters on it first.
PREFILTER = r"(?i)(star|[*★]|\b(5|five)\b|higher (rating|score))"

_WORD = re.compile(r"[a-z][a-z'-]*")
_MAX_WORDS = 16


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def _content(word: str) -> bool:
    """A word a noun phrase of the fix may hold: no verb forms, adverbs or praise."""
    return (len(word) > 2 and word not in STOP and word not in POSITIVE and "'" not in word
            and not word.endswith(("ly", "ed", "n't")))


def _points_back(clause: str) -> bool:
    """Whether a clause names nothing of its own ("fix this", "when that's done", "if granted")."""
    return not any(len(w) > 1 and w not in STOP and "'" not in w for w in _words(clause))


def _tidy(clause: str, keep: str = "before") -> str:
    """The reason as a reader would quote it: no leading "because"/"that", at most a few words, and
    of "X, but Y" the half that carries it: X for a reason given ("the UI is dated, but I still use
    it"), Y for a sentence pointed back to ("Looks great, but the app crashes")."""
    clause = re.sub(r"^[\s,:;\-–—()]*(?:(?:is|was|are|were|because|because of|due to|the fact that|that|of|for|as|since|"
                    r"being|cause|cuz|bc|b/c|based on|on|only|just|simply|it's|it is|is that|was that|if|when|"
                    r"(?:it )?(?:weren't|wasn't|were not|was not) for|not for)(?=[\s,:]|$)[\s,:]*)*", "",
                    clause.strip(), flags=re.I)
    halves = re.split(r",? \b(?:but|however|though|although)\b,?", clause, maxsplit=1, flags=re.I)
    if len(halves) == 2 and not _points_back(halves[0]) and not _points_back(halves[1]):
        neg, pos = _polarity(halves[1])
        clause = halves[1] if keep == "after" and not (pos and not neg) else halves[0]
    return re.sub(r"(?:[\s,:;\-–—(]|\b(?:and|or|so|then|but)\b)+$", "", clause.strip(), flags=re.I).strip(" \"'“”")


def _short(fix: str) -> str:
    words = fix.split()
    return " ".join(words[:_MAX_WORDS]) + (" …" if len(words) > _MAX_WORDS else "")


def _polarity(clause: str, main_only: bool = False) -> tuple[int, int]:
    """(shortfall words, praise words) of a reason, a tie going to the one said last ("Nice app,
    keeps crashing" is a shortfall). ``main_only``: count only what comes before
    "but" ("2 stars because they have support, though it was worthless" gives the reason for the
    second star, not the missing three)."""
    if main_only and not re.match(r"\s*(?:while|although|though|even though)\b", clause, re.I):
        clause = re.split(r"\b(?:but|however|though|although|yet)\b", clause, maxsplit=1, flags=re.I)[0]
    # "it would be nice if they covered X" asks for something; its "nice" is no praise.
    clause = re.sub(r"\b(?:would|could|'d) (?:be|have been) (?:nice|great|good|better|helpful|awesome)|\bwould (?:love|like)",
                    "wish", clause, flags=re.I)
    marks = [1 if w in NEGATIVE or w.endswith("n't") else -1 for w in _words(clause) if w in NEGATIVE or
             w.endswith("n't") or w in POSITIVE]
    neg, pos = marks.count(1), marks.count(-1)
    return (neg + 1, pos) if neg and neg == pos and marks[-1] == 1 else (neg, pos)


def _before(text: str, start: int, pre: str | None) -> str:
    """The reason written before the rating words ("crashes a lot, so 3 stars"): the last clause
    before them that names something."""
    before = pre if pre is not None else text[:start]
    # "durability is the last quality, which is why I have given it a 4": the reason precedes "why".
    before = re.split(r"\b(?:which|that|this) is (?:why|the reason)\b|\bthat'?s (?:why|the reason)\b|\bhence\b|\bthus\b",
                      before)[0]
    before = re.sub(r"(?:[\s,;:(\-–—]|\b(?:i|it|they|you|we|so|and|but|had to|have to|gotta|makes? me|made me|that'?s why|"
                    r"which is why|hence|thus|would|will|could|'d|'ll|give|gave|given|giving|rate|rated|rating|be|been|"
                    r"have|deserves?|raise|change|up|upgrade|bump|re-?rate|to)\b)+$", "", before, flags=re.I)
    clauses = re.split(r"[,;:(]\s*|\s[-–—]\s|\bthat\s+(?=this|it|they|the)", before)
    named = [c for c in clauses if c.strip() and not _points_back(c)]
    return re.sub(r"^\s*(?:but|and|so|however|also|for|because of|due to|still|plus|then|well|anyway)\b[\s,]*", "",
                  named[-1] if named else "", flags=re.I)


def _clean(text: str | None) -> str:
    # A sentence-internal ellipsis ("easily 5 stars...however it crashes") joins clauses, not sentences.
    return re.sub(r"\s+", " ", re.sub(r"\s*(?:\.{2,}|…)\s*", ", ", (text or "").replace("’", "'"))).strip(" ,")


def match_fix(text: str, rating: float | None = None, previous: str | None = None) -> dict[str, Any] | None:
    """The fix one review sentence names for its missing stars, or None.

    Args:
        text: the sentence.
        rating: its review's rating (0-5); a rating the sentence says it gave more than a star
            above it is someone else's.
        previous: the sentence before it, where "fix this and it's 5 stars" names what to fix.

    Returns:
        ``{"fix": the reason as written, "pattern": which family matched, "uses_previous": bool}``.
    """
    text = _clean(text)
    # "So why four stars?" asks; its answer is another sentence.
    question = text.endswith("?")
    if question and re.match(r"(?:so |now |but |and )?(?:why|how|what)\b", text, re.I):
        return None
    for name, pattern, given, before in PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        g = m.groupdict()
        n = NUM.get((g.get("n") or g.get("m") or "").lower()) or int(g.get("n") or g.get("m") or 0) or None
        if given and ((n is not None and rating is not None and n > rating + 1) or KEPT.search(text)):
            continue  # someone else's rating ("the President gives it FOUR STARS"), or the stars kept
        # "if" without "would"/"then" is no condition on the rating, unless the rating is all that
        # follows ("Once that works, 5 stars!").
        bare = name == "if X, five" and not g["then"].strip() and len(text[m.end():].split()) <= 3
        if name.startswith("if") and not bare and not MODAL.search(text[m.start("fix"):]):
            continue
        if name == "five but" and not (MODAL.search(text[:m.start("fix")]) or ALMOST.search(text)
                                       or len(text[m.end("target"):m.start("fix")].split()) <= 2):
            continue  # "I left a 5-star review because ..." is no condition either
        if AHEAD.search(g.get("fix") or "") or AHEAD.search(text):
            continue
        fix = _tidy(g.get("fix") or "")
        if _points_back(fix) and before:
            fix = _tidy(_before(text, m.start(), g.get("pre")))
        uses_previous = False
        if _points_back(fix):
            prev = _clean(previous)
            neg, pos = _polarity(prev)
            fragment = len(prev.split()) < 3 or (prev[:1].islower() and len(prev.split()) < 5)
            if question or fragment or _points_back(prev) or (pos and not neg) or FURTHER.search(prev):
                continue
            fix, uses_previous = _tidy(prev, keep="after"), True
        if (NO_FIX.search(fix) or ABOUT_RATING.search(fix) or (question and len(fix.split()) < 3)
                or (not uses_previous and NO_FIX.search(text))):
            continue
        neg, pos = _polarity(fix, main_only=n == 2)
        # A reason for stars given must read as a shortfall; "only"/"instead of 5" already say it is one.
        marked = name in ("only n stars because", "stars instead of five") and n != 2
        # "not 5 stars, but one of his better books": praise after "but" is what earned the stars given.
        contrast = name == "not five" or (name == "five but" and not re.match(r"if|when|once|unless|provided|only if",
                                                                                g["conj"], re.I))
        if (given and not (neg >= pos if marked else neg > pos)) or (contrast and pos and not neg):
            continue
        return {"fix": _short(fix), "pattern": name, "uses_previous": uses_previous}
    return None


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")) and len(word) > 3:
        return word[:-1]
    return word


def fix_phrase(fix: str) -> str:
    """A short noun phrase for a fix, to group reviewers who name the same thing ("premium",
    "dark theme", "claim processing"): the first run of up to two content words after a
    determiner or preposition ("a choice of *dark background*"), else the first run at all."""
    runs: list[tuple[bool, list[str]]] = []
    current: list[str] = []
    opened = after_opener = False
    for w in _words(fix) + [""]:
        if w in SYNONYMS or _content(w):
            opened = opened if current else after_opener
            current.append(SYNONYMS.get(w, w))
            continue
        if current:
            runs.append((opened, current))
            current = []
        after_opener = w in OPENERS
    run = next((r for o, r in runs if o), runs[0][1] if runs else [])
    return " ".join(_singular(w) for w in run[:2])


def _aspect(aspect: Any, fix: str) -> str | None:
    """The insight aspect to group by, when the fix itself mentions it: an aspect taken from the
    praise half of "the app looks great, would be 5 stars without the ads" is not what is missing."""
    if not isinstance(aspect, str) or not aspect.strip():
        return None
    return aspect if _singular(aspect.lower().split()[-1]) in {_singular(w) for w in _words(fix)} else None


def find_fixes(sentences: pd.DataFrame) -> pd.DataFrame:
    """Every sentence of a mid-rated review that names what stands between its rating and 5 stars.

    Args:
        sentences: rows with sent_id, doc_id, text, rating, url, source, created_at and optionally
            prev_text, aspect and prev_aspect (``Store.rated_review_sentences``).

    Returns:
        One row per match: the input columns plus fix (the reason as written), group (the insight
        aspect when the sentence holding the fix is an insight about it, else a short noun phrase
        of the fix), quote (the sentence, after the one before when that one holds the fix),
        pattern and uses_previous.
    """
    cols = ["fix", "group", "quote", "pattern", "uses_previous"]
    df = sentences.copy()
    for c in ("sent_id", "doc_id", "text", "rating", "url", "source", "created_at", "prev_text", "aspect", "prev_aspect"):
        if c not in df.columns:
            df[c] = None
    df = df[df["rating"].astype(float).between(*MID_RATED)]
    found = []
    for row in df.itertuples(index=False):
        prev = row.prev_text if isinstance(row.prev_text, str) else None
        hit = match_fix(row.text, row.rating, prev)
        if hit is None:
            continue
        rec = row._asdict() | hit
        aspect = _aspect(row.prev_aspect if hit["uses_previous"] else row.aspect, hit["fix"])
        rec["group"] = aspect or fix_phrase(hit["fix"]) or " ".join(hit["fix"].lower().split()[:6])
        rec["quote"] = f"{prev.strip()} {row.text.strip()}" if hit["uses_previous"] else row.text.strip()
        found.append(rec)
    return pd.DataFrame(found, columns=list(df.columns) + cols)


def _date(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(pd.Timestamp(value).date())


def merge_groups(found: pd.DataFrame) -> pd.DataFrame:
    """"pin lock" and "lock" are one thing missing: a phrase joins the one-word group it contains
    (the most named, if several)."""
    sizes = found.drop_duplicates(["group", "doc_id"])["group"].value_counts()
    single = {str(k) for k in sizes.index if " " not in str(k)}
    return found.assign(group=[max((w for w in str(k).split() if w in single), key=lambda w: sizes[w], default=k)
                               for k in found["group"]])


def group_fixes(found: pd.DataFrame, quotes: int = 3) -> list[dict[str, Any]]:
    """Fixes grouped by what is missing, the one most reviewers name first.

    Returns:
        Dicts with label (the group), reviewers (reviews naming it), rating (their mean) and
        quotes (text, fix, url, source, date, rating; one per review).
    """
    groups = []
    for label, g in found.groupby("group", sort=False):
        # Quotes that name the fix themselves read best alone; then the shorter ones.
        g = g.drop_duplicates("doc_id").assign(_len=g["quote"].str.len()).sort_values(["uses_previous", "_len"],
                                                                                     kind="stable")
        groups.append({
            "label": str(label), "reviewers": len(g), "rating": round(float(g["rating"].mean()), 1),
            "quotes": [{"text": r.quote, "fix": r.fix, "url": r.url if isinstance(r.url, str) and r.url else None,
                        "source": r.source, "date": _date(r.created_at), "rating": float(r.rating)}
                       for r in g.head(quotes).itertuples()],
        })
    return sorted(groups, key=lambda e: (-e["reviewers"], e["label"]))


def stands_between(sentences: pd.DataFrame, mid_rated_reviews: int) -> dict[str, Any]:
    """The report section: fixes grouped by what is missing, and a one-line note when there are none."""
    found = merge_groups(find_fixes(sentences))
    groups = group_fixes(found)
    note = None
    if mid_rated_reviews == 0:
        note = "No review is rated 2–4 stars, so none says what stands between it and 5 stars."
    elif not groups:
        note = f"None of the {mid_rated_reviews} mid-rated (2–4★) reviews names what stands between its rating and 5 stars."
    rows = [{"group": r.group, "fix": r.fix, "text": r.quote, "url": r.url if isinstance(r.url, str) and r.url else None,
             "source": r.source, "date": _date(r.created_at), "rating": float(r.rating), "sent_id": r.sent_id}
            for r in found.itertuples()]
    return {"groups": groups, "reviewers": int(found["doc_id"].nunique()) if len(found) else 0,
            "mid_rated_reviews": mid_rated_reviews, "note": note, "rows": rows}
