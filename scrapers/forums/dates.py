"""A post's own date: parsing forum date text, and choosing the date that belongs to the post.

A post block carries several dates: the post's (in its header, on its permalink, in a ``<time>``
or a schema.org ``datePublished``) and the author's (joined, registered, last visit, birthday) or
an edit's. :func:`post_date` takes the engine's own selectors first, then ranks what is left:
schema.org, dates on the permalink, date-classed elements, any ``<time>``, then date-like text,
and never takes one labelled as a join, visit, birthday or edit date, or one inside the post's
text or a quote. No date is None, never a guess.

:func:`parse_date` reads ISO, epoch seconds or milliseconds and English forum text cheaply
(dateutil), and falls back to dateparser for relative and other-language dates ("3 hours ago",
"Yesterday at 9:15 PM", "12. März 2024", "3 天前"), relative to the time the page was fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from bs4 import NavigableString, Tag
from dateutil import parser as dateutil_parser

from scrapers.base import parse_ts
from voc.schema import utcnow

# Languages dateparser tries when the page does not say: guessing among all of its ~200 costs
# up to a second per failed string.
DEFAULT_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "nb", "fi", "cs", "tr", "ru",
                     "uk", "zh", "ja", "ko")
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2}| ?UTC)?$")
_YEAR_RE = re.compile(r"\b(19[89]\d|20\d\d)\b")
_MONTH_RE = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.I)
_LABEL_RE = re.compile(r"^((posted|published|created|date|written|geschrieben|verfasst|publié|posté|pubblicato|"
                       r"publicado)\b|(reply|antwort|réponse|respuesta|risposta)\s*#?\d*|发表于|發表於|发布于|發佈於)?"
                       r"\s*((on|am|le|at)\b)?\s*:?\s*", re.I)
_RELATIVE_RE = re.compile(
    r"\b(ago|just now|yesterday|today|vor|gestern|heute|il y a|hier|aujourd|hace|ayer|hoy|ieri|oggi|geleden|"
    r"gisteren|vandaag|temu|wczoraj|dzisiaj|igår|idag|i går|i dag|назад|вчера|сегодня)\b|前|昨天|今天|刚刚|昨日|今日",
    re.I)
_NUMERIC_DATE_RE = re.compile(r"\d{1,4}\s*[./\-年]\s*\d{1,2}\s*[./\-月]\s*\d{1,4}")
# A date of the author or of an edit, told by its label or its element's class or id.
_OTHER_DATE_RE = re.compile(
    r"join|regist|member since|mitglied seit|inscrit|miembro desde|iscritto|last (edit|seen|visit|active|online|post)|"
    r"edited|updated|modified|birthday|geburtstag|anniversaire|dabei seit|since:|seit:|加入|注册|最后|编辑|生日", re.I)
_OTHER_CLASS_RE = re.compile(r"join|regist|birth|edit|update|modif|last|since|seen|visit|online|signature", re.I)
_DATE_CLASS_RE = re.compile(r"date|time|when|posted|publish|created|stamp", re.I)
_PANEL_RE = re.compile(r"author|user|poster|profile|member|postbit[-_]?(left|right)|avatar|pls\b|favatar", re.I)
_PERMALINKS = "a[rel~=bookmark], a[class*=ermalink], a[title*=ermalink], a[href*='#post'], a[href*='#p'], " \
              "a[href*='/post/'], a[href*='post-'], a[href*='?p='], a[href*='#msg'], a[href*='#comment']"
_DATE_ATTRS = ("datetime", "data-time", "data-timestamp", "data-datestring", "content", "title", "data-original-title")
_DATEPARSER = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False, "TIMEZONE": "UTC",
               "TO_TIMEZONE": "UTC"}


@dataclass(frozen=True)
class Found:
    """A value taken from a page and where it was taken from (shown by ``voc fetch --explain``)."""

    value: Any
    where: str


def describe(el: Tag, attr: str | None = None) -> str:
    """A short selector-like name for an element: ``td.postdate``, ``time@datetime``, ``a#post12``."""
    classes = [c for c in el.get("class", []) if not c.startswith(("js-", "h-", "ips"))] or el.get("class", [])
    name = el.name + (f".{classes[0]}" if classes else f"#{el['id']}" if el.get("id") else "")
    return name + (f"@{attr}" if attr else "")


