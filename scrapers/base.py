"""The Source contract, the source registry and helpers every source shares.

A source is a class with a registered ``key``, an ``Options`` pydantic model (its block in the
study file) and ``fetch(since) -> Iterator[Document]``. After each yielded document,
``cursor()`` returns the state that covers everything yielded so far; the crawler commits that
cursor in the same transaction as the documents, so a crash never skips or duplicates work.
"""

from __future__ import annotations

import glob
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from bs4 import BeautifulSoup, Tag
from pydantic import BaseModel, ConfigDict, ValidationError

from scrapers.http import PoliteClient
from voc.errors import VocError
from voc.schema import Document

Cursor = dict[str, Any]

# Bounds on one line of a file or dump: a 32 KB .zst can expand to a single 1 GiB line, so a longer
# line is skipped with a counted warning instead of being held. Real rows are far inside it: a
# Reddit dump line is a few KB, a Posts.xml row at most ~100 KB. (JSON's depth bound: scrapers.jsonio.)
MAX_LINE = 1 << 20  # characters (bytes when the stream is binary)
# Warnings per reason and source before the rest are only counted.
SHOWN_SKIPS = 5


@runtime_checkable
class Source(Protocol):
    key: ClassVar[str]

    def fetch(self, since: Cursor | None) -> Iterator[Document]: ...

    def cursor(self) -> Cursor: ...


class SourceOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageSource(Protocol):
    """A source that can read a single page: used by `voc fetch URL` to try a new site.

    ``detect_score`` is 0 for a page the source cannot read; among the sources that can, the
    highest score wins (a clearly recognised forum engine over schema.org markup over the generic
    reader).
    """

    key: ClassVar[str]

    @classmethod
    def detect_score(cls, url: str, body: str, content_type: str) -> int: ...

    def page_documents(self, url: str, body: str) -> list[Document]: ...


class BaseSource:
    """What every source shares: its name, its options, its HTTP client, its skip counts and its cursor.

    A subclass sets ``key`` and ``Options``, says what an empty cursor looks like (``EMPTY``) and
    keeps its state in ``self._cursor``, which ``fetch`` starts with :meth:`resume`; ``cursor()``
    hands out a copy, so the crawler's saved state never changes under it. Sources that read
    local files or a third-party client say ``USES_HTTP = False`` and get no polite client.
    """

    key: ClassVar[str]
    Options: ClassVar[type[SourceOptions]]
    EMPTY: ClassVar[Cursor] = {}
    USES_HTTP: ClassVar[bool] = True

    def __init_subclass__(cls, key: str | None = None, **kw: Any):
        # ``class MybbSource(MarkupSource, key="mybb")``: the registered key, beside the class name.
        super().__init_subclass__(**kw)
        if key:
            cls.key = key

    def __init__(self, name: str, options: Any, client: Any = None, base_dir: Path = Path("."), **_: Any):
        self.name = name
        self.opts = options
        self.client = (client or PoliteClient()) if self.USES_HTTP else None
        self.base_dir = base_dir
        # Lines, records and fields left out or repaired, by kind (crawl_source reports them).
        self.skipped = Skips(logging.getLogger(type(self).__module__))
        self._cursor: Cursor = self.resume(None)

    def resume(self, since: Cursor | None) -> Cursor:
        """A fresh copy of the empty cursor with what ``since`` recorded laid over it."""
        return json.loads(json.dumps({**self.EMPTY, **(since or {})}))

    def cursor(self) -> Cursor:
        """A copy of the state that covers everything yielded so far."""
        return json.loads(json.dumps(self._cursor))

    def path_of(self, value: str) -> Path:
        """A path from the study file (``~`` expanded), relative to the study's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path


class LocalFilesSource(BaseSource):
    """A source that reads local files named by its ``path`` option (a file or a glob), keeping
    per-file state in its cursor; no HTTP."""

    EMPTY: ClassVar[Cursor] = {"files": {}}
    USES_HTTP: ClassVar[bool] = False
    SUFFIXES: ClassVar[tuple[str, ...]] = ()  # the file endings it reads; empty: any
    WHAT: ClassVar[str] = "file"

    def paths(self) -> list[Path]:
        """The files ``path`` names, sorted; errors name the pattern or the odd file."""
        pattern = self.path_of(self.opts.path)
        matches = sorted(Path(p) for p in glob.glob(str(pattern)) if Path(p).is_file())
        if not matches:
            raise VocError(f"source {self.name}: no file matches {pattern}")
        odd = [p for p in matches if self.SUFFIXES and p.suffix.lower() not in self.SUFFIXES]
        if odd:
            raise VocError(f"source {self.name}: {odd[0]} is not a {self.WHAT} (expected {', '.join(self.SUFFIXES)})")
        return matches


def registry() -> dict[str, Any]:
    """Source classes by key: everything registered under the ``voc.sources`` entry point.

    voc's own sources are registered there too (pyproject.toml), so a plug-in is added the same
    way and this is the only list of source types.

    Raises:
        VocError: a registered source cannot be imported, or none is registered (voc not installed).
    """
    found: dict[str, Any] = {}
    for ep in entry_points(group="voc.sources"):
        if ep.name in found:
            continue
        try:
            found[ep.name] = ep.load()
        except (ImportError, AttributeError) as err:
            raise VocError(f"source type {ep.name!r} is registered as {ep.value} but cannot be loaded ({err}); "
                           "reinstall voc (`pip install -e .`) or the package that registers it") from None
    if not found:
        raise VocError("no source types are registered under the voc.sources entry point: install voc "
                       "(`pip install -e .` or `make install`) rather than running it from a bare checkout")
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
    if value is None or value == "" or isinstance(value, bool) or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        ts = pd.Timestamp(value, unit="s") if isinstance(value, (int, float)) else pd.Timestamp(value)
        if ts is pd.NaT:
            return None
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        return ts.to_pydatetime()
    except (ValueError, TypeError, OverflowError):  # e.g. year 0, which pandas parses and datetime refuses
        return None


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


def bounded_lines(fh: Any, limit: int = MAX_LINE) -> Iterator[Any]:
    """The lines of an open text or binary file, never holding more than ``limit`` characters.

    A longer line is read past in pieces and given as None, so the caller can count it and its
    line numbers stay right. File iteration (``for line in fh``) would hold the whole line.
    """
    ends: tuple[Any, ...] = ()
    while True:
        # +2: a line of exactly ``limit`` characters still comes whole with its "\r\n".
        line = fh.readline(limit + 2)
        if not line:
            return
        if not ends:
            ends, strip = ((b"\n",), b"\r\n") if isinstance(line, bytes) else (("\n", "\r"), "\r\n")
        if line.endswith(ends):
            yield line if len(line.rstrip(strip)) <= limit else None
            continue
        if len(line) <= limit:
            yield line  # the last line, without a newline
            continue
        while True:
            piece = fh.readline(limit)
            if not piece or piece.endswith(ends):
                break
        yield None


class Skips:
    """Input a source left out or repaired, counted by kind; the first few of each kind are logged with their place."""

    def __init__(self, log: logging.Logger):
        self.log = log
        self.counts: Counter[str] = Counter()

    def add(self, kind: str, where: str, message: str) -> None:
        """Count one line or record at ``where`` (file:line) as ``kind`` and say what happened to it."""
        self.counts[kind] += 1
        n = self.counts[kind]
        if n <= SHOWN_SKIPS:
            self.log.warning("%s: %s", where, message)
        elif n == SHOWN_SKIPS + 1:
            self.log.warning("%s: %s (further ones are counted, not shown)", where, message)

    def as_dict(self) -> dict[str, int]:
        return dict(self.counts)
