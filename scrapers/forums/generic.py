"""Forums of unknown software: find the posts on a thread page without knowing its markup.

schema.org data comes first: ``DiscussionForumPosting`` / ``Comment`` items in JSON-LD or microdata
are used when they cover at least as many posts as the page shows (some sites mark up only the
opening post). Otherwise the page is read heuristically: sibling elements that repeat (same tag,
similar class set, digits ignored so ``bg1``/``bg2`` match) and mostly carry ``min_chars`` of text
are the posts; in each, the author is the element named like a user name (or ``itemprop``/``rel``
author), and the body the descendant holding the most direct text once author, date, quote and signature
blocks are set aside. The date is the post's own (:func:`scrapers.forums.dates.post_date`), never a
join or edit date. Pages are followed through ``rel=next`` or a "Next"/"›"/"»" link.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from pydantic import Field

from scrapers import schemaorg
from scrapers.base import html_to_text
from scrapers.forums.crawl import ThreadCrawlSource, UrlOptions
from scrapers.forums.dates import Found, describe, parse_date, post_date
from scrapers.forums.markup import add_post
from scrapers.forums.pages import (canonical_key, html_page, is_first_page, join_url, next_link, page_base,
                                   page_languages, page_title)
from voc.schema import Document, stable_id

_INLINE = frozenset("a abbr b bdi br cite del dfn em font i img ins kbd mark q s small span strike strong sub "
                    "sup tt u var wbr".split())
_PARA = frozenset({"p", "ul", "ol", "li"})
_NOT_TEXT = frozenset("blockquote aside nav header footer form button select textarea script style noscript "
                      "template iframe svg pre code time h1 h2 h3 h4 h5 h6 head title".split())
_HARD_RE = re.compile(r"(^|[-_])(bbcode_?)?quote(?!a?ble)|(^|[-_])code(box|block)?($|[-_])|signature|deleted|"
                      r"(^|[-_])(sig|cite)($|[-_])", re.I)
_SOFT_RE = re.compile(r"author|user|poster|member|profile|avatar|date|time|meta|header|footer|action|control|"
                      r"button|toolbar|vote|rank|badge|reaction|like|share|report|edit|attach|nav|pagination|"
                      r"breadcrumb|attribution|byline|info|stats", re.I)
_BODY_RE = re.compile(r"content|body|text|entry", re.I)
_NAME_RE = re.compile(r"(user|author|poster|member)[-_]?name|username|nickname|(^|[-_])nick($|[-_])", re.I)
_WHO_RE = re.compile(r"author|user|poster|member", re.I)
_NOT_WHO_RE = re.compile(r"role|title|rank|avatar|status|info|stat|badge|count|level|group|since|join|online|"
                         r"offline|content|text|body|signature|link|id$", re.I)
# A quote box without markup to tell it by, only its caption ("Quote:", "Originally Posted by x").
_CAPTION_RE = re.compile(r"^(quote:|originally posted by\b|\S[^\n]{0,40}\b(wrote|said|schrieb|a écrit)\s*:)", re.I)
_POST_TYPES = {"DiscussionForumPosting", "Comment", "SocialMediaPosting"}
_DROP_TAGS = _NOT_TEXT - {"time", "h4", "h5", "h6", "code", "pre"}  # html_to_text drops code itself
_NO_GROUPS = _NOT_TEXT - {"header", "footer", "form", "aside"}  # forums wrap post lists in these


class GenericOptions(UrlOptions):
    url: str = Field(description="the first page of a thread on a forum of any software")
    max_pages: int = Field(default=50, ge=1)
    min_chars: int = Field(default=40, ge=1, description="text most repeated blocks must carry to count as posts")


@dataclass
class _Post:
    text: str
    author: Found | None
    created: Found | None
    pid: str | None
    link: str | None


# -- element tests ----------------------------------------------------------------------------
def _classes(el: Tag) -> list[str]:
    # js-* classes are script hooks (XenForo's js-quickEditTarget wraps the whole post), not meaning.
    return [c.lower() for c in el.get("class", []) if not c.startswith(("js-", "js_"))]


def _hard(el: Tag) -> bool:
    """Quotes of other posts, signatures, code, deleted notices: never part of a post's own words."""
    return any(_HARD_RE.search(c) for c in _classes(el)) or (el.name == "blockquote" and not _wrapper_blockquote(el))


