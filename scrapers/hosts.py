"""Politeness per host, shared by every client of a crawl.

One crawl may run several sources on one host (a forum and its Q&A section, two subforums); they
must share that host's robots.txt rules, its Crawl-delay and the time of its last request, or the
host sees each source's pace added up. A crawl makes one :class:`Hosts` and gives it to every
source's client; each client keeps its own deadline and counters.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from protego import Protego


class Hosts:
    """robots.txt rules by origin (fetched once per crawl) and the next free turn of each host."""

    def __init__(self) -> None:
        self._robots: dict[str, Protego | None] = {}
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        self._fetching: dict[str, threading.Lock] = {}

    def robots(self, origin: str, load: Callable[[], Protego | None]) -> Protego | None:
        """The origin's robots.txt rules, loaded by ``load`` the first time any client asks."""
        with self._lock:
            gate = self._fetching.setdefault(origin, threading.Lock())
        with gate:  # two sources on one origin fetch its robots.txt once
            if origin not in self._robots:
                self._robots[origin] = load()
            return self._robots[origin]

    def known_robots(self, origin: str) -> Protego | None:
        """The origin's rules if they have been loaded (for its Crawl-delay), else None."""
        return self._robots.get(origin)

    def reserve(self, host: str, interval: float) -> float:
        """Book the host's next turn at least ``interval`` seconds after its last; the seconds to wait."""
        with self._lock:
            now = time.monotonic()
            wait = max(0.0, self._last.get(host, 0.0) + interval - now)
            self._last[host] = now + wait
        return wait
