"""Which software wrote a page: every registered engine scores it, the highest score wins.

Engines are the registered sources (``voc.sources`` entry points) marked ``FORUM_ENGINE``; each
scores a page by its own signatures (markup that survives restyling, its generator tag), so a
customised skin is still recognised and a page that merely mentions another engine's name is
not mistaken for it. A page no engine claims is read by the generic engine.
"""

from __future__ import annotations

from typing import Any

from scrapers.base import registry

FALLBACK = "generic"


def forum_engines() -> dict[str, Any]:
    """Registered forum engines by key (the ``forum`` source's ``engine`` values besides "auto")."""
    return {k: cls for k, cls in registry().items() if getattr(cls, "FORUM_ENGINE", False)}


def page_sources() -> dict[str, Any]:
    """Registered sources that can read a single page (``voc fetch``): forum engines, Q&A, reviews."""
    return {k: cls for k, cls in registry().items() if hasattr(cls, "detect_score") and hasattr(cls, "page_documents")}


def best(candidates: dict[str, Any], url: str, body: str, content_type: str) -> tuple[str | None, int]:
    """The candidate with the highest score for the page (ties go to the first by key), and the score."""
    scored = sorted(((cls.detect_score(url, body, content_type), key) for key, cls in candidates.items()),
                    key=lambda pair: (-pair[0], pair[1]))
    if not scored or scored[0][0] <= 0:
        return None, 0
    return scored[0][1], scored[0][0]


def detect_engine(url: str, body: str, content_type: str) -> str:
    """The forum engine that recognises the page best, else "generic"."""
    engines = {k: cls for k, cls in forum_engines().items() if k != FALLBACK}
    return best(engines, url, body, content_type)[0] or FALLBACK
