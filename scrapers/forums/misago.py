"""Misago forum threads: ``li.post`` items with the text in ``article.misago-markup``.

The date is the post heading's permalink (``a.posted-on``: its title, "posted May 20, 2024, 7:04 PM";
the text is relative), never an attachment's upload date.
"""

from __future__ import annotations

from scrapers.forums.markup import Markup, MarkupSource


class MisagoSource(MarkupSource, key="misago"):
    MARKUP = Markup(
        posts="li.post[id^=post-]", body="article.misago-markup", id_prefix="post-",
        author=(".post-side .media-heading a.item-title", ".post-side .item-title", "@data-author"),
        date=(".post-heading a.posted-on",), link=".post-heading a.posted-on",
    )
    SIGNATURES = (r"misago", r'class="posts-list', r"misago-markup", r"posted-on", r"post-side")
    GENERATOR = "misago"
