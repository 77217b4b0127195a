"""Evidence drawn from what people wrote: the quotes that back a theme, the channels where a
segment talks, and the roles persona names are built from (their life events:
``voc.personas.events``)."""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pandas as pd

from voc.defaults import QUOTE_CONFIDENCE
from voc.privacy.pii import MASKS

# Hosts that say nothing about the channel (a local demo server, an IP address).
_LOCAL_HOST = re.compile(r"^(localhost|127\.\d+\.\d+\.\d+|\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\])(:\d+)?$", re.I)
_SUBREDDIT = re.compile(r"/r/([A-Za-z0-9_]+)")
# List markers and quote marks from the post's formatting are not part of what was said.
_FORMATTING = " -–—*•>\"“”\t"


def quote_score(text: str, confidence: float) -> float:
    """Prefer confident sentences of readable length that survive being read alone."""
    n = len(text)
    length = 1.0 if 50 <= n <= 220 else 0.6 if 30 <= n <= 320 else 0.2
    masked = 0.5 if any(m in text for m in MASKS) else 1.0  # a quote with holes reads poorly
    # A lowercase start usually means the sentence continues an earlier one.
    dangling = 0.8 if text[:1].islower() and n < 60 else 1.0
    # Questions ask about a theme more often than they state it.
    question = 0.8 if text.rstrip().endswith("?") else 1.0
    # Confidence is calibrated (a stated 0.9 is right about 90% of the time) and a quote filed
    # under the wrong kind costs the report more than a quote of awkward length: squared, a 0.9
    # quote of 40 characters (0.49) beats a 0.6 one of ideal length (0.36).
    return float(confidence) ** 2 * length * masked * dangling * question


def vouched(rows: pd.DataFrame) -> pd.Series:
    """Which insights the classifier is sure enough of for the report to vouch for as quotes."""
    return rows["confidence"].astype(float) >= QUOTE_CONFIDENCE


