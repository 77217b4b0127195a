"""Forums of unknown software: find the posts on a thread page without knowing its markup.

schema.org data comes first: ``DiscussionForumPosting`` / ``Comment`` items in JSON-LD or microdata
are used when they cover at least as many posts as the page shows (some sites mark up only the
opening post). Otherwise the page is read heuristically: sibling elements that repeat (same tag,
similar class set, digits ignored so ``bg1``/``bg2`` match) and mostly carry ``min_chars`` of text
are the posts; in each, the author is the element named like a user name (or ``itemprop``/``rel``
author), the date the first ``<time>``, date-classed element or date-like text outside the body,
and the body the descendant holding the most direct text once author, date, quote and signature
blocks are set aside. Pages are followed through ``rel=next`` or a "Next"/"›"/"»" link.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from pydantic import Field

from scrapers.base import html_to_text, loads_json
from scrapers.forum import (ThreadCrawlSource, UrlOptions, html_page, is_first_page, join_url, next_link,
                            page_base, parse_date, thread_url_key)
from voc.schema import Document, make_doc_id, stable_id

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
_DATE_CLASS_RE = re.compile(r"date|time|when|posted|published|created", re.I)
_NOT_DATE_RE = re.compile(r"update|edit|join|since|regist|last|birth", re.I)
_OTHER_DATE_RE = re.compile(r"join|regist|member since|last (edit|seen|visit|active|post)|edited|updated|birthday",
                            re.I)
# A quote box without markup to tell it by, only its caption ("Quote:", "Originally Posted by x").
_CAPTION_RE = re.compile(r"^(quote:|originally posted by\b|\S[^\n]{0,40}\b(wrote|said|schrieb|a écrit)\s*:)", re.I)
_POST_TYPES = ("DiscussionForumPosting", "Comment", "SocialMediaPosting")
_DROP_TAGS = _NOT_TEXT - {"time", "h4", "h5", "h6", "code", "pre"}  # html_to_text drops code itself
_NO_GROUPS = _NOT_TEXT - {"header", "footer", "form", "aside"}  # forums wrap post lists in these


class GenericOptions(UrlOptions):
    url: str = Field(description="the first page of a thread on a forum of any software")
    max_pages: int = Field(default=50, ge=1)
    min_chars: int = Field(default=40, ge=1, description="text most repeated blocks must carry to count as posts")


@dataclass
class _Post:
    text: str
    author: str | None
    created: datetime | None
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


def _find_author(scope: Tag, body: Tag | None) -> str | None:
    tagged = scope.find_all(class_=True)
    tiers = [
        scope.select("[itemprop=author], [rel~=author]"),
        [el for el in tagged if any(_NAME_RE.search(c) for c in _classes(el))],
        [el for el in tagged if any(_WHO_RE.search(c) and not _NOT_WHO_RE.search(c) for c in _classes(el))],
    ]
    return next((name for tier in tiers for el in tier if _outside(el, scope, body) and (name := _name_of(el))), None)


def _usable_date_el(el: Tag, scope: Tag, body: Tag | None) -> bool:
    """Outside body and quotes, and not a join, edit or last-seen date ("Joined: ...", "<dt>Join Date</dt>")."""
    if not _outside(el, scope, body):
        return False
    bits = [el.get_text(" ", strip=True)]
    for prev in (el.previous_sibling, el.find_previous_sibling()):
        if prev is not None:
            bits.append(prev.get_text(" ", strip=True) if isinstance(prev, Tag) else str(prev))
    return not _OTHER_DATE_RE.search(" ".join(bits))


def _find_date(scope: Tag, body: Tag | None) -> datetime | None:
    """<time>/itemprop dates first, then date-classed elements (attributes, then text), then any date-like text."""
    attrs = ("datetime", "content", "data-time", "data-timestamp", "title")
    marked = scope.select("time[datetime], [itemprop=datePublished], [itemprop=dateCreated]")
    classed = [el for el in scope.find_all(class_=True)
               if any(_DATE_CLASS_RE.search(c) and not _NOT_DATE_RE.search(c) for c in _classes(el))]
    candidates = [(el, [el.get(a) for a in attrs] + [el.get_text(" ", strip=True)]) for el in (*marked, *classed)]
    candidates += [(s.parent, [s]) for s in scope.find_all(string=True)
                   if type(s) is NavigableString and s.parent.name not in ("script", "style") and s.strip()]
    for el, values in candidates:
        if _usable_date_el(el, scope, body):
            found = next((d for v in values if v and (d := parse_date(v.strip()))), None)
            if found:
                return found
    return None


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


def _read_block(block: Tag, partner: Tag | None) -> _Post:
    body = _find_body(block)
    scopes = [block, partner] if partner is not None else [block]
    author = next((a for s in scopes if (a := _find_author(s, body))), None)
    created = next((d for s in scopes if (d := _find_date(s, body))), None)
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


def post_blocks(soup: BeautifulSoup, min_chars: int) -> list[_Post]:
    """The best group of repeated blocks that mostly carry ``min_chars`` of text, read as posts."""
    root = soup.body or soup
    best: list[_Post] = []
    best_score = 0.0
    for parent in (root, *root.find_all(True)):
        if parent.name in _NO_GROUPS:
            continue
        for members in _sibling_groups(parent):
            if sum(len(m.get_text(" ", strip=True)) >= min_chars for m in members) < 2:
                continue
            posts = [_read_block(m, p) for m, p in zip(members, _partners(members))]
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
def _types(item: dict) -> set[str]:
    types = item.get("@type") or []
    return {str(t).rsplit("/", 1)[-1] for t in (types if isinstance(types, list) else [types])}


def _jsonld_items(data: Any, parent: dict | None = None) -> Iterator[tuple[dict, dict | None]]:
    if isinstance(data, list):
        for item in data:
            yield from _jsonld_items(item, parent)
    elif isinstance(data, dict):
        is_post = bool(_types(data) & set(_POST_TYPES))
        if is_post:
            yield data, parent
        for key in ("@graph", "mainEntity", "comment", "hasPart"):
            if key in data:
                yield from _jsonld_items(data[key], data if is_post else parent)


def _person(value: Any) -> str | None:
    value = (value or [None])[0] if isinstance(value, list) else value
    value = value.get("name") or value.get("alternateName") if isinstance(value, dict) else value
    return str(value).strip() if value else None


def _jsonld_posts(soup: BeautifulSoup) -> list[tuple[_Post, str | None, bool]]:
    found = []
    for script in soup.select('script[type="application/ld+json"]'):
        try:
            data = loads_json(script.string or "", strict=False)  # raw newlines inside strings are common
        except ValueError:
            continue  # a broken block on one page should not stop the crawl
        for item, parent in _jsonld_items(data):
            text = _string(item.get("text")) or _string(item.get("articleBody")) or ""
            text = html_to_text(text) if "<" in text else "\n".join(" ".join(ln.split()) for ln in text.splitlines())
            post = _Post(text, _person(item.get("author")), parse_date(item.get("datePublished")
                                                                       or item.get("dateCreated")),
                         _jsonld_id(item), _string(item.get("url")) or _string(item.get("@id")))
            replied = parent is not None and "Comment" in _types(parent)
            found.append((post, _jsonld_id(parent) if replied else None, "DiscussionForumPosting" in _types(item)))
    return [f for f in found if f[0].text.strip()]


def _jsonld_id(item: dict) -> str | None:
    link = _string(item.get("url")) or _string(item.get("@id")) or ""
    return str(item.get("identifier") or "") or link.partition("#")[2] or None


def _string(value: Any) -> str | None:
    """A JSON-LD value that should be text, None when it is not (pages put lists and objects anywhere)."""
    return value if isinstance(value, str) else None


def _microdata_posts(soup: BeautifulSoup) -> list[tuple[_Post, str | None, bool]]:
    found = []
    items = [el for el in soup.select("[itemscope][itemtype]") if el["itemtype"].rstrip("/").endswith(_POST_TYPES)]
    for item in items:
        def own(prop: str) -> Tag | None:
            return next((el for el in item.select(f"[itemprop~={prop}]")
                         if el.find_parent(attrs={"itemscope": True}) is item), None)
        body = own("text") or own("articleBody")
        author, date, link = own("author"), own("datePublished") or own("dateCreated"), own("url")
        href = (link.get("href") or link.get("content")) if link else None
        outer = item.find_parent(attrs={"itemscope": True})
        parent = outer.get("id") if outer is not None and outer.get("itemtype", "").endswith("Comment") else None
        post = _Post(body_text(body) if body else "", _name_of(author) if author else None,
                     parse_date(date.get("datetime") or date.get("content") or date.get_text(strip=True))
                     if date else None, item.get("id") or (href.partition("#")[2] if href else None), href)
        found.append((post, parent, item["itemtype"].endswith("DiscussionForumPosting")))
    return [f for f in found if f[0].text]


# -- pages --------------------------------------------------------------------------------------
def _title(soup: BeautifulSoup) -> str | None:
    og, h1 = soup.select_one('meta[property="og:title"][content]'), soup.select_one("h1")
    if og or h1:
        return og["content"].strip() if og else h1.get_text(" ", strip=True)
    return re.split(r" [-|–] ", soup.title.get_text(strip=True))[0] if soup.title else None


def parse_page(source: str, soup: BeautifulSoup, url: str, min_chars: int = 40) -> list[Document]:
    """The posts of one thread page of unknown software as Documents."""
    host, base = urlsplit(url).netloc, page_base(soup, url)
    canonical = soup.select_one("link[rel=canonical][href]")
    thread = thread_url_key((join_url(base, canonical["href"]) if canonical else None) or url)
    title = _title(soup)
    structured = _jsonld_posts(soup) or _microdata_posts(soup)
    heuristic = post_blocks(soup, min_chars)
    if structured and len(structured) >= len(heuristic):
        rows = structured
    else:
        opener = is_first_page(soup, url)
        rows = [(p, None, opener and i == 0) for i, p in enumerate(heuristic)]
    docs, ids = [], set()
    for post, parent_pid, opening in rows:
        pid = post.pid if post.pid and post.pid not in ids else None
        native = f"{host}:{pid}" if pid else f"{host}:h{stable_id(thread, post.author, post.created, post.text[:200])}"
        ids.add(post.pid)
        docs.append(Document(
            source=source, native_id=native, kind="post" if opening else "comment", text=post.text,
            url=(join_url(base, post.link) if post.link else None) or (f"{url.split('#')[0]}#{pid}" if pid else url),
            thread_id=thread, parent_id=make_doc_id(source, f"{host}:{parent_pid}") if parent_pid else None,
            author=post.author, created_at=post.created, title=title, raw_ref=url,
        ))
    return docs


class GenericSource(ThreadCrawlSource):
    key: ClassVar[str] = "generic"
    Options = GenericOptions

    def is_thread_page(self, soup: BeautifulSoup) -> bool:
        return True  # listings of unknown software are not read: the start URL is a thread

    def parse_thread_page(self, soup: BeautifulSoup, url: str) -> list[Document]:
        return parse_page(self.name, soup, url, self.opts.min_chars)

    def next_page(self, soup: BeautifulSoup, url: str) -> str | None:
        return next_link(soup, url, ("a[rel~=next]", "link[rel~=next]"), by_text=True)

    @classmethod
    def detect(cls, url: str, body: str, content_type: str) -> bool:
        """Any HTML page with schema.org forum posts or at least two post-like blocks."""
        if not html_page(body, content_type):
            return False
        soup = BeautifulSoup(body, "lxml")
        return bool(_jsonld_posts(soup) or _microdata_posts(soup) or len(post_blocks(soup, 40)) >= 2)
