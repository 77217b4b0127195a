"""Invision Community (IPS 4) forums: topic pages.

Posts are ``article#elComment_<id>`` with their text in ``[data-role=commentContent]``; the author
is in the author pane, the date in the comment's meta line (``<time datetime>``). Quotes
(``blockquote.ipsQuote``) name the quoted comment, which becomes the parent; "Edited ... by" notes
are left out.
"""

from __future__ import annotations

from scrapers.forums.markup import Markup, MarkupSource


class InvisionSource(MarkupSource, key="invision"):
    MARKUP = Markup(
        posts="article[id^=elComment_]", body="[data-role=commentContent]", id_prefix="comment-",
        author=("aside.ipsComment_author .cAuthorPane_author a", ".cAuthorPane_author a",
                "[itemprop=author] [itemprop=name]"),
        date=(".ipsComment_meta time[datetime]", "time[datetime]"), link=".ipsComment_meta a[href*='comment=']",
        drop=("[data-excludequote]", ".ipsEmbeddedOther", ".ipsSpoiler_header"), skip="article.ipsComment_ignored",
        parent="blockquote.ipsQuote@data-ipsquote-contentcommentid",
    )
    NEXT = ("li.ipsPagination_next a", "a[rel=next]", "link[rel=next]")
    SIGNATURES = (r"ipsComment", r"cAuthorPane", r'data-role="commentContent"', r"ipsType_", r"data-ipsquote",
                  r"invisioncic|invisioncommunity|ips4", r'data-controller="core\.')
    GENERATOR = "invision"
