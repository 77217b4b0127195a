"""The Source contract, the source registry and helpers every source shares.

A source is a class with a registered ``key``, an ``Options`` pydantic model (its block in the
study file) and ``fetch(since) -> Iterator[Document]``. After each yielded document,
``cursor()`` returns the state that covers everything yielded so far; the crawler commits that
cursor in the same transaction as the documents, so a crash never skips or duplicates work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from bs4 import BeautifulSoup, Tag
from pydantic import BaseModel, ConfigDict, ValidationError

from voc.errors import VocError
from voc.schema import Document

Cursor = dict[str, Any]


@runtime_checkable
class Source(Protocol):
    key: ClassVar[str]

    def fetch(self, since: Cursor | None) -> Iterator[Document]: ...

    def cursor(self) -> Cursor: ...


class SourceOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageSource(Protocol):
    """A source that can read a single page: used by `voc fetch URL` to try a new site."""

    key: ClassVar[str]

    @classmethod
    def detect(cls, url: str, body: str, content_type: str) -> bool: ...

    def page_documents(self, url: str, body: str) -> list[Document]: ...


def _builtin() -> dict[str, str]:
    return {
        "file": "scrapers.files:FileSource",
        "discourse": "scrapers.discourse:DiscourseSource",
        "phpbb": "scrapers.phpbb:PhpbbSource",
        "reddit": "scrapers.reddit:RedditSource",
        "reddit_dump": "scrapers.reddit_dump:RedditDumpSource",
        "stackexchange": "scrapers.stackexchange:StackExchangeSource",
        "stackexchange_dump": "scrapers.se_dump:StackExchangeDumpSource",
        "jsonld_reviews": "scrapers.jsonld:JsonLdReviewSource",
        "appstore": "scrapers.appstore:AppStoreSource",
        "googleplay": "scrapers.googleplay:GooglePlaySource",
        "xenforo": "scrapers.xenforo:XenforoSource",
        "vbulletin": "scrapers.vbulletin:VbulletinSource",
        "forum": "scrapers.forum:ForumSource",
        # last: its detect() accepts any page with repeated post blocks
        "generic": "scrapers.generic:GenericSource",
    }


def registry() -> dict[str, Any]:
    """Source classes by key: the built-ins plus any registered under the `voc.sources` entry point."""
    found: dict[str, Any] = {}
    for key, target in _builtin().items():
        module, _, attr = target.partition(":")
        found[key] = getattr(__import__(module, fromlist=[attr]), attr)
    for ep in entry_points(group="voc.sources"):
        if ep.name not in found:
            found[ep.name] = ep.load()
    return found


def source_class(key: str) -> Any:
    reg = registry()
    if key not in reg:
        raise VocError(f"unknown source type {key!r}; known types: {', '.join(sorted(reg))}")
    return reg[key]


def validate_source_options(spec: Any, where: str) -> BaseModel:
    """Validate a `[[sources]]` block against its type's Options; errors name the key."""
    try:
        cls = source_class(spec.type)
    except VocError as err:
        raise VocError(f"{where}: {err}") from None
    try:
        return cls.Options.model_validate(spec.options)
    except ValidationError as err:
        reasons = []
        for e in err.errors():
            loc = ".".join(str(x) for x in e["loc"])
            msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"].removeprefix("Value error, ")
            reasons.append(f"{loc}: {msg}")
        raise VocError(f"{where}: " + "; ".join(reasons)) from None


def parse_ts(value: Any) -> datetime | None:
    """Parse what sources deliver (ISO strings, epoch seconds, forum dates) to naive UTC."""
    if value is None or value == "" or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        ts = pd.Timestamp(value, unit="s") if isinstance(value, (int, float)) else pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    if ts is pd.NaT:
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_pydatetime()


_WS_RE = re.compile(r"[ \t\r\f\v]+")
_BLANKS_RE = re.compile(r"\n\s*\n\s*(\n\s*)+")


def html_to_text(node: Tag | str, drop: tuple[str, ...] = ()) -> str:
    """Visible text of an HTML fragment with paragraph breaks kept.

    Quotes, code blocks and anything matched by the ``drop`` CSS selectors are removed: quoted
    text belongs to the quoted post, and code is not customer language.
    """
    if isinstance(node, str):
        node = BeautifulSoup(node, "lxml")
    else:
        node = BeautifulSoup(str(node), "lxml")
    for sel in ("blockquote", "aside.quote", "div.codebox", "pre", "code", "script", "style", *drop):
        for el in node.select(sel):
            el.decompose()
    for br in node.find_all("br"):
        br.replace_with("\n")
    for block in node.find_all(["p", "div", "li", "h1", "h2", "h3", "h4", "tr"]):
        block.insert_after("\n")
    for img in node.find_all("img"):
        alt = img.get("alt") or ""
        img.replace_with(alt if len(alt) <= 4 else "")
    text = node.get_text()
    lines = [_WS_RE.sub(" ", ln).strip() for ln in text.split("\n")]
    return _BLANKS_RE.sub("\n\n", "\n".join(lines)).strip()
