"""Kunena (Joomla) forum topics: ``div.message`` rows with the text in ``.kmsg``.

The date is the message's ``span.kdate`` (its ``title`` holds the absolute date; the text is
relative, "2 weeks 6 days ago"); the id is the message anchor's.
"""

from __future__ import annotations

from scrapers.forums.markup import Markup, MarkupSource


class KunenaSource(MarkupSource, key="kunena"):
    MARKUP = Markup(
        posts="div.message:has(.kmsg)", body=".kmsg", pid="a[rel=canonical][id]@id", id_prefix="msg",
        author=(".profilebox a.kwho-user", ".profilebox strong", "a[class*=kwho-]"), date=("span.kdate",),
        link="a[rel=canonical][id]", drop=(".kmsgsignature", ".kmsgattach", ".kmessage-editmarkup"),
    )
    SIGNATURES = (r"\bkunena\b", r'class="kmsg', r"kwho-", r'class="kdate', r"kmessage", r"/forum/user/\d+")
    GENERATOR = "kunena"
