"""Forum engines: one module per forum software, and the pieces they share.

``pages`` (links, pagination, titles), ``dates`` (a post's own date), ``markup`` (reading posts
from an engine's selectors), ``crawl`` (listing and thread pages with a cursor) and ``detect``
(which engine wrote a page). Engines import the shared modules, never each other or
``scrapers.forum``; the engines themselves are found through the source registry.
"""
