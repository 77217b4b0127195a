"""Fuzzing: hostile pages, files and dumps may only ever raise VocError.

Every target feeds generated input (HTML from a grammar of the engines' own markup, real fixture
pages with random edits, JSON of the shapes the sources read, CSV/JSONL/XML/NDJSON files, and
plain random bytes) through a source's public entry point. The property: the only exception that
escapes is VocError (what the CLI prints as one line naming the file or URL), and every Document
that comes out has the field types the store needs.

In the suite each target runs ``VOC_FUZZ_EXAMPLES`` (100) examples. ``VOC_FUZZ_SECONDS=300``
(``make fuzz``) shares that many seconds among the targets, each run in rounds of fresh random
examples, and prints per target the examples run, how many ended in a VocError, which lines the
sources skipped, and every other exception by the code site it came from (the test then fails).
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections import Counter
from datetime import datetime
from pathlib import Path
from unittest.mock import patch

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from scrapers import files as files_module  # noqa: E402
from scrapers import records as records_module  # noqa: E402
from scrapers import reddit_dump as reddit_dump_module  # noqa: E402
from scrapers import se_dump as se_dump_module  # noqa: E402
from scrapers.base import MAX_LINE  # noqa: E402
from scrapers.fetch import fetch_page  # noqa: E402
from scrapers.files import FileOptions, FileSource  # noqa: E402
from scrapers.forum import ForumOptions, ForumSource  # noqa: E402
from scrapers.forums.detect import detect_engine, forum_engines  # noqa: E402
from scrapers.forums.discourse import DiscourseOptions, DiscourseSource  # noqa: E402
from scrapers.forums.generic import GenericOptions, GenericSource  # noqa: E402
from scrapers.forums.phpbb import PhpbbOptions, PhpbbSource  # noqa: E402
from scrapers.forums.vbulletin import VbulletinOptions, VbulletinSource  # noqa: E402
from scrapers.forums.xenforo import XenforoOptions, XenforoSource  # noqa: E402
from scrapers.http import Response  # noqa: E402
from scrapers.jsonld import JsonLdOptions, JsonLdReviewSource  # noqa: E402
from scrapers.qa import QaOptions, QaPageSource  # noqa: E402
from scrapers.reddit_dump import RedditDumpOptions, RedditDumpSource  # noqa: E402
from scrapers.se_dump import SeDumpOptions, StackExchangeDumpSource  # noqa: E402
from voc.errors import VocError  # noqa: E402
from voc.schema import DOC_KINDS, Document  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SECONDS = float(os.environ.get("VOC_FUZZ_SECONDS") or 0)
QUICK = int(os.environ.get("VOC_FUZZ_EXAMPLES") or 100)  # per target in the suite
TARGETS = ("pages", "forum_crawl", "discourse", "files", "se_dump", "reddit_dump")
URL = "https://forum.example/viewtopic.php?t=7&start=0"
HTML_ENGINES = {"phpbb": (PhpbbSource, PhpbbOptions), "xenforo": (XenforoSource, XenforoOptions),
                "vbulletin": (VbulletinSource, VbulletinOptions), "generic": (GenericSource, GenericOptions),
                "jsonld_reviews": (JsonLdReviewSource, JsonLdOptions), "qa_page": (QaPageSource, QaOptions),
                # every other registered forum engine (MyBB, SMF, Invision, ...)
                **{k: (cls, cls.Options) for k, cls in forum_engines().items() if k != "discourse"}}


# -- running and counting -------------------------------------------------------------------------
class Tally:
    """Examples run and non-VocError exceptions per target, by the code site that raised them."""

    def __init__(self) -> None:
        self.examples: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()  # examples that ended in a VocError
        self.skipped: dict[str, Counter[str]] = {}  # lines the sources skipped, by kind
        self.errors: dict[str, Counter[str]] = {}
        self.samples: dict[str, str] = {}

    def check(self, target: str, run, *shown: object, source: object = None) -> None:
        self.examples[target] += 1
        try:
            docs = run()
            for doc in docs or []:
                assert_storable(doc)
        except VocError:
            self.refused[target] += 1
        except Exception as err:  # noqa: BLE001 - counting them is the point
            site = crash_site(err)
            self.errors.setdefault(target, Counter())[site] += 1
            example = f"{err!r} on {[repr(s)[:300] for s in shown]}"
            if len(example) < len(self.samples.get(site, example + " ")):
                self.samples[site] = example
        skipped = getattr(source, "skipped", None)
        if skipped is not None:
            self.skipped.setdefault(target, Counter()).update(skipped.counts)


TALLY = Tally()
REPO = Path(__file__).resolve().parents[2]


def crash_site(err: Exception) -> str:
    """The exception type and the last line of voc's own code it passed through (and where it rose)."""
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if f.filename.startswith(str(REPO)) and "/tests/" not in f.filename]
    site = f"{type(err).__name__} at " + (f"{Path(ours[-1].filename).name}:{ours[-1].lineno} ({ours[-1].name})"
                                          if ours else "?")
    if frames and ours and frames[-1] is not ours[-1]:
        site += f" in {Path(frames[-1].filename).name}:{frames[-1].lineno}"
    return site


