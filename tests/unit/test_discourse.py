import json
import shutil

from bs4 import BeautifulSoup

from scrapers.forums.discourse import DiscourseOptions, DiscourseSource
from scrapers.http import PoliteClient
from voc.config import Settings
from voc.schema import make_doc_id


def client():
    return PoliteClient(Settings(http_min_interval=0.0), sleep=lambda s: None)


def test_real_classic_topic_through_the_source(shared, tmp_path, static_server):
    """discourse_api's real /t/57.json, served locally behind a /latest.json listing."""
    (tmp_path / "t").mkdir()
    shutil.copy(shared / "forum_discourse_json" / "discourse_api_fixtures" / "topic.json", tmp_path / "t" / "57.json")
    (tmp_path / "latest.json").write_text(json.dumps({"topic_list": {"topics": [{"id": 57, "posts_count": 4}]}}))
    base = static_server(tmp_path)
    src = DiscourseSource("try", DiscourseOptions(base_url=base), client=client())
    docs = list(src.fetch(None))
    # post 84 is a moderator "small action" (post_type 2); post 86 is only an image
    assert [d.native_id for d in docs] == ["post:83", "post:226"]
    assert docs[0].kind == "post" and docs[1].kind == "comment"
    assert docs[0].title == "THIS SITE IS A SANDBOX -- it is reset every day"
    assert "<" not in docs[0].text and "Try is a sandbox" in docs[0].text
    assert docs[1].parent_id == make_doc_id("try", "post:83")
    assert docs[0].url.endswith("/t/this-site-is-a-sandbox-it-is-reset-every-day/57/1")
    assert src.cursor() == {"topics": {"57": 14}}
    assert list(src.fetch(src.cursor())) == []  # listing says 4 posts, all seen


def test_real_posts_page_drops_quoted_text(shared):
    body = (shared / "forum_discourse_json" / "criticalfallibilism" / "t_2108_posts.json").read_text()
    src = DiscourseSource("cf", DiscourseOptions(base_url="https://discuss.criticalfallibilism.com"), client=client())
    assert DiscourseSource.detect("u", body, "application/json")
    docs = src.page_documents("https://discuss.criticalfallibilism.com/t/2108/posts.json", body)
    posts = json.loads(body)["post_stream"]["posts"]
    assert len(docs) == len(posts) == 20
    checked = 0
    for post, doc in zip(posts, docs):
        for quote in BeautifulSoup(post["cooked"], "lxml").select("aside.quote blockquote"):
            quoted = quote.get_text(" ", strip=True)
            if len(quoted) > 40:
                assert quoted[:40] not in doc.text
                checked += 1
    assert checked >= 5


def test_demo_community_crawl_and_posts_json_chunks(demo_server):
    src = DiscourseSource("homebots", DiscourseOptions(base_url=demo_server + "/discourse"), client=client())
    docs = list(src.fetch(None))
    latest = json.loads((__import__("pathlib").Path(__file__).parents[2] / "examples/demo/site/discourse/latest.json").read_text())
    assert len(docs) == sum(t["posts_count"] for t in latest["topic_list"]["topics"])
    assert len({d.thread_id for d in docs}) == len(latest["topic_list"]["topics"])
