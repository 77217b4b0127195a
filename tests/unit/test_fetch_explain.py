"""`voc fetch URL --explain`: where each post's author and date came from, and a summary line; authors
shown as throwaway pseudonyms, never names."""

import json
import re
import subprocess
import sys
from datetime import datetime

import pytest

from scrapers.fetch import explain, read_page, rows, summary
from scrapers.http import Response
from tests.conftest import FIXTURES
from tests.unit.test_forum_pages import PAGES

SUMMARY = re.compile(r"^engine: (\w+); posts: (\d+); authors found: (\d+)/(\d+); dates found: (\d+)/(\d+)"
                     r"( \((\d{4}-\d\d-\d\d \d\d:\d\d) \.\. (\d{4}-\d\d-\d\d \d\d:\d\d)\))?(; left out: (\d+))?$")


class SavedPage:
    """Serves one saved page's bytes as a server that sends no charset would."""

    def __init__(self, body: bytes):
        self.body = body

    def get(self, url, params=None):
        return Response(url, 200, {"content-type": "text/html", "date": "Mon, 27 May 2024 12:00:00 GMT"}, self.body)


@pytest.mark.parametrize("folder, name, url, engine, posts, first, last, opener", PAGES)
def test_summary_line_on_every_saved_page(shared, folder, name, url, engine, posts, first, last, opener):
    result = read_page(url, client=SavedPage((shared / folder / name).read_bytes()))
    assert result.fetched_at == datetime(2024, 5, 27, 12, 0)  # relative dates count from the server's Date
    m = SUMMARY.match(summary(result))
    assert m, summary(result)
    assert m.group(1) == engine and int(m.group(2)) == posts
    assert m.group(3) == m.group(4) == m.group(5) == m.group(6) == str(posts)
    assert m.group(8) == first[1][:16].replace("T", " ") and m.group(9) == last[1][:16].replace("T", " ")


def test_explain_names_the_elements_and_hides_the_names():
    body = (FIXTURES / "forums" / "vb3_custom_cp1252.html").read_bytes()
    result = read_page("http://www.coffeecorner.example/forums/showthread.php?t=45117", client=SavedPage(body))
    lines = explain(result, salt="s")
    assert lines[-1] == ("engine: vbulletin; posts: 10; authors found: 10/10; dates found: 10/10 "
                         "(2012-09-20 11:16 .. 2012-10-02 08:40)")
    assert "date: 2012-09-20 11:16 from td.postdate" in lines[0] and "author: a_" in lines[0]
    assert "from a.username" in lines[0] and "text: " in lines[0]
    printed = "\n".join(lines)
    assert not any(name in printed for name in ("doserdan", "crema_carl", "Ana_Lisboa"))
    # One pseudonym per author on this page: doserdan wrote posts 1, 3, 7 and 10.
    hashes = [r["author_hash"] for r in rows(result, "s")]
    assert hashes[0] == hashes[2] == hashes[6] == hashes[9] != hashes[1]
    assert rows(result, "t")[0]["author_hash"] != hashes[0]  # another salt, other pseudonyms


def test_explain_lists_posts_left_out(shared):
    body = (shared / "forum_phpbb_dostips_html" / "viewtopic2ea5.html").read_bytes()
    lines = explain(read_page("https://www.dostips.com/forum/viewtopic.php?p=56903", client=SavedPage(body)), "s")
    assert "left out www.dostips.com:p56911: no text of its own (only quotes, images or attachments)" in lines
    assert lines[-1].endswith("; left out: 1") and "posts: 14;" in lines[-1]


def test_voc_fetch_explain_and_jsonl(tmp_path, static_server):
    (tmp_path / "t.html").write_bytes((FIXTURES / "forums" / "smf_topic.html").read_bytes())
    base = static_server(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "voc.cli", "fetch", base + "/t.html", "--explain"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert SUMMARY.match(proc.stdout.splitlines()[-1]).group(1) == "smf"
    assert "roomba_rita" not in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "voc.cli", "fetch", base + "/t.html"], capture_output=True,
                          text=True, timeout=300)
    docs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.stderr.startswith("# engine: smf; posts: 4; authors found: 4/4; dates found: 4/4")
    assert all(d["author_hash"].startswith("a_") and d["author_found"] and d["date_from"] == "a.smalltext"
               for d in docs) and "roomba_rita" not in proc.stdout
