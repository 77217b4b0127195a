"""Any forum from one URL: pick the engine (detected from the first page, or named) and crawl with it.

The engines live in ``scrapers.forums`` and are found through the source registry, so this module
imports none of them and none of them imports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, field_validator, model_validator

from scrapers.base import BaseSource, Cursor, SourceOptions
from scrapers.forums.detect import detect_engine, forum_engines
from scrapers.http import Response, check_url
from voc.errors import VocError
from voc.schema import Document


class ForumOptions(SourceOptions):
    engine: str = Field(default="auto", description='"auto" or a forum engine (phpbb, xenforo, mybb, ...)')
    url: str | None = Field(default=None, description="a listing or thread page (HTML engines)")
    base_url: str | None = Field(default=None, description="the site root (Discourse); derived from url if unset")
    category: str | None = Field(default=None, description="Discourse only; derived from a /c/ url")
    topics: list[int] = Field(default_factory=list, description="Discourse only; derived from a /t/ url")
    max_threads: int = Field(default=200, ge=1)
    max_pages: int = Field(default=50, ge=1)
    min_chars: int = Field(default=40, ge=1, description="generic engine: text a post block must carry")

    @field_validator("engine")
    @classmethod
    def _known(cls, v: str) -> str:
        engines = forum_engines()
        if v != "auto" and v not in engines:
            raise ValueError(f"unknown engine {v!r}; use auto or one of {', '.join(sorted(engines))}")
        return v

    @field_validator("url", "base_url")
    @classmethod
    def _http(cls, v: str | None) -> str | None:
        return check_url(v) if v else v

    @model_validator(mode="after")
    def _some_url(self) -> ForumOptions:
        if not (self.url or self.base_url):
            raise ValueError("set url (a listing or thread page) or base_url (the forum's root)")
        return self


def _discourse_values(url: str) -> dict[str, Any]:
    """base_url, and a topic or category, from a Discourse page URL (the site may live under a path)."""
    parts = urlsplit(url)
    m = re.match(r"(.*?)/(t|c)/(.+?)(?:\.json)?/?$", parts.path)
    if not m:
        root = re.sub(r"/(latest|top|new|categories)(\.json)?/?$", "", parts.path).rstrip("/")
        return {"base_url": urlunsplit((parts.scheme, parts.netloc, root, "", ""))}
    values: dict[str, Any] = {"base_url": urlunsplit((parts.scheme, parts.netloc, m.group(1), "", ""))}
    if m.group(2) == "t":
        ids = [s for s in m.group(3).split("/") if s.isdigit()]
        if ids:
            values["topics"] = [int(ids[0])]
    else:
        values["category"] = m.group(3)
    return values


def engine_options(cls: Any, opts: ForumOptions) -> SourceOptions:
    """The engine's own Options built from the shared ones (fields it does not have are left out)."""
    values = opts.model_dump(exclude={"engine"}, exclude_none=True)
    values["url"] = opts.url or opts.base_url
    if not opts.topics:
        values.pop("topics")
    derived = _discourse_values(values["url"]) if opts.url else {}
    for key, value in derived.items():
        values.setdefault(key, value)
    values.update(max_topics=opts.max_threads, max_listing_pages=opts.max_pages)
    fields = cls.Options.model_fields
    return cls.Options.model_validate({k: v for k, v in values.items() if k in fields})


class _PrimedClient:
    """Hands the engine the start page already fetched for detection, so it is not fetched twice."""

    def __init__(self, client: Any, response: Response, url: str):
        self._client, self._response, self._url = client, response, url

    def get(self, url: str, params: dict | None = None) -> Response:
        if self._response is not None and url == self._url and not params:
            response, self._response = self._response, None
            return response
        return self._client.get(url, params=params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class ForumSource(BaseSource):
    """A forum of any supported engine; ``engine = "auto"`` detects it from the start page."""

    key: ClassVar[str] = "forum"
    Options = ForumOptions

    def __init__(self, name: str, options: ForumOptions, client: Any = None, **kw: Any):
        super().__init__(name, options, client=client, **kw)
        self.detected_engine: str | None = None if options.engine == "auto" else options.engine
        self._engine: Any = None

    def cursor(self) -> Cursor:
        """The engine in use and its own cursor (empty before the first fetch)."""
        if self._engine is None:
            return {}
        return {"engine": self.detected_engine, "state": self._engine.cursor()}

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        """Detect the engine (unless set or recorded in the cursor), then crawl with it."""
        since = since or {}
        client: Any = self.client
        engine = self.opts.engine
        if engine == "auto":
            # Keep the engine of earlier crawls: another engine would mint other native ids and
            # the same posts would be stored twice.
            engine = since.get("engine")
            if engine is None:
                start = self.opts.url or self.opts.base_url or ""
                resp = self.client.get(start)
                engine = detect_engine(start, resp.text, resp.headers.get("content-type", ""))
                client = _PrimedClient(self.client, resp, start)
        self.detected_engine = engine
        engines = forum_engines()
        if engine not in engines:  # recorded by an earlier crawl with an engine no longer installed
            raise VocError(f"source {self.name}: its last crawl used forum engine {engine!r}, which is not installed "
                           f"now ({', '.join(sorted(engines))}); install it again or set engine = \"...\"")
        cls = engines[engine]
        self._engine = cls(self.name, engine_options(cls, self.opts), client=client)
        self.skipped = self._engine.skipped
        yield from self._engine.fetch(since.get("state") if since.get("engine") == engine else None)
