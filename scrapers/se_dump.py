"""Stack Exchange data dumps: questions and answers from a site's Posts.xml, streamed.

Posts.xml of a large site is many gigabytes, so it is fed to a pull parser line by line and
each row is cleared once used: memory stays flat whatever the file size (only the ids of kept
questions are held, so answers can follow their question). Dumps write one ``<row/>`` per line;
a line over ``MAX_LINE`` bytes is skipped with a counted warning, never held. Tag wikis and other
post types are skipped.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, field_validator

from scrapers.base import MAX_LINE, BaseSource, Cursor, Skips, SourceOptions, bounded_lines
from scrapers.http import check_url
from scrapers.stackexchange import post_document
from voc.errors import VocError
from voc.schema import Document

QUESTION, ANSWER = "1", "2"
# Dumps before 2024 write tags as "<a><b>", later ones as "|a|b|".
_TAG_RE = re.compile(r"[^<>|]+")
log = logging.getLogger(__name__)


class SeDumpOptions(SourceOptions):
    path: str = Field(description="Posts.xml, relative to the study file")
    tags: list[str] = Field(default_factory=list, description="keep questions with any of these tags")
    min_score: int | None = None
    site_url: str | None = Field(default=None, description='e.g. "https://coffee.stackexchange.com"')

    @field_validator("site_url")
    @classmethod
    def _http(cls, v: str | None) -> str | None:
        return check_url(v).rstrip("/") if v else v


def row_tags(value: str | None) -> set[str]:
    return {t.lower() for t in _TAG_RE.findall(value or "")}


class StackExchangeDumpSource(BaseSource):
    key: ClassVar[str] = "stackexchange_dump"
    Options = SeDumpOptions
    USES_HTTP: ClassVar[bool] = False

    def __init__(self, name: str, options: SeDumpOptions, **kw: Any):
        super().__init__(name, options, **kw)
        self._tags = {t.lower() for t in options.tags}

    @property
    def path(self) -> Path:
        return self.path_of(self.opts.path)

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        path = self.path
        if not path.is_file():
            raise VocError(f"source {self.name}: {path} not found (path = {self.opts.path!r})")
        stat = path.stat()
        file_state = {"path": str(path), "size": stat.st_size, "mtime": stat.st_mtime}
        state = since or {}
        same_file = all(state.get(k) == v for k, v in file_state.items())
        if same_file and state.get("done"):
            return  # unchanged since the last crawl
        resume_after = state.get("last_id") if same_file else None
        self._cursor = {**file_state, "last_id": resume_after, "done": False}
        self.skipped = Skips(log)
        kept: set[str] = set()
        skipping = resume_after is not None
        last_id = resume_after
        for row in self._rows(path):
            post_id = row.get("Id")
            which = self._select(row, kept)
            if skipping:
                # Rows up to the resume point only rebuild the set of kept questions.
                skipping = post_id != resume_after
                continue
            last_id = post_id
            doc = self._document(row, *which) if which else None
            if doc is not None:
                self._cursor["last_id"] = post_id
                yield doc
        self._cursor = {**file_state, "last_id": last_id, "done": True}

    def _rows(self, path: Path) -> Iterator[dict[str, str]]:
        """Row attributes one at a time; each element is dropped from the tree once read."""
        parser = ET.XMLPullParser(events=("start", "end"))
        root: list[ET.Element] = []
        try:
            with path.open("rb") as fh:
                for lineno, line in enumerate(bounded_lines(fh, MAX_LINE), start=1):
                    if line is None:
                        self.skipped.add("long_line", f"{path}:{lineno}",
                                         f"line longer than {MAX_LINE:,} bytes skipped")
                        line = b"\n"  # keeps the parser's line numbers the file's
                    parser.feed(line)
                    yield from _row_attributes(parser, root)
            parser.close()
            yield from _row_attributes(parser, root)
        except ET.ParseError as err:
            line, col = err.position
            raise VocError(f"{path}:{line}:{col}: not a valid Posts.xml ({err})") from None
        except (LookupError, UnicodeError) as err:  # an encoding Python does not know
            raise VocError(f"{path}: not a readable Posts.xml ({err}); Stack Exchange dumps are UTF-8: set "
                           'encoding="utf-8" in its first line or re-download it') from None

    def _select(self, row: dict[str, str], kept: set[str]) -> tuple[str, str] | None:
        """(kind, question id) if the row passes the filters; kept question ids go into ``kept``."""
        ptype = row.get("PostTypeId")
        if ptype not in (QUESTION, ANSWER):
            return None
        score = _int(row.get("Score"))
        if self.opts.min_score is not None and (score is None or score < self.opts.min_score):
            return None
        if not row.get("Id"):
            return None  # no id, no document (and nothing an answer could follow)
        if ptype == QUESTION:
            if self._tags and not self._tags & row_tags(row.get("Tags")):
                return None
            kept.add(row["Id"])
            return "question", row["Id"]
        question_id = row.get("ParentId") or ""
        if question_id not in kept:
            return None  # answers follow their question (filtered out, or not in this file)
        return "answer", question_id

    def _document(self, row: dict[str, str], kind: str, question_id: str) -> Document | None:
        post_id = row["Id"]
        owner = row.get("OwnerUserId")
        return post_document(
            self.name, kind, post_id, question_id, row.get("Body", ""), title=row.get("Title"),
            url=f"{self.opts.site_url}/{kind[0]}/{post_id}" if self.opts.site_url else None,
            # user ids, as the API source uses: display names change and collide
            author=f"user:{owner}" if owner else row.get("OwnerDisplayName"),
            created=row.get("CreationDate"), score=_int(row.get("Score")),
            raw_ref=f"{self.path.name}#Id={post_id}",
        )


def _row_attributes(parser: ET.XMLPullParser, root: list[ET.Element]) -> Iterator[dict[str, str]]:
    """The attributes of the rows the parser has finished; ``root`` holds the document element once seen."""
    for event, elem in parser.read_events():
        if not root:
            root.append(elem)
        elif event == "end" and elem.tag == "row":
            yield dict(elem.attrib)
            # Clearing the root (not just the row) also drops the emptied rows it holds.
            root[0].clear()


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
