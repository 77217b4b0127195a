"""vBulletin 3 and 4 forums from their HTML pages (showthread / forumdisplay).

vBulletin 4 posts are ``li.postcontainer`` (``li.postbitlegacy``) with ``id="post_<id>"``; vBulletin
3 posts are ``table#post<id>``. Both keep a post's own text in ``div#post_message_<id>``. Quotes
(vB4 ``div.bbcode_container``; vB3 a "Quote:" caption over a ``td.alt2`` box) are dropped; the
signature sits outside the message div. Pages and listings follow ``a[rel=next]``.
"""

from __future__ import annotations

import copy
import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from scrapers.base import html_to_text
from scrapers.forum import (ThreadCrawlSource, ThreadForumOptions, html_page, is_first_page, join_url,
                            next_link, page_base, parse_date, reply_count)
from voc.schema import Document, make_doc_id

_VB4_POSTS = "li.postcontainer[id^=post_], li.postbitlegacy[id^=post_], li.postbit[id^=post_]"
_CAPTION_RE = re.compile(r"^(quote|code|php code|html code):?$", re.I)
_THREAD_ID_RE = re.compile(r"(?:[?&]t=|showthread\.php\?|/threads/)(\d+)")
_POST_ID_RE = re.compile(r"[?&]p=(\d+)")


class VbulletinOptions(ThreadForumOptions):
    """A vBulletin 3/4 forumdisplay or showthread URL, with crawl limits."""


def thread_key(soup: BeautifulSoup, url: str) -> str:
    """``t=<id>`` from the canonical link, the title link, the reply form or the URL."""
    candidates = [el.get("href") for el in soup.select("link[rel=canonical], span.threadtitle a") if el.get("href")]
    field = soup.select_one("input[name=t]")
    if field is not None and str(field.get("value", "")).isdigit():
        return f"t={field['value']}"
    for cand in [*candidates, url]:
        m = _THREAD_ID_RE.search(join_url(page_base(soup, url), cand) or "")
        if m:
            return f"t={m.group(1)}"
    return urlsplit(url).path


def thread_title(soup: BeautifulSoup) -> str | None:
    """The thread title (vB4 ``span.threadtitle``, vB3 navbar), else the page title."""
    el = soup.select_one("span.threadtitle") or soup.select_one("td.navbar strong")
    if el is not None:
        return el.get_text(" ", strip=True)
    return soup.title.get_text(strip=True).split(" - ")[0] if soup.title else None


def _posts(soup: BeautifulSoup) -> list[tuple[str, Tag]]:
    """(post id, container) in page order: vB4 list items, else vB3 tables."""
    found = [(el["id"].removeprefix("post_"), el) for el in soup.select(_VB4_POSTS)]
    if not found:
        found = [(el["id"][4:], el) for el in soup.select("table[id^=post]")]
    return [(pid, el) for pid, el in found if pid.isdigit()]


def message_text(message: Tag) -> str:
    """A post's own words: quotes, code and their captions removed."""
    message = copy.copy(message)
    for wrapper in message.select("blockquote.postcontent"):
        wrapper.name = "div"  # vB4 wraps every post in a blockquote; html_to_text would drop it all
    for caption in message.select("div.smallfont"):
        if caption.decomposed or not _CAPTION_RE.match(caption.get_text(" ", strip=True)):
            continue
        holder = caption.parent
        if holder is message or holder is None:  # caption loose in the message: drop it and its box
            box = caption.find_next_sibling(["table", "pre", "div"])
            if box is not None:
                box.decompose()
            caption.decompose()
        else:
            holder.decompose()
    for box in message.select("td.alt2"):  # a vB3 quote box without its caption
        if not box.decomposed:
            (box.find_parent("table") or box).decompose()
    return html_to_text(message, drop=("div.bbcode_container", ".signature", ".signaturecontainer"))


def _author(post: Tag) -> str | None:
    el = post.select_one(".username_container .username, a.username, span.username, a.bigusername")
    el = el or post.select_one("div[id^=postmenu_]")  # vB3 styles that drop the bigusername class
    return el.get_text(" ", strip=True) if el else None


def _date_text(post: Tag) -> str | None:
    el = post.select_one("span.date") or post.select_one("td.thead")
    return el.get_text(" ", strip=True) if el else None


def parse_posts(source: str, soup: BeautifulSoup, url: str) -> list[Document]:
    """Every post on one vBulletin 3/4 thread page as a Document (deleted ones have no message)."""
    host = urlsplit(url).netloc
    thread, title, base = thread_key(soup, url), thread_title(soup), page_base(soup, url)
    opener = is_first_page(soup, url)
    docs = []
    for pid, post in _posts(soup):
        message = post.select_one(f"div#post_message_{pid}")
        text = message_text(message) if message is not None else ""
        if not text:
            continue
        counter = post.select_one("a.postcounter[href]")
        source_link = message.select_one(".bbcode_postedby a[href]")
        parent = _POST_ID_RE.search(source_link["href"]) if source_link else None
        docs.append(Document(
            source=source,
            native_id=f"{host}:post{pid}",
            kind="post" if opener and not docs else "comment",
            text=text,
            url=(join_url(base, counter["href"]) if counter else None) or f"{url.split('#')[0]}#post{pid}",
            thread_id=thread,
            parent_id=make_doc_id(source, f"{host}:post{parent.group(1)}") if parent else None,
            author=_author(post),
            created_at=parse_date((_date_text(post) or "").replace(",", " ")),
            title=title,
            raw_ref=url,
        ))
    return docs


def listing_threads(soup: BeautifulSoup, url: str) -> list[dict[str, Any]]:
    """Thread rows of a forumdisplay page: link, title and posts (replies + 1, from "who posted")."""
    rows, base = [], page_base(soup, url)
    for link in soup.select("a[id^=thread_title_][href]"):
        target = join_url(base, link["href"])
        if target is None:
            continue
        row = link.find_parent(["li", "tr"])
        who = row.select_one('a[href*="whoposted"]') if row else None
        n = reply_count(who.get_text() if who else None)
        rows.append({"url": target, "title": link.get_text(strip=True),
                     "posts": n + 1 if n is not None else None})
    return rows


class VbulletinSource(ThreadCrawlSource):
    key: ClassVar[str] = "vbulletin"
    Options = VbulletinOptions

    def is_thread_page(self, soup: BeautifulSoup) -> bool:
        return bool(soup.select_one("div[id^=post_message_]"))

    def parse_thread_page(self, soup: BeautifulSoup, url: str) -> list[Document]:
        return parse_posts(self.name, soup, url)

    def listing_threads(self, soup: BeautifulSoup, url: str) -> list[dict[str, Any]]:
        return listing_threads(soup, url)

    def next_page(self, soup: BeautifulSoup, url: str) -> str | None:
        return next_link(soup, url, ("a[rel=next]", "link[rel=next]"))

    @classmethod
    def detect(cls, url: str, body: str, content_type: str) -> bool:
        if not html_page(body, content_type):
            return False
        lowered = body.lower()
        return "vbulletin" in lowered and ("post_message_" in lowered or "thread_title_" in lowered)

