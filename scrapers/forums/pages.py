"""What every forum page has, whatever the engine: links, pagination, the thread's key and title.

Engines and the generic reader take these from here; nothing here knows an engine's markup.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

_PAGE_RE = re.compile(r"/page[-/]?(\d+)(?=[/?#&]|$)|[?&;](page|pg)=(\d+)|[?&;](start|offset)=(\d+)",
                      re.I)
_NEXT_TEXT = {"next", "next page", "next ›", "next »", "next >", "›", "»", ">", "→", "next →"}
_PREV_TEXT = {"prev", "previous", "previous page", "‹ previous", "« previous", "‹ prev", "« prev", "‹", "«", "←",
              "← previous"}
_TITLE_SPLIT = re.compile(r" [-|–] ")


def html_page(body: str, content_type: str) -> bool:
    """True for an HTML response (some servers send forum pages as text/plain or octet-stream;
    a browser-saved page may have lost its ``<html>`` tag but keeps ``<head>`` or ``<body>``)."""
    head = body[:3000].lower()
    return "html" in content_type or any(tag in head for tag in ("<html", "<head", "<body", "<!doctype html"))


def join_url(base: str, href: str) -> str | None:
    """``urljoin`` for a link taken from a page: None when it is no URL (``http://[`` makes urljoin raise)."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def page_base(soup: BeautifulSoup, url: str) -> str:
    """The URL relative links resolve against: ``<base href>`` when the page sets one (vBulletin 4
    does, and its friendly URLs would otherwise resolve one folder too deep)."""
    base = soup.select_one("base[href]")
    return (join_url(url, base["href"]) if base else None) or url


def _words(el) -> str:
    return " ".join(el.get_text(" ", strip=True).lower().split())


def next_link(soup: BeautifulSoup, url: str, selectors: tuple[str, ...], by_text: bool = False) -> str | None:
    """The next page's absolute URL: the first selector with a real href, else (``by_text``)
    a link reading "Next", "›" or "»"."""
    links = [el for sel in selectors for el in soup.select(sel)]
    if by_text:
        links += [a for a in soup.find_all("a", href=True) if _words(a) in _NEXT_TEXT]
    for link in links:
        href = (link.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:")):
            target = join_url(page_base(soup, url), href)
            if target and target.split("#")[0] != url.split("#")[0]:
                return target
    return None


def page_number(url: str) -> int:
    """1-based page of a thread URL (``/page-3``, ``/page3``, ``?page=3``); ``start=``/``offset=``
    only tell first page (1) from later ones (2)."""
    m = _PAGE_RE.search(url.split("#")[0])
    if not m:
        return 1
    if m.group(1) or m.group(3):
        return max(1, int(m.group(1) or m.group(3)))
    return 1 if int(m.group(5)) == 0 else 2


def is_first_page(soup: BeautifulSoup, url: str) -> bool:
    """Whether this is a thread's first page, whose first post opens the thread: no previous-page
    link (``rel=prev`` or one reading "Previous"/"‹"/"«") and no page number above 1 in the URL."""
    if soup.select_one("a[rel~=prev], link[rel~=prev]"):
        return False
    if any(_words(a) in _PREV_TEXT for a in soup.find_all("a", href=True)):
        return False
    return page_number(url) == 1


def thread_url_key(url: str) -> str:
    """host + path + query of a thread URL without fragment and page markers: the same on every page."""
    parts = urlsplit(url)
    path = re.sub(r"/page[-/]?\d+/?$", "/", parts.path)
    query = "&".join(p for p in parts.query.split("&") if p and not re.match(r"(page|pg|start|offset)=", p))
    return f"{parts.netloc}{path}" + (f"?{query}" if query else "")


def canonical_key(soup: BeautifulSoup, url: str) -> str:
    """:func:`thread_url_key` of the page's canonical link, else of its own URL."""
    canonical = soup.select_one("link[rel=canonical][href]")
    target = join_url(page_base(soup, url), canonical["href"]) if canonical else None
    return thread_url_key(target or url)


def reply_count(text: str | None) -> int | None:
    """An exact count from a listing cell ("1,204", "12"); abbreviated ones ("1.2K") give None so
    the thread is checked again rather than skipped on a rounded number."""
    if not text:
        return None
    text = text.strip().replace(",", "").replace("\u202f", "").replace(" ", "")
    return int(text) if text.isdigit() else None


def page_title(soup: BeautifulSoup) -> str | None:
    """The thread's title: og:title, else the first ``<h1>``, else the page title before " - site"."""
    og, h1 = soup.select_one('meta[property="og:title"][content]'), soup.select_one("h1")
    if og or h1:
        return og["content"].strip() if og else h1.get_text(" ", strip=True)
    return _TITLE_SPLIT.split(soup.title.get_text(strip=True))[0] if soup.title else None


def page_languages(soup: BeautifulSoup) -> list[str] | None:
    """The page's language as date parsers name it (``<html lang="zh-CN">`` gives ["zh", "en"]),
    English kept as a second choice because forum software often prints English dates."""
    root = soup.find("html")
    lang = str(root.get("lang") or "") if root is not None else ""
    code = lang.split("-")[0].split("_")[0].lower()
    if not code.isalpha() or not 2 <= len(code) <= 3:
        return None
    return [code] if code == "en" else [code, "en"]


def signature_score(body: str, signatures: tuple[str, ...], generator: str | None, minimum: int = 2) -> int:
    """How surely an engine wrote a page: 10 per signature pattern found (case-insensitive), 30 more
    for its name in the generator tag or a "Powered by" line; 0 below ``minimum`` signatures."""
    found = sum(bool(re.search(sig, body, re.I)) for sig in signatures)
    if generator and re.search(rf'name="generator"\s+content="[^"]*({generator})|powered\s+by\W+(<[^>]*>\W*)?'
                               rf'({generator})', body[:300000], re.I):
        found += 3
    return 10 * found if found >= minimum else 0
