"""Life events that start a search, for persona names: "whose old one died", "who moved into a
house", "who waits for a deal", read from the first-person trigger sentences of a segment's
voices, and the ones several voices tell of (``shared_events``)."""

from __future__ import annotations

import re

from voc.personas.evidence import singular, third_person
from voc.topics.names import HOUSEHOLD

# First-person events that start a search: "our old one died", "we moved into a flat".
_BROKE = re.compile(r"\b(?:my|our) (?P<thing>(?:old |previous |last |first )?[a-z][a-z0-9' ]{1,22}?) "
                    r"(?:\w+ly |just |finally )?(?P<verb>died|broke(?: down)?|gave (?:up|out)|passed away|"
                    r"stopped working|was stolen|fell apart)\b", re.I)
_LIFE = re.compile(r"\b(?:i|we) (?:just |recently |finally )?(?P<verb>moved|had|adopted|got|retired|switched|upgraded)"
                   r"(?P<rest>(?: (?:a|an|the|my|our|into|to|from|in|two|three|twins|back)\b[a-z0-9' -]{0,36}?)?)"
                   r"(?=[,.;:!?)]| (?:and|so|but|because|which|when|after|who|with)\b|$)", re.I)
# When the event runs on past _LIFE's 36 characters ("we just adopted a dog from the Lawrence
# Humane Society and ..."), its first words up to a preposition still tell it.
_LIFE_SHORT = re.compile(_LIFE.pattern.replace("|with)\\b", "|with|from|at|for|in|on)\\b"), re.I)
_SALE = re.compile(r"\b(prime day|black friday|cyber monday|on sale|a sale|a deal|discount)\b", re.I)
_EVENT_CHARS = 50
_VAGUE = {"a", "an", "the", "their", "into", "to", "in", "from", "place", "one", "thing", "new", "it", "them", "back"}


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
    # A pet or a person that "broke" broke a bone, free or out in hives ("our puppy broke her leg",
    # pet-insurance reviews): no product broke down. (One that died is an event: "whose dog passed away".)
    if m and m.group("verb").lower().startswith("broke") and m.group("thing").split()[-1].lower() in HOUSEHOLD:
        m = None
    if m:
        return third_person(f"whose {_trim(m.group('thing'), 26)} {m.group('verb').lower()}")
    m = _LIFE.search(text) or _LIFE_SHORT.search(text)
    if m and (m.group("rest").strip() or m.group("verb").lower() == "retired"):
        # Room for the whole event (_LIFE caps it): cut at 44 characters, 7 of 126 real events
        # lost their last words ("who upgraded to a wireless G Linksys USB [adaptor]").
        return _trim(third_person(f"who {m.group('verb').lower()}{m.group('rest')}"), _EVENT_CHARS)
    m = _SALE.search(text)
    if m:
        what = m.group(1).lower()
        return f"who buys on {what.title()}" if what in ("prime day", "black friday", "cyber monday") else "who waits for a deal"
    return None


_BROKE_WORDS = {"died", "broke", "down", "gave", "up", "out", "passed", "away", "stopped", "working", "was", "stolen",
                "fell", "apart"}
_OLD = {"old", "previous", "last", "first"}
# Verbs that say which event it was on their own ("who moved"); "had" and "got" need their object
# ("who got a puppy" and "who had a baby" are two events, "who had to do" none).
_WEAK_EVENTS = {"had", "got"}


def _event_family(clause: str) -> str:
    """The event a clause tells of: its verb ("whose laptop died" and "whose old Sennheisers broke
    down" are one: something broke), with the first word of the object after a weak verb."""
    words = clause.lower().split()
    if words[0] == "whose":
        tail = " ".join(words[-2:])
        return "whose:" + ("stolen" if tail.endswith("stolen") else "passed" if tail.endswith("passed away") else "broke")
    if words[1] in _WEAK_EVENTS:
        obj = [singular(w) for w in words[2:] if w not in _VAGUE]
        return f"{words[1]}:{obj[0] if obj else ''}"
    return words[1] if words[1] != "buys" else clause


