"""UBB.threads topics: one table per post, its subject row holding the date and the post number.

The date is the subject row's date and time (``span.date`` + ``span.time``); the author column's
"Joined:" date uses the same ``span.date`` class and is never taken.
"""

from __future__ import annotations

from scrapers.forums.markup import Markup, MarkupSource


class UbbthreadsSource(MarkupSource, key="ubbthreads"):
    MARKUP = Markup(
        posts="td.subjecttable", around="table", body="div[id^=body]", pid=".subjecttable a[id^=number]@id",
        id_prefix="Post", author=(".author-name .username", ".author-name a"),
        date=(".subjecttable span:has(> .date)", ".subjecttable .date"), link=".subjecttable a[id^=number]",
        drop=(".signature", ".ubbcode-block"),
    )
    SIGNATURES = (r"ubbthreads", r'id="body\d+"', r"author-content", r"post_inner", r'class="subjecttable',
                  r"ubbcode-")
    GENERATOR = "ubb\\.threads|ubbthreads"
