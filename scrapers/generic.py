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
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from pydantic import Field, field_validator

from scrapers.base import SourceOptions, html_to_text
from scrapers.forum import ThreadCrawlSource, html_page, is_first_page, next_link, parse_date, thread_url_key
from scrapers.http import check_url
from voc.schema import Document, make_doc_id, stable_id

_INLINE = frozenset("a abbr b bdi br cite del dfn em font i img ins kbd mark q s small span strike strong sub "
                    "sup tt u var wbr".split())
_PARA = frozenset({"p", "ul", "ol", "li"})
_NOT_TEXT = frozenset("blockquote aside nav header footer form button select textarea script style noscript "
                      "template iframe svg pre code time h1 h2 h3 h4 h5 h6 head title".split())
_HARD_RE = re.compile(r"(^|[-_])(bbcode_?)?quote(?!a?ble)|signature|(^|[-_])(sig|cite)($|[-_])", re.I)
_SOFT_RE = re.compile(r"author|user|poster|member|profile|avatar|date|time|meta|header|footer|action|control|"
                      r"button|toolbar|vote|rank|badge|reaction|like|share|report|edit|attach|nav|pagination|"
                      r"breadcrumb|attribution|byline|info|stats", re.I)
_BODY_RE = re.compile(r"content|body|text|entry", re.I)
_NAME_RE = re.compile(r"(user|author|poster|member)[-_]?name|username|nickname|(^|[-_])nick($|[-_])", re.I)
_WHO_RE = re.compile(r"author|user|poster|member", re.I)
_NOT_WHO_RE = re.compile(r"role|title|rank|avatar|status|info|stat|badge|count|level|group|since|join|online|"
                         r"offline|content|text|body|signature|link|id$", re.I)
_DATE_CLASS_RE = re.compile(r"date|time|posted|published|created", re.I)
_NOT_DATE_RE = re.compile(r"update|edit|join|since|regist|last|birth", re.I)
_OTHER_DATE_RE = re.compile(r"join|regist|member since|last (edit|seen|visit|active|post)|edited|updated|birthday",
                            re.I)
_POST_TYPES = ("DiscussionForumPosting", "Comment", "SocialMediaPosting")
_DROP_TAGS = _NOT_TEXT - {"time", "h4", "h5", "h6", "code", "pre"}  # html_to_text drops code itself
_NO_GROUPS = _NOT_TEXT - {"header", "footer", "form", "aside"}  # forums wrap post lists in these


class GenericOptions(SourceOptions):
    url: str = Field(description="the first page of a thread on a forum of any software")
    max_pages: int = Field(default=50, ge=1)
    min_chars: int = Field(default=40, ge=1, description="text most repeated blocks must carry to count as posts")

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        return check_url(v)


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
    """Quotes of other posts and signatures: never part of a post's own words."""
    return el.name == "blockquote" or any(_HARD_RE.search(c) for c in _classes(el))


def _meta(el: Tag) -> bool:
    """Not post text: markup like nav/time, quotes/signatures, and author/date/toolbar boxes."""
    if el.name in _NOT_TEXT or _hard(el) or el.get("itemprop") in ("author", "datePublished", "dateCreated"):
        return True
    return any(_SOFT_RE.search(c) and not _BODY_RE.search(c) for c in _classes(el))


def _within(el: Tag, container: Tag | None) -> bool:
    return container is not None and (el is container or any(p is container for p in el.parents))


def _quoted(el: Tag, scope: Tag) -> bool:
    for parent in (el, *el.parents):
        if parent is scope:
            return False
        if _hard(parent):
            return True
    return False


def _own_len(el: Tag) -> int:
    """Text directly in el: its strings and its inline/paragraph children (not nested boxes)."""
    n = 0
    for child in el.children:
        if type(child) is NavigableString:
            n += len(child.strip())
        elif isinstance(child, Tag) and (child.name in _INLINE or child.name in _PARA) and not _meta(child):
            n += len(child.get_text(strip=True))
    return n


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
    for el in node.find_all(True):
        if not el.decomposed and el is not node and (
                _hard(el) or el.name in _DROP_TAGS or (el.name not in _INLINE and _meta(el))):
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
    for tier in tiers:
        for el in tier:
            if not _within(el, body) and not _quoted(el, scope):
                name = _name_of(el)
                if name:
                    return name
    return None


def _usable_date_el(el: Tag, scope: Tag, body: Tag | None) -> bool:
    """Outside body and quotes, and not a join, edit or last-seen date ("Joined: ...", "<dt>Join Date</dt>")."""
    if _within(el, body) or _quoted(el, scope):
        return False
    bits = [el.get_text(" ", strip=True)]
    for prev in (el.previous_sibling, el.find_previous_sibling()):
        if prev is not None:
            bits.append(prev.get_text(" ", strip=True) if isinstance(prev, Tag) else str(prev))
    return not _OTHER_DATE_RE.search(" ".join(bits))


def _find_date(scope: Tag, body: Tag | None) -> datetime | None:
    for el in scope.select("time[datetime], [itemprop=datePublished], [itemprop=dateCreated]"):
        if _usable_date_el(el, scope, body):
            found = parse_date(el.get("datetime") or el.get("content") or el.get_text(" ", strip=True))
            if found:
                return found
    for el in scope.find_all(class_=True):
        if any(_DATE_CLASS_RE.search(c) and not _NOT_DATE_RE.search(c) for c in _classes(el)) and \
                _usable_date_el(el, scope, body):
            for value in (el.get("datetime"), el.get("data-time"), el.get("data-timestamp"), el.get("title"),
                          el.get_text(" ", strip=True)):
                found = parse_date(value)
                if found:
                    return found
    for string in scope.find_all(string=True):
        if type(string) is NavigableString and string.parent.name not in ("script", "style") and \
                _usable_date_el(string.parent, scope, body):
            found = parse_date(string.strip())
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
                 if not _within(a, body) and not _quoted(a, scope)]
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
    for post in best:
        if post.pid and ids.count(post.pid) > 1:  # a shared "#comments" link is no post id
            post.pid = post.link = None
    return best


