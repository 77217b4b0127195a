"""Hostile values in every field a report shows must come out as text, never as code or a link.

A source's url column, a post's text, an aspect, a topic label, a self-description or a source
name can hold markup. The HTML report may run no script but its own, carry no on* handler and
link only to http(s); the Markdown report and persona files may hold no link to anything else
and no raw HTML (checked by rendering them with a CommonMark renderer).
"""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from tests.unit.test_report import analyse, group_rows
from voc.config import StudyConfig
from voc.personas.evidence import http_url
from voc.report import write_report
from voc.store import Store

SCRIPT = "<script>alert('x')</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE_URLS = ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", " javascript:alert(2)",
                "java\tscript:alert(3)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
                "vbscript:msgbox(1)", "//evil.example/no-scheme", "file:///etc/passwd"]
SAFE_URL = 'https://forum.example/t/1?a=1&b="onmouseover="alert(1)'
SOURCE = "reviews<b onmouseover=alert('source')>"


def hostile_rows() -> list[dict]:
    """The tidy three-group corpus of test_report, with markup in every field the report shows."""
    rows = group_rows()
    for i, r in enumerate(rows):
        r["text"] = f"{r['text']} {SCRIPT} {IMG} [click](javascript:alert(1)) <a href=javascript:alert(1)>x</a>"
        r["url"] = HOSTILE_URLS[i % len(HOSTILE_URLS)] if i % 3 else SAFE_URL
        r["source"] = SOURCE if i % 2 else r["source"]
        r["aspect"] = "<svg onload=alert('aspect')>"
        r["author"] = f"{r['author']}<script>alert('author')</script>"
        if r["kind"] == "pain_point" and r["topic"] == 0:
            r["label"] = f"pet hair {SCRIPT} <iframe src=javascript:alert(1)>"
        if r.get("self"):
            r["self"] = f"we have two huskies {IMG}"
    return rows


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    study = StudyConfig(name="hostile", product=f"Robot vacuums {SCRIPT}", output_dir=tmp / "out")
    with Store(tmp / "s.duckdb") as store:
        run = analyse(study, store, hostile_rows())
        paths = write_report(study, store, run)
    personas = sorted(paths["personas"].glob("persona-*.md"))
    assert len(personas) == 3  # the persona fields below are real drafts, not an empty section
    return {"html": paths["html"].read_text(encoding="utf-8"), "md": paths["markdown"].read_text(encoding="utf-8"),
            "personas": [p.read_text(encoding="utf-8") for p in personas]}


def unsafe(html: str, own_script: str | None) -> list[str]:
    """Everything in a page that could run code or lead to a non-http(s) URL."""
    soup = BeautifulSoup(html, "lxml")
    found = []
    scripts = soup.find_all("script")
    allowed = [own_script.strip()] if own_script is not None else []
    if [s.get_text().strip() for s in scripts] != allowed:
        found.append(f"{len(scripts)} <script> elements")
    for tag in soup.find_all(True):
        if tag.name in ("iframe", "object", "embed", "img", "form", "base", "frame", "link", "meta") and \
                not (tag.name == "meta" and set(tag.attrs) <= {"charset", "name", "content"}):
            found.append(f"<{tag.name}>")
        for attr, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if attr.lower().startswith("on"):
                found.append(f"{attr} on <{tag.name}>")
            if attr.lower() in ("href", "src", "action", "formaction", "xlink:href") and \
                    not (value.startswith("#") or re.match(r"https?://", value)):
                found.append(f'{attr}="{value}"')
            if attr.lower() == "style" and re.search(r"javascript:|expression\(|url\(", value, re.I):
                found.append(f'style="{value}"')
    return found


def test_html_report_runs_only_its_own_script_and_links_only_to_http(report):
    own = files("voc.report").joinpath("templates/report.js").read_text(encoding="utf-8")
    assert unsafe(report["html"], own) == []
    soup = BeautifulSoup(report["html"], "lxml")
    hrefs = [a["href"] for a in soup.find_all("a")]
    assert http_url(SAFE_URL) in hrefs  # a safe link is still a link, its quotes escaped in the attribute
    assert not any("javascript" in h.lower() or h.startswith(("data:", "vbscript:", "//", "file:")) for h in hrefs)
    # The hostile values are shown as text, so a reader sees what was written.
    text = soup.get_text()
    for shown in (SCRIPT, IMG, "<iframe src=javascript:alert(1)>", SOURCE, "we have two huskies <img"):
        assert shown in text, shown


def test_markdown_report_and_persona_files_link_only_to_http_and_hold_no_html(report):
    renderer = MarkdownIt("commonmark")  # raw HTML on, like most Markdown viewers
    for md in [report["md"], *report["personas"]]:
        # Link syntax is "](" not preceded by a backslash: "\\](" is an escaped bracket, shown as text.
        targets = re.findall(r"(?<!\\)\]\(\s*([^)\s]*)", md)
        assert targets and all(re.match(r"https?://", t) for t in targets), targets
        assert not re.search(r"(?<!\\)\]\(\s*(?:javascript|data|vbscript):", md, re.I)
        rendered = renderer.render(md)
        assert unsafe(rendered, None) == [], unsafe(rendered, None)
        shown = BeautifulSoup(rendered, "lxml").get_text()
        assert SCRIPT in shown and "[click](javascript:alert(1))" in shown


@pytest.mark.parametrize("url", HOSTILE_URLS + ["", None, "mailto:a@b.example", "https:///nohost"])
def test_only_http_urls_with_a_host_become_links(url):
    assert http_url(url) is None


@pytest.mark.parametrize("url", ["https://forum.example/t/1", "HTTP://Forum.example/a?b=c#d", " https://x.example/"])
def test_http_urls_stay_links(url):
    assert http_url(url) is not None and http_url(url).lower().startswith(("http://", "https://"))