def _named_word(word: str) -> bool:
    return word[:1].isupper() or any(c.isdigit() for c in word)


def _plain(clause: str) -> bool:
    """No name, model or date in it: it can stand for other voices' events too."""
    return not any(_named_word(w) for w in clause.split()[1:])


def _unnamed(clause: str) -> str | None:
    """The clause without its names, models and dates, when it still tells the event: "whose Sony
    headphones died" -> "whose headphones died", "who upgraded to Windows XP" -> "who upgraded"."""
    words = clause.split()
    if words[0] == "whose":
        kept = [w for w in words if not _named_word(w)]
        thing = kept[1:]
        while thing and thing[-1] in _BROKE_WORDS:
            thing.pop()
        # "whose Cyber Acoustics died" and "whose old Sennheisers broke down" leave no thing.
        return " ".join(kept) if any(w not in _OLD for w in thing) else None
    cut = next((i for i, w in enumerate(words) if i and _named_word(w)), len(words))
    if words[1] == "switched" and cut < len(words) and words[cut - 1] in ("to", "from"):
        return "who switched brands"  # "who switched to Figo": the name was the other brand
    kept = _trim(" ".join(words[:cut]), 200).split()
    return " ".join(kept) if len(kept) >= 2 and (kept[1] not in _WEAK_EVENTS or len(kept) >= 3) else None


def shared_events(texts: list[str], voices: list[str], mine: set[str] | None = None, least: int = 2,
                  top: int = 3) -> list[str]:
    """The life events that at least ``least`` voices tell of in their trigger sentences and at
    least one of ``mine`` (a segment's voices; default all), the most told by ``mine`` first, each
    as the clause that stands for it best: the one most voices used word for word (one with a
    name or date only when at least ``least`` voices used it), unless more voices told it once
    their names and dates are left out ("whose old one died" for "whose old Dustly D3 died" too;
    "who switched brands" for "who switched to Figo" and "... to Pet's Best").

    One voice's event is an anecdote, not a segment: on the 27k bench corpus single quotes named
    personas "who upgraded to a wireless G Linksys USB adaptor"."""
    by_clause: dict[str, set[str]] = {}
    for text, voice in zip(texts, voices):
        if c := _clause(text):
            by_clause.setdefault(c, set()).add(voice)
    families: dict[str, list[str]] = {}
    for c in by_clause:
        families.setdefault(_event_family(c), []).append(c)
    told = {f: set().union(*(by_clause[c] for c in cs)) for f, cs in families.items()}
    best: dict[str, str] = {}
    for f, cs in families.items():
        # One voice's model or date does not stand for the others': such a clause stands for the
        # event only when enough voices used it word for word, else it goes without its names.
        fit = [c for c in cs if _plain(c) or len(by_clause[c]) >= least]
        unnamed: dict[str, set[str]] = {}
        for c in cs:
            if u := _unnamed(c):
                unnamed.setdefault(u, set()).update(by_clause[c])
        told_most = max(fit, key=lambda c: (len(by_clause[c]), _plain(c), -len(c.split()), c)) if fit else None
        bare = max(unnamed, key=lambda u: (len(unnamed[u]), -len(u.split()), u)) if unnamed else None
        # Without their names more voices may tell one event than any plain clause does: on
        # Trustpilot pet-insurance reviews "who switched to Figo" and "... to Pet's Best" are two
        # voices who switched brands, against one "who switched back" (a reader asks from what).
        if bare is not None and (told_most is None or len(unnamed[bare]) > len(by_clause[told_most])):
            best[f] = bare
        elif told_most is not None:
            best[f] = told_most
    mine = set(voices) if mine is None else mine
    ranked = sorted((f for f in best if len(told[f]) >= least and told[f] & mine),
                    key=lambda f: (-len(told[f] & mine), -len(told[f]), best[f]))
    return [best[f] for f in ranked[:top]]
