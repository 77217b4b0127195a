"""vBulletin 3, 4 and 5 forums from their HTML pages (showthread / forumdisplay, vB5 topics).

vBulletin 4 posts are ``li.postcontainer`` (``li.postbitlegacy``) with ``id="post_<id>"``; vBulletin
3 posts are ``table#post<id>`` (or, in customised skins, any element with that id). Both keep a
post's own text in ``div#post_message_<id>``. Quotes (vB4 ``div.bbcode_container``; vB3 a "Quote:"
caption over a ``td.alt2`` box) are dropped; the signature sits outside the message div. The date
is the post header's (``span.date``, ``td.postdate``, the header row), never the "Join Date" or
"Registered" of the author column. vBulletin 5 posts are ``li.b-post`` read with a :class:`Markup`.
Pages and listings follow ``a[rel=next]``.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from scrapers.base import html_to_text
from scrapers.forums.crawl import ThreadForumOptions
from scrapers.forums.dates import post_date
from scrapers.forums.markup import Listing, Markup, MarkupSource, add_post, find_author, listing_rows, read_posts
from scrapers.forums.pages import is_first_page, join_url, page_base, page_languages
from voc.schema import Document

_VB4_POSTS = "li.postcontainer[id^=post_], li.postbitlegacy[id^=post_], li.postbit[id^=post_]"
_CAPTION_RE = re.compile(r"^(quote|code|php code|html code):?$", re.I)
_THREAD_ID_RE = re.compile(r"(?:[?&]t=|showthread\.php\?|/threads/)(\d+)")
_POST_ID_RE = re.compile(r"[?&]p=(\d+)")
_AUTHOR = (".username_container .username", "a.username", "span.username", "a.bigusername", "div[id^=postmenu_]")
# The post header's date in vB4, in customised vB3 skins, then vB3's default header row.
_DATE = ("span.date", "td.postdate", ".postdate", ".posthead .date", "td.thead")
VB5 = Markup(
    posts="li.b-post[data-node-id]", body=".js-post__content-text", pid="@data-node-id",
    author=(".b-userinfo .author", "[itemprop=author] [itemprop=name]"),
    date=(".b-post__timestamp time", "time[itemprop=dateCreated]"), link="a.b-post__count",
    drop=(".b-post__edit", ".js-post__signature", ".b-post-attachments"), skip=".b-post--deleted",
    opener=".b-post--first",
)
LISTING = Listing(link="a[id^=thread_title_][href]", replies='a[href*="whoposted"]')


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
    """(post id, container) in page order: vB4 list items, else vB3 tables (customised skins put
    the ``post<id>`` id on a div or a table of their own)."""
    found = [(el["id"].removeprefix("post_"), el) for el in soup.select(_VB4_POSTS)]
    if not found:
        found = [(el["id"][4:], el) for el in soup.select("table[id^=post], div[id^=post]")
                 if re.fullmatch(r"post\d+", el["id"]) and el.select_one(f"div#post_message_{el['id'][4:]}")]
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


def parse_posts(source: str, soup: BeautifulSoup, url: str, now: datetime | None = None,
                notes: dict | None = None) -> list[Document]:
    """Every post on one vBulletin thread page as a Document (deleted ones have no message).

    ``now`` is the page's fetch time ("Yesterday, 11:20 AM"); ``notes`` collects where each
    author and date were found.
    """
    if soup.select_one(VB5.posts):
        return read_posts(source, soup, url, VB5, now=now, notes=notes)
    host = urlsplit(url).netloc
    thread, title, base = thread_key(soup, url), thread_title(soup), page_base(soup, url)
    opener, langs = is_first_page(soup, url), page_languages(soup)
    docs = []
    for pid, post in _posts(soup):
        message = post.select_one(f"div#post_message_{pid}")
        text = message_text(message) if message is not None else ""
        if not text:
            continue
        counter = post.select_one("a.postcounter[href]")
        source_link = message.select_one(".bbcode_postedby a[href]")
        parent = _POST_ID_RE.search(source_link["href"]) if source_link else None
        author = find_author(post, _AUTHOR, [message])
        date = post_date(post, selectors=_DATE, skip=[message], now=now, languages=langs)
        add_post(docs, notes, source=source, native=f"{host}:post{pid}", text=text, thread=thread, title=title,
                 url=(join_url(base, counter["href"]) if counter else None) or f"{url.split('#')[0]}#post{pid}",
                 page=url, author=author, date=date, opening=opener and not docs,
                 parent=f"{host}:post{parent.group(1)}" if parent else None)
    return docs


def listing_threads(soup: BeautifulSoup, url: str) -> list[dict[str, Any]]:
    """Thread rows of a forumdisplay page: link, title and posts (replies + 1, from "who posted")."""
    return listing_rows(soup, url, LISTING)


class VbulletinSource(MarkupSource):
    key: ClassVar[str] = "vbulletin"
    Options = VbulletinOptions
    MARKUP = VB5
    THREAD = "div[id^=post_message_], li.b-post[data-node-id]"
    LISTINGS = (LISTING,)
    NEXT, NEXT_BY_TEXT = ("a[rel=next]", "link[rel=next]"), False
    SIGNATURES = (r"post_message_\d+", r"postmenu_\d+", r"vbmenu_", r"showthread\.php", r"showpost\.php",
                  r"thread_title_\d+", r"postcontainer|postbitlegacy", r"clientscript/vbulletin", r"\bvbulletin\b",
                  r'class="b-post\b', r"js-post__content-text", r"data-node-id=")
    GENERATOR = "vbulletin"

    def parse_thread_page(self, soup: BeautifulSoup, url: str) -> list[Document]:
        return parse_posts(self.name, soup, url, now=self.now, notes=self.notes)
