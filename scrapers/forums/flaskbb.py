"""FlaskBB topics: ``div.post-row`` with the text in ``.post-content``.

The date is the post meta line's ``<time>`` (the link to ``/post/<id>``), never the author column's
"Joined:" ``<time>``.
"""

from __future__ import annotations

from scrapers.forums.markup import Markup, MarkupSource


class FlaskbbSource(MarkupSource, key="flaskbb"):
    MARKUP = Markup(
        posts="div.post-row[id]", body=".post-content", id_prefix="pid", author=(".author-name a", ".author-name"),
        date=(".post-meta a[href*='/post/'] time", ".post-meta time"), link=".post-meta a[href*='/post/']",
        drop=(".signature",),
    )
    SIGNATURES = (r"flaskbb", r'class="row post-row', r'class="post-content', r"author-registered", r"/post/\d+")
    GENERATOR = "flaskbb"
