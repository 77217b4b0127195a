"""Reddit history from Pushshift / Arctic Shift dumps: NDJSON of submissions and comments.

One JSON object per line, plain (``.ndjson``, ``.jsonl``, ``.json``) or zstandard-compressed
(``.zst``, as the monthly and per-subreddit dumps ship). Submissions and comments may sit in one
file or in separate ones (Pushshift's ``RS_``/``RC_`` months, ``<sub>_submissions``/``<sub>_comments``,
Arctic Shift's posts and comments downloads); an item wrapped as the Reddit API sends it
(``{"kind": "t3", "data": {...}}``) is unwrapped. A ``.json`` file holding one answer of the
Pushshift or Arctic Shift search API (``{"data": [...]}``) or a Reddit ``Listing`` is read whole
when it is under ``MAX_DOCUMENT`` bytes; a bare JSON array is refused with the jq line that turns it
into NDJSON. Files are streamed line by line, so a
multi-GB dump needs constant memory: a line over ``MAX_LINE`` characters (a 32 KB .zst can expand
to a single 1 GiB line) is read past without being held, and it, a line nested deeper than
``MAX_JSON_DEPTH`` and a malformed line are skipped with a counted warning naming file:line.
Submissions become ``post`` documents, comments
``comment`` documents with the same fullname-based ids the live ``reddit`` source uses.

The cursor keeps, per file, its size and mtime and how many lines were consumed: an
interrupted import resumes at that line, a finished unchanged file is skipped, a changed file
is read again from the start (upserts by doc_id make that harmless).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator

from scrapers.base import MAX_LINE, Cursor, LocalFilesSource, Skips, SourceOptions, bounded_lines
from scrapers.jsonio import MAX_JSON_DEPTH, JsonTooDeep, loads_json
from scrapers.reddit import comment_document, submission_document
from voc.errors import VocError, missing_package
from voc.schema import Document

log = logging.getLogger(__name__)

SUFFIXES = (".ndjson", ".jsonl", ".json", ".zst")
# Pushshift dumps are compressed with --long=31; the decompressor's default window refuses them.
MAX_WINDOW = 2**31
# A file that is mostly not NDJSON (a CSV, a log) fails here instead of after gigabytes.
EARLY_CHECK = 1000
# A .json file that is one document (an API answer, an array) is parsed whole up to this size.
MAX_DOCUMENT = 64 << 20
_ITEM_ID = re.compile(r"/comments/([a-z0-9]+)/", re.I)
_PLAIN = re.compile(r"[a-z0-9 _.-]+")
# Fields the document builders read as text; another type means the line is not a Reddit item.
TEXT_FIELDS = ("id", "title", "selftext", "body", "permalink", "link_id", "link_title")
SKIPS = {"malformed": "not a JSON object, skipped",
         "deep_json": f"nested deeper than {MAX_JSON_DEPTH} levels, skipped",
         "long_line": f"line longer than {MAX_LINE:,} characters skipped",
         "bad_fields": f"one of {', '.join(TEXT_FIELDS)} is not text, skipped"}


class RedditDumpOptions(SourceOptions):
    """The ``[[sources]]`` block of a ``type = "reddit_dump"`` source."""

    path: str = Field(description="a dump file or glob (.ndjson .jsonl .json .zst), relative to the study file")
    subreddits: list[str] = Field(default_factory=list, description="keep only these (any case); empty keeps all")
    keywords: list[str] = Field(default_factory=list, description="keep items whose text has any of these (any case)")
    since: date | None = Field(default=None, description="first day kept (created_utc, UTC)")
    until: date | None = Field(default=None, description="last day kept, inclusive (created_utc, UTC)")
    min_chars: int = Field(default=20, ge=0)

    @field_validator("subreddits")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        return [s.strip().strip("/").removeprefix("r/").lower() for s in v if s.strip()]

    @field_validator("until")
    @classmethod
    def _order(cls, v: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("since")
        if v is not None and start is not None and v < start:
            raise ValueError(f"until ({v}) is before since ({start})")
        return v


def _epoch(day: date | None, shift: int = 0) -> float | None:
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=shift), time(), tzinfo=timezone.utc).timestamp()


class RedditDumpSource(LocalFilesSource):
    """Import Reddit submissions and comments from NDJSON dump files (or a glob of them)."""

    key: ClassVar[str] = "reddit_dump"
    Options = RedditDumpOptions
    SUFFIXES = SUFFIXES
    WHAT = "Reddit dump"

    def __init__(self, name: str, options: RedditDumpOptions, **kw: Any):
        super().__init__(name, options, **kw)
        self.skipped_lines = 0  # lines skipped by the last fetch (not counting resumed ones)
        self._words = [k.lower() for k in options.keywords if k.strip()]
        # Groups of needles a line must contain one of before it is worth json.loads: subreddit
        # names and plain-ASCII keywords appear verbatim in the raw line (JSON escapes neither),
        # so this rules out most lines of a whole-site dump at a fraction of the parsing cost.
        self._needles = [list(options.subreddits)] if options.subreddits else []
        if self._words and all(_PLAIN.fullmatch(w) for w in self._words):
            self._needles.append(self._words)
        self._start = _epoch(options.since)
        self._end = _epoch(options.until, shift=1)

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        """Documents of every line that passes the filters, file by file, resuming from ``since``."""
        self._cursor = self.resume(since)
        self.skipped_lines = 0
        self.skipped = Skips(log)
        for path in self.paths():
            stat = path.stat()
            sig = {"size": stat.st_size, "mtime": stat.st_mtime_ns}
            state = self._cursor["files"].get(str(path), {})
            same = state.get("size") == sig["size"] and state.get("mtime") == sig["mtime"]
            if same and state.get("done"):
                continue  # finished and unchanged since
            skip, bad = (state.get("lines", 0), state.get("bad", 0)) if same else (0, 0)
            lineno = 0
            for lineno, item in enumerate(self._items(path), start=1):
                if lineno <= skip:
                    continue  # consumed by an earlier, interrupted import
                if isinstance(item, str):
                    bad += item in ("malformed", "deep_json")
                    self.skipped_lines += 1
                    self.skipped.add(item, f"{path}:{lineno}", SKIPS[item])
                if lineno == EARLY_CHECK:
                    self._check(path, lineno, bad)
                doc = self._to_document(path, lineno, item) if isinstance(item, dict) else None
                if doc is not None:
                    self._cursor["files"][str(path)] = {**sig, "lines": lineno, "bad": bad, "done": False}
                    yield doc
            self._check(path, lineno, bad)
            if bad:
                log.warning("%s: skipped %d malformed lines of %d", path, bad, lineno)
            self._cursor["files"][str(path)] = {**sig, "lines": lineno, "bad": bad, "done": True}

    # -- reading -----------------------------------------------------------------------------
    def _items(self, path: Path) -> Iterator[dict[str, Any] | str | None]:
        """The file's items in order (a line's, or an element's of a whole JSON document), or why
        one was skipped; "lines" in the cursor count these."""
        if path.suffix.lower() == ".json" and _one_document(path):
            yield from self._document(path)
            return
        for line in self._lines(path):
            yield self._parse(line) if line is not None else "long_line"

    def _document(self, path: Path) -> Iterator[dict[str, Any] | str | None]:
        if path.stat().st_size > MAX_DOCUMENT:
            raise VocError(f"{path}: one JSON document of {path.stat().st_size:,} bytes is too big to read whole; "
                           f"convert it to one item per line first: jq -c '.data[]' {path.name} > {path.stem}.ndjson")
        try:
            data = loads_json(path.read_text(encoding="utf-8-sig", errors="replace"))
        except JsonTooDeep:
            raise VocError(f"{path}: nested deeper than {MAX_JSON_DEPTH} levels; not a Reddit export") from None
        except ValueError as err:
            raise VocError(f"{path}: not valid JSON ({err}); a Reddit dump is NDJSON (one item per line) or "
                           "one JSON document (an API answer or an array)") from None
        listing = data.get("data") if isinstance(data, dict) else None
        data = listing.get("children") if isinstance(listing, dict) else listing
        if not isinstance(data, list):
            raise VocError(f'{path}: a JSON document without a list of items (expected {{"data": [...]}} as the '
                           "Pushshift and Arctic Shift APIs answer, or a Reddit Listing)")
        for raw in data:
            yield self._checked(_unwrap(raw)) if isinstance(raw, dict) else "malformed"

    def _lines(self, path: Path) -> Iterator[str | None]:
        """The file's lines, None for one over MAX_LINE (read past, never held: a 32 KB .zst can
        expand to one 1 GiB line)."""
        # errors="replace": a broken byte sequence spoils one line's text, not the import.
        if path.suffix.lower() != ".zst":
            with path.open(encoding="utf-8", errors="replace") as fh:
                yield from bounded_lines(fh, MAX_LINE)
            return
        try:
            import zstandard
        except ImportError:
            raise missing_package("zstandard", purpose="reading .zst Reddit dumps") from None
        with path.open("rb") as raw:
            reader = zstandard.ZstdDecompressor(max_window_size=MAX_WINDOW).stream_reader(raw)
            try:
                yield from bounded_lines(io.TextIOWrapper(reader, encoding="utf-8", errors="replace"), MAX_LINE)
            except zstandard.ZstdError as err:
                raise VocError(f"{path}: not a readable zstandard file ({err}); re-download it") from None

    def _parse(self, line: str) -> dict[str, Any] | str | None:
        """The line's object; None for a blank line or one the subreddit filter rules out; else why
        it was skipped (a key of SKIPS)."""
        text = line.strip()
        if not text:
            return None
        if text[0] != "{" or text[-1] != "}":
            return "malformed"
        if self._needles:
            low = text.lower()
            if not all(any(n in low for n in group) for group in self._needles):
                return None
        try:
            item = loads_json(text)
        except JsonTooDeep:
            return "deep_json"
        except ValueError:
            return "malformed"
        return self._checked(_unwrap(item)) if isinstance(item, dict) else "malformed"

    def _checked(self, item: dict[str, Any]) -> dict[str, Any] | str:
        if any(not isinstance(item.get(k), (str, type(None))) for k in TEXT_FIELDS):
            return "bad_fields"
        return item

    def _check(self, path: Path, lines: int, bad: int) -> None:
        if bad * 2 > lines:
            raise VocError(f"{path}: {bad} of {lines} lines are not JSON objects; a Reddit dump has one "
                           "submission or comment object per line (NDJSON), decompressed or .zst (a JSON array "
                           f"becomes NDJSON with: jq -c '.[]' {path.name})")

    # -- filtering ---------------------------------------------------------------------------
    def _to_document(self, path: Path, lineno: int, item: dict[str, Any]) -> Document | None:
        is_comment = "body" in item and "link_id" in item
        if not is_comment and "title" not in item:
            return None  # neither a submission nor a comment (e.g. subreddit metadata)
        item = {**item, "id": _item_id(item, is_comment)}
        if not item["id"]:
            return None
        if self.opts.subreddits and str(item.get("subreddit") or "").lower() not in self.opts.subreddits:
            return None
        if not self._in_range(item.get("created_utc")):
            return None
        if is_comment:
            doc = comment_document(self.name, item, min_chars=self.opts.min_chars)
        else:
            doc = submission_document(self.name, item)
            if doc is not None and len(doc.text) < self.opts.min_chars:
                return None
        if doc is None or (self._words and not any(w in doc.text.lower() for w in self._words)):
            return None
        doc.raw_ref = f"{path.name}:{lineno}"
        return doc

    def _in_range(self, created: Any) -> bool:
        if self._start is None and self._end is None:
            return True
        try:
            ts = float(created)
        except (TypeError, ValueError):
            return False  # undated items cannot satisfy a date filter
        return (self._start is None or ts >= self._start) and (self._end is None or ts < self._end)


def _one_document(path: Path) -> bool:
    """Whether a .json file is one JSON object (an API answer, pretty-printed or not) rather than
    NDJSON: its first line opens an object it does not close, or it holds the only object."""
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        lines = bounded_lines(fh, MAX_LINE)
        first = next((line for line in lines if line is None or line.strip()), "")
        more = next((line for line in lines if line is None or line.strip()), "")
    if first is None or not first.strip().startswith("{"):
        return False  # NDJSON (an over-long first line is skipped as such), or an array refused as NDJSON
    try:
        item = loads_json(first)
    except ValueError:
        return True
    return (isinstance(item, dict) and isinstance(item.get("data"), (list, dict)) and not more
            and item.get("kind") not in ("t1", "t3"))


def _unwrap(item: dict[str, Any]) -> dict[str, Any]:
    """An item as the Reddit API wraps it (``{"kind": "t1", "data": {...}}``) becomes its data."""
    data = item.get("data")
    return data if item.get("kind") in ("t1", "t3") and isinstance(data, dict) else item


def _item_id(item: dict[str, Any], is_comment: bool) -> str | None:
    """The item's base-36 id: ``id``, else its fullname (``name``), else the id in its permalink."""
    if isinstance(item.get("id"), str) and item["id"]:
        return item["id"]
    name = item.get("name")
    if isinstance(name, str) and name[:3] in ("t1_", "t3_"):
        return name[3:]
    if is_comment:
        return None  # a comment's permalink names its submission first
    for key in ("permalink", "url"):
        m = _ITEM_ID.search(item.get(key) or "") if isinstance(item.get(key), str) else None
        if m:
            return m.group(1)
    return None