def _wrapper_blockquote(el: Tag) -> bool:
    # vBulletin 4 wraps every post's own text in <blockquote class="postcontent">.
    return el.name == "blockquote" and any(_BODY_RE.search(c) for c in _classes(el))


def _meta(el: Tag) -> bool:
    """Not post text: markup like nav/time, quotes/signatures, and author/date/toolbar boxes."""
    if _wrapper_blockquote(el):
        return False
    if el.name in _NOT_TEXT or _hard(el) or el.get("itemprop") in ("author", "datePublished", "dateCreated"):
        return True
    return any(_SOFT_RE.search(c) and not _BODY_RE.search(c) for c in _classes(el))


def _outside(el: Tag, scope: Tag, body: Tag | None) -> bool:
    """el is neither in the post body nor in a quote (whose author and date are someone else's)."""
    for parent in (el, *el.parents):
        if parent is body or _hard(parent):
            return False
        if parent is scope:
            return True
    return True


def _own_len(el: Tag) -> int:
    """Text directly in el: its strings and its inline/paragraph children (not nested boxes).

    Text that is all links counts as none: that is navigation ("Top", "Reply"), not a post.
    """
    n = linked = 0
    for child in el.children:
        if type(child) is NavigableString:
            n += len(child.strip())
        elif isinstance(child, Tag) and (child.name in _INLINE or child.name in _PARA) and not _meta(child):
            size = len(child.get_text(strip=True))
            n += size
            linked += size if child.name == "a" else 0
    return 0 if n == linked else n


# -- one block ----------------------------------------------------------------------------------
def _find_body(block: Tag) -> Tag | None:
    best, best_len, stack = None, 0, [block]
    while stack:
        el = stack.pop(0)
        n = _own_len(el)
        if n > best_len:
            best, best_len = el, n
        stack[:0] = [c for c in el.find_all(True, recursive=False) if c.name not in _INLINE and not _meta(c)]
    return best


def body_text(body: Tag) -> str:
    """The body's text without quotes, signatures and block-level meta (edit notes, toolbars)."""
    node = copy.copy(body)
    whole = len(node.get_text(strip=True))
    for el in [node, *node.find_all(True)]:
        if el.decomposed:
            continue
        if _wrapper_blockquote(el):
            el.name = "div"  # html_to_text drops every blockquote
        elif el is not node and (_hard(el) or el.name in _DROP_TAGS or (el.name not in _INLINE and _meta(el))
                                 or (_CAPTION_RE.match(el.get_text(" ", strip=True))
                                     and len(el.get_text(strip=True)) < whole)):
            el.decompose()
    return html_to_text(node)


def _name_of(el: Tag) -> str | None:
    inner = el.select_one("[itemprop=name]") if el.get("itemprop") == "author" else None
    if inner is not None and inner.get("content"):
        return inner["content"].strip()
    for cand in (inner or el, *(inner or el).find_all(["a", "strong", "b", "span"])):
        text = re.sub(r"^(posted by|by|@)\s*", "", " ".join(cand.get_text(" ", strip=True).split()), flags=re.I)
        if 0 < len(text) <= 40 and len(text.split()) <= 4:
            return text
    return None


def _find_author(scope: Tag, body: Tag | None) -> Found | None:
    tagged = scope.find_all(class_=True)
    tiers = [
        scope.select("[itemprop=author], [rel~=author]"),
        [el for el in tagged if any(_NAME_RE.search(c) for c in _classes(el))],
        [el for el in tagged if any(_WHO_RE.search(c) and not _NOT_WHO_RE.search(c) for c in _classes(el))],
    ]
    return next((Found(name, describe(el)) for tier in tiers for el in tier
                 if _outside(el, scope, body) and (name := _name_of(el))), None)


