"""The demo: serve the bundled corpus (examples/demo/site) on 127.0.0.1 and run the real pipeline on it."""

from __future__ import annotations

import csv
import errno
import threading
from contextlib import contextmanager
from functools import partial
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from collections.abc import Iterator

from voc.errors import VocError

DEMO_PORT = 8765
REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO_ROOT / "examples" / "demo"


class DemoHandler(SimpleHTTPRequestHandler):
    """Static files, plus one page per review of reviews.csv at /reviews/<review_id>."""

    reviews: dict[str, dict[str, str]] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path.startswith("/reviews/R"):
            review = self.reviews.get(path.rsplit("/", 1)[-1])
            if review is None:
                self.send_error(404, "no such review")
                return
            body = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(review['title'])}</title></head>"
                    f"<body><h1>{escape(review['title'])}</h1><p>{escape(review['product'])} · "
                    f"{'★' * int(review['rating'])} · {escape(review['date'])} · {escape(review['author'])}</p>"
                    f"<p>{escape(review['text'])}</p></body></html>").encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # quiet: the crawl logs what matters
        pass


def load_reviews(site: Path) -> dict[str, dict[str, str]]:
    path = site / "reviews" / "reviews.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["review_id"]: row for row in csv.DictReader(fh)}


@contextmanager
def serve_directory(site: Path, port: int = DEMO_PORT) -> Iterator[str]:
    """Serve a folder on 127.0.0.1:port in a background thread; yields the base URL."""
    handler = type("Handler", (DemoHandler,), {"reviews": load_reviews(site)})
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(site)))
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise VocError(f"port {port} on 127.0.0.1 is in use; pick another with --port") from None
        raise
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def demo_study_path(demo_dir: Path = DEMO_DIR) -> Path:
    """The bundled demo study file (its output dir is <repo>/out/demo)."""
    path = demo_dir / "study.toml"
    if not path.exists():
        raise VocError(f"{path}: the demo corpus is missing; run voc from a clone of the repository")
    return path
