"""`voc fetch URL`: the Documents one page yields, with the engine that parsed it."""

from __future__ import annotations

from scrapers.base import registry
from scrapers.http import PoliteClient
from voc.errors import VocError
from voc.schema import Document


def page_engines() -> dict:
    """Registered sources that can parse a single page (they implement detect/page_documents)."""
    return {k: cls for k, cls in registry().items() if hasattr(cls, "detect") and hasattr(cls, "page_documents")}


def fetch_page(url: str, engine: str = "auto", client: PoliteClient | None = None) -> tuple[str, list[Document]]:
    client = client or PoliteClient()
    resp = client.get(url)
    body = resp.text
    ctype = resp.headers.get("content-type", "")
    engines = page_engines()
    if engine == "auto":
        matches = [k for k, cls in engines.items() if cls.detect(url, body, ctype)]
        if not matches:
            raise VocError(f"{url}: no source recognises this page (tried {', '.join(sorted(engines))}); "
                           "pass --engine to force one")
        engine = matches[0]
    elif engine not in engines:
        raise VocError(f"unknown engine {engine!r}; page engines are {', '.join(sorted(engines))}")
    cls = engines[engine]
    source = cls(engine, cls.Options.model_construct(), client=client)
    return engine, source.page_documents(url, body)
