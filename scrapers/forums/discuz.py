"""Discuz! X forums (viewthread pages), common on Chinese-language boards.

Posts are ``div#post_<id>`` with their text in ``td.t_f``; the date is the post's "发表于 ..." line
(``em#authorposton<id>``, or its ``span[title]`` when the text is relative, "3 天前").
"""

from __future__ import annotations

from scrapers.forums.markup import Markup, MarkupSource


class DiscuzSource(MarkupSource, key="discuz"):
    MARKUP = Markup(
        posts="div[id^=post_]:has(td.t_f)", body="td.t_f", id_prefix="pid", author=(".authi a.xw1", ".authi a"),
        date=("em[id^=authorposton] span[title]", "em[id^=authorposton]"), link="a[id^=postnum]",
        drop=(".pstatus", ".pattl", ".sign", "i.pstatus"),
    )
    NEXT = ("a.nxt", "link[rel=next]")
    SIGNATURES = (r"discuz", r'id="postmessage_\d+"', r"authorposton", r'class="plhin', r"forum\.php\?mod=viewthread",
                  r'class="t_f"')
    GENERATOR = "discuz"
