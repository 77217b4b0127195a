"""Simple:Press (WordPress) forum topics: ``div.spTopicPostSection`` with the text in ``.spPostContent``.

Simple:Press prints the post's date in the user column (``.spPostUserDate``), beside but apart
from the "Member Since" date (``.spPostUserRegistered``), which is never taken.
"""

from __future__ import annotations

from scrapers.forums.markup import Markup, MarkupSource


class SimplepressSource(MarkupSource, key="simplepress"):
    MARKUP = Markup(
        posts="div.spTopicPostSection[id^=post]", body=".spPostContent", author=(".spPostUserName",),
        date=(".spPostUserDate",), link="a[id^=spPostIndexPermalink]", drop=(".spPostUserSignature",),
    )
    SIGNATURES = (r"spTopicPostSection", r"spPostContent", r"spPostUser", r"simple:press|simplepress|simple-press",
                  r'id="spMainContainer"|spForumTop')
    GENERATOR = "simple:press|simplepress"
