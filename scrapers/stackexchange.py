"""Stack Exchange sites (coffee, homeimprovement, ...) through the public API 2.3.

Questions come from /questions (or /search/advanced when a ``query`` is given) with
``filter=withbody``, 100 a page, sorted by last activity *ascending* so the cursor only ever
moves forward: a crash or a ``max_questions`` cap resumes where it stopped. Answers come from
/questions/{ids}/answers in batches of 100 ids. The API's ``backoff`` field is honoured through
the client's sleep; an exhausted daily quota stops the crawl with a VocError after yielding what
is in hand. An app key (raising the quota from 300 to 10,000 requests a day) is read only from
the STACKEXCHANGE_KEY environment variable: keys never go in study files.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from scrapers.base import BaseSource, Cursor, SourceOptions, html_to_text, parse_ts
from scrapers.http import check_url
from voc.errors import VocError
from voc.privacy.redact import redact
from voc.schema import Document, make_doc_id

API_URL = "https://api.stackexchange.com/2.3"
KEY_ENV = "STACKEXCHANGE_KEY"
PAGE_SIZE = 100
IDS_PER_CALL = 100  # the API's limit for a {ids} vector


class StackExchangeOptions(SourceOptions):
    site: str = Field(description='API site parameter, e.g. "coffee" or "diy"')
    tagged: list[str] = Field(default_factory=list, description="the API's tagged=: /questions wants all of them")
    query: str | None = Field(default=None, description="free-text search (uses /search/advanced)")
    max_questions: int = Field(default=500, ge=1, description="per run; the next run continues")
    api_url: str = API_URL

    @field_validator("api_url")
    @classmethod
    def _http(cls, v: str) -> str:
        return check_url(v).rstrip("/")


def post_document(source: str, kind: str, post_id: Any, question_id: Any, body_html: str, *,
                  title: str | None = None, url: str | None = None, author: str | None = None,
                  created: Any = None, score: Any = None, raw_ref: str | None = None) -> Document | None:
    """One Stack Exchange question or answer as a Document (shared with the data-dump source).

    A question's text starts with its title: on Q&A sites the title is often the whole question.
    """
    body = html_to_text(body_html or "")
    title = html.unescape(title) if title else None
    text = f"{title}\n\n{body}".strip() if kind == "question" and title else body
    if not text:
        return None
    return Document(
        source=source,
        native_id=f"{kind}:{post_id}",
        kind=kind,
        text=text,
        url=url,
        thread_id=f"question:{question_id}",
        parent_id=make_doc_id(source, f"question:{question_id}") if kind == "answer" else None,
        author=html.unescape(author) if author else None,
        created_at=parse_ts(created),
        title=title,
        score=float(score) if score is not None else None,
        raw_ref=raw_ref,
    )


def _owner(item: dict[str, Any]) -> str | None:
    owner = item.get("owner") or {}
    # user_id is the stable identity (display names change and collide), as in the data dump.
    if owner.get("user_id") is not None:
        return f"user:{owner['user_id']}"
    return owner.get("display_name")


class QuotaExhausted(VocError):
    """The API answered with quota_remaining 0: no further request may be made today."""


class StackExchangeSource(BaseSource):
    key: ClassVar[str] = "stackexchange"
    Options = StackExchangeOptions
    EMPTY: ClassVar[Cursor] = {"last_activity": None, "ids": []}

    def __init__(self, name: str, options: StackExchangeOptions, client: Any = None, **kw: Any):
        super().__init__(name, options, client=client, **kw)
        self.api_key = os.environ.get(KEY_ENV) or None
        self._backoff: dict[str, float] = {}
        self._quota: dict[str, Any] = {}

    # -- API calls ---------------------------------------------------------------------------
    def call(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """One API request; ``method`` names the route for the API's per-method backoff."""
        url = f"{self.opts.api_url}/{path}"
        wait = self._backoff.pop(method, None)
        if wait:
            # The API asks for this pause and bans clients that ignore it; the client's pause
            # is the one place waits happen (it keeps the source's deadline; tests record them).
            self.client.pause(wait, url, f"the API asked for a {wait:.0f} s backoff on {method}")
        query = {**params, "site": self.opts.site}
        if self.api_key:
            query["key"] = self.api_key
        data = self.client.get(url, params=query).json()
        if not isinstance(data, dict):
            raise VocError(f"{url}: expected a JSON object from the Stack Exchange API")
        if "error_id" in data:
            raise VocError(f"{url}: Stack Exchange API error {data.get('error_name')}: {data.get('error_message')}")
        if data.get("backoff"):
            self._backoff[method] = float(data["backoff"])
        self._quota = {"url": url, "remaining": data.get("quota_remaining"), "max": data.get("quota_max")}
        return data

    @property
    def quota_exhausted(self) -> bool:
        return self._quota.get("remaining") == 0

    def _quota_error(self) -> QuotaExhausted:
        hint = "re-run after it resets (daily, UTC midnight)"
        if not self.api_key:
            hint += f", or set {KEY_ENV} to an app key for 10,000 requests a day"
        return QuotaExhausted(f"{self._quota.get('url')}: Stack Exchange API quota exhausted "
                              f"(0 of {self._quota.get('max')} requests left); {hint}")

    def questions(self, page: int, since: int | None) -> dict[str, Any]:
        params: dict[str, Any] = {"filter": "withbody", "pagesize": PAGE_SIZE, "page": page,
                                  "sort": "activity", "order": "asc"}
        if since is not None:
            params["min"] = since  # with sort=activity, min bounds last_activity_date
        if self.opts.tagged:
            params["tagged"] = ";".join(self.opts.tagged)
        if self.opts.query:
            params["q"] = self.opts.query
            return self.call("search/advanced", "search/advanced", params)
        return self.call("questions", "questions", params)

    def answers(self, question_ids: list[int]) -> tuple[dict[int, list[dict[str, Any]]], bool]:
        """Answers by question id, and whether they are complete (False if the quota ran out)."""
        found: dict[int, list[dict[str, Any]]] = {}
        for i in range(0, len(question_ids), IDS_PER_CALL):
            ids = ";".join(str(q) for q in question_ids[i:i + IDS_PER_CALL])
            page = 1
            while True:
                data = self.call("questions/{ids}/answers", f"questions/{ids}/answers",
                                 {"filter": "withbody", "pagesize": PAGE_SIZE, "page": page,
                                  "sort": "creation", "order": "asc"})
                for item in data.get("items", []):
                    found.setdefault(item["question_id"], []).append(item)
                if not data.get("has_more"):
                    break
                if self.quota_exhausted:
                    return found, False
                page += 1
            if self.quota_exhausted and i + IDS_PER_CALL < len(question_ids):
                return found, False
        return found, True

    # -- crawling ----------------------------------------------------------------------------
    def fetch(self, since: Cursor | None) -> Iterator[Document]:
        state = since or {}
        self._cursor = {"last_activity": state.get("last_activity"), "ids": list(state.get("ids", []))}
        taken = 0
        page = 1
        while taken < self.opts.max_questions:
            start = self._cursor["last_activity"]
            done = set(self._cursor["ids"])  # questions at exactly `start` already taken
            data = self.questions(page, start)
            items = [q for q in data.get("items", [])
                     if not (q.get("last_activity_date") == start and q["question_id"] in done)]
            items = items[:self.opts.max_questions - taken]
            answers: dict[int, list[dict[str, Any]]] = {}
            complete = False
            if items and not self.quota_exhausted:
                answers, complete = self.answers([q["question_id"] for q in items])
            for question in items:
                yield from self._thread(question, answers.get(question["question_id"], []), complete)
            taken += len(items)
            if self.quota_exhausted:
                raise self._quota_error()
            if not data.get("has_more"):
                break
            # Keyset paging: the next page starts at the newest activity taken (min=) rather
            # than at page N+1, so a question bumped mid-crawl (it moves to the end of the list)
            # cannot shift an unseen one onto a page already read. Only when a whole page shares
            # one activity second does the page number have to move on.
            page = 1 if self._cursor["last_activity"] != start else page + 1

    def _ref(self, what: str) -> str:
        # Stored with every document: an api_url with credentials in it must not put them there.
        return redact(f"{self.opts.api_url}/{what}?site={self.opts.site}")

    def _thread(self, question: dict[str, Any], answers: list[dict[str, Any]], complete: bool) -> Iterator[Document]:
        """A question then its answers; the cursor passes the question with its last document.

        When the answers are incomplete (quota ran out) the documents are still yielded but the
        cursor stays put, so the next run fetches the question again with all its answers.
        """
        qid = question["question_id"]
        docs = [post_document(
            self.name, "question", qid, qid, question.get("body", ""), title=question.get("title"),
            url=question.get("link"), author=_owner(question), created=question.get("creation_date"),
            score=question.get("score"), raw_ref=self._ref(f"questions/{qid}"),
        )]
        site_root = "{0.scheme}://{0.netloc}".format(urlsplit(question.get("link") or ""))
        for a in answers:
            docs.append(post_document(
                self.name, "answer", a["answer_id"], qid, a.get("body", ""),
                url=a.get("link") or (f"{site_root}/a/{a['answer_id']}" if question.get("link") else None),
                author=_owner(a), created=a.get("creation_date"), score=a.get("score"),
                raw_ref=self._ref(f"answers/{a['answer_id']}"),
            ))
        kept = [d for d in docs if d is not None]
        if not kept and complete:
            self._advance(question)
        for i, doc in enumerate(kept):
            if complete and i == len(kept) - 1:
                self._advance(question)
            yield doc

    def _advance(self, question: dict[str, Any]) -> None:
        activity = question.get("last_activity_date")
        if activity is None:
            return
        if activity != self._cursor["last_activity"]:
            self._cursor = {"last_activity": activity, "ids": []}
        self._cursor["ids"].append(question["question_id"])
