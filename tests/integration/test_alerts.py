"""Alerts after scheduled runs: a new theme is sent once to a webhook, a run with nothing new sends nothing."""

import csv
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import DEMO

pytestmark = pytest.mark.slow

# Reviews of a firmware update that broke the app login: a theme the demo reviews do not have.
# (Written for this test: what matters is that they arrive in the second run, together.)
NEW_THEME = [
    "Since the March firmware update the app logs me out every single morning.",
    "After the firmware update the app keeps logging me out and I have to sign in again daily.",
    "The latest firmware update broke the login, the app signs me out constantly.",
    "Firmware update last week and now the app logs me out every time I open it.",
    "Ever since the update the app forgets my login and logs me out every day.",
    "The update made the app log me out all the time, I re-enter my password daily.",
    "App logs me out after the firmware update, every day, super annoying.",
    "Since updating the firmware, the app won't keep me logged in for more than a day.",
]


class Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def write_reviews(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def kept_topics(study_path, run_before, run, new):
    """Too few new insights to refit (voc.topics.carry): the run placed them in the topics of the
    run before, where every earlier insight keeps its topic and every topic its label."""
    from flows.common import study_and_store

    _study, store = study_and_store(study_path)
    stats = json.loads(store.runs().set_index("run_id").loc[run, "counts"])["topics"]
    assert stats["pain_point"]["method"] == f"placed {new} new insights in the previous run's topics"
    before = store.topic_assignments(run_before, "pain_point")
    after = store.topic_assignments(run, "pain_point").set_index("sent_id")["topic_id"]
    assert len(after) == len(before) + new
    assert (after.reindex(before["sent_id"]).to_numpy() == before["topic_id"].to_numpy()).all()
    labels = [dict(store.run_topics(r, "pain_point")[["topic_id", "label"]].itertuples(index=False))
              for r in (run_before, run)]
    assert labels[0].items() <= labels[1].items()


def test_new_theme_is_sent_once_with_quotes_and_links_and_nothing_new_sends_nothing(prefect_harness, tmp_path):
    from flows.common import close_stores
    from flows.pipeline import pipeline_flow

    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (Hook,), {"received": []}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = server.RequestHandlerClass
    with (DEMO / "site" / "reviews" / "reviews.csv").open(encoding="utf-8", newline="") as fh:
        reviews = list(csv.DictReader(fh))
    data = tmp_path / "reviews.csv"
    write_reviews(data, reviews)
    study = tmp_path / "study.toml"
    study.write_text(f"""[study]
name = "alerts"
product = "Robot vacuums"
output_dir = "{(tmp_path / 'out').as_posix()}"

[models]
classifier = "builtin"  # the fastest: this tests what is sent, the demo tests test the default

[alerts]
urls = ["json://127.0.0.1:{server.server_address[1]}/hook"]
min_mentions = 4

[[sources]]
name = "shop"
type = "file"
path = "reviews.csv"
min_rating = 0
max_rating = 5
""")
    try:
        first = pipeline_flow(str(study))
        assert first["alerts"] == {"alerts": 0, "sent": 0} and hook.received == []  # nothing to compare with yet

        extra = [{**reviews[0], "review_id": f"N{i}", "rating": "2", "title": "Logged out", "text": text,
                  "url": f"http://shop.example/reviews/N{i}", "date": "2025-11-0" + str(1 + i % 8)}
                 for i, text in enumerate(NEW_THEME)]
        write_reviews(data, reviews + extra)
        second = pipeline_flow(str(study))
        assert second["crawl"]["new_documents"] == len(NEW_THEME)
        assert len(hook.received) == 1, hook.received
        note = hook.received[0]
        assert "new or rising theme" in note["title"] and "Robot vacuums" in note["title"]
        # The theme that holds the new reviews (new, or an app theme that rose) is in the note,
        # with two of them quoted and linked.
        block = next(b for b in note["message"].split("\n\n")
                     if ("new theme" in b or "rising" in b) and "http://shop.example/reviews/N" in b)
        quoted = [line for line in block.splitlines() if line.startswith("  “")]
        assert len(quoted) == 2
        assert all(any(t[:40] in q for t in NEW_THEME) and "http://shop.example/reviews/N" in q for q in quoted)
        assert second["alerts"]["sent"] == 1 and second["alerts"]["alerts"] >= 1
        kept_topics(str(study), first["analyze"]["run_id"], second["analyze"]["run_id"], len(NEW_THEME))

        third = pipeline_flow(str(study))
        assert third["crawl"]["new_documents"] == 0
        assert len(hook.received) == 1 and third["alerts"] == {"alerts": 0, "sent": 0}
        kept_topics(str(study), second["analyze"]["run_id"], third["analyze"]["run_id"], 0)
    finally:
        server.shutdown()
        close_stores()
        shutil.rmtree(tmp_path / "out", ignore_errors=True)