def _find_id(scopes: list[Tag], body: Tag | None) -> tuple[str | None, str | None]:
    """(post id, permalink href): an element id, a named anchor, or a bookmark/fragment link."""
    pid = next((s["id"] for s in scopes if s.get("id")), None)
    for scope in scopes:
        anchor = scope.select_one("a[name]:not([href])")
        pid = pid or (anchor["name"] if anchor else None)
        links = [a for a in scope.select("a[rel~=bookmark][href], a[class*=permalink][href], a[href*='#']")
                 if _outside(a, scope, body)]
        if pid:
            links = [a for a in links if a["href"].endswith(f"#{pid}")] + links
        for a in links:
            fragment = a["href"].partition("#")[2]
            if fragment and fragment != "top" or "bookmark" in a.get("rel", []):
                return pid or fragment or None, a["href"]
    return pid, None


def _read_block(block: Tag, partner: Tag | None, now: datetime | None, langs: list[str] | None) -> _Post:
    body = _find_body(block)
    scopes = [block, partner] if partner is not None else [block]
    author = next((a for s in scopes if (a := _find_author(s, body))), None)
    created = None
    for scope in scopes:
        # A post's date is never inside its text or a quote (someone else's).
        skip = [body, *(el for el in scope.find_all(True) if _hard(el))]
        if created := post_date(scope, skip=skip, now=now, languages=langs):
            break
    pid, link = _find_id(scopes, body)
    return _Post(body_text(body) if body is not None else "", author, created, pid, link)


# -- the repeated blocks ------------------------------------------------------------------------
def _signature(el: Tag) -> frozenset[str]:
    tokens = (re.sub(r"\d+", "", c).strip("-_") for c in _classes(el))
    return frozenset(t for t in tokens if t and t not in ("odd", "even", "alt", "first", "last", "new", "old"))


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    return a == b or (bool(a | b) and len(a & b) / len(a | b) >= 0.5)


def _sibling_groups(parent: Tag) -> list[list[Tag]]:
    groups: list[list[Tag]] = []
    for child in parent.find_all(True, recursive=False):
        sig = _signature(child)
        for group in groups:
            if group[0].name == child.name and any(_similar(_signature(m), sig) for m in group):
                group.append(child)
                break
        else:
            groups.append([child])
    return [g for g in groups if len(g) >= 2]


def _partners(members: list[Tag]) -> list[Tag | None]:
    """A header sibling repeated before every block (bbPress puts date and id there)."""
    prevs = [m.find_previous_sibling() for m in members]
    first = prevs[0]
    if first is None or any(p is None or p in members or p.name != first.name
                            or _signature(p) != _signature(first) for p in prevs):
        return [None] * len(members)
    return prevs


def post_blocks(soup: BeautifulSoup, min_chars: int, now: datetime | None = None) -> list[_Post]:
    """The best group of repeated blocks that mostly carry ``min_chars`` of text, read as posts."""
    langs = page_languages(soup)
    root = soup.body or soup
    best: list[_Post] = []
    best_score = 0.0
    for parent in (root, *root.find_all(True)):
        if parent.name in _NO_GROUPS:
            continue
        for members in _sibling_groups(parent):
            if sum(len(m.get_text(" ", strip=True)) >= min_chars for m in members) < 2:
                continue
            posts = [_read_block(m, p, now, langs) for m, p in zip(members, _partners(members))]
            strong = sum(len(p.text) >= min_chars for p in posts)
            if strong < 2 or strong * 2 < len(posts):
                continue
            signals = sum(bool(p.author or p.created) for p in posts) / len(posts)
            score = sum(len(p.text) for p in posts) * (1 + signals)
            if score > best_score:
                best, best_score = [p for p in posts if p.text], score
    ids = [p.pid for p in best]
    for post in (p for p in best if p.pid and ids.count(p.pid) > 1):  # a shared "#comments" link is no id
        post.pid = post.link = None
    return best


# -- schema.org ---------------------------------------------------------------------------------
def _date(item: dict, now: datetime | None) -> Found | None:
    value = schemaorg.string(item.get("datePublished")) or schemaorg.string(item.get("dateCreated"))
    when = parse_date(value, now)
    return Found(when, "datePublished") if when else None


