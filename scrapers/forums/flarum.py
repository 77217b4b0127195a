"""Flarum discussions, as a browser renders the post stream (``.PostStream-item``).

Only comment posts are read (``data-type="comment"``); events such as a renamed or stickied
discussion are not posts. The date is the post's ``<time datetime>``; the id is Flarum's post id.
"""

from __future__ import annotations

from scrapers.forums.markup import Markup, MarkupSource


class FlarumSource(MarkupSource, key="flarum"):
    MARKUP = Markup(
        posts=".PostStream-item[data-type=comment]", body=".Post-body", pid="@data-id",
        author=(".PostUser-name .username", ".PostUser-name"), date=(".Post-header time[datetime]", "time[datetime]"),
        skip=".PostStream-item:has(.Post--hidden)", opener="[data-number='1']",
    )
    SIGNATURES = (r"PostStream-item", r"CommentPost", r"\bflarum\b", r'class="Post-body"', r"PostUser-name",
                  r"flarum-loading|flarum-content|DiscussionHero")
    GENERATOR = "flarum"
