"""phpBB 3.x forums (prosilver and the styles derived from it, and subsilver2) from their HTML pages.

Start from a forum listing (viewforum) or a single topic (viewtopic): listing pages and topic
pages are followed through the ``rel="next"`` pagination links. Quoted earlier posts
(``blockquote``) are dropped from a post's own text; signatures are left out. The date is the
one in the post's header (``p.author``: a ``<time>`` since 3.3, text after "»" before), never the
"Joined" date of the profile column.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag

from scrapers.base import html_to_text
from scrapers.forums.crawl import ThreadCrawlSource, ThreadForumOptions
from scrapers.forums.dates import Found, describe, parse_date, post_date
from scrapers.forums.markup import add_post, find_author
from scrapers.forums.pages import join_url, page_languages
from voc.schema import Document

_DIGITS = re.compile(r"\d+")
_DROP = ("div.signature", "div.notice", "dl.attachbox", "div.inline-attachment")
_AUTHOR = ("p.author a.username", "p.author a.username-coloured", "dl.postprofile a.username",
           "dl.postprofile a.username-coloured", ".postprofile .username", "b.postauthor", ".postauthor")


class PhpbbOptions(ThreadForumOptions):
    """url: a forum listing (viewforum) or one topic (viewtopic); max_threads; max_pages."""


def _posts(soup: BeautifulSoup) -> list[tuple[str, Tag, Tag | None]]:
    """(post id, post element, content element): prosilver ``div.post#p<id>``, else subsilver2's
    table rows after ``<a name="p<id>">``."""
    found = [(p["id"][1:], p, p.select_one("div.content")) for p in soup.select("div.post[id^=p]")]
    if not found:
        for anchor in soup.select("a[name^=p]"):
            row = anchor.find_parent("table")
            if row is not None and row.select_one("div.postbody"):
                found.append((anchor["name"][1:], row, row.select_one("div.postbody")))
    return [(pid, post, content) for pid, post, content in found if pid.isdigit()]


def is_topic_page(soup: BeautifulSoup) -> bool:
    return any(content is not None for _, _, content in _posts(soup))


def next_page(soup: BeautifulSoup, url: str) -> str | None:
    link = soup.select_one('div.pagination a[rel="next"]') or soup.select_one("link[rel=next]")
    return join_url(url, link["href"]) if link and link.get("href") else None


def listing_topics(soup: BeautifulSoup, url: str) -> list[dict[str, Any]]:
    """Topic rows of a viewforum page: link, title and the number of posts it shows."""
    topics = []
    for row in soup.select("ul.topiclist.topics li.row, ul.topiclist li.row"):
        link = row.select_one("a.topictitle")
        target = join_url(url, link["href"]) if link and link.get("href") else None
        if not target:
            continue
        replies = row.select_one("dd.posts")
        n = _DIGITS.search(replies.get_text()) if replies else None
        topics.append({
            "url": target,
            "title": link.get_text(strip=True),
            "posts": int(n.group()) + 1 if n else None,
        })
    return topics


def thread_key(soup: BeautifulSoup, url: str) -> str:
    """A stable id for the topic: phpBB's t= parameter where the page shows it, else the
    first page's address."""
    candidates = [url]
    for sel in ("link[rel=canonical]", "h2.topic-title a", "h2 a"):
        el = soup.select_one(sel)
        if el and el.get("href") and (target := join_url(url, el["href"])):
            candidates.insert(0, target)
    for cand in candidates:
        t = parse_qs(urlsplit(cand).query).get("t")
        if t:
            return f"t={t[0]}"
    for cand in candidates:
        parts = urlsplit(cand)
        path = re.sub(r"-p\d+(\.html?)$", r"\1", parts.path)
        if "viewtopic" in path:
            return path
    return urlsplit(url).path


def topic_title(soup: BeautifulSoup) -> str | None:
    el = soup.select_one("h2.topic-title") or soup.select_one("h2")
    if el:
        return el.get_text(" ", strip=True)
    return soup.title.get_text(strip=True).split(" - ")[0] if soup.title else None


def _date(post: Tag, content: Tag, now: datetime | None, langs: list[str] | None) -> Found | None:
    """The header's ``<time>`` (3.3), else the header text after "»" (3.0-3.2), else the usual places."""
    header = post.select_one("p.author")
    if header is not None and "»" in header.get_text() and header.select_one("time") is None:
        when = parse_date(header.get_text(" ", strip=True).split("»")[-1], now, langs)
        if when:
            return Found(when, describe(header) + " after »")
    return post_date(post, selectors=("p.author time", "p.author"), skip=[content], now=now, languages=langs)


def parse_posts(source: str, soup: BeautifulSoup, url: str, now: datetime | None = None,
                notes: dict | None = None) -> list[Document]:
    """Every post on one topic page as a Document (``notes``: where authors and dates were found)."""
    host = urlsplit(url).netloc
    thread, title, langs = thread_key(soup, url), topic_title(soup), page_languages(soup)
    # The first post of the first page opens the thread; the rest answer it.
    first_page = "start=" not in url and not re.search(r"-p\d+\.html?$", urlsplit(url).path)
    docs: list[Document] = []
    for pid, post, content in _posts(soup):
        if content is None:
            continue
        text = html_to_text(content, drop=_DROP)
        native = f"{host}:p{pid}"
        if not text:
            if notes is not None:
                notes[native] = {"skipped": "no text of its own (only quotes, images or attachments)"}
            continue
        add_post(docs, notes, source=source, native=native, text=text, url=f"{url.split('#')[0]}#p{pid}",
                 thread=thread, title=title, page=url, author=find_author(post, _AUTHOR, [content]),
                 date=_date(post, content, now, langs), opening=first_page and not docs)
    return docs


class PhpbbSource(ThreadCrawlSource):
    """phpBB listings and topics; the crawl itself (pagination, cursor) is ThreadCrawlSource's."""

    key: ClassVar[str] = "phpbb"
    Options = PhpbbOptions
    SIGNATURES = (r'class="postprofile"', r'id="p\d+"[^>]*class="post|class="post[^"]*"[^>]*id="p\d+"',
                  r'class="postbody"', r"viewtopic\.php", r"memberlist\.php\?mode=viewprofile", r"\bphpbb\b",
                  r"prosilver|subsilver", r'class="topictitle"', r'class="postauthor"', r"ucp\.php\?mode=")
    GENERATOR = "phpbb"

    def is_thread_page(self, soup: BeautifulSoup) -> bool:
        return is_topic_page(soup)

    def parse_thread_page(self, soup: BeautifulSoup, url: str) -> list[Document]:
        return parse_posts(self.name, soup, url, now=self.now, notes=self.notes)

    def listing_threads(self, soup: BeautifulSoup, url: str) -> list[dict[str, Any]]:
        return listing_topics(soup, url)

    def next_page(self, soup: BeautifulSoup, url: str) -> str | None:
        return next_page(soup, url)
