"""phpBB 3.x forums (prosilver and styles derived from it) from their HTML pages.

Start from a forum listing (viewforum) or a single topic (viewtopic): listing pages and topic
pages are followed through the ``rel="next"`` pagination links. Quoted earlier posts
(``blockquote``) are dropped from a post's own text; signatures are left out.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from scrapers.base import html_to_text, parse_ts
from scrapers.forum import ThreadCrawlSource, ThreadForumOptions, join_url
from voc.schema import Document

_DIGITS = re.compile(r"\d+")


class PhpbbOptions(ThreadForumOptions):
    """url: a forum listing (viewforum) or one topic (viewtopic); max_threads; max_pages."""


def is_topic_page(soup: BeautifulSoup) -> bool:
    return bool(soup.select("div.post[id^=p] div.content"))


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


def parse_posts(source: str, soup: BeautifulSoup, url: str) -> list[Document]:
    """Every post on one topic page as a Document."""
    host = urlsplit(url).netloc
    thread = thread_key(soup, url)
    title = topic_title(soup)
    docs = []
    for post in soup.select("div.post[id^=p]"):
        pid = post["id"][1:]
        if not pid.isdigit():
            continue
        content = post.select_one("div.content")
        if content is None:
            continue
        text = html_to_text(content, drop=("div.signature", "div.notice", "dl.attachbox", "div.inline-attachment"))
        if not text:
            continue
        author_el = post.select_one("p.author a.username, p.author a.username-coloured") or post.select_one(
            "dl.postprofile a.username, dl.postprofile a.username-coloured, .postprofile .username")
        author_p = post.select_one("p.author")
        date_text = None
        if author_p is not None:
            raw = author_p.get_text(" ", strip=True)
            date_text = raw.split("»")[-1].strip() if "»" in raw else None
        docs.append(Document(
            source=source,
            native_id=f"{host}:p{pid}",
            kind="post",
            text=text,
            url=f"{url.split('#')[0]}#p{pid}",
            thread_id=thread,
            author=author_el.get_text(strip=True) if author_el else None,
            created_at=parse_ts(date_text),
            title=title,
            raw_ref=url,
        ))
    # The first post of the first page opens the thread; the rest answer it.
    for i, doc in enumerate(docs):
        if i or "start=" in url or re.search(r"-p\d+\.html?$", urlsplit(url).path):
            doc.kind = "comment"
    return docs


class PhpbbSource(ThreadCrawlSource):
    """phpBB listings and topics; the crawl itself (pagination, cursor) is ThreadCrawlSource's."""

    key: ClassVar[str] = "phpbb"
    Options = PhpbbOptions

    def is_thread_page(self, soup: BeautifulSoup) -> bool:
        return is_topic_page(soup)

    def parse_thread_page(self, soup: BeautifulSoup, url: str) -> list[Document]:
        return parse_posts(self.name, soup, url)

    def listing_threads(self, soup: BeautifulSoup, url: str) -> list[dict[str, Any]]:
        return listing_topics(soup, url)

    def next_page(self, soup: BeautifulSoup, url: str) -> str | None:
        return next_page(soup, url)

    @classmethod
    def detect(cls, url: str, body: str, content_type: str) -> bool:
        if "html" not in content_type and "<html" not in body[:2000].lower():
            return False
        lowered = body.lower()
        return ("phpbb" in lowered or "prosilver" in lowered or 'class="postprofile"' in lowered) and (
            'class="post ' in lowered or "topictitle" in lowered)