def structured_posts(soup: BeautifulSoup, now: datetime | None = None) -> list[tuple[_Post, str | None, bool]]:
    """Posts marked up as schema.org DiscussionForumPosting/Comment (JSON-LD, else microdata):
    (post, the id of the comment it answers, whether it opens the thread)."""
    found = []
    for block in schemaorg.jsonld(soup):
        for item, parent in schemaorg.nested(block, _POST_TYPES):
            text = schemaorg.text_of(item.get("text")) or schemaorg.text_of(item.get("articleBody"))
            name = schemaorg.person(item.get("author"))
            post = _Post(text, Found(name, "author") if name else None, _date(item, now), schemaorg.item_id(item),
                         schemaorg.string(item.get("url")) or schemaorg.string(item.get("@id")))
            replied = "Comment" in schemaorg.types(parent)
            found.append((post, schemaorg.item_id(parent) if replied else None,
                          "DiscussionForumPosting" in schemaorg.types(item)))
    if not found:
        for el, item, outer in schemaorg.microdata(soup, _POST_TYPES):
            body, author = schemaorg.own_property(el, "text") or schemaorg.own_property(el, "articleBody"), \
                schemaorg.own_property(el, "author")
            name = _name_of(author) if author is not None else None
            link = schemaorg.string(item.get("url"))
            post = _Post(body_text(body) if body is not None else "", Found(name, describe(author)) if name else None,
                         _date(item, now), schemaorg.item_id(item) or (link.partition("#")[2] if link else None), link)
            replied = outer is not None and "Comment" in schemaorg.types({"@type": outer["itemtype"]})
            found.append((post, outer.get("id") if replied else None,
                          "DiscussionForumPosting" in schemaorg.types(item)))
    return [f for f in found if f[0].text.strip()]


# -- pages --------------------------------------------------------------------------------------
def parse_page(source: str, soup: BeautifulSoup, url: str, min_chars: int = 40, now: datetime | None = None,
               notes: dict | None = None) -> list[Document]:
    """The posts of one thread page of unknown software as Documents (``notes``: where authors and
    dates were found)."""
    host, base = urlsplit(url).netloc, page_base(soup, url)
    thread, title = canonical_key(soup, url), page_title(soup)
    structured = structured_posts(soup, now)
    heuristic = post_blocks(soup, min_chars, now)
    if structured and len(structured) >= len(heuristic):
        rows = structured
    else:
        opener = is_first_page(soup, url)
        rows = [(p, None, opener and i == 0) for i, p in enumerate(heuristic)]
    docs: list[Document] = []
    ids = set()
    for post, parent_pid, opening in rows:
        author, created = post.author.value if post.author else None, post.created.value if post.created else None
        pid = post.pid if post.pid and post.pid not in ids else None
        ids.add(post.pid)
        add_post(docs, notes, source=source, text=post.text, thread=thread, title=title, page=url,
                 native=f"{host}:{pid}" if pid else f"{host}:h{stable_id(thread, author, created, post.text[:200])}",
                 url=(join_url(base, post.link) if post.link else None)
                 or (f"{url.split('#')[0]}#{pid}" if pid else url),
                 author=post.author, date=post.created, opening=opening,
                 parent=f"{host}:{parent_pid}" if parent_pid else None)
    return docs


class GenericSource(ThreadCrawlSource):
    key: ClassVar[str] = "generic"
    Options = GenericOptions

    def is_thread_page(self, soup: BeautifulSoup) -> bool:
        return True  # listings of unknown software are not read: the start URL is a thread

    def parse_thread_page(self, soup: BeautifulSoup, url: str) -> list[Document]:
        return parse_page(self.name, soup, url, self.opts.min_chars, now=self.now, notes=self.notes)

    def next_page(self, soup: BeautifulSoup, url: str) -> str | None:
        return next_link(soup, url, ("a[rel~=next]", "link[rel~=next]"), by_text=True)

    @classmethod
    def detect_score(cls, url: str, body: str, content_type: str) -> int:
        """1 (the fallback) for any HTML page with schema.org forum posts or two post-like blocks."""
        if not html_page(body, content_type):
            return 0
        soup = BeautifulSoup(body, "lxml")
        return int(bool(structured_posts(soup) or len(post_blocks(soup, 40)) >= 2))
