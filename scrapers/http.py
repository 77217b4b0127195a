"""The shared polite HTTP client. Sources never sleep or retry on their own; this client does.

Politeness: robots.txt (Protego), a per-host minimum interval (or the site's Crawl-delay if
longer), a descriptive User-Agent, timeouts and a response size cap. The per-host part (robots
rules, Crawl-delay, the last request's time) lives in a :class:`scrapers.hosts.Hosts` that every
client of one crawl shares. Redirects are requests too:
the client follows them itself, one hop at a time, each hop through the scheme check, the
robots.txt of the hop's origin, the per-host rate limit and the size cap, up to a hop limit.
Robustness: retries with exponential backoff and jitter on 429, 5xx, timeouts, connection errors
and truncated bodies only, honouring Retry-After; any other 4xx fails at once. Every wait counts
against the source's deadline, so one slow or hostile site cannot hold a crawl indefinitely.
Error messages are redacted: keys and tokens in request URLs never reach a log or a run record.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego

from scrapers.encoding import decode
from scrapers.hosts import Hosts
from scrapers.jsonio import loads_json
from voc.config import Settings
from voc.errors import VocError
from voc.privacy.redact import redact

RETRY_STATUS = {429, 500, 502, 503, 504}
REDIRECT_STATUS = {301, 302, 303, 307, 308}
MAX_RETRY_AFTER = 300.0


class FetchError(VocError):
    """A URL could not be fetched (after retries where retrying makes sense).

    The URL and reason are redacted here, once for every caller: request URLs carry API keys.
    """

    def __init__(self, url: str, reason: str, status: int | None = None):
        url, reason = redact(url), redact(reason)
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.status = status


class RobotsDisallowed(FetchError):
    pass


class DeadlineExceeded(FetchError):
    """The next wait would pass the source's deadline; what was fetched is kept, the next run resumes."""


@dataclass
class Response:
    url: str
    status: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        """The body decoded as a browser would (BOM, header charset, ``<meta charset>``, the bytes)."""
        return decode(self.content, self.headers.get("content-type"))

    def json(self):
        # The shared reader for untrusted JSON: depth-limited, no NaN/Infinity.
        try:
            return loads_json(self.content.decode("utf-8", errors="replace"))
        except (ValueError, RecursionError) as err:
            raise FetchError(self.url, f"response is not JSON ({type(err).__name__}: {str(err)[:200]})",
                             self.status) from None


@dataclass
class ClientStats:
    requests: int = 0
    ok: int = 0
    retries: int = 0
    redirects: int = 0
    bytes: int = 0
    errors: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {"requests": self.requests, "ok": self.ok, "retries": self.retries, "redirects": self.redirects,
                "bytes": self.bytes, "errors": dict(self.errors)}


