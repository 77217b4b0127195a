"""Reddit through its official API with PRAW: subreddit listings, then each thread's comments.

Credentials come from the environment (``REDDIT_CLIENT_ID``, ``REDDIT_CLIENT_SECRET``,
``REDDIT_USER_AGENT``) or from a praw.ini section named by ``praw_site``, never from the study
file. A free "script" app at https://www.reddit.com/prefs/apps gives the id and secret; reading
public subreddits needs no Reddit password.

This source does not use the shared PoliteClient: PRAW owns the connection. PRAW reads Reddit's
``X-Ratelimit-*`` headers and sleeps before a request when the budget is spent; that sleep is
the pace Reddit asks for (PRAW's politeness), not a retry of ours.

Native ids are Reddit fullnames (``t3_<id>`` for submissions, ``t1_<id>`` for comments), the
same ids ``reddit_dump`` uses, so a dump import and a live crawl under one source name upsert
the same rows.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator

from scrapers.base import BaseSource, Cursor, SourceOptions
from voc.errors import VocError, missing_package
from voc.schema import Document, make_doc_id

REDDIT = "https://www.reddit.com"
ENV_VARS = ("REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET", "REDDIT_USER_AGENT")
REMOVED = frozenset({"[deleted]", "[removed]"})
BOTS = frozenset({"automoderator"})
# Per listing key; more than a listing can ever return (~1000), so the cursor stays small.
MAX_SEEN = 5000


class RedditOptions(SourceOptions):
    """The ``[[sources]]`` block of a ``type = "reddit"`` source.

    ``limit`` counts submissions per subreddit. Reddit listings (new, top, hot, search) end at
    about 1,000 items whatever the limit, so a larger limit cannot reach further back; import a
    Pushshift / Arctic Shift dump with a ``reddit_dump`` source for older history.
    """

    subreddits: list[str] = Field(min_length=1, description='names, with or without "r/"')
    listing: Literal["new", "top", "hot", "search"] = "new"
    time_filter: Literal["all", "year", "month", "week", "day", "hour"] = Field(
        default="year", description="for top and search"
    )
    query: str | None = Field(
        default=None, validate_default=True,
        description='required when listing = "search"; searched within each subreddit',
    )
    limit: int = Field(default=200, ge=1, description="submissions per subreddit; Reddit stops at ~1000")
    comments: bool = True
    replace_more_limit: int = Field(
        default=8, ge=0, description='"load more comments" links expanded per thread (one request each)'
    )
    min_comment_chars: int = Field(default=20, ge=0)
    praw_site: str | None = Field(default=None, description="a praw.ini section to take credentials from")

    @field_validator("subreddits")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        names = [s.strip().strip("/").removeprefix("r/") for s in v]
        if not all(names):
            raise ValueError("empty subreddit name")
        return names

    @field_validator("query")
    @classmethod
    def _query(cls, v: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("listing") == "search" and not (v or "").strip():
            raise ValueError('listing = "search" needs query = "..." (searched within each subreddit)')
        return v


def utc(ts: Any) -> datetime | None:
    """Epoch seconds (a number, or a numeric string as older dumps store it) to naive UTC."""
    try:
        return datetime.fromtimestamp(float(ts), timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def author_name(author: Any) -> str | None:
    """A username from a PRAW Redditor, a dump string or None; deleted accounts give None."""
    name = None if author is None else str(author)
    return None if not name or name in REMOVED else name


def is_bot(author: str | None) -> bool:
    return (author or "").lower() in BOTS


def submission_document(source: str, data: dict[str, Any]) -> Document | None:
    """A submission (its raw fields) as a ``post``; removed, deleted and bot posts give None."""
    selftext = (data.get("selftext") or "").strip()
    author = author_name(data.get("author"))
    # removed_by_category is set for mod/spam removals and author deletions even when the
    # title survives: respect the removal rather than keep a title-only remnant.
    if selftext in REMOVED or data.get("removed_by_category") or is_bot(author):
        return None
    title = (data.get("title") or "").strip()
    text = "\n\n".join(part for part in (title, selftext) if part)
    if not text:
        return None
    fullname = f"t3_{data['id']}"
    permalink = data.get("permalink") or f"/comments/{data['id']}/"
    return Document(
        source=source, native_id=fullname, kind="post", text=text, url=REDDIT + permalink,
        thread_id=fullname, author=author, created_at=utc(data.get("created_utc")),
        title=title or None, score=_number(data.get("score")), raw_ref=f"{REDDIT}/api/info.json?id={fullname}",
    )


def comment_document(
    source: str, data: dict[str, Any], parent: str | None = None, title: str | None = None, min_chars: int = 0,
) -> Document | None:
    """A comment (its raw fields) as a ``comment``; deleted, removed, bot and short ones give None.

    ``parent`` is the fullname the comment should hang from (default: its own ``parent_id``).
    """
    body = (data.get("body") or "").strip()
    author = author_name(data.get("author"))
    if body in REMOVED or is_bot(author) or len(body) < max(min_chars, 1):
        return None
    link = _fullname(data.get("link_id") or "", "t3_")
    fullname = f"t1_{data['id']}"
    # Comments inside a thread carry no permalink in older API answers; this form resolves.
    permalink = data.get("permalink") or f"/comments/{link[3:]}/_/{data['id']}/"
    parent = parent or data.get("parent_id")
    return Document(
        source=source, native_id=fullname, kind="comment", text=body, url=REDDIT + permalink,
        thread_id=link or None, parent_id=make_doc_id(source, parent) if parent else None,
        author=author, created_at=utc(data.get("created_utc")), title=title or data.get("link_title"),
        score=_number(data.get("score")), raw_ref=f"{REDDIT}/api/info.json?id={fullname}",
    )


def thread_comments(source: str, submission: dict[str, Any], comments: list[Any], min_chars: int) -> list[Document]:
    """The kept comments of one thread, each hanging from its nearest kept ancestor.

    A reply to a deleted or too-short comment points at that comment's own nearest kept
    ancestor (or the submission), so parent links always form a tree over stored rows.
    """
    link = f"t3_{submission['id']}"
    base = (submission.get("permalink") or f"/comments/{submission['id']}/_/").rstrip("/") + "/"
    kept: set[str] = set()
    moved: dict[str, str] = {}  # fullname of a skipped comment -> the parent its replies get
    docs = []
    for comment in comments:  # CommentForest.list() is breadth first: parents before replies
        data = vars(comment)  # raw fields only: a missing attribute would make PRAW fetch it
        fullname = f"t1_{data['id']}"
        parent = data.get("parent_id") or link
        if parent != link and parent not in kept:
            parent = moved.get(parent, link)
        fields = dict(data, permalink=data.get("permalink") or f"{base}{data['id']}/", link_id=link)
        doc = comment_document(source, fields, parent, submission.get("title"), min_chars)
        if doc is None:
            moved[fullname] = parent
            continue
        kept.add(fullname)
        docs.append(doc)
    return docs


def connect(praw_site: str | None = None, **praw_kwargs: Any) -> Any:
    """A praw.Reddit from the ``REDDIT_*`` environment variables or a praw.ini section.

    Args:
        praw_site: a praw.ini section; without it all three ``REDDIT_*`` variables must be set.
        **praw_kwargs: passed to praw.Reddit (tests hand in ``requestor_kwargs``).

    Raises:
        VocError: credentials are missing or the praw.ini section does not exist.
    """
    try:
        import praw
        from praw.exceptions import MissingRequiredAttributeException
    except ImportError:
        raise missing_package("praw", purpose="the reddit source") from None
    # No PyPI update check (a network call of its own) and no asyncio warning under Prefect.
    kwargs: dict[str, Any] = {"check_for_updates": False, "check_for_async": False, **praw_kwargs}
    if praw_site is None:
        env = {var: os.environ.get(var, "").strip() for var in ENV_VARS}
        missing = [var for var, value in env.items() if not value]
        if missing:
            raise VocError(
                f"reddit credentials missing: set {', '.join(missing)} in the environment (a 'script' app "
                "at https://www.reddit.com/prefs/apps gives the id and secret; the user agent names your app "
                "and Reddit username), or name a praw.ini section with praw_site"
            )
        kwargs.update(client_id=env["REDDIT_CLIENT_ID"], client_secret=env["REDDIT_CLIENT_SECRET"],
                      user_agent=env["REDDIT_USER_AGENT"])
    try:
        return praw.Reddit(site_name=praw_site, **kwargs)
    except configparser.NoSectionError:
        raise VocError(f"praw_site {praw_site!r}: no such section in any praw.ini (working directory, "
                       "user config folder); add it or use the REDDIT_* environment variables") from None
    except MissingRequiredAttributeException as err:
        first = str(err).splitlines()[0]
        raise VocError(f"praw_site {praw_site!r}: {first}; add it to that praw.ini section") from None


class RedditSource(BaseSource):
    """Submissions of subreddit listings as posts, and their comment trees as comments."""

    key: ClassVar[str] = "reddit"
    Options = RedditOptions
    EMPTY: ClassVar[Cursor] = {"listings": {}}
    USES_HTTP: ClassVar[bool] = False  # PRAW owns the connection (see the module docstring)

    def __init__(self, name: str, options: RedditOptions, client: Any = None, reddit: Any = None, **kw: Any):
        super().__init__(name, options, **kw)
        self._reddit = reddit

    @property
    def reddit(self) -> Any:
        """The praw.Reddit in use, built on first use so options validate without credentials."""
        if self._reddit is None:
            self._reddit = connect(self.opts.praw_site)
        return self._reddit

    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        """Walk each subreddit's listing; expand threads that are new or gained comments.

        The cursor keeps, per subreddit + listing + query, the newest ``created_utc`` of a
        finished walk and the comment count of every thread expanded. A "new" walk stops at
        submissions older than that watermark; other listings re-rank old threads, so there a
        thread is skipped only while its comment count is unchanged. A "new" crawl reads at
        most ``limit`` submissions per run, so run it often enough that ``limit`` covers what
        arrives in between (comments added to a thread after its walk are not revisited).
        """
        old = (since or {}).get("listings", {})
        self._cursor = {"listings": {k: {"newest": v.get("newest"), "seen": dict(v.get("seen", {}))}
                                     for k, v in old.items()}}
        for sub in self.opts.subreddits:
            yield from self._walk(sub)

    def _walk(self, sub: str) -> Iterator[Document]:
        key = "|".join((sub.lower(), self.opts.listing, self.opts.query or ""))
        state = self._cursor["listings"].setdefault(key, {"newest": None, "seen": {}})
        stop = state["newest"] if self.opts.listing == "new" else None
        newest = state["newest"]
        with self._errors(sub):
            for submission in self._listing(sub):
                data = vars(submission)
                created = float(data.get("created_utc") or 0)
                if stop is not None and created < stop:
                    break  # "new" is newest first: the rest was read by an earlier walk
                newest = created if newest is None else max(newest, created)
                count = data.get("num_comments")
                if data["id"] in state["seen"] and state["seen"][data["id"]] == count:
                    continue  # expanded before and no comment since
                docs = self._thread(submission)
                for i, doc in enumerate(docs):
                    if i == len(docs) - 1:
                        # Only the thread's last document marks it done: a crash halfway
                        # through re-expands the whole thread (upserts make that harmless).
                        _mark(state["seen"], data["id"], count)
                    yield doc
                if not docs:
                    _mark(state["seen"], data["id"], count)
        # The watermark moves only after a whole walk, so an interrupted walk is finished next time.
        state["newest"] = newest

    def _listing(self, sub: str) -> Iterator[Any]:
        o = self.opts
        subreddit = self.reddit.subreddit(sub)
        if o.listing == "new":
            return subreddit.new(limit=o.limit)
        if o.listing == "hot":
            return subreddit.hot(limit=o.limit)
        if o.listing == "top":
            return subreddit.top(time_filter=o.time_filter, limit=o.limit)
        return subreddit.search(o.query, time_filter=o.time_filter, limit=o.limit)

    def _thread(self, submission: Any) -> list[Document]:
        post = submission_document(self.name, vars(submission))
        docs = [post] if post else []
        if self.opts.comments:
            forest = submission.comments  # one request: /comments/<id>/
            forest.replace_more(limit=self.opts.replace_more_limit)
            docs += thread_comments(self.name, vars(submission), forest.list(), self.opts.min_comment_chars)
        return docs

    @contextmanager
    def _errors(self, sub: str) -> Iterator[None]:
        """Reddit's answers as errors that say what to change (PRAW has already retried 5xx)."""
        from prawcore import exceptions as pe

        where = f"source {self.name}: r/{sub}"
        try:
            yield
        except pe.Redirect:
            raise VocError(f"{where} does not exist (Reddit redirected to search); check subreddits") from None
        except pe.NotFound:
            raise VocError(f"{where} was not found or is banned; check subreddits") from None
        except pe.Forbidden:
            raise VocError(f"{where} is private or quarantined; remove it from subreddits") from None
        except (pe.OAuthException, pe.InvalidToken) as err:
            raise VocError(f"{where}: Reddit rejected the credentials ({err}); check {', '.join(ENV_VARS)}") from None
        except pe.ResponseException as err:
            if err.response.status_code == 401:
                raise VocError(f"{where}: Reddit rejected the credentials (401); check {', '.join(ENV_VARS)}") from None
            raise VocError(f"{where}: Reddit answered {err.response.status_code}; run the crawl again later") from None
        except pe.RequestException as err:
            raise VocError(f"{where}: could not reach Reddit ({err}); run the crawl again later") from None


def _mark(seen: dict[str, Any], sid: str, count: Any) -> None:
    seen.pop(sid, None)  # re-insert at the end: the oldest entries are the ones dropped
    seen[sid] = count
    while len(seen) > MAX_SEEN:
        del seen[next(iter(seen))]


def _fullname(value: str, prefix: str) -> str:
    return value if not value or value.startswith(prefix) else prefix + value


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
