"""Talkyard topics, read from the page data Talkyard embeds in every page (``script#thePageJson``).

The HTML shows dates as "Mar 12" without a year; the embedded JSON has each post's author id,
creation time (milliseconds), parent post and text, so posts are read from there. Post 0 is the
title; meta messages ("closed this topic") are not posts.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from scrapers.base import html_to_text
from scrapers.forums.dates import Found, parse_date
from scrapers.forums.markup import Markup, MarkupSource, add_post
from scrapers.forums.pages import canonical_key, page_title
from scrapers.jsonio import loads_json
from voc.schema import Document

META_MESSAGE = 31  # Talkyard's PostType.MetaMessage


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def page_data(soup: BeautifulSoup) -> dict:
    """The embedded page JSON, {} when absent or broken."""
    script = soup.select_one("script#thePageJson")
    try:
        return _dict(loads_json(script.string or "")) if script is not None else {}
    except ValueError:
        return {}


def parse_posts(source: str, soup: BeautifulSoup, url: str, notes: dict | None = None) -> list[Document]:
    """The posts of one Talkyard topic page, in post-number order."""
    data = page_data(soup)
    page = _dict(_dict(data.get("pagesById")).get(str(data.get("currentPageId"))))
    users = _dict(data.get("usersByIdBrief"))
    host, thread, title = urlsplit(url).netloc, canonical_key(soup, url), page_title(soup)
    posts = [p for p in _dict(page.get("postsByNr")).values() if isinstance(p, dict)]
    docs: list[Document] = []
    for post in sorted(posts, key=lambda p: p.get("nr") if isinstance(p.get("nr"), int) else 0):
        nr, parent = post.get("nr"), post.get("parentNr")
        if not isinstance(nr, int) or nr < 1 or post.get("postType") == META_MESSAGE or post.get("isPostHidden"):
            continue
        text = html_to_text(html.unescape(post.get("sanitizedHtml") or "")) if isinstance(
            post.get("sanitizedHtml"), str) else ""
        if not text:
            continue
        user = _dict(users.get(str(post.get("authorId"))))
        name = user.get("username") or user.get("fullName")
        when = parse_date(post.get("createdAtMs"))
        add_post(docs, notes, source=source, native=f"{host}:{page.get('pageId')}-{nr}", text=text,
                 url=f"{url.split('#')[0]}#post-{nr}", thread=thread, title=title, page=url,
                 author=Found(name, "usersByIdBrief.username") if isinstance(name, str) and name else None,
                 date=Found(when, "postsByNr.createdAtMs") if when else None, opening=nr == 1,
                 parent=f"{host}:{page.get('pageId')}-{parent}" if isinstance(parent, int) and parent >= 1 else None)
    return docs


class TalkyardSource(MarkupSource, key="talkyard"):
    MARKUP = Markup(posts=".dw-p:not(.dw-p-ttl)", body=".dw-p-bd", author=(".dw-p-by",))
    THREAD = "script#thePageJson"
    SIGNATURES = (r"thePageJson", r"\btalkyard\b", r'class="dw-p', r"esOrigPost", r"dw-ar-t|dw-p-bd")
    GENERATOR = "talkyard"

    def parse_thread_page(self, soup: BeautifulSoup, url: str) -> list[Document]:
        return parse_posts(self.name, soup, url, notes=self.notes)