def assert_storable(doc: Document) -> None:
    """What DuckDB and the later stages expect of a Document's fields."""
    assert isinstance(doc, Document) and doc.kind in DOC_KINDS
    assert isinstance(doc.text, str) and doc.text.strip() and isinstance(doc.native_id, str)
    for name in ("url", "thread_id", "parent_id", "author", "title", "raw_ref"):
        assert getattr(doc, name) is None or isinstance(getattr(doc, name), str), (name, getattr(doc, name))
    assert doc.created_at is None or isinstance(doc.created_at, datetime)
    for name in ("rating", "score"):
        value = getattr(doc, name)
        assert value is None or (isinstance(value, (int, float)) and value == value), (name, value)


def fuzz(target: str, property_test, *args: object) -> None:
    """Run a hypothesis property for the budget, then report and assert no other exception escaped."""
    # Long runs go in rounds of 200 fresh examples until their time is up.
    run = settings(max_examples=200 if SECONDS else QUICK, deadline=None, database=None, derandomize=False,
                   suppress_health_check=list(HealthCheck))(property_test)
    started = time.monotonic()
    while True:
        run(*args)
        if time.monotonic() - started >= SECONDS / len(TARGETS):
            break
    errors = TALLY.errors.get(target, Counter())
    print(f"\nfuzz {target}: {TALLY.examples[target]} examples in {time.monotonic() - started:.0f} s, "
          f"{TALLY.refused[target]} refused with a VocError, {sum(errors.values())} other exceptions at "
          f"{len(errors)} sites; lines skipped: {dict(TALLY.skipped.get(target, {})) or 'none'}")
    for site, n in errors.most_common():
        print(f"  {n:6d}  {site}\n          e.g. {TALLY.samples[site]}")
    assert not errors, f"{target}: exceptions other than VocError: {dict(errors)}"


# -- strategies -----------------------------------------------------------------------------------
TRICKY = ["", " ", "0", "-1", "1e309", "NaN", "99999999999999999999", "2024-13-45", "Today, 09:14", "post-",
          "post-12", "p12", "post_12", "post12", "post_message_12", "thread-3", "javascript:alert(1)", "#",
          "http://[", "//[::1", "?t=7&p=9", "/threads/a.9/", "https://forum.example/t/x/5", "\x00", "\ud800x",
          "é", "<b>", "schema.org/Review", "https://schema.org/DiscussionForumPosting", "»", "Quote:", "12:00 pm"]
texts = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40))
# Page bodies come from Response.text, which decodes with errors="replace": no lone surrogates
# (those reach parsers only through JSON escapes, which the JSON strategies make).
html_texts = texts.map(lambda t: t.encode("utf-8", "replace").decode())
CLASSES = ["post", "content", "postprofile", "author", "username", "message", "message--post", "message-body",
           "bbWrapper", "bbCodeBlock--quote", "message-attribution", "message-name", "u-dt", "postcontainer",
           "postbitlegacy", "postcounter", "bbcode_postedby", "bbcode_container", "smallfont", "alt2",
           "structItem--thread", "structItem-title", "structItem-cell--meta", "pagination", "pageNav-jump--next",
           "topiclist", "topics", "row", "topictitle", "posts", "threadtitle", "date", "signature", "comment",
           "quote", "user-name", "post-body", "time", "p-title-value", "label", "navbar", "thead", "js-post"]
