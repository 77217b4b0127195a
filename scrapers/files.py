"""CSV / JSONL import: surveys, interviews and exported reviews (Amazon, G2, Trustpilot...).

Any file with a text column works; rating, author, date, url, id and title columns are optional
and found by common names unless named in the study. Reviews keep the mid-rated ones by default
(2-4 stars): 5-star and 1-star reviews say little about why.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from scrapers.base import Cursor, SourceOptions, parse_ts
from scrapers.reviews import keep_rating
from voc.errors import VocError
from voc.schema import Document

TEXT_NAMES = ("text", "body", "review", "reviewtext", "review_text", "content", "comment", "answer", "response")
RATING_NAMES = ("rating", "stars", "ratingstars", "score", "star_rating")
AUTHOR_NAMES = ("author", "user", "username", "respondent", "reviewer", "name")
DATE_NAMES = ("date", "created_at", "created", "timestamp", "time", "datepublished")
URL_NAMES = ("url", "link", "permalink")
ID_NAMES = ("id", "review_id", "_id", "response_id")
TITLE_NAMES = ("title", "summary", "headline")
SNIFF_BYTES = 64 * 1024
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}
log = logging.getLogger(__name__)


class FileOptions(SourceOptions):
    path: str
    format: Literal["auto", "csv", "tsv", "jsonl"] = "auto"
    delimiter: str | None = Field(default=None, min_length=1, max_length=1,
                                  description="CSV field separator; default: tab for .tsv/.tab, else sniffed from the file")
    kind: Literal["review", "survey", "post", "comment", "answer", "question"] | None = None
    text_column: str | None = None
    rating_column: str | None = None
    author_column: str | None = None
    date_column: str | None = None
    url_column: str | None = None
    id_column: str | None = None
    title_column: str | None = None
    rating_scale: float = Field(default=5.0, gt=0, description="the best possible rating in the file")
    min_rating: float | None = Field(default=None, ge=0, le=5)
    max_rating: float | None = Field(default=None, ge=0, le=5)
    link_template: str | None = None
    date_format: str | None = Field(default=None, description='strftime format, e.g. "%d.%m.%y"; default: ISO-like')
    encoding: str = "utf-8-sig"


def _pick(columns: list[str], explicit: str | None, names: tuple[str, ...], path: Path, what: str) -> str | None:
    if explicit:
        if explicit not in columns:
            raise VocError(f"{path}: column {explicit!r} (for {what}) not found; columns are {columns}")
        return explicit
    lowered = {c.lower().strip(): c for c in columns}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


def file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class FileSource:
    """Import rows of a CSV or JSONL file (or a glob of them) as Documents."""

    key: ClassVar[str] = "file"
    Options = FileOptions

    def __init__(self, name: str, options: FileOptions, base_dir: Path = Path("."), **_: Any):
        self.name = name
        self.opts = options
        self.base_dir = base_dir
        self._cursor: Cursor = {"files": {}}
        self.delimiters: dict[str, str] = {}  # per file, the separator used (for `voc fetch` and tests)

    def cursor(self) -> Cursor:
        return json.loads(json.dumps(self._cursor))

    def paths(self) -> list[Path]:
        pattern = Path(self.opts.path).expanduser()
        if not pattern.is_absolute():
            pattern = self.base_dir / pattern
        matches = sorted(Path(p) for p in glob.glob(str(pattern)))
        if not matches:
            raise VocError(f"source {self.name}: no file matches {pattern}")
        return matches

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        self._cursor = {"files": dict((since or {}).get("files", {}))}
        for path in self.paths():
            sha = file_sha(path)
            state = self._cursor["files"].get(str(path), {})
            if state.get("sha") == sha and state.get("done"):
                continue  # unchanged since the last crawl
            skip = state.get("rows", 0) if state.get("sha") == sha else 0
            rows_done = 0
            for rows_done, row in enumerate(self._rows(path), start=1):
                if rows_done <= skip:
                    continue
                doc = self._document(path, rows_done, row)
                self._cursor["files"][str(path)] = {"sha": sha, "rows": rows_done, "done": False}
                if doc is not None:
                    yield doc
            self._cursor["files"][str(path)] = {"sha": sha, "rows": rows_done, "done": True}

    def _delimiter(self, path: Path, fmt: str, fh: Any) -> str:
        """The separator: the study's, a tab for .tsv/.tab files, else sniffed from the first lines."""
        if self.opts.delimiter:
            how, sep = "from the study file", self.opts.delimiter
        elif fmt == "tsv" or path.suffix.lower() in (".tsv", ".tab"):
            how, sep = "by the file's extension", "\t"
        else:
            sample = fh.read(SNIFF_BYTES)
            fh.seek(0)
            if len(sample) == SNIFF_BYTES and "\n" in sample:
                sample = sample[:sample.rindex("\n")]  # whole lines only
            try:
                how, sep = "sniffed", csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
            except csv.Error:
                how, sep = "default", ","
        log.info("%s: fields separated by %s (%s)", path, DELIMITER_NAMES.get(sep, repr(sep)), how)
        self.delimiters[str(path)] = sep
        return sep

    def _rows(self, path: Path) -> Iterator[dict[str, Any]]:
        fmt = self.opts.format
        if fmt == "auto":
            fmt = "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"
        with path.open(encoding=self.opts.encoding, newline="") as fh:
            if fmt in ("csv", "tsv"):
                reader = csv.DictReader(fh, delimiter=self._delimiter(path, fmt, fh))
                if not reader.fieldnames:
                    raise VocError(f"{path}: empty CSV (no header row)")
                self._columns(path, list(reader.fieldnames))
                yield from reader
                return
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as err:
                    raise VocError(f"{path}:{lineno}: not valid JSON ({err.msg})") from None
                if not isinstance(row, dict):
                    raise VocError(f"{path}:{lineno}: each line must be a JSON object")
                if not hasattr(self, "_cols"):
                    self._columns(path, list(row))
                yield row

    def _columns(self, path: Path, columns: list[str]) -> None:
        o = self.opts
        self._cols = {
            "text": _pick(columns, o.text_column, TEXT_NAMES, path, "text"),
            "rating": _pick(columns, o.rating_column, RATING_NAMES, path, "rating"),
            "author": _pick(columns, o.author_column, AUTHOR_NAMES, path, "author"),
            "date": _pick(columns, o.date_column, DATE_NAMES, path, "date"),
            "url": _pick(columns, o.url_column, URL_NAMES, path, "url"),
            "id": _pick(columns, o.id_column, ID_NAMES, path, "id"),
            "title": _pick(columns, o.title_column, TITLE_NAMES, path, "title"),
        }
        if self._cols["text"] is None:
            raise VocError(f"{path}: no text column; name it with text_column = \"...\" (columns are {columns})")

    def _document(self, path: Path, rowno: int, row: dict[str, Any]) -> Document | None:
        cols = self._cols
        get = lambda key: row.get(cols[key]) if cols[key] else None  # noqa: E731
        text = str(get("text") or "").strip()
        if not text:
            return None
        rating = self._rating(get("rating"), path, rowno)
        kind = self.opts.kind or ("review" if rating is not None else "survey")
        if rating is not None and kind == "review" and not keep_rating(rating, self.opts.min_rating, self.opts.max_rating):
            return None
        native = str(get("id") or f"{path.name}:{rowno}")
        url = get("url") or None
        if self.opts.link_template:
            try:
                url = self.opts.link_template.format(**row)
            except KeyError as err:
                raise VocError(f"source {self.name}: link_template names column {err} that {path} lacks") from None
        return Document(
            source=self.name, native_id=native, kind=kind, text=text, url=url,
            author=str(get("author")) if get("author") else None,
            created_at=self._date(get("date"), path, rowno), title=get("title") or None,
            rating=rating, raw_ref=f"{path.name}:{rowno}",
        )

    def _date(self, value: Any, path: Path, rowno: int) -> Any:
        if not self.opts.date_format or value in (None, ""):
            return parse_ts(value)
        try:
            return datetime.strptime(str(value).strip(), self.opts.date_format)
        except ValueError:
            raise VocError(f"{path}: row {rowno}: date {value!r} does not match date_format {self.opts.date_format!r}") from None

    def _rating(self, value: Any, path: Path, rowno: int) -> float | None:
        if value is None or str(value).strip() == "":
            return None
        try:
            raw = float(value)
        except ValueError:
            raise VocError(f"{path}: row {rowno}: rating {value!r} is not a number") from None
        return round(raw * 5.0 / self.opts.rating_scale, 3)
