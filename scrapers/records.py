"""Reading the records of an imported file in bounded memory: its lines (CSV and JSON lines) and
the items of one JSON array (the export format of many scrapers and APIs).

A longer line or record than the limits below is skipped or refused with its file and line, so
one broken export cannot hold the whole file in memory.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrapers.base import MAX_LINE, Skips, bounded_lines
from voc.errors import VocError

# One record (a CSV record whose quoted field spans lines, or a JSON array's item) is refused
# past this many characters: an unclosed quote would otherwise swallow the rest of the file.
MAX_RECORD = 4 * MAX_LINE
# Bytes that did not decode, kept by errors="surrogateescape" so each record tells whether it had any.
UNDECODED = re.compile("[\udc80-\udcff]")
_SPACE = re.compile(r"\s*")
# A JSON array is read this many characters at a time, more while one item is incomplete.
_BLOCK = 1 << 16
# A parse error this close to the end of what was read may be the block's end cutting a token.
_TAIL = 64


def undecodable(skipped: Skips, where: str, encoding: str) -> None:
    skipped.add("undecodable", where, f"bytes that are not {encoding} read as U+FFFD; "
                'if the file has another encoding, set encoding = "..." (e.g. cp1252)')


class Lines:
    """A file's lines for the CSV and JSON-lines readers, each at most MAX_LINE characters.

    A longer line is read past without being held and stands as an empty line (its number kept in
    ``last_long``); bytes the encoding could not read become U+FFFD. Both are counted in ``skipped``.
    """

    def __init__(self, fh: Any, path: Path, encoding: str, skipped: Skips):
        self.fh, self.path, self.encoding, self.skipped = fh, path, encoding, skipped
        self.lineno = 0
        self.last_long = 0
        self._record_chars = 0

    def new_record(self) -> int:
        """Mark the start of a record (it may span lines); returns the last line read before it."""
        self._record_chars = 0
        return self.lineno

    def __iter__(self) -> Iterator[str]:
        for line in bounded_lines(self.fh, MAX_LINE):
            self.lineno += 1
            where = f"{self.path}:{self.lineno}"
            if line is None:
                self.last_long = self.lineno
                self.skipped.add("long_line", where, f"line longer than {MAX_LINE:,} characters skipped")
                line = "\n"
            elif not line.isascii() and UNDECODED.search(line):
                undecodable(self.skipped, where, self.encoding)
                line = UNDECODED.sub("\ufffd", line)
            self._record_chars += len(line)
            if self._record_chars > MAX_RECORD:
                raise VocError(f"{where}: one CSV record runs past {MAX_RECORD:,} characters; check the lines "
                               "before this one for an unclosed quote")
            yield line


def starts_array(path: Path, encoding: str) -> bool:
    """Whether a .json file holds one JSON array (else it is read as JSON lines)."""
    try:
        with path.open(encoding=encoding, errors="surrogateescape") as fh:
            for _ in range(MAX_RECORD // _BLOCK):  # past leading white space, however long
                chunk = fh.read(_BLOCK)
                if not chunk:
                    return False
                if first := chunk.lstrip("\ufeff \t\r\n")[:1]:  # a BOM the codec left is no content
                    return first == "["
    except UnicodeError:  # codecs such as utf-16 cannot set bad bytes aside: the reader says where
        return False
    return False


class _Buffer:
    """The file's text from the read position on, read a block at a time, with the line number."""

    def __init__(self, fh: Any, path: Path, encoding: str):
        self.fh, self.path, self.encoding = fh, path, encoding
        self.text, self.pos, self.line = "", 0, 1

    def more(self, size: int | None = None) -> bool:
        try:
            chunk = self.fh.read(size or _BLOCK)  # the module's block when called: tests shrink it
        except UnicodeError as err:  # codecs such as utf-16 cannot set bad bytes aside
            raise VocError(f"{self.path}: cannot read past line {self.line + self.text.count(chr(10), self.pos)} "
                           f"as {self.encoding} ({err}); set encoding = \"...\" in the source block") from None
        if not chunk:
            return False
        self.text, self.pos = self.text[self.pos:] + chunk, 0
        return True

    def advance(self, to: int) -> None:
        self.line += self.text.count("\n", self.pos, to)
        self.pos = to

    def skip_space(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            self.advance(_SPACE.match(self.text, self.pos).end())
            if self.pos < len(self.text) or not self.more():
                return self.text[self.pos:self.pos + 1]


def json_array_items(fh: Any, path: Path, encoding: str, skipped: Skips) -> Iterator[tuple[int, str]]:
    """The items of a file holding one JSON array, as (the line it starts on, its text).

    Only the item being read is held, so a minified export of any size (one line) reads like a
    pretty-printed one. An item is parsed here only to find its end; the caller parses it with
    its own limits (depth, NaN).

    Raises:
        VocError: the file is no JSON array, is cut short or is not valid JSON between items (with
            file and line), or an item runs past MAX_RECORD characters.
    """
    buf = _Buffer(fh, path, encoding)
    decoder = json.JSONDecoder()
    if buf.skip_space() == "\ufeff":  # a byte-order mark the codec left (encoding = "utf-8")
        buf.advance(buf.pos + 1)
    if buf.skip_space() != "[":
        raise VocError(f"{path}:{buf.line}: a .json file must hold one JSON array of objects, or one object per "
                       'line (set format = "jsonl")')
    buf.advance(buf.pos + 1)
    first = True
    while True:
        char = buf.skip_space()
        if char == "]":
            buf.advance(buf.pos + 1)
            if buf.skip_space():
                raise VocError(f"{path}:{buf.line}: text after the end of the JSON array")
            return
        if not first:
            if char != ",":
                raise VocError(f"{path}:{buf.line}: expected ',' or ']' after the array's item"
                               + ("; the file ends inside the array (cut short?)" if not char else ""))
            buf.advance(buf.pos + 1)
            buf.skip_space()
        first, start, size = False, buf.line, _BLOCK
        while True:
            try:
                _item, end = decoder.raw_decode(buf.text, buf.pos)
            except json.JSONDecodeError as err:
                # Cut off by the block's end ("tr|ue", "\\u00|e9", a string), more text may complete
                # it; anything else is no JSON.
                cut = err.msg.startswith("Unterminated string") or err.pos >= len(buf.text) - _TAIL
                if cut and len(buf.text) - buf.pos > MAX_RECORD:
                    raise VocError(f"{path}:{start}: one item of the JSON array runs past {MAX_RECORD:,} "
                                   "characters") from None
                size = min(2 * size, MAX_RECORD)  # an item over many blocks is parsed a few times, not once per block
                if cut and buf.more(size):
                    continue
                at = buf.line + buf.text.count("\n", buf.pos, err.pos)
                raise VocError(f"{path}:{at}: not valid JSON ({err.msg})") from None
            except RecursionError:
                raise VocError(f"{path}:{start}: an item of the JSON array is nested too deeply to read") from None
            if end - buf.pos > MAX_RECORD:
                raise VocError(f"{path}:{start}: one item of the JSON array runs past {MAX_RECORD:,} characters")
            break
        text = buf.text[buf.pos:end]
        buf.advance(end)
        if not text.isascii() and UNDECODED.search(text):
            undecodable(skipped, f"{path}:{start}", encoding)
            text = UNDECODED.sub("\ufffd", text)
        yield start, text


def file_sha(path: Path, limit: int | None = None) -> tuple[str, int]:
    """The SHA-256 of the file (or of its first ``limit`` bytes) and how many bytes that covers."""
    h, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while limit is None or size < limit:
            block = fh.read(1 << 20 if limit is None else min(1 << 20, limit - size))
            if not block:
                break
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def appended(path: Path, state: dict[str, Any]) -> bool:
    """Whether the file is the one a finished crawl read whole, with lines added at its end: its
    first ``state["size"]`` bytes still hash to that crawl's sha and end on a line break. A review
    export or survey file that grows by appending then costs only its new rows (re-reading and
    re-scrubbing a 27k-row file took 34 s to find one new row)."""
    size = state.get("size")
    if not state.get("done") or not size or path.stat().st_size <= size:
        return False
    with path.open("rb") as fh:
        fh.seek(size - 1)
        if fh.read(1) != b"\n":  # the last line read may have been cut short while it was written
            return False
    return file_sha(path, size) == (state.get("sha"), size)


SNIFF_BYTES = 64 * 1024


def separator(path: Path, fmt: str, given: str | None, encoding: str) -> tuple[str, str]:
    """A CSV file's field separator and how it was found: the study's, a tab for .tsv/.tab
    files, else sniffed from the first lines (comma when nothing else fits)."""
    if given:
        return given, "from the study file"
    if fmt == "tsv" or path.suffix.lower() in (".tsv", ".tab"):
        return "\t", "by the file's extension"
    # Read apart from the rows, leniently: a bad byte is reported at its line, not here.
    with path.open("rb") as raw:
        data = raw.read(SNIFF_BYTES)
    sample = data.decode(encoding, errors="replace")
    if len(data) == SNIFF_BYTES and "\n" in sample:
        sample = sample[:sample.rindex("\n")]  # whole lines only
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter, "sniffed"
    except csv.Error:
        return ",", "default"
