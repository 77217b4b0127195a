"""CSV / JSON import: surveys, interviews and exported reviews (Amazon, G2, Trustpilot...).

Any file with a text column works (or several: a review site's "Pros" and "Cons" answers become
paragraphs of one document); rating, author, date, url, id and title columns are optional and
found by common names unless named in the study. A title line above a CSV header is skipped. A
.json file holds one JSON array of objects or one object per line (JSON lines; a line Python reads
as a dict literal is read as one, another bad line after the first is skipped and counted). With
``answer_column`` each row is a question and its answer. Reviews keep the mid-rated ones by
default (2-4 stars): 5-star and 1-star reviews say little about why.

Files are read in bounded memory (``scrapers.records``): a line or field over ``MAX_LINE``
characters and a JSON object nested deeper than ``MAX_JSON_DEPTH`` are skipped with a counted
warning naming file:line; bytes the encoding cannot read become U+FFFD, also counted and named.
The rows before any failure reach the store with the cursor (crawl_source commits them), so a
re-run resumes after them.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from scrapers.base import MAX_LINE, Cursor, LocalFilesSource, Skips, SourceOptions, parse_ts
from scrapers.jsonio import MAX_JSON_DEPTH, JsonTooDeep, loads_json, loads_python_dict
from scrapers.records import Lines, appended, file_sha, json_array_items, separator, starts_array
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
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}
# Names databases and exports use for codecs Python calls otherwise (MySQL's utf8mb4 is UTF-8).
ENCODING_ALIASES = {"utf8mb4": "utf-8", "utf8mb3": "utf-8", "utf-8mb4": "utf-8", "unicode": "utf-16"}
log = logging.getLogger(__name__)
# csv's own limit (131,072) would fail a long answer that the line limit lets through.
csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE))


class FileOptions(SourceOptions):
    path: str
    format: Literal["auto", "csv", "tsv", "jsonl", "json"] = "auto"
    delimiter: str | None = Field(default=None, min_length=1, max_length=1,
                                  description="CSV field separator; default: tab for .tsv/.tab, else sniffed from the file")
    kind: Literal["review", "survey", "post", "comment", "answer", "question"] | None = None
    text_column: str | list[str] | None = Field(
        default=None, description='the text column, or several ("Pros", "Cons") read as paragraphs of one document')
    rating_column: str | None = None
    author_column: str | None = None
    date_column: str | None = None
    url_column: str | None = None
    id_column: str | None = None
    title_column: str | None = None
    answer_column: str | None = Field(default=None, description=(
        "a column answering the row's text (Q&A exports): each row becomes a question and its answer"))
    rating_scale: float = Field(default=5.0, gt=0, description="the best possible rating in the file")
    min_rating: float | None = Field(default=None, ge=0, le=5)
    max_rating: float | None = Field(default=None, ge=0, le=5)
    link_template: str | None = None
    date_format: str | None = Field(default=None, description='strftime format, e.g. "%d.%m.%y"; default: ISO-like')
    encoding: str = Field(default="utf-8-sig", description="a Python codec name; utf8mb4 is read as utf-8")

    @field_validator("encoding")
    @classmethod
    def _codec(cls, v: str) -> str:
        name = ENCODING_ALIASES.get(v.strip().lower(), v.strip())
        try:
            codec = codecs.lookup(name)
        except LookupError:
            raise ValueError(f"unknown encoding {v!r}; use a Python codec name such as utf-8, utf-8-sig, "
                             "cp1252, latin-1 or utf-16") from None
        if not codec._is_text_encoding:  # base64, rot13...: they do not turn bytes into text
            raise ValueError(f"{v!r} is not a text encoding; use e.g. utf-8, cp1252, latin-1 or utf-16")
        return name

    @field_validator("text_column")
    @classmethod
    def _texts(cls, v: str | list[str] | None) -> str | list[str] | None:
        if isinstance(v, list) and not v:
            raise ValueError("lists no column; name one or more, or leave it out to find the text column by name")
        return v

    @model_validator(mode="after")
    def _qa(self) -> "FileOptions":
        if self.answer_column and self.kind not in (None, "question"):
            raise ValueError(f"answer_column makes each row a question and an answer; kind = {self.kind!r} "
                             "cannot hold for both (leave kind out)")
        return self

    @field_validator("delimiter")
    @classmethod
    def _separator(cls, v: str | None) -> str | None:
        if v is not None and v in "\"\r\n":
            raise ValueError(f"{v!r} cannot separate fields (it quotes fields or ends rows)")
        return v


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


class FileSource(LocalFilesSource):
    """Import rows of a CSV, JSON-lines or JSON-array file (or a glob of them) as Documents."""

    key: ClassVar[str] = "file"
    Options = FileOptions

    def __init__(self, name: str, options: FileOptions, **kw: Any):
        super().__init__(name, options, **kw)
        self.delimiters: dict[str, str] = {}  # per file, the separator used (for `voc fetch` and tests)

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        self._cursor = self.resume(since)
        self.skipped = Skips(log)
        for path in self.paths():
            sha, size = file_sha(path)
            state = self._cursor["files"].get(str(path), {})
            if state.get("sha") == sha and state.get("done"):
                continue  # unchanged since the last crawl
            # The same file part-read (a crash): resume after its rows. The file read whole and
            # then appended to: only the new rows. Anything else was rewritten: read it all (the
            # store keeps one copy of each document).
            skip = state.get("rows", 0) if state.get("sha") == sha or appended(path, state) else 0
            rows_done = 0
            for rows_done, row in enumerate(self._rows(path), start=1):
                if rows_done <= skip:
                    continue
                docs = self._documents(path, rows_done, row) if row is not None else []
                # The row counts as read once its last document is out: a crash between a question
                # and its answer reads the row again (the store keeps one copy of the question).
                yield from docs[:-1]
                self._cursor["files"][str(path)] = {"sha": sha, "rows": rows_done, "done": False}
                yield from docs[-1:]
            self._cursor["files"][str(path)] = {"sha": sha, "size": size, "rows": rows_done, "done": True}

    def _delimiter(self, path: Path, fmt: str) -> str:
        """The separator: the study's, a tab for .tsv/.tab files, else sniffed from the first lines."""
        sep, how = separator(path, fmt, self.opts.delimiter, self.opts.encoding)
        log.info("%s: fields separated by %s (%s)", path, DELIMITER_NAMES.get(sep, repr(sep)), how)
        self.delimiters[str(path)] = sep
        return sep

    def _rows(self, path: Path) -> Iterator[dict[str, Any] | None]:
        """The file's rows; None for one that was skipped, so row numbers stay the file's own."""
        self._cols_of = None  # each file names its columns (a header, or a JSON file's first object)
        fmt = self.opts.format
        if fmt == "auto":
            fmt = "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"
            if path.suffix.lower() == ".json" and starts_array(path, self.opts.encoding):
                fmt = "json"
        # surrogateescape keeps undecodable bytes apart, so each line tells whether it had any.
        with path.open(encoding=self.opts.encoding, errors="surrogateescape", newline="") as fh:
            lines = Lines(fh, path, self.opts.encoding, self.skipped)
            try:
                if fmt in ("csv", "tsv"):
                    yield from self._csv_rows(path, lines, self._delimiter(path, fmt))
                elif fmt == "json":
                    yield from self._json_rows(path, json_array_items(fh, path, self.opts.encoding, self.skipped))
                else:
                    yield from self._jsonl_rows(path, lines)
            except UnicodeError as err:  # codecs such as utf-16 cannot set bad bytes aside
                raise VocError(f"{path}: cannot read past line {lines.lineno} as {self.opts.encoding} ({err}); "
                               'set encoding = "..." in the source block (e.g. utf-8, cp1252, utf-16)') from None

    def _csv_rows(self, path: Path, lines: Lines, sep: str) -> Iterator[dict[str, Any] | None]:
        reader = csv.reader(lines, delimiter=sep)
        header: list[str] | None = None
        # Exports often open with a title line ("Capterra-Forms-On-Fire") above the header: a
        # one-field record followed by a wider one. A one-column file keeps its first line.
        titles: list[tuple[int, list[str]]] = []
        while True:
            start = lines.new_record()
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                if lines.lineno - start > 1:  # inside a quoted field over several lines: no way back in step
                    raise VocError(f"{path}:{start + 1}: a quoted field starting here does not end ({err}); "
                                   "check that line for an unclosed quote") from None
                self.skipped.add("bad_record", f"{path}:{lines.lineno}", f"unreadable CSV record skipped ({err})")
                if header is not None:
                    yield None
                continue
            if lines.last_long > start:  # counted where it was read
                if header is None:
                    raise VocError(f"{path}:{lines.last_long}: the header line is longer than {MAX_LINE:,} "
                                   "characters; is this really a CSV file?")
                yield None
            elif (header is None and _filled(record) == 1 and len(titles) < 3
                  and not self._names_text(record)):  # "Title,,": a spreadsheet's title row has empty cells
                titles.append((lines.lineno, record))
            elif header is None and record:
                if not titles or _filled(record) > 1 or self._names_text(record):
                    if titles:
                        log.info("%s: line%s %s above the header taken for a title and skipped: %s", path,
                                 "s" * (len(titles) > 1), ", ".join(str(n) for n, _ in titles),
                                 "; ".join(_show(t[0]) for _, t in titles))
                    header, records = record, []
                else:  # one column all along: the first line was its header
                    header, records = titles[0][1], [t for _, t in titles[1:]] + [record]
                self._columns(path, header)
                yield from (self._row(header, r) for r in records)
            elif record:
                yield self._row(header, record)
        if header is None and titles:  # one column, a header and up to two rows
            self._columns(path, titles[0][1])
            yield from (self._row(titles[0][1], r) for _, r in titles[1:])
        elif header is None:
            raise VocError(f"{path}: empty CSV (no header row)")

    @staticmethod
    def _row(header: list[str], record: list[str]) -> dict[str, Any]:
        row: dict[str, Any] = dict.fromkeys(header)
        row.update(zip(header, record))
        return row

    def _names_text(self, columns: list[str]) -> bool:
        """Whether a record holds the text column's name, so it is the header and no title."""
        named = self.opts.text_column
        wanted = {c.lower().strip() for c in ([named] if isinstance(named, str) else named or [])} or set(TEXT_NAMES)
        return any(c.lower().strip() in wanted for c in columns)

    def _jsonl_rows(self, path: Path, lines: Lines) -> Iterator[dict[str, Any] | None]:
        for line in lines:
            lines.new_record()  # each line is a record of its own
            if lines.last_long == lines.lineno:
                yield None  # counted where it was read
            elif line.strip():
                yield self._json_row(path, lines.lineno, line, "line")

    def _json_rows(self, path: Path, items: Iterator[tuple[int, str]]) -> Iterator[dict[str, Any] | None]:
        for lineno, text in items:
            yield self._json_row(path, lineno, text, "item")

    def _json_row(self, path: Path, lineno: int, text: str, what: str) -> dict[str, Any] | None:
        """One JSON object of a file (a line, or an array's item starting on line ``lineno``); None
        when skipped. Each file's first object names its columns: JSON exports differ by file."""
        try:
            row = loads_json(text)
        except JsonTooDeep:
            self.skipped.add("deep_json", f"{path}:{lineno}", f"{what} nested deeper than {MAX_JSON_DEPTH} levels skipped")
            return None
        except ValueError as err:
            row = loads_python_dict(text) if what == "line" else None
            if row is None:
                return self._malformed(path, lineno, f"not valid JSON ({getattr(err, 'msg', err)})")
        if not isinstance(row, dict):
            return self._malformed(path, lineno, f"each {what} must be a JSON object")
        if self._cols_of != path:
            self._columns(path, list(row), strict=False)
            self._cols_of = path
        return row

    def _malformed(self, path: Path, lineno: int, why: str) -> None:
        """The file's first object bad: it is no such JSON file, an error. A later one is one bad
        record of many, as a CSV's unreadable record: counted, named, skipped."""
        if self._cols_of != path:
            raise VocError(f"{path}:{lineno}: {why}") from None
        self.skipped.add("malformed", f"{path}:{lineno}", f"{why}, skipped")

    def _columns(self, path: Path, columns: list[str], strict: bool = True) -> None:
        """The columns to read, from a CSV header or (not ``strict``) a JSON file's first object,
        whose keys another object may add to: there the listed text columns are read as given."""
        o = self.opts
        if isinstance(o.text_column, list):
            missing = [c for c in o.text_column if c not in columns]
            if (strict and missing) or len(missing) == len(o.text_column):
                raise VocError(f"{path}: column {missing[0]!r} (for text) not found; columns are {columns}")
            self._texts = list(o.text_column)
        else:
            # With answer_column the answer is no candidate for the question's text ("answer" is a text name).
            names = TEXT_NAMES if not o.answer_column else ("question", *(n for n in TEXT_NAMES if n != o.answer_column.lower()))
            self._texts = [c for c in [_pick(columns, o.text_column, names, path, "text")] if c]
        if o.answer_column:
            _pick(columns, o.answer_column, (), path, "answers")
            if o.answer_column in self._texts:
                raise VocError(f"{path}: column {o.answer_column!r} is both answer_column and a text column; "
                               "the question's text must come from other columns")
        self._cols = {
            "text": self._texts[0] if self._texts else None,
            # A post's or answer's "score" counts votes: only reviews and surveys are rated by name.
            "rating": _pick(columns, o.rating_column, RATING_NAMES if o.kind in (None, "review", "survey")
                            and not o.answer_column else (), path, "rating"),
            "author": _pick(columns, o.author_column, AUTHOR_NAMES, path, "author"),
            "date": _pick(columns, o.date_column, DATE_NAMES, path, "date"),
            "url": _pick(columns, o.url_column, URL_NAMES, path, "url"),
            "id": _pick(columns, o.id_column, ID_NAMES, path, "id"),
            "title": _pick(columns, o.title_column, TITLE_NAMES, path, "title"),
        }
        if self._cols["text"] is None:
            raise VocError(f"{path}: no text column; name it with text_column = \"...\" (columns are {columns})")

    def _documents(self, path: Path, rowno: int, row: dict[str, Any]) -> list[Document]:
        """A row's document; with ``answer_column``, the question (the text columns) and its
        answer, one thread, so a report on them reads askers apart from answerers."""
        doc = self._document(path, rowno, row)
        answer = _cell(row.get(self.opts.answer_column)) if self.opts.answer_column else None
        if doc is None or not self.opts.answer_column:
            return [doc] if doc is not None else []
        doc.thread_id = doc.native_id
        if not answer:
            return [doc]
        return [doc, replace(doc, native_id=f"{doc.native_id}#answer", kind="answer", text=answer, author=None,
                             title=None, rating=None, parent_id=doc.doc_id, raw_ref=f"{doc.raw_ref}#answer")]

    def _document(self, path: Path, rowno: int, row: dict[str, Any]) -> Document | None:
        cols = self._cols
        raw = lambda key: row.get(cols[key]) if cols[key] else None  # noqa: E731
        get = lambda key: _cell(raw(key))  # noqa: E731
        # Several text columns are paragraphs of one document, in the order the study names them.
        text = "\n\n".join(t for t in (_cell(row.get(c)) for c in self._texts) if t) or None
        if not text:
            return None
        rating = self._rating(raw("rating"), path, rowno)
        kind = "question" if self.opts.answer_column else self.opts.kind or ("review" if rating is not None else "survey")
        if rating is not None and kind == "review" and not keep_rating(rating, self.opts.min_rating, self.opts.max_rating):
            return None
        native = get("id") or f"{path.name}:{rowno}"
        url = get("url")
        if self.opts.link_template:
            try:
                url = self.opts.link_template.format(**row)
            except KeyError as err:
                raise VocError(f"source {self.name}: link_template names column {err} that {path} lacks") from None
            except (IndexError, AttributeError, ValueError, TypeError) as err:
                raise VocError(f"source {self.name}: link_template {self.opts.link_template!r} does not fit "
                               f"row {rowno} of {path} ({err}); name columns in braces, e.g. {{id}}") from None
        return Document(
            source=self.name, native_id=native, kind=kind, text=text, url=url, author=get("author"),
            created_at=self._date(raw("date"), path, rowno), title=get("title"),
            rating=rating, raw_ref=f"{path.name}:{rowno}",
        )

    def _date(self, value: Any, path: Path, rowno: int) -> Any:
        if not self.opts.date_format or value in (None, ""):
            return parse_ts(value)
        value = str(value).strip()
        try:
            return datetime.strptime(value, self.opts.date_format)
        except ValueError:
            raise VocError(f"{path}: row {rowno}: date {_show(value)} does not match date_format "
                           f"{self.opts.date_format!r}") from None

    def _rating(self, value: Any, path: Path, rowno: int) -> float | None:
        if value is None or str(value).strip() == "":
            return None
        value = str(value) if isinstance(value, (dict, list)) else value
        try:
            raw = float(value)
        except ValueError:
            raise VocError(f"{path}: row {rowno}: rating {_show(value)} is not a number") from None
        scale = self.opts.rating_scale
        if not 0 <= raw <= scale:  # also false for NaN
            column = self._cols["rating"]
            raise VocError(f"{path}: row {rowno}: rating {_show(value)} (column {column!r}) is outside 0-{scale:g}; "
                           "set rating_scale to the best rating the file uses, or, if the column counts votes "
                           'rather than stars, kind = "post" (or "comment", "answer")')
        return round(raw * 5.0 / scale, 3)


def _cell(value: Any) -> str | None:
    """A field as stripped text, None when empty (JSON lines may hold numbers, lists or objects)."""
    if value is None:
        return None
    return (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)).strip() or None


def _filled(record: list[str]) -> int:
    return sum(bool(f.strip()) for f in record)


def _show(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "...")
