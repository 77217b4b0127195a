"""XenForo 2 forums from their HTML pages.

Start from a forum listing (``/forums/<slug>.<id>/``) or one thread (``/threads/<slug>.<id>/``);
both are followed through the ``pageNav-jump--next`` links. Each post is an ``article.message``
whose own text sits in ``.message-body .bbWrapper``; quoted posts (``bbCodeBlock--quote``), link
previews and code are dropped, and signatures (``aside.message-signature``) are outside the body.
Deleted-message placeholders carry no body and are skipped.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from scrapers.base import html_to_text
from scrapers.forum import (ThreadCrawlSource, ThreadForumOptions, html_page, is_first_page, join_url,
                            next_link, page_base, parse_date, reply_count)
from voc.schema import Document, make_doc_id

_THREAD_RE = re.compile(r"/threads/(?:[^/]*\.)?(\d+)(?:/|$)")
_DROP = (".bbCodeBlock--quote", ".bbCodeBlock--code", ".bbCodeBlock--unfurl", ".message-signature",
         ".js-selectToQuoteEnd")


class XenforoOptions(ThreadForumOptions):
    """A XenForo 2 forum listing or thread URL, with crawl limits."""


def thread_key(soup: BeautifulSoup, url: str) -> str:
    """``thread-<id>`` from the page's content key, else from the canonical or page URL."""
    root = soup.find("html")
    key = root.get("data-content-key", "") if isinstance(root, Tag) else ""
    if key.startswith("thread-"):
        return key
    canonical = soup.select_one("link[rel=canonical]")
    for cand in ((canonical.get("href") if canonical else None), url):
        m = _THREAD_RE.search(urlsplit(join_url(url, cand or "") or "").path)
        if m:
            return f"thread-{m.group(1)}"
    return urlsplit(url).path


def thread_title(soup: BeautifulSoup) -> str | None:
    """The thread's title without its prefix label, else the page title."""
    h1 = soup.select_one("h1.p-title-value")
    if h1 is None:
        return soup.title.get_text(strip=True).split(" | ")[0] if soup.title else None
    h1 = copy.copy(h1)
    for label in h1.select(".label, .label-append"):  # thread prefixes ("Solved", "Question")
        label.decompose()
    return h1.get_text(" ", strip=True)


def _created(message: Tag) -> datetime | None:
    stamp = message.select_one(".message-attribution time.u-dt") or message.select_one("time.u-dt")
    if stamp is None:
        return None
    return parse_date(stamp.get("datetime")) or parse_date(stamp.get("data-time"))


def parse_posts(source: str, soup: BeautifulSoup, url: str) -> list[Document]:
    """Every visible post on one XenForo 2 thread page as a Document."""
    host = urlsplit(url).netloc
    thread, title, base = thread_key(soup, url), thread_title(soup), page_base(soup, url)
    opener = is_first_page(soup, url)
    docs = []
    for message in soup.select("article.message[data-content^=post-]"):
        pid = message["data-content"].removeprefix("post-")
        body = message.select_one(".message-body .bbWrapper")
        if not pid.isdigit() or body is None or "message--deleted" in message.get("class", []):
            continue
        text = html_to_text(body, drop=_DROP)
        if not text:
            continue
        link = message.select_one(f'.message-attribution a[href*="post-{pid}"]')
        quoted = body.select_one(".bbCodeBlock--quote[data-source^=post]")
        parent = re.sub(r"\D", "", quoted["data-source"]) if quoted else ""
        name = message.select_one(".message-name .username")
        docs.append(Document(
            source=source,
            native_id=f"{host}:post-{pid}",
            kind="post" if opener and not docs else "comment",
            text=text,
            url=(join_url(base, link["href"]) if link else None) or f"{url.split('#')[0]}#post-{pid}",
            thread_id=thread,
            parent_id=make_doc_id(source, f"{host}:post-{parent}") if parent else None,
            author=message.get("data-author") or (name.get_text(strip=True) if name else None),
            created_at=_created(message),
            title=title,
            raw_ref=url,
        ))
    return docs


def listing_threads(soup: BeautifulSoup, url: str) -> list[dict[str, Any]]:
    """Thread rows of a forum listing: link, title and the number of posts (replies + 1)."""
    rows, base = [], page_base(soup, url)
    for item in soup.select(".structItem--thread"):
        links = item.select(".structItem-title a[href]")
        # A thread prefix is a link too; the thread's own link comes last.
        link = next((a for a in links if _THREAD_RE.search(a["href"])), links[-1] if links else None)
        target = join_url(base, link["href"]) if link is not None else None
        if target is None:
            continue
        replies = item.select_one(".structItem-cell--meta dd")
        n = reply_count(replies.get_text() if replies else None)
        rows.append({"url": target, "title": link.get_text(strip=True),
                     "posts": n + 1 if n is not None else None})
    return rows


class XenforoSource(ThreadCrawlSource):
    key: ClassVar[str] = "xenforo"
    Options = XenforoOptions

    def is_thread_page(self, soup: BeautifulSoup) -> bool:
        return bool(soup.select_one("article.message[data-content^=post-]"))

    def parse_thread_page(self, soup: BeautifulSoup, url: str) -> list[Document]:
        return parse_posts(self.name, soup, url)

    def listing_threads(self, soup: BeautifulSoup, url: str) -> list[dict[str, Any]]:
        return listing_threads(soup, url)

    def next_page(self, soup: BeautifulSoup, url: str) -> str | None:
        return next_link(soup, url, ("a.pageNav-jump--next", "link[rel=next]"))

    @classmethod
    def detect(cls, url: str, body: str, content_type: str) -> bool:
        if not html_page(body, content_type):
            return False
        lowered = body.lower()
        return ('id="xf"' in lowered or "xenforo" in lowered) and (
            "message--post" in lowered or "structitem--thread" in lowered)