# -- schema.org ---------------------------------------------------------------------------------
def _jsonld_items(data: Any, parent: dict | None = None) -> Iterator[tuple[dict, dict | None]]:
    if isinstance(data, list):
        for item in data:
            yield from _jsonld_items(item, parent)
    elif isinstance(data, dict):
        types = data.get("@type")
        is_post = any(t in _POST_TYPES for t in (types if isinstance(types, list) else [types]))
        if is_post:
            yield data, parent
        for key in ("@graph", "mainEntity", "comment", "hasPart"):
            if key in data:
                yield from _jsonld_items(data[key], data if is_post else parent)


def _person(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName")
    return str(value).strip() if value else None


def _jsonld_posts(soup: BeautifulSoup) -> list[tuple[_Post, str | None, bool]]:
    found = []
    for script in soup.select('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.string or "")
        except ValueError:
            continue  # a broken block on one page should not stop the crawl
        for item, parent in _jsonld_items(data):
            text = item.get("text") or item.get("articleBody") or ""
            text = html_to_text(text) if "<" in text else "\n".join(" ".join(ln.split()) for ln in text.splitlines()).strip()
            link = item.get("url") or item.get("@id")
            pid = str(item.get("identifier") or "") or (link.partition("#")[2] if link else "") or None
            replied = parent is not None and parent.get("@type") == "Comment"
            parent_link = (parent.get("url") or parent.get("@id")) if replied else None
            found.append((_Post(text, _person(item.get("author")), parse_date(item.get("datePublished")
                                                                              or item.get("dateCreated")), pid,
                                link), parent_link, item.get("@type") == "DiscussionForumPosting"))
    return [f for f in found if f[0].text]


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
        parent = outer.get("id") if outer is not None and outer["itemtype"].endswith("Comment") else None
        post = _Post(body_text(body) if body else "", _name_of(author) if author else None,
                     parse_date(date.get("datetime") or date.get("content") or date.get_text(strip=True))
                     if date else None, item.get("id") or (href.partition("#")[2] if href else None), href)
        found.append((post, f"#{parent}" if parent else None, item["itemtype"].endswith("DiscussionForumPosting")))
    return [f for f in found if f[0].text]


# -- pages --------------------------------------------------------------------------------------
def _title(soup: BeautifulSoup) -> str | None:
    og = soup.select_one('meta[property="og:title"][content]')
    h1 = soup.select_one("h1")
    if og or h1:
        return og["content"].strip() if og else h1.get_text(" ", strip=True)
    return re.split(r" [-|–] ", soup.title.get_text(strip=True))[0] if soup.title else None


def parse_page(source: str, soup: BeautifulSoup, url: str, min_chars: int = 40) -> list[Document]:
    """The posts of one thread page of unknown software as Documents."""
    host = urlsplit(url).netloc
    canonical = soup.select_one("link[rel=canonical][href]")
    thread = thread_url_key(urljoin(url, canonical["href"]) if canonical else url)
    title = _title(soup)
    structured = _jsonld_posts(soup) or _microdata_posts(soup)
    heuristic = post_blocks(soup, min_chars)
    if structured and len(structured) >= len(heuristic):
        rows = structured
    else:
        opener = is_first_page(soup, url)
        rows = [(p, None, opener and i == 0) for i, p in enumerate(heuristic)]
    docs, ids = [], set()
    for post, parent_link, opening in rows:
        pid = post.pid if post.pid and post.pid not in ids else None
        native = f"{host}:{pid}" if pid else f"{host}:h{stable_id(thread, post.author, post.created, post.text[:200])}"
        ids.add(post.pid)
        parent_pid = parent_link.partition("#")[2] if parent_link else ""
        docs.append(Document(
            source=source, native_id=native, kind="post" if opening else "comment", text=post.text,
            url=urljoin(url, post.link) if post.link else (f"{url.split('#')[0]}#{pid}" if pid else url),
            thread_id=thread, parent_id=make_doc_id(source, f"{host}:{parent_pid}") if parent_pid else None,
            author=post.author, created_at=post.created, title=title, raw_ref=url,
        ))
    return docs


class GenericSource(ThreadCrawlSource):
    key: ClassVar[str] = "generic"
    Options = GenericOptions

    def is_thread_page(self, soup: BeautifulSoup) -> bool:
        return True  # no listing support: the start URL is a thread

    def parse_thread_page(self, soup: BeautifulSoup, url: str) -> list[Document]:
        return parse_page(self.name, soup, url, self.opts.min_chars)

    def listing_threads(self, soup: BeautifulSoup, url: str) -> list[dict[str, Any]]:
        return []

    def next_page(self, soup: BeautifulSoup, url: str) -> str | None:
        return next_link(soup, url, ("a[rel~=next]", "link[rel~=next]"), by_text=True)

    @classmethod
    def detect(cls, url: str, body: str, content_type: str) -> bool:
        """Any HTML page with schema.org forum posts or at least two post-like blocks."""
        if not html_page(body, content_type):
            return False
        soup = BeautifulSoup(body, "lxml")
        return bool(_jsonld_posts(soup) or _microdata_posts(soup) or len(post_blocks(soup, 40)) >= 2)