TAGS = ["div", "article", "li", "ul", "table", "tr", "td", "span", "a", "p", "blockquote", "time", "h1", "h2",
        "dl", "dd", "aside", "pre", "strong", "section", "img", "br"]
HREFS = ["http://[", "//[::1", "https://[x/", "http://a\u2100/", "#p1", "?t=9&start=20", "/threads/a.9/page-2",
         "showthread.php?t=5&p=7", "javascript:void(0)", "mailto:x@y.z", ""]
ATTRS = {"class": st.lists(st.sampled_from(CLASSES), max_size=3).map(" ".join),
         "id": html_texts, "href": st.one_of(st.sampled_from(HREFS), html_texts),
         "rel": st.sampled_from(["next", "prev", "canonical", "bookmark", "author"]),
         "datetime": html_texts, "data-content": html_texts, "data-author": html_texts, "data-source": html_texts,
         "name": html_texts,
         "itemprop": st.sampled_from(["text", "author", "name", "datePublished", "reviewBody", "reviewRating",
                                      "ratingValue", "bestRating", "url", "articleBody"]),
         "itemscope": st.just(""),
         "itemtype": st.sampled_from(["https://schema.org/Review", "http://schema.org/Comment", "",
                                      "https://schema.org/DiscussionForumPosting",
                                      "https://schema.org/AggregateRating"]),
         "content": html_texts, "value": html_texts, "alt": html_texts, "type": html_texts}
JSON_KEYS = ["@type", "@graph", "@id", "review", "reviewBody", "author", "name", "reviewRating", "ratingValue",
             "bestRating", "worstRating", "datePublished", "text", "comment", "mainEntity", "url", "identifier",
             "post_stream", "posts", "stream", "latest_posts", "id", "post_number", "cooked", "hidden",
             "post_type", "topic_id", "topic_slug", "slug", "reply_to_post_number", "username", "created_at",
             "title", "score", "topic_list", "topics", "more_topics_url", "posts_count", "deleted_at",
             "aggregateRating", "reviewCount", "description", "headline"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(JSON_KEYS), inner, max_size=6)), max_leaves=30)


def _attrs(items: dict) -> str:
    return "".join(f' {k}="{str(v).replace(chr(34), "&quot;")}"' for k, v in items.items())


elements = st.recursive(
    html_texts.map(lambda t: t.replace("<", "&lt;")),
    lambda inner: st.builds(
        lambda tag, attrs, kids: f"<{tag}{_attrs(attrs)}>{''.join(kids)}</{tag}>",
        st.sampled_from(TAGS), st.fixed_dictionaries({}, optional=ATTRS), st.lists(inner, max_size=4))
    | json_values.map(lambda v: f'<script type="application/ld+json">{json.dumps(v)}</script>'),
    max_leaves=40)
grammar_pages = st.builds(lambda head, body: f"<html id=\"XF\"><head>{head}</head><body>{body}</body></html>",
                          st.lists(elements, max_size=2).map("".join), st.lists(elements, max_size=6).map("".join))
# Decoded as the HTTP layer would (one fixture is windows-1252, declared only in its <meta>).
SEEDS = [Response("http://x/", 200, {"content-type": "text/html"}, p.read_bytes()).text
         for p in sorted((FIXTURES / "forums").glob("*.html"))
         + sorted((FIXTURES / "qa_reviews").glob("product_*.html"))]
FRAGMENTS = TRICKY + ['href="http://[', '<a rel="next" href="//[">', "</div>", "<div class=\"post\" id=\"p\">",
                      '<script type="application/ld+json">[[[[[[', '"ratingValue": NaN', '"x": "\\ud800"',
                      'datetime="99999999999999"', '<time datetime="0">', '"', "'", "<", ">"]


