"""Simple Machines Forum (SMF 2.0 and 2.1) topics and message indexes.

Posts are ``div#msg<id>`` (2.1) or the ``div.windowbg``/``windowbg2`` block holding ``div#msg_<id>``
(2.0); their text is ``div.inner``/``div.post``. The date is the key-info line ("« Reply #3 on:
March 12, 2024, 09:15:33 PM »", "Today at 09:15:33 PM", or the board's language), never the poster
column's "Date Registered".
"""

from __future__ import annotations

from scrapers.forums.markup import Listing, Markup, MarkupSource


class SmfSource(MarkupSource, key="smf"):
    MARKUP = Markup(
        posts="#forumposts div[class^=windowbg]:has(div.inner[id^=msg_])", body="div.inner[id^=msg_]",
        pid="div.inner[id^=msg_]@id", id_prefix="msg", author=(".poster h4 a", ".poster h4"),
        date=(".keyinfo .postinfo a.smalltext", ".keyinfo .smalltext", ".keyinfo .postinfo"),
        link=".keyinfo a[href*='#msg']", drop=(".signature", ".attachments", ".moderatorbar"),
        parent="blockquote cite a[href*='#msg']@href",
    )
    # Rows of 2.1's message index are divs, 2.0's table rows; the count reads "Replies: 3" or "3 Antworten".
    LISTINGS = (Listing(link="span[id^=msg_] a[href]", around="tr, div.windowbg", replies=".board_stats, td.stats",
                        count=r"^\D*?(\d[\d,]*)"),)
    NEXT = ("a.nav_page[rel=next]", "link[rel=next]", ".pagelinks a.next_page")
    SIGNATURES = (r"smf_", r'id="forumposts"', r'class="post_wrapper"', r'id="msg_\d+"', r"index\.php\?topic=\d+",
                  r"simple machines", r'class="keyinfo"')
    GENERATOR = "smf|simple machines"