def _date(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(pd.Timestamp(value).date())


def pick_quotes(rows: pd.DataFrame, n: int = 3) -> list[dict[str, Any]]:
    """The n best quotes of a group of insights, each with its link, source and date.

    Quotes the classifier is sure of (``QUOTE_CONFIDENCE``) come before any it is not, whatever
    their length: most unsure quotes content leads read were filed under the wrong kind.
    Within each, one quote per document while other documents are left, so the evidence shows
    several people rather than one long post.

    Args:
        rows: insights with text, confidence, sent_id, url, source, created_at (doc_id optional).
        n: how many quotes to return.

    Returns:
        Dicts with text, url, source, date (ISO day or None), confidence and sure (whether the
        report vouches for it).
    """
    if rows.empty:
        return []
    scored = rows.assign(_q=[quote_score(t, c) for t, c in zip(rows["text"], rows["confidence"])],
                         vouched=vouched(rows), _shown=rows["text"].astype(str).map(quote_text))
    # Duplicates as shown: "- The claim was denied" and "The claim was denied" read the same.
    ranked = scored.sort_values(["vouched", "_q", "sent_id"], ascending=[False, False, True]).drop_duplicates("_shown")
    if "doc_id" in ranked.columns:
        parts = []
        for sure in (True, False):
            group = ranked[ranked["vouched"] == sure]
            first = group.drop_duplicates("doc_id")
            parts += [first, group.drop(first.index)]
        ranked = pd.concat(parts)
    # Shown rounded down, so a 0.698 below the cut never reads as "0.70" beside its "unsure" mark.
    return [{"text": quote_text(r.text), "url": r.url if isinstance(r.url, str) and r.url else None, "source": r.source,
             "date": _date(r.created_at), "confidence": math.floor(float(r.confidence) * 100) / 100,
             "sure": bool(r.vouched)} for r in ranked.head(n).itertuples()]


# The answer heads of review-site exports (G2, Capterra: "Cons: The app crashes"): the site's
# form, not the reviewer's words.
_ANSWER_HEAD = re.compile(r"^\s*(?:pros|cons|overall)\s*:\s*", re.I)


def quote_text(text: str) -> str:
    """A sentence as a quote shows it: without the list marks and quotation marks around it, or
    a review site's answer head."""
    quote = text.strip(_FORMATTING)
    return _ANSWER_HEAD.sub("", quote).strip(_FORMATTING) or quote  # "Cons:" alone stays as written


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


# -- roles, for persona names -----------------------------------------------------------------------
_NUMBER = r"(?P<n>(?:a|an|one|two|three|four|five|six|several|multiple|my|our|\d+) )?"
# Self-descriptions come in a few shapes (voc.extract.self_description); each names its role differently.
_ROLE_FORMS = (
    (re.compile(r"^(?:as|being|i'?m|i am|we(?:'re| are)|i (?:currently )?work(?:ed)? as|i'?m working as|i was|"
                r"i used to be|i(?:'ve| have) been)(?: (?:also|now|currently|actually|just|still|only|both|all))?"
                r"(?: (?:an?|the))? (?P<x>.+)$"), "{x}"),
    (re.compile(rf"^(?:i|we)(?:'ve| have)? (?:have|own|got|adopted|run|manage|'ve got|have got|'ve had|have had|"
                rf"also have|now have) {_NUMBER}(?P<x>.+)$"), "{owner}"),
    (re.compile(r"^(?P<x>.+?) (?:here|like (?:me|us|myself))$"), "{x}"),
)
_ROLE_GROUPS = {
    frozenset({"kid", "toddler", "newborn", "baby", "child", "children", "twin", "son", "daughter", "boy", "girl",
               "teen", "teenager", "infant"}): "parent",
    frozenset({"dog", "puppy", "pup", "retriever", "husky", "lab", "labrador", "shepherd", "poodle", "terrier",
               "collie", "spaniel", "doodle", "goldendoodle", "labradoodle", "bulldog", "frenchie", "beagle", "pug",
               "dachshund", "chihuahua", "corgi", "boxer", "rottweiler", "pitbull", "mastiff", "dane", "greyhound",
               "schnauzer", "yorkie", "cavalier", "mutt", "hound", "rescue", "golden", "aussie", "heeler"}): "dog owner",
    frozenset({"cat", "kitten", "kitty", "tabby", "siamese", "ragdoll", "bengal"}): "cat owner",
    frozenset({"pet", "furbaby", "animal"}): "pet owner",
    frozenset({"house", "home", "apartment", "condo", "flat", "property", "land", "acre"}): "homeowner",
}
HOUSEHOLD_ROLES = frozenset(_ROLE_GROUPS.values())
# What someone has that is not owned but lived with: "i have oily skin" -> "person with oily skin".
_WITH = {"skin", "hair", "hand", "feet", "ear", "acne", "diabetes", "asthma", "arthritis", "adhd", "autism", "anxiety",
         "depression", "migraine", "tinnitus", "eczema", "rosacea", "allergy", "disability", "condition", "breakout",
         "pore", "scar", "wrinkle", "pimple", "freckle", "experience", "skill", "knowledge", "background", "degree",
         "phd", "budget", "income", "saving", "job", "family", "team", "garden", "yard", "commute", "roommate"}
_STATES = {"retired": "retiree", "pregnant": "parent-to-be", "married": "spouse", "divorced": "divorcee",
           "unemployed": "job seeker", "broke": "buyer on a tight budget", "left-handed": "left-hander",
           "bilingual": "bilingual speaker", "vegan": "vegan", "vegetarian": "vegetarian", "diabetic": "diabetic"}
_SCHOOLS = re.compile(r"^in (?P<x>college|high school|grad school|med school|law school|nursing school|vet school|"
                      r"university)$")
# "i've been roasting for 10 years" -> "experienced roaster"; the few practices whose doer is not "-er".
_DOERS = {"cooking": "cook", "living": "resident", "nursing": "nurse", "doing": "practitioner",
          "practicing": "practitioner", "investing": "investor", "studying": "student", "volunteering": "volunteer",
          "collecting": "collector", "cycling": "cyclist", "renovating": "renovator", "sewing": "sewist",
          "drawing": "artist", "fostering": "foster carer", "raising": "breeder", "caring": "carer",
          "showing": "exhibitor", "fishing": "angler", "shooting": "photographer", "worked": "worker",
          "taught": "teacher", "volunteered": "volunteer", "studied": "student", "trained": "trainer"}
_TENURE = re.compile(r" (?:for|of|since) .*?\b(?:years?|decades?|life|lives|\d{4}|college|high school|i was \S+)$")
_PRONOUNS = ((r"\b(my|our)\b", "their"), (r"\b(me|us)\b", "them"), (r"\b(i|we)\b", "they"))


def singular(word: str) -> str:
    if word in ("children", "people"):
        return {"children": "child", "people": "person"}[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith(("ss", "us", "is")) else word


def role_of(self_description: str) -> str:
    """A role noun for persona names from a self-description: "i'm a nurse" -> "nurse", "we have two
    dogs" -> "dog owner", "i'm retired" -> "retiree", "i've been roasting for 10 years" -> "experienced
    roaster", "i live in a small apartment" -> "person living in a small apartment"."""
    text = re.sub(r"\s+", " ", self_description.strip().lower())
    # A tenure says how long, not who: "a customer for 8 years" is a long-time customer.
    text, tenure = _TENURE.sub("", text), bool(_TENURE.search(text))
    if role := _doer(text):
        return role
    for pattern, template in _ROLE_FORMS:
        m = pattern.match(text)
        if not m:
            continue
        x = m.group("x").strip()
        words = [w for w in re.split(r" (?:with|in|of|for|at|as|from) ", x)[0].split() if w != "own"] or [""]
        last = singular(words[-1])
        if template == "{owner}":
            # Breeds and puppies are one role: it is the pet that shapes the needs.
            for group, role in _ROLE_GROUPS.items():
                if last in group:
                    return role
            return f"person with {m.group('n') or ''}{x}" if last in _WITH else " ".join(words[:-1] + [last, "owner"])
        plural = re.match(r"^(?:we(?:'re| are)|as) (?!an? |the )|.* like us$", text) and last != words[-1]
        x = " ".join(x.split()[:-1] + [last]) if plural else x  # "as parents" -> "parent"
        if text.startswith(("i was ", "i used to", "i worked as")) and not x.startswith(("former", "retired", "ex-")):
            x = f"former {x}"
        if school := _SCHOOLS.match(x):
            return f"{school.group('x')} student"
        if x.startswith("new to "):
            return "newcomer " + x.removeprefix("new ")
        state = re.match(r"^(?:i'?m|i am|we(?:'re| are)) (?!an? |the )", text) and not plural and (
            len(x.split()) == 1 or x.split()[0] in ("in", "on", "from", "allergic", "based", "located", "no", "not",
                                                    "by", "far", "lactose", "gluten") or x[:1].isdigit())
        if x in _STATES or state or re.match(r"^(?:an? )?\d+[- ]?(?:years?|yrs?)[- ]?old\b", x):
            return _STATES.get(x) or _state(x)
        if tenure and not x.startswith(("former", "long", "experienced")):
            return ("long-time " if last in ("customer", "member", "client", "user", "policyholder") else "experienced ") + x
        return x
    return third_person(text)


def _state(x: str) -> str:
    """ "i'm 25 years old" -> "25-year-old"; "i'm allergic to bees" -> "person allergic to bees"."""
    if m := re.match(r"^(?:an? )?(\d+)[- ]?(?:years?|yrs?)[- ]?old(?: (.+))?$|^(\d+) ?y/?o$", x):
        return f"{m.group(1) or m.group(3)}-year-old" + (f" {m.group(2)}" if m.group(2) else "")
    if re.match(r"^(?:no|not an?|by no means an?|far from an?) ", x):
        return "non-" + x.split()[-1]
    return third_person(f"person {x}" if x.split()[0] in ("in", "on", "from", "allergic", "based", "located")
                         else f"{x} person")


def _doer(text: str) -> str | None:
    """ "i've been roasting" -> "experienced roaster"; "i live in ..." -> "person living in ..."; "as
    someone who works in insurance" -> "person who works in insurance"."""
    if m := re.match(r"^(?:i|we)(?:'ve| have)? (?:been (?P<g>\w+ing)|(?P<v>worked|taught|volunteered|studied|trained|"
                     r"cooked|brewed|roasted|bred|fostered|groomed))(?P<obj>(?: [a-z-]+)*)", text):
        verb = m.group("g") or m.group("v")
        obj = [w for w in re.split(r" (?:in|at|on|with|as|for|from|to)\b", m.group("obj"))[0].split()
               if w not in ("my", "our", "the", "a", "an")]
        doer = _DOERS.get(verb) or verb[:-3] + "er"  # roasting -> roaster, running -> runner, baking -> baker
        return " ".join(["experienced", *map(singular, obj[-2:]), doer]) if m.group("g") else f"experienced {doer}"
    if re.match(r"^(?:i|we) have \D*\d+\+? years?'? (?:of )?experience", text) or text.startswith("i was professionally"):
        return "experienced professional"
    if m := re.match(r"^(?:i|we) (?:currently |now |also )?(?P<v>live|work) (?P<x>.+)$", text):
        return third_person(f"person {'living' if m.group('v') == 'live' else 'working'} {m.group('x')}")
    if m := re.match(r"^as (?:someone|somebody|a person|one) (?P<x>(?:who|with) .+)$", text):
        return third_person(f"person {m.group('x')}")
    return None


def third_person(phrase: str) -> str:
    for pattern, repl in _PRONOUNS:
        phrase = re.sub(pattern, repl, phrase, flags=re.I)
    return phrase


def label_quotes(rows: pd.DataFrame, label: str, n: int = 3, first: pd.Series | None = None) -> list[dict[str, Any]]:
    """The n best quotes of a theme that speak of its label ("claim denied" quotes under
    "claim denied"), those that also speak of one of its bracketed terms first ("cancel" under
    "policy (cancel, renewed)"), topped up from the rest only when fewer do: a quote near the
    centroid that never mentions the theme ("I had this problem too") does not prove it.

    Only quotes the classifier is sure of are shown when the theme has any, else its one best
    quote, marked unsure: in the judged #18 reports (bench/content/judged/quotes-*-ensemble.csv)
    unsure quotes beside sure ones were of the kind they were filed under 2 times in 9. ``first``
    (a mask indexed like ``rows``) puts some speakers first in each group (askers on Q&A)."""
    from voc.topics.labels import on_label, on_terms, word_stems

    if rows.empty:
        return []
    if first is not None and not first.index.equals(rows.index):  # pandas would align it by chance
        raise ValueError("label_quotes: `first` must be indexed like `rows` (reindex it on rows.index)")
    written = rows["text"].tolist()
    words = word_stems(written)  # read once for the head and the bracketed terms
    about = pd.Series(on_label(written, label, words), index=rows.index)
    fuller = pd.Series(on_terms(written, label, words), index=rows.index)
    sure = vouched(rows)
    shown, n = (sure, n) if sure.any() else (~sure, min(n, 1))
    parts = []
    for told in (about & fuller, about & ~fuller, ~about):
        group = shown & told
        parts += [group] if first is None else [group & first, group & ~first]
    quotes: list[dict[str, Any]] = []
    texts = rows["text"].astype(str).map(quote_text)
    for part in parts:
        if len(quotes) < n:
            # The same words can be said in two documents: a text already shown is not shown again.
            quotes += pick_quotes(rows[part & ~texts.isin([q["text"] for q in quotes])], n - len(quotes))
    return quotes