@st.composite
def mutated(draw, seeds: list[str], fragments: list[str]) -> str:
    """A real input with a few random edits: inserts of tricky fragments, cuts and repeats."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        span = draw(st.integers(0, 400))
        op = draw(st.sampled_from(["insert", "cut", "repeat"]))
        if op == "insert":
            text = text[:at] + draw(st.one_of(st.sampled_from(fragments), st.text(max_size=20))) + text[at:]
        elif op == "cut":
            text = text[:at] + text[at + span:]
        else:
            text = text[:at + span] + text[at:at + span] * draw(st.integers(1, 3)) + text[at + span:]
    return text.encode("utf-8", "replace").decode()


pages = st.one_of(grammar_pages, mutated(SEEDS, FRAGMENTS), st.text(max_size=200))  # st.text has no surrogates


class FakeClient:
    """Serves the given bodies in turn for every request (a hostile site)."""

    def __init__(self, bodies: list[bytes], ctype: str = "text/html; charset=utf-8"):
        self.bodies, self.ctype, self.calls = bodies, ctype, 0

    def get(self, url: str, params: dict | None = None) -> Response:
        body = self.bodies[self.calls % len(self.bodies)]
        self.calls += 1
        if self.calls > 20:
            raise VocError(f"{url}: fake site: request budget spent")
        return Response(url, 200, {"content-type": self.ctype}, body)


# -- targets --------------------------------------------------------------------------------------
URLS = [URL, "https://forum.example/threads/a.9/page-2", "https://forum.example/showthread.php?t=5&page=3",
        "http://forum.example/t/x/5#post-2", "https://forum.example/"]


@given(engine=st.sampled_from(sorted(HTML_ENGINES)), body=pages, url=st.sampled_from(URLS))
def _pages(engine, body, url):
    cls, options = HTML_ENGINES[engine]
    source = cls(engine, options.model_construct(min_chars=40), client=None)
    TALLY.check("pages", lambda: cls.detect(url, body, "text/html") and None, engine, body, url)
    TALLY.check("pages", lambda: detect_engine(url, body, "text/html") and None, body, url)
    TALLY.check("pages", lambda: source.page_documents(url, body), engine, body, url)


def test_page_parsers_raise_only_vocerror():
    fuzz("pages", _pages)


@given(engine=st.sampled_from([*sorted(HTML_ENGINES), "forum", "voc fetch"]),
       bodies=st.lists(pages, min_size=1, max_size=3))
def _forum_crawl(engine, bodies):
    client = FakeClient([b.encode("utf-8") for b in bodies])
    if engine == "voc fetch":  # detection over every page engine, then that engine's parser
        TALLY.check("forum_crawl", lambda: fetch_page(URL, "auto", client=client)[1], engine, bodies)
        return
    if engine == "forum":  # engine = "auto": detection, then the detected engine's crawl
        source = ForumSource("f", ForumOptions(url=URL, max_threads=3, max_pages=3), client=client)
    else:
        cls, options = HTML_ENGINES[engine]
        opts = (options(urls=[URL]) if "urls" in options.model_fields else options(url=URL, max_pages=3)
                if engine == "generic" else options(url=URL, max_pages=3, max_threads=3))
        source = cls(engine, opts, client=client)
    TALLY.check("forum_crawl", lambda: list(source.fetch(None)), engine, bodies)


def test_forum_crawls_raise_only_vocerror():
    fuzz("forum_crawl", _forum_crawl)


@given(shape=json_values, pages=st.lists(json_values, min_size=1, max_size=3),
       topics=st.lists(st.integers(1, 5), max_size=2))
def _discourse(shape, pages, topics):
    body = json.dumps(shape)
    source = DiscourseSource("d", DiscourseOptions(base_url="https://forum.example", topics=topics, max_topics=3,
                                                   max_listing_pages=2), client=None)
    TALLY.check("discourse", lambda: DiscourseSource.detect(URL, body, "application/json") and None, shape)
    TALLY.check("discourse", lambda: source.page_documents(URL, body), shape)
    source.client = FakeClient([json.dumps(p).encode() for p in pages], "application/json")
    TALLY.check("discourse", lambda: list(source.fetch(None)), pages)


def test_discourse_json_shapes_raise_only_vocerror():
    fuzz("discourse", _discourse)


# -- files ----------------------------------------------------------------------------------------
# The real line limit, and small ones so that generated files reach the skip paths too.
LIMITS = st.sampled_from([MAX_LINE, 8, 40])


def limits(limit: int, module, **more: int):
    return patch.multiple(module, MAX_LINE=limit, **more)


COLUMNS = ["text", "review", "stars", "rating", "score", "author", "user", "date", "created_at", "url", "id",
           "title", "x"]
cells = st.one_of(texts, st.sampled_from(["3", "4.5", "7", "nan", "inf", "-2", "2025-03-01", "1e400"]))


@st.composite
def csv_bytes(draw) -> bytes:
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = ["text"] * draw(st.booleans()) + draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=5))
    rows = draw(st.lists(st.lists(cells, max_size=6), max_size=6))

    def quote(cell: str) -> str:
        return cell if draw(st.booleans()) else '"' + cell.replace('"', '""') + '"'
    lines = [sep.join(header)] + [sep.join(quote(c) for c in row) for row in rows]
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    return text.encode(draw(st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"])), "replace")


# Lines nested around the depth limit (64).
deep_lines = st.integers(60, 70).map(lambda n: '{"text": "deep", "id": ' + "[" * n + "]" * n + "}")
rows = st.dictionaries(st.sampled_from(COLUMNS), st.one_of(cells, json_values), max_size=5).map(json.dumps)
# Lines written as Python dicts (the McAuley Amazon sets): read by ast.literal_eval, tuples and all.
python_lines = st.one_of(rows.map(lambda r: repr(json.loads(r))), st.integers(1, 300).map(
    lambda n: "{'text': " + "(" * n + "1," + ")" * n + "}"), st.just("{'text': 1e999}"), st.just("{'t': {1, 2}}"))
jsonl_bytes = st.lists(st.one_of(deep_lines, rows, json_values.map(json.dumps), texts, python_lines),
                       max_size=6).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))
# One JSON array of such items, pretty-printed or on one line, whole or cut short.
def _json_array(items: list[str], sep: str, keep: float) -> bytes:
    data = ("[" + sep.join(items) + "]").encode("utf-8", "surrogatepass")
    return data if keep >= 0.9 else data[:max(1, round(len(data) * keep))]


json_array_bytes = st.builds(_json_array, st.lists(st.one_of(deep_lines, rows, json_values.map(json.dumps), texts),
                                                   max_size=6), st.sampled_from([",", ",\n  ", " , "]), st.floats(0.0, 1.0))
file_options = st.fixed_dictionaries({}, optional={
    "format": st.sampled_from(["auto", "csv", "tsv", "jsonl", "json"]),
    "delimiter": st.sampled_from([",", ";", "\t", "|", '"', "\n", " ", "\x00", "é"]),
    "kind": st.sampled_from(["review", "survey", "post"]),
    "text_column": st.one_of(st.sampled_from(COLUMNS), st.lists(st.sampled_from(COLUMNS), max_size=3)),
    "rating_column": st.sampled_from(COLUMNS),
    "date_column": st.sampled_from(COLUMNS), "id_column": st.sampled_from(COLUMNS), "answer_column": st.sampled_from(COLUMNS),
    "rating_scale": st.sampled_from([5.0, 10.0, 0.5]), "min_rating": st.sampled_from([0.0, 2.0]),
    "link_template": st.sampled_from(["https://x.example/{id}", "{0}", "{id.real}", "{", "}", "{id!z}",
                                      "{id:>>>}", "{text[0]}"]),
    "date_format": st.sampled_from(["%d.%m.%y", "%", "%Q", "%Y-%m-%d"]),
    "encoding": st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "utf8mb4", "no-such-codec",
                                 "shift_jis", "utf-32", "rot13", "base64"]),
})


@given(suffix=st.sampled_from([".csv", ".tsv", ".jsonl", ".txt", ".json"]),
       data=st.one_of(csv_bytes(), jsonl_bytes, json_array_bytes, st.binary(max_size=300)), options=file_options,
       limit=LIMITS, block=st.sampled_from([1 << 16, 5]))
def _files(tmp_path_factory, suffix, data, options, limit, block):
    folder = tmp_path_factory.mktemp("f")
    (folder / f"in{suffix}").write_bytes(data)
    try:
        opts = FileOptions(path=f"in{suffix}", **options)
    except ValueError:
        return  # the study file is refused with a message naming the key (validate_source_options)
    source = FileSource("f", opts, base_dir=folder)
    with limits(limit, files_module), limits(limit, records_module, MAX_RECORD=4 * limit, _BLOCK=block):
        TALLY.check("files", lambda: list(source.fetch(None)), suffix, data, options, limit, source=source)


def test_file_sources_raise_only_vocerror(tmp_path_factory):
    fuzz("files", _files, tmp_path_factory)


# -- dumps ----------------------------------------------------------------------------------------
ROW_ATTRS = {"Id": st.one_of(st.sampled_from(["1", "2", "3"]), texts),
             "PostTypeId": st.sampled_from(["1", "2", "5", ""]),
             "ParentId": st.sampled_from(["1", "2", "x"]), "Score": cells, "Tags": texts, "Body": texts,
             "Title": texts, "CreationDate": cells, "OwnerUserId": texts, "OwnerDisplayName": texts}


def _xml_attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


se_rows = st.fixed_dictionaries({}, optional=ROW_ATTRS).map(
    lambda attrs: "<row" + "".join(f' {k}="{_xml_attr(v)}"' for k, v in attrs.items()) + " />")


@st.composite
def posts_xml(draw) -> bytes:
    declaration = draw(st.sampled_from(["", '<?xml version="1.0" encoding="utf-8"?>\n',
                                        '<?xml version="1.0" encoding="utf8mb4"?>\n',
                                        '<?xml version="1.0" encoding="utf-16"?>\n',
                                        '<?xml version="1.0" encoding="x-nonsense"?>\n']))
    rows = draw(st.lists(st.one_of(se_rows, texts), max_size=6))
    text = declaration + "<posts>\n" + "\n".join(rows) + "\n</posts>\n"
    return text.encode(draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), "replace")


@given(data=st.one_of(posts_xml(), st.binary(max_size=300)), limit=LIMITS,
       options=st.fixed_dictionaries({}, optional={"tags": st.lists(texts, max_size=2),
                                                   "min_score": st.integers(-2, 2)}))
def _se_dump(tmp_path_factory, data, limit, options):
    folder = tmp_path_factory.mktemp("se")
    (folder / "Posts.xml").write_bytes(data)
    source = StackExchangeDumpSource("se", SeDumpOptions(path="Posts.xml", site_url="https://se.example", **options),
                                     base_dir=folder)
    with limits(limit, se_dump_module):
        TALLY.check("se_dump", lambda: list(source.fetch(None)), data, options, limit, source=source)


def test_stackexchange_dump_raises_only_vocerror(tmp_path_factory):
    fuzz("se_dump", _se_dump, tmp_path_factory)


REDDIT_KEYS = ["id", "title", "selftext", "body", "link_id", "parent_id", "subreddit", "created_utc", "author",
               "score", "permalink", "removed_by_category"]
reddit_items = st.dictionaries(st.sampled_from(REDDIT_KEYS), st.one_of(cells, json_values), max_size=8)
reddit_lines = st.lists(st.one_of(reddit_items.map(json.dumps), json_values.map(json.dumps), texts, deep_lines),
                       max_size=8)


@given(lines=reddit_lines, raw=st.one_of(st.none(), st.binary(max_size=200)), zst=st.booleans(), limit=LIMITS,
       options=st.fixed_dictionaries({}, optional={"subreddits": st.lists(texts, max_size=2),
                                                   "keywords": st.lists(texts, max_size=2),
                                                   "min_chars": st.integers(0, 30)}))
def _reddit_dump(tmp_path_factory, lines, raw, zst, limit, options):
    import zstandard

    folder = tmp_path_factory.mktemp("rd")
    data = raw if raw is not None else "\n".join(lines).encode("utf-8", "surrogatepass")
    name = "RC.zst" if zst else "RC.ndjson"
    (folder / name).write_bytes(zstandard.ZstdCompressor().compress(data) if zst and raw is None else data)
    source = RedditDumpSource("r", RedditDumpOptions(path=name, **options), base_dir=folder)
    with limits(limit, reddit_dump_module):
        TALLY.check("reddit_dump", lambda: list(source.fetch(None)), lines, raw, zst, options, limit,
                    source=source)


def test_reddit_dump_raises_only_vocerror(tmp_path_factory):
    fuzz("reddit_dump", _reddit_dump, tmp_path_factory)
