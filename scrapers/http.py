"""The shared polite HTTP client. Sources never sleep or retry on their own; this client does.

Politeness: robots.txt (Protego), a per-host minimum interval (or the site's Crawl-delay if
longer), a descriptive User-Agent, timeouts and a response size cap. Robustness: retries with
exponential backoff and jitter on 429, 5xx, timeouts, connection errors and truncated bodies
only, honouring Retry-After; any other 4xx fails at once.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from protego import Protego

from voc.config import Settings
from voc.errors import VocError

RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 300.0


class FetchError(VocError):
    """A URL could not be fetched (after retries where retrying makes sense)."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.status = status


class RobotsDisallowed(FetchError):
    pass


@dataclass
class Response:
    url: str
    status: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode(_charset(self.headers) or "utf-8", errors="replace")

    def json(self):
        import json

        try:
            return json.loads(self.content)
        except ValueError as err:
            raise FetchError(self.url, f"response is not JSON ({err})", self.status) from None


def _charset(headers: dict[str, str]) -> str | None:
    ctype = headers.get("content-type", "")
    for part in ctype.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"')
    return None


@dataclass
class ClientStats:
    requests: int = 0
    ok: int = 0
    retries: int = 0
    bytes: int = 0
    errors: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {"requests": self.requests, "ok": self.ok, "retries": self.retries,
                "bytes": self.bytes, "errors": dict(self.errors)}


def check_url(url: str) -> str:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise VocError(f"{url}: only http and https URLs can be fetched (got scheme {scheme or 'none'!r})")
    return url


def retry_after_seconds(value: str | None) -> float | None:
    """Parse Retry-After (delta seconds or an HTTP date) into seconds to wait."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class PoliteClient:
    """HTTP GET with robots.txt, per-host rate limit, bounded retries and a size cap.

    Args:
        settings: timeouts, retries, backoff, interval and User-Agent (VOC_* env by default).
        sleep: injected so tests can run without waiting.
        session: a requests.Session (tests may pass one with recorded responses).
    """

    def __init__(self, settings: Settings | None = None, sleep: Callable[[float], None] = time.sleep,
                 session: requests.Session | None = None, obey_robots: bool = True):
        self.settings = settings or Settings()
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = self.settings.user_agent
        self.obey_robots = obey_robots
        self.stats = ClientStats()
        self._robots: dict[str, Protego | None] = {}
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    # -- politeness --------------------------------------------------------------------------
    def _origin(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def robots(self, url: str) -> Protego | None:
        origin = self._origin(url)
        if origin not in self._robots:
            parser: Protego | None = None
            try:
                resp = self._request(origin + "/robots.txt", retries=1)
                if resp.status == 200:
                    parser = Protego.parse(resp.text)
            except FetchError as err:
                # RFC 9309: an unreachable robots.txt (5xx) means "assume everything is disallowed".
                if err.status is None or err.status >= 500:
                    parser = Protego.parse("User-agent: *\nDisallow: /")
            self._robots[origin] = parser
        return self._robots[origin]

    def allowed(self, url: str) -> bool:
        if not self.obey_robots:
            return True
        parser = self.robots(url)
        return parser is None or parser.can_fetch(url, self.settings.user_agent)

    def _interval(self, url: str) -> float:
        interval = self.settings.http_min_interval
        parser = self._robots.get(self._origin(url))
        if parser is not None:
            delay = parser.crawl_delay(self.settings.user_agent)
            if delay:
                interval = max(interval, float(delay))
        return interval

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc
        with self._lock:
            now = time.monotonic()
            due = self._last.get(host, 0.0) + self._interval(url)
            wait = max(0.0, due - now)
            self._last[host] = now + wait
        if wait:
            self.sleep(wait)

    # -- fetching ----------------------------------------------------------------------------
    def get(self, url: str, params: dict | None = None) -> Response:
        """Fetch a URL politely.

        Raises:
            RobotsDisallowed: robots.txt forbids the URL for our User-Agent.
            FetchError: a non-retryable status, or retries exhausted.
        """
        check_url(url)
        if not self.allowed(url):
            self.stats.errors["robots_disallowed"] += 1
            raise RobotsDisallowed(url, "disallowed by robots.txt; voc does not fetch it")
        return self._request(url, params=params, retries=self.settings.http_retries)

    def _request(self, url: str, params: dict | None = None, retries: int = 0) -> Response:
        attempt = 0
        while True:
            self._wait_turn(url)
            self.stats.requests += 1
            delay: float | None = None
            try:
                resp = self._once(url, params)
            except _Retryable as err:
                self.stats.errors[err.kind] += 1
                if attempt >= retries:
                    raise FetchError(url, f"{err.kind} after {attempt + 1} attempts: {err}", err.status) from None
                delay = err.retry_after
            else:
                if resp.status < 400:
                    self.stats.ok += 1
                    self.stats.bytes += len(resp.content)
                    return resp
                self.stats.errors[f"http_{resp.status}"] += 1
                if resp.status not in RETRY_STATUS:
                    raise FetchError(url, f"HTTP {resp.status}; not retried (client error)", resp.status)
                if attempt >= retries:
                    raise FetchError(url, f"HTTP {resp.status} after {attempt + 1} attempts", resp.status)
                delay = retry_after_seconds(resp.headers.get("retry-after"))
            backoff = self.settings.http_backoff * (2 ** attempt) * random.uniform(0.5, 1.5)
            self.stats.retries += 1
            self.sleep(min(MAX_RETRY_AFTER, delay if delay is not None else backoff))
            attempt += 1

    def _once(self, url: str, params: dict | None) -> Response:
        try:
            r = self.session.get(url, params=params, timeout=self.settings.http_timeout, stream=True)
        except requests.Timeout as err:
            raise _Retryable("timeout", str(err)) from None
        except requests.ConnectionError as err:
            raise _Retryable("connection_error", str(err)) from None
        try:
            headers = {k.lower(): v for k, v in r.headers.items()}
            limit = self.settings.http_max_bytes
            declared = headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(url, f"response of {declared} bytes exceeds the {limit}-byte limit", r.status_code)
            chunks, size = [], 0
            try:
                for chunk in r.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(url, f"response exceeds the {limit}-byte limit", r.status_code)
                    chunks.append(chunk)
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError) as err:
                raise _Retryable("truncated", str(err), status=r.status_code) from None
            except requests.Timeout as err:
                raise _Retryable("timeout", str(err)) from None
            content = b"".join(chunks)
            if declared and declared.isdigit() and "content-encoding" not in headers and len(content) < int(declared):
                raise _Retryable("truncated", f"got {len(content)} of {declared} bytes", status=r.status_code)
            return Response(url=r.url, status=r.status_code, headers=headers, content=content)
        finally:
            r.close()


class _Retryable(Exception):
    def __init__(self, kind: str, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
