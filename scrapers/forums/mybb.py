"""MyBB 1.8 forums (default and derived themes): showthread pages and forumdisplay listings.

Posts are ``div.post#post_<id>`` with their text in ``div.post_body``; the date sits in the post's
head (``span.post_date``, "07-12-2021, 02:20 PM", or "Yesterday, 09:14 PM"), never the author
column's "Joined". Quotes (``blockquote.mycode_quote``) name the quoted post, which becomes the parent.
"""

from __future__ import annotations

from scrapers.forums.markup import Listing, Markup, MarkupSource


class MybbSource(MarkupSource, key="mybb"):
    MARKUP = Markup(
        posts="div.post[id^=post_]", body="div.post_body", id_prefix="pid",
        author=(".author_information .largetext a", ".author_information strong a", ".post_author a[href*=user]"),
        date=(".post_head .post_date",), link=".post_head a[href*='#pid']",
        drop=(".post_meta", "fieldset", ".signature", ".post_edit"),
        skip="div.deleted_post_hidden, div.unapproved_post",
        parent="blockquote.mycode_quote cite a[href*=pid]@href",
    )
    LISTINGS = (Listing(link="span[id^=tid_] a[href]", replies="a[href*=whoPosted]"),)
    NEXT = ("a.pagination_next", "link[rel=next]")
    SIGNATURES = (r'class="post_body', r'id="pid_\d+"', r"postbit_", r"\bmybb\b", r'class="post_author',
                  r"thread-\d+(-post-\d+)?\.html|showthread\.php\?tid=", r"MyBB\.\w+\(")
    GENERATOR = "mybb"