def check_url(url: str) -> str:
    """Return the URL if its scheme is http or https.

    Raises:
        VocError: any other scheme (file:, ftp:, javascript:, none), naming the URL.
    """
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError as err:
        raise VocError(f"{redact(url)}: not a valid URL ({err})") from None
    if scheme not in ("http", "https"):
        raise VocError(f"{redact(url)}: only http and https URLs can be fetched (got scheme {scheme or 'none'!r})")
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
    """HTTP GET with robots.txt, per-host rate limit, bounded retries, redirects, a size cap and a deadline.

    Args:
        settings: timeouts, retries, backoff, interval, hop limit, deadline and User-Agent (VOC_* env
            by default). The deadline counts from the client's first request: one client per source.
        sleep: injected so tests can run without waiting.
        session: a requests.Session (tests may pass one with recorded responses).
        hosts: the per-host politeness state, shared by all clients of a crawl (default: this
            client's own).
    """

    def __init__(self, settings: Settings | None = None, sleep: Callable[[float], None] = time.sleep,
                 session: requests.Session | None = None, obey_robots: bool = True, hosts: Hosts | None = None):
        self.settings = settings or Settings()
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = self.settings.user_agent
        self.obey_robots = obey_robots
        self.stats = ClientStats()
        self.hosts = hosts or Hosts()
        self._unreachable: dict[str, Protego] = {}
        self._started: float | None = None
        self._slept = 0.0

    # -- time budget -------------------------------------------------------------------------
    def _spent(self) -> float:
        if self._started is None:
            self._started = time.monotonic()
        # Real time, or the waits asked for when `sleep` is a test's recorder that does not wait.
        return max(time.monotonic() - self._started, self._slept)

    def _check_deadline(self, url: str, upcoming: float, why: str) -> None:
        deadline = self.settings.source_deadline
        if not deadline:
            return
        spent = self._spent()
        if spent + upcoming > deadline:
            wait = f"waiting {upcoming:.0f} s more ({why})" if upcoming else f"the next request ({why})"
            raise DeadlineExceeded(url, f"{wait} would pass this source's deadline of {deadline:.0f} s "
                                        f"({spent:.0f} s spent; VOC_SOURCE_DEADLINE or [crawl] deadline); stopped "
                                        "here, what was fetched is kept and the next run resumes from the cursor")

    def pause(self, seconds: float, url: str, why: str) -> None:
        """Wait (through the injected sleep) unless the wait would pass the source's deadline.

        Every wait of a crawl goes through here: rate limit, retry backoff and an API's own
        backoff request (sources call this rather than sleeping).

        Raises:
            DeadlineExceeded: the wait would end after the deadline; nothing is waited.
        """
        if seconds <= 0:
            return
        self._check_deadline(url, seconds, why)
        self._slept += seconds
        self.sleep(seconds)

    # -- politeness --------------------------------------------------------------------------
    def _origin(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def robots(self, url: str) -> Protego | None:
        """The rules of the URL's origin (fetched once per crawl, whichever client asks first)."""
        origin = self._origin(url)
        if origin not in self._unreachable:
            try:
                return self.hosts.robots(origin, lambda: self._load_robots(origin))
            except _RobotsUnreachable:
                # RFC 9309: an unreachable robots.txt (5xx, no connection) means "assume everything is
                # disallowed". Kept by this client only, so a source retried later asks again.
                self._unreachable[origin] = Protego.parse("User-agent: *\nDisallow: /")
        return self._unreachable[origin]

    def _load_robots(self, origin: str) -> Protego | None:
        try:
            # RFC 9309 lets robots.txt redirect (at most five hops); its origin's rules do not apply to it.
            resp = self._follow(origin + "/robots.txt", None, retries=1, robots=False)
        except DeadlineExceeded:
            raise
        except FetchError as err:
            if err.status is None or err.status >= 500:
                raise _RobotsUnreachable() from None
            return None
        return Protego.parse(resp.text) if resp.status == 200 else None

    def allowed(self, url: str) -> bool:
        if not self.obey_robots:
            return True
        parser = self.robots(url)
        return parser is None or parser.can_fetch(url, self.settings.user_agent)

    def _interval(self, url: str) -> float:
        interval = self.settings.http_min_interval
        parser = self.hosts.known_robots(self._origin(url))
        if parser is not None:
            delay = parser.crawl_delay(self.settings.user_agent)
            if delay:
                interval = max(interval, float(delay))
        return interval

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc
        self.pause(self.hosts.reserve(host, self._interval(url)), url, f"rate limit for {host}")

    # -- fetching ----------------------------------------------------------------------------
    def get(self, url: str, params: dict | None = None) -> Response:
        """Fetch a URL politely, following redirects one checked hop at a time.

        Raises:
            RobotsDisallowed: robots.txt forbids the URL (or a redirect's target) for our User-Agent.
            DeadlineExceeded: the next wait would pass the source's deadline.
            FetchError: a non-retryable status, retries exhausted, or a redirect refused (off
                http/https, or more than ``http_max_redirects`` in a row), naming both URLs.
        """
        check_url(url)
        self._spent()  # the deadline counts from the first request
        if not self.allowed(url):
            self.stats.errors["robots_disallowed"] += 1
            raise RobotsDisallowed(url, "disallowed by robots.txt; voc does not fetch it")
        return self._follow(url, params, retries=self.settings.http_retries, robots=True)

    def _follow(self, url: str, params: dict | None, retries: int, robots: bool) -> Response:
        """Request a URL; on a redirect, check the target and request it as a request of its own."""
        limit = self.settings.http_max_redirects
        current, seen, hops = url, {url}, 0
        while True:
            resp = self._request(current, params=params if not hops else None, retries=retries)
            location = resp.headers.get("location") if resp.status in REDIRECT_STATUS else None
            if not location:
                return resp
            self.stats.redirects += 1
            target = self._redirect_target(resp, location)
            if hops == limit:
                loop = " (a redirect loop)" if target in seen else ""
                self.stats.errors["too_many_redirects"] += 1
                raise FetchError(resp.url, f"redirected to {target}: more than {limit} redirects in a row from "
                                           f"{url}{loop}; not followed (VOC_HTTP_MAX_REDIRECTS)", resp.status)
            self._check_redirect(resp, target, robots)
            seen.add(target)
            current, hops = target, hops + 1

    def _redirect_target(self, resp: Response, location: str) -> str:
        try:
            # Header values arrive as latin-1; servers send UTF-8 URLs (requests does the same).
            location = location.encode("latin-1").decode("utf-8")
        except UnicodeError:
            pass
        try:
            return urljoin(resp.url, location.strip())
        except ValueError as err:
            self.stats.errors["redirect_refused"] += 1
            raise FetchError(resp.url, f"redirected to {location!r}, which is not a valid URL ({err}); "
                                       "not followed", resp.status) from None

    def _check_redirect(self, resp: Response, target: str, robots: bool) -> None:
        scheme = urlsplit(target).scheme.lower()
        if scheme not in ("http", "https"):
            self.stats.errors["redirect_refused"] += 1
            raise FetchError(resp.url, f"redirected to {target}; not followed: only http and https URLs can "
                                       "be fetched", resp.status)
        if robots and not self.allowed(target):
            self.stats.errors["robots_disallowed"] += 1
            raise RobotsDisallowed(resp.url, f"redirected to {target}, which robots.txt of "
                                             f"{self._origin(target)} disallows; not followed", resp.status)

    def _request(self, url: str, params: dict | None = None, retries: int = 0) -> Response:
        attempt = 0
        while True:
            self._check_deadline(url, 0.0, "deadline already reached")
            self._wait_turn(url)
            self.stats.requests += 1
            delay: float | None = None
            try:
                resp = self._once(url, params)
            except _Retryable as err:
                self.stats.errors[err.kind] += 1
                if attempt >= retries:
                    raise FetchError(url, f"{err.kind} after {attempt + 1} attempts: {err}", err.status) from None
                delay, why = err.retry_after, err.kind
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
                delay, why = retry_after_seconds(resp.headers.get("retry-after")), f"HTTP {resp.status}"
            backoff = self.settings.http_backoff * (2 ** attempt) * random.uniform(0.5, 1.5)
            self.stats.retries += 1
            self.pause(min(MAX_RETRY_AFTER, delay if delay is not None else backoff), url,
                       f"retry {attempt + 1} of {retries} after {why}")
            attempt += 1

    def _once(self, url: str, params: dict | None) -> Response:
        try:
            # Redirects are followed by _follow, each hop checked like any other request.
            r = self.session.get(url, params=params, timeout=self.settings.http_timeout, stream=True,
                                 allow_redirects=False)
        except requests.Timeout as err:
            raise _Retryable("timeout", str(err)) from None
        except requests.ConnectionError as err:
            raise _Retryable("connection_error", str(err)) from None
        except (requests.RequestException, ValueError) as err:
            # An URL requests cannot send (bad host, control characters): nothing to retry.
            raise FetchError(url, f"cannot request this URL: {err}") from None
        try:
            headers = {k.lower(): v for k, v in r.headers.items()}
            if r.status_code in REDIRECT_STATUS and headers.get("location"):
                # The body of a redirect is never used; not reading it keeps hostile ones small.
                return Response(url=r.url, status=r.status_code, headers=headers, content=b"")
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
            except requests.RequestException as err:  # a body that does not decompress, say
                raise FetchError(url, f"unreadable response body: {err}", r.status_code) from None
            content = b"".join(chunks)
            if declared and declared.isdigit() and "content-encoding" not in headers and len(content) < int(declared):
                raise _Retryable("truncated", f"got {len(content)} of {declared} bytes", status=r.status_code)
            return Response(url=r.url, status=r.status_code, headers=headers, content=content)
        finally:
            r.close()


class _RobotsUnreachable(Exception):
    """robots.txt could not be read (5xx, no connection): not an answer to share with other clients."""


class _Retryable(Exception):
    def __init__(self, kind: str, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
