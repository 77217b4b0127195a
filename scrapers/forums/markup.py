"""Reading posts with an engine's selectors: most forum software needs only a :class:`Markup`.

An engine module describes where its templates keep a post, its text, author, date, id and
permalink (and a listing's rows); :func:`read_posts` does the rest the same way for all of them:
quotes and signatures out of the text, the post's own date (:func:`scrapers.forums.dates.post_date`),
the opening post told from replies, and notes on where each author and date came from.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from scrapers.base import html_to_text
from scrapers.forums.crawl import ThreadCrawlSource, ThreadForumOptions
from scrapers.forums.dates import Found, describe, post_date
from scrapers.forums.pages import (canonical_key, is_first_page, join_url, next_link, page_base, page_languages,
                                   page_title, reply_count)
from voc.schema import Document, make_doc_id, stable_id

# Quoted posts and code in any engine's body: someone else's words, or not customer language.
QUOTES = ("blockquote", "aside.quote", ".bbcode_container", ".bbCodeBlock--quote", "[class*=quote]", "pre", "code")
_BY_RE = re.compile(r"^(posted by|by|von|par|di|por|@)\s+|^@", re.I)


@dataclass(frozen=True)
class Markup:
    """Where an engine keeps the parts of a post; selectors are relative to the post's element.

    A selector may end in ``@attr`` to read an attribute instead of the text; ``@attr`` alone reads
    the post element's own attribute.
    """

    posts: str  # each post's element (or, with ``around``, an element inside it)
    body: str  # the post's own text
    author: tuple[str, ...]  # the author's name, best first
    date: tuple[str, ...] = ()  # the post's date, best first; then the usual places are ranked
    pid: str = "@id"  # where the post's id is (its digits are taken, or all of it with ``whole_id``)
    whole_id: bool = False  # for sites whose posts of different kinds share numbers ("Comment_12", "Discussion_12")
    id_prefix: str = "post"  # native id "<host>:<id_prefix><digits>"
    link: str | None = None  # the post's permalink (href)
    drop: tuple[str, ...] = ()  # not the post's text: signatures, edit notes, attachments, buttons
    skip: str | None = None  # posts to leave out (deleted, ignored, adverts), matched on the post
    parent: str | None = None  # in the body: a quote naming the quoted post's id
    title: tuple[str, ...] = ()  # the thread title, before og:title / h1
    host_ids: bool = True  # native ids start with the host (False where the site's ids are global)
    around: str | None = None  # the post is this ancestor (a tag name) of what ``posts`` finds
    opener: str | None = None  # the opening post matches this; else it is the first post of a first page
    # The engine's own thread id and title where the page says more than its canonical URL and <h1>.
    thread_of: Callable[[BeautifulSoup, str], str] | None = None
    title_of: Callable[[BeautifulSoup], str | None] | None = None


@dataclass(frozen=True)
class Listing:
    """A forum listing: a thread's link, the row around it, and the row's reply count."""

    link: str  # a thread's link (within a row when ``rows`` is set)
    rows: str | None = None  # each thread's row; else the link's nearest ancestor matching ``around``
    around: str = "li, tr"
    replies: str | None = None  # in a row, the number of replies (posts - 1)
    count: str | None = None  # a pattern whose first group that matched is the number of replies in that text
    prefer: str | None = None  # among a row's links, the first whose href matches (thread prefixes are links too)


def pick(scope: Tag, selector: str) -> tuple[str | None, Tag | None]:
    """The text (or ``@attr`` value) of the first element a ``css@attr`` selector finds, and the element."""
    css, _, attr = selector.partition("@")
    for el in (scope.select(css) if css else [scope]):
        value = el.get(attr) if attr else el.get_text(" ", strip=True)
        value = " ".join(value) if isinstance(value, list) else value
        if value and str(value).strip():
            return str(value).strip(), el
    return None, None


def _inside(el: Tag, skip: list[Tag]) -> bool:
    return any(p is s for p in (el, *el.parents) for s in skip)


def _unwrapped(body: Tag) -> Tag:
    """The body itself is never a quote to drop, even when the engine wraps it in a blockquote."""
    if body.name != "blockquote":
        return body
    body = copy.copy(body)
    body.name = "div"
    return body


def find_author(post: Tag, selectors: tuple[str, ...], skip: list[Tag]) -> Found | None:
    """The author's name from the first selector that finds one outside the post's text."""
    for selector in selectors:
        css, _, attr = selector.partition("@")
        for el in (post.select(css) if css else [post]):
            if _inside(el, skip) and el is not post:
                continue
            raw = el.get(attr) if attr else el.get_text(" ", strip=True)
            name = _BY_RE.sub("", " ".join(str(raw or "").split())).strip()
            if 0 < len(name) <= 60:
                return Found(name, describe(el, attr or None))
    return None


def add_post(docs: list[Document], notes: dict | None, *, source: str, native: str, text: str, url: str,
             thread: str, title: str | None, page: str, author: Found | None, date: Found | None, opening: bool,
             parent: str | None = None) -> None:
    """Append one post as a Document (``opening``: it opens the thread) and note in ``notes`` where its
    author and date were found. ``parent`` is the native id of the post it answers."""
    docs.append(Document(
        source=source, native_id=native, kind="post" if opening else "comment", text=text, url=url,
        thread_id=thread, parent_id=make_doc_id(source, parent) if parent else None,
        author=author.value if author else None, created_at=date.value if date else None, title=title, raw_ref=page,
    ))
    if notes is not None:
        notes[native] = {"author": author.where if author else None, "date": date.where if date else None}


def read_posts(source: str, soup: BeautifulSoup, url: str, markup: Markup, now: datetime | None = None,
               notes: dict | None = None) -> list[Document]:
    """Every post on one thread page, read with an engine's :class:`Markup`, as Documents.

    Args:
        now: when the page was fetched; relative dates ("3 hours ago") count back from it.
        notes: filled with ``{native_id: {"author": where, "date": where}}`` (None where not found).
    """
    host, base = urlsplit(url).netloc, page_base(soup, url)
    thread = (markup.thread_of or canonical_key)(soup, url)
    langs = page_languages(soup)
    title = markup.title_of(soup) if markup.title_of else \
        next((t for sel in markup.title if (t := pick(soup, sel)[0])), None) or page_title(soup)
    opener = is_first_page(soup, url)
    docs: list[Document] = []
    found = soup.select(markup.posts)
    for post in [el.find_parent(markup.around) for el in found] if markup.around else found:
        body = post.select_one(markup.body) if post is not None else None
        if body is None:
            continue
        raw_id, _ = pick(post, markup.pid)
        digits = re.search(r"[\w-]+" if markup.whole_id else r"\d+", raw_id or "")
        prefix = f"{host}:" if markup.host_ids else ""
        why = "left out by the engine's rule for deleted or hidden posts" if markup.skip and \
            post.css.match(markup.skip) else None
        text = "" if why else html_to_text(_unwrapped(body), drop=QUOTES + markup.drop)
        if not text:
            if notes is not None and digits:
                notes[f"{prefix}{markup.id_prefix}{digits.group()}"] = {"skipped": why or "no text of its own"}
            continue
        quotes = [q for sel in QUOTES for q in body.select(sel)]
        author = find_author(post, markup.author, [body])
        date = post_date(post, selectors=markup.date, skip=[body, *quotes], now=now, languages=langs)
        native = f"{prefix}{markup.id_prefix}{digits.group()}" if digits else \
            f"{host}:h{stable_id(thread, author and author.value, text[:200])}"
        if any(d.native_id == native for d in docs):
            continue
        href, _ = pick(post, markup.link + "@href") if markup.link else (None, None)
        quoted, _ = pick(body, markup.parent) if markup.parent else (None, None)
        # The last number: a quote links "?topic=4821.msg58105#msg58105" or "showthread.php?pid=9#pid9".
        parent = re.search(r"(\d+)\D*$", quoted or "")
        add_post(docs, notes, source=source, native=native, text=text, thread=thread, title=title, page=url,
                 url=(join_url(base, href) if href else None) or
                 (f"{url.split('#')[0]}#{post['id']}" if post.get("id") else url),
                 author=author, date=date,
                 opening=bool(post.css.match(markup.opener)) if markup.opener else opener and not docs,
                 parent=f"{prefix}{markup.id_prefix}{parent.group(1)}" if parent else None)
    return docs


def _row_link(row: Tag, listing: Listing) -> Tag | None:
    links = row.select(listing.link)
    if not listing.prefer:
        return links[0] if links else None
    return next((a for a in links if re.search(listing.prefer, a.get("href", ""))), links[-1] if links else None)


def listing_rows(soup: BeautifulSoup, url: str, listing: Listing) -> list[dict[str, Any]]:
    """Thread rows of a listing page: link, title and posts (replies + 1, None when not shown)."""
    rows, base = [], page_base(soup, url)
    if listing.rows:
        pairs = [(row, _row_link(row, listing)) for row in soup.select(listing.rows)]
    else:
        pairs = [(next((a for a in link.parents if a.css.match(listing.around)), None), link)
                 for link in soup.select(listing.link)]
    for row, link in pairs:
        target = join_url(base, link["href"]) if link is not None and link.get("href") else None
        if target is None:
            continue
        cell = row.select_one(listing.replies) if listing.replies and row is not None else None
        text = cell.get_text(" ", strip=True) if cell is not None else None
        if listing.count:
            m = re.search(listing.count, text or "", re.I)
            text = next((g for g in m.groups() if g), None) if m else None
        n = reply_count(text)
        rows.append({"url": target, "title": link.get_text(strip=True), "posts": n + 1 if n is not None else None})
    return rows


class MarkupSource(ThreadCrawlSource):
    """A forum engine described by class attributes: its post :class:`Markup`, what marks a thread
    page (default: a post), its :class:`Listing` layouts (the first that finds rows is used) and
    its next-page links. An engine with its own post reader overrides ``parse_thread_page``."""

    Options = ThreadForumOptions
    MARKUP: ClassVar[Markup]
    THREAD: ClassVar[str | None] = None
    LISTINGS: ClassVar[tuple[Listing, ...]] = ()
    NEXT: ClassVar[tuple[str, ...]] = ("a[rel~=next]", "link[rel~=next]")
    NEXT_BY_TEXT: ClassVar[bool] = True

    def is_thread_page(self, soup: BeautifulSoup) -> bool:
        return soup.select_one(self.THREAD or self.MARKUP.posts) is not None

    def parse_thread_page(self, soup: BeautifulSoup, url: str) -> list[Document]:
        return read_posts(self.name, soup, url, self.MARKUP, now=self.now, notes=self.notes)

    def listing_threads(self, soup: BeautifulSoup, url: str) -> list[dict[str, Any]]:
        return next((rows for listing in self.LISTINGS if (rows := listing_rows(soup, url, listing))), [])

    def next_page(self, soup: BeautifulSoup, url: str) -> str | None:
        return next_link(soup, url, self.NEXT, by_text=self.NEXT_BY_TEXT)