def parse_date(value: Any, now: datetime | None = None, languages: list[str] | tuple[str, ...] | None = None,
               marked: bool = True) -> datetime | None:
    """Forum dates to naive UTC: ISO strings, epoch seconds or milliseconds, and human text such as
    "March 3, 2024 at 9:15 pm", "03-14-2019, 07:52 AM", "Today, 09:14", "3 hours ago" or "12. März 2024".

    Dates without a zone are taken as they are: forum software prints them in the board's (or the
    guest's) zone, which the page does not tell us. Relative dates count back from ``now`` (the
    page's fetch time). ``marked`` says the text comes from an element that holds a date; free
    text must look like one before the slower multilingual parser is tried.
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        return _epoch(int(value))
    text = " ".join(str(value).replace("\xa0", " ").split()).strip(" ,«»")
    text = _LABEL_RE.sub("", text, count=1).strip(" ,«»")
    if not text or len(text) > 60:
        return None
    if _ISO_RE.match(text):
        return parse_ts(text)
    now = now or utcnow()
    found = _cheap(text, now)
    if found is None and (marked or _RELATIVE_RE.search(text) or _NUMERIC_DATE_RE.search(text)):
        found = _multilingual(text, now, tuple(languages or DEFAULT_LANGUAGES))
    return found


def _epoch(number: int) -> datetime | None:
    if 10**8 < number < 10**10:
        return parse_ts(number)
    if 10**11 < number < 10**13:  # milliseconds (Discourse, NodeBB, Talkyard)
        return datetime.fromtimestamp(number / 1000, timezone.utc).replace(tzinfo=None)
    return None


def _cheap(text: str, now: datetime) -> datetime | None:
    """English and numeric dates through dateutil, "Today"/"Yesterday" replaced by the day."""
    lowered = text.lower()
    for word, delta in (("today", 0), ("yesterday", 1)):
        if word in lowered:
            text = re.sub(word, (now - timedelta(days=delta)).strftime("%Y-%m-%d"), text, flags=re.I)
            break
    else:
        if not (_YEAR_RE.search(text) or _MONTH_RE.search(text)) or not re.search(r"\d", text):
            return None
    try:
        parsed = dateutil_parser.parse(text.replace(" at ", " "), default=now.replace(
            month=1, day=1, hour=0, minute=0, second=0, microsecond=0))
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.tzinfo is not None:
        return parse_ts(parsed.isoformat())
    if parsed > now + timedelta(days=1) and not _YEAR_RE.search(text):
        parsed = parsed.replace(year=parsed.year - 1)  # "Dec 12" read in May is last December
    return parsed


def _multilingual(text: str, now: datetime, languages: tuple[str, ...]) -> datetime | None:
    if not re.search(r"[^\W\d_]", text):
        return None  # digits and punctuation only ("#1", "12"): not a date
    if not re.search(r"\d", text) and not _RELATIVE_RE.search(text):
        return None  # words only ("Permalink", "Reply") unless they are "yesterday", "gestern"...
    # Relative dates are cached per minute of the fetch time; the same strings repeat on a page.
    return _dateparser(text, now.replace(second=0, microsecond=0), languages)


@lru_cache(maxsize=4096)
def _dateparser(text: str, now: datetime, languages: tuple[str, ...]) -> datetime | None:
    import dateparser  # slow to import; most pages never need it

    try:
        parsed = dateparser.parse(text, languages=list(languages), settings={**_DATEPARSER, "RELATIVE_BASE": now})
    except Exception:  # noqa: BLE001 - a third-party parser on page text: any failure means "no date"
        return None
    return parsed.replace(tzinfo=None) if parsed is not None else None


# -- which date is the post's ---------------------------------------------------------------------
def _words(el: Tag) -> str:
    return " ".join(el.get_text(" ", strip=True).split())


def other_date(el: Tag) -> bool:
    """A join, last-visit, birthday or edit date: told by its or its parent's class/id, its own text,
    or the label just before it ("Joined:", "<dt>Join Date</dt>", "<label>Registered</label>")."""
    for node in (el, el.parent):
        if isinstance(node, Tag) and any(_OTHER_CLASS_RE.search(c) for c in [*node.get("class", []),
                                                                                node.get("id") or ""]):
            return True
    bits = [_words(el)[:80]]
    for prev in (el.previous_sibling, el.find_previous_sibling()):
        if prev is not None:
            bits.append(prev.get_text(" ", strip=True) if isinstance(prev, Tag) else str(prev))
    return bool(_OTHER_DATE_RE.search(" ".join(bits)))


def _excluded(el: Tag, scope: Tag, skip: list[Tag]) -> bool:
    """Inside the post's text or a quote (someone else's date), or not a date of the post."""
    for parent in (el, *el.parents):
        if any(parent is s for s in skip):
            return True
        if parent is scope:
            break
    return other_date(el)


def _in_panel(el: Tag, scope: Tag) -> bool:
    for parent in el.parents:
        if parent is scope:
            return False
        if any(_PANEL_RE.search(c) for c in [*parent.get("class", []), parent.get("id") or ""]):
            return True
    return False


def date_of(el: Tag, now: datetime | None, languages: list[str] | None, marked: bool = True) -> Found | None:
    """The date an element holds: in a machine attribute (``datetime``, ``data-time``, ``title``...)
    or in its text."""
    for attr in _DATE_ATTRS:
        raw = el.get(attr)
        if isinstance(raw, str) and raw.strip() and (found := parse_date(raw, now, languages, marked)):
            return Found(found, describe(el, attr))
    found = parse_date(_words(el), now, languages, marked)
    return Found(found, describe(el)) if found else None


def _candidates(scope: Tag) -> list[tuple[list[Tag], bool]]:
    """Elements that may hold the post's date, best tier first; the flag says whether author-panel
    elements of the tier count (only elements marked as a post date)."""
    schema = scope.select("[itemprop=datePublished], [itemprop=dateCreated]")
    linked = [t for a in scope.select(_PERMALINKS) for t in [*a.select("time, [data-time], [title]"), a]]
    classed = [el for el in scope.find_all(True) if any(_DATE_CLASS_RE.search(c) for c in el.get("class", []))
               or _DATE_CLASS_RE.search(el.get("id") or "")]
    timed = scope.select("time, [data-time], [data-timestamp], abbr[title]")
    return [(schema, True), (linked, True), (classed, True), (timed, False)]


def post_date(scope: Tag, *, selectors: tuple[str, ...] = (), skip: list[Tag] | None = None,
              now: datetime | None = None, languages: list[str] | None = None,
              generic: bool = True) -> Found | None:
    """The post's own date within ``scope`` (a post's block), or None.

    Args:
        scope: the post's element.
        selectors: the engine's own places for the post date, best first.
        skip: the post's text and quotes; dates inside them are never the post's.
        now: when the page was fetched (relative dates count back from it).
        languages: the page's languages for non-English dates.
        generic: rank the usual places when the engine's selectors find nothing.
    """
    skip = [s for s in (skip or []) if s is not None]
    for sel in selectors:
        for el in scope.select(sel):
            if not _excluded(el, scope, skip) and (found := date_of(el, now, languages)):
                return found
    if not generic:
        return None
    for tier, panel_ok in _candidates(scope):
        for el in tier:
            if (panel_ok or not _in_panel(el, scope)) and not _excluded(el, scope, skip):
                if found := date_of(el, now, languages):
                    return found
    for string in scope.find_all(string=True):
        el = string.parent
        if type(string) is NavigableString and string.strip() and el.name not in ("script", "style") \
                and not _in_panel(el, scope) and not _excluded(el, scope, skip):
            if found := parse_date(string.strip(), now, languages, marked=False):
                return Found(found, describe(el) + " text")
    return None
