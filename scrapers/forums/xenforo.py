"""XenForo 2 and XenForo 1 forums from their HTML pages.

Start from a forum listing (``/forums/<slug>.<id>/``) or one thread (``/threads/<slug>.<id>/``);
both are followed through the ``pageNav-jump--next`` links. Each XenForo 2 post is an
``article.message`` whose own text sits in ``.message-body .bbWrapper``; quoted posts
(``bbCodeBlock--quote``), link previews and code are dropped, and signatures
(``aside.message-signature``) are outside the body. Deleted-message placeholders carry no body and
are skipped. XenForo 1 posts (``li.message`` with ``blockquote.messageText``) are read with a
:class:`Markup`; their date is the permalink's, not the "Last edited" note or the "Joined" date.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from scrapers.forums.crawl import ThreadForumOptions
from scrapers.forums.markup import Listing, Markup, MarkupSource, listing_rows, read_posts
from scrapers.forums.pages import join_url
from voc.schema import Document

_THREAD_RE = re.compile(r"/threads/(?:[^/]*\.)?(\d+)(?:/|$)")
_DROP = (".bbCodeBlock--quote", ".bbCodeBlock--code", ".bbCodeBlock--unfurl", ".message-signature",
         ".js-selectToQuoteEnd")
XF2 = Markup(
    posts="article.message[data-content^=post-]", body=".message-body .bbWrapper", pid="@data-content",
    id_prefix="post-", author=("@data-author", ".message-name .username"),
    date=(".message-attribution time.u-dt", "time.u-dt"), link=".message-attribution a[href*='post-']", drop=_DROP,
    skip="article.message--deleted", parent=".bbCodeBlock--quote[data-source^=post]@data-source",
    thread_of=lambda soup, url: thread_key(soup, url), title_of=lambda soup: thread_title(soup),
)
XF1 = Markup(
    posts="li.message[id^=post-]", body="blockquote.messageText", id_prefix="post-",
    author=("@data-author", ".messageUserInfo a.username", ".messageMeta a.username"),
    date=(".messageMeta a.datePermalink .DateTime", "a.datePermalink"), link="a.datePermalink",
    drop=(".messageTextEndMarker", ".bbCodeQuote", ".attribution", ".quoteExpand", ".signature"),
    skip="li.deleted, li.ignored", parent=".bbCodeQuote a.AttributionLink@href",
)
# XenForo 2 rows, then XenForo 1's; a thread prefix is a link too, the thread's own link comes last.
LISTINGS = (Listing(rows=".structItem--thread", link=".structItem-title a[href]", replies=".structItem-cell--meta dd",
                    prefer=_THREAD_RE.pattern),
            Listing(rows="li.discussionListItem", link="h3.title a[href*='threads/']", replies=".stats dl.major dd"))


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


def parse_posts(source: str, soup: BeautifulSoup, url: str, now: datetime | None = None,
                notes: dict | None = None) -> list[Document]:
    """Every visible post on one XenForo thread page (2, else 1) as a Document (``notes``: where
    authors and dates were found)."""
    markup = XF1 if soup.select_one(XF2.posts) is None and soup.select_one(XF1.posts) else XF2
    return read_posts(source, soup, url, markup, now=now, notes=notes)


def listing_threads(soup: BeautifulSoup, url: str) -> list[dict[str, Any]]:
    """Thread rows of a forum listing (XenForo 2, else 1): link, title and the number of posts (replies + 1)."""
    return next((rows for listing in LISTINGS if (rows := listing_rows(soup, url, listing))), [])


class XenforoSource(MarkupSource):
    key: ClassVar[str] = "xenforo"
    Options = XenforoOptions
    MARKUP, LISTINGS = XF1, LISTINGS
    THREAD = "article.message[data-content^=post-], li.message[id^=post-]"
    NEXT = ("a.pageNav-jump--next", "link[rel=next]")
    SIGNATURES = (r'data-xf-init=', r"message--post", r'class="bbWrapper"', r"structItem--thread", r'\bid="XF"',
                  r'id="XenForo"', r'class="messageText', r"messageUserInfo", r"datePermalink", r"\bxenforo\b",
                  r"/threads/[^\"'/]*\.\d+/")
    GENERATOR = "xenforo"

    def parse_thread_page(self, soup: BeautifulSoup, url: str) -> list[Document]:
        return parse_posts(self.name, soup, url, now=self.now, notes=self.notes)
