"""Vanilla Forums discussions (Vanilla 2 and the open-source theme family).

The opening post is ``div.ItemDiscussion`` and each reply ``li.ItemComment#Comment_<id>``; the text
is ``.Message.userContent``, the author ``a.Username``, the date the meta line's ``<time datetime>``
(``DateCreated``), never a "Joined" or "Visits" line.
"""

from __future__ import annotations

from scrapers.forums.markup import Listing, Markup, MarkupSource


class VanillaSource(MarkupSource, key="vanilla"):
    MARKUP = Markup(
        posts="div.ItemDiscussion, li.ItemComment", body=".Message.userContent, .Message", id_prefix="",
        whole_id=True, author=(".Author a.Username", "a.Username", ".Author a[href*='/profile/']"),
        date=(".DateCreated time[datetime]", ".Meta time[datetime]"), link=".DateCreated a.Permalink",
        drop=(".Signature", ".UserSignature", ".Attachments", ".PostEdited", ".Reactions"),
        skip="li.ItemComment.Deleted", opener="div.ItemDiscussion",
    )
    LISTINGS = (Listing(rows="li.ItemDiscussion", link=".Title a[href]", replies=".CommentCount .Number"),)
    NEXT = ("a.Next", "link[rel=next]")
    SIGNATURES = (r"ItemComment", r'class="Message userContent', r"MessageList", r"DiscussionHeader|ItemDiscussion",
                  r"\bvanilla\b", r"/discussion/comment/\d+", r'class="Username"')
    GENERATOR = "vanilla"
