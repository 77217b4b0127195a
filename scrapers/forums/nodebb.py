"""NodeBB topics: ``[component=post]`` items with ``data-pid`` and their text in ``[component="post/content"]``.

The date is the post header's ``.timeago`` (its ``datetime`` attribute; the text is relative, "25天之前"),
never the edit indicator's.
"""

from __future__ import annotations

from scrapers.forums.markup import Markup, MarkupSource


class NodebbSource(MarkupSource, key="nodebb"):
    MARKUP = Markup(
        posts="[component=post][data-pid]", body="[component='post/content']", pid="@data-pid",
        author=("@data-username", "[itemprop=author]", "a[href*='/user/']"),
        date=("a.permalink .timeago", "meta[itemprop=datePublished]", ".post-header .timeago"), link="a.permalink",
        drop=("[component='post/signature']", ".post-signature"), skip="[component=post].deleted",
        opener="[data-index='0']",
    )
    NEXT = ("[component='pagination/next'] a", "a[rel=next]", "link[rel=next]")
    SIGNATURES = (r'component="post"', r'component="post/content"', r"\bnodebb\b", r'data-pid="\d+"',
                  r'component="topic', r'class="timeago')
    GENERATOR = "nodebb"
