"""The whole pipeline as `voc run` executes it: Prefect flows over the demo corpus served locally."""

import json
import re

import pytest


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(demo_pipeline):
    return demo_pipeline


def test_first_run_collects_every_source(demo_run):
    _study, first, _second, _out = demo_run
    crawl = first["crawl"]
    assert crawl["errors"] == []
    assert crawl["new_documents"] >= 300
    assert set(crawl["sources"]) == {"botvac-forum", "homebots-community", "shop-reviews", "interviews"}
    assert all(s["new"] > 0 for s in crawl["sources"].values())


def test_second_run_adds_no_documents_and_reuses_work(demo_run):
    _study, _first, second, _out = demo_run
    assert second["crawl"]["new_documents"] == 0
    assert second["analyze"]["segment"]["documents_segmented"] == 0
    assert second["analyze"]["extract"]["sentences_classified"] == 0


def test_same_insights_give_identical_topic_assignments(demo_run):
    import duckdb

    _study, first, second, out = demo_run
    con = duckdb.connect(str(out / "voc.duckdb"), read_only=True)
    try:
        sql = "SELECT sent_id, kind, topic_id FROM insight_topics WHERE run_id = ? ORDER BY ALL"
        a = con.execute(sql, [first["analyze"]["run_id"]]).df()
        b = con.execute(sql, [second["analyze"]["run_id"]]).df()
    finally:
        con.close()
    assert len(a) > 300 and a.equals(b)


def test_unchanged_rerun_flags_every_topic_steady_and_counts_them_by_month(demo_run):
    from voc.store import Store
    from voc.trends import monthly_counts, topic_flags

    _study, _first, second, out = demo_run
    with Store(out / "voc.duckdb", read_only=True) as store:
        flags = topic_flags(store, "pain_point")
        months = monthly_counts(store, second["analyze"]["run_id"], "pain_point")
        sizes = store.query("SELECT topic_id, size FROM topics WHERE run_id = ? AND kind = 'pain_point' AND topic_id <> -1",
                            [second["analyze"]["run_id"]])
    assert len(flags) == len(sizes) >= 3
    assert set(flags["flag"]) == {"steady"} and (flags["previous"] == flags["size"]).all()
    assert (flags["previous_label"] == flags["label"]).all()
    # The demo's documents are all dated: every insight of a topic falls in some month.
    assert months.groupby("topic_id")["n"].sum().to_dict() == dict(zip(sizes["topic_id"], sizes["size"]))


def test_report_has_every_kind_personas_and_linked_quotes(demo_run, demo_server):
    _study, first, _second, out = demo_run
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    for title in ("Pain points", "Objections", "Purchase triggers", "Must-have features", "Success factors",
                  "Buying roles"):
        assert f"## {title}" in md
    topics = first["analyze"]["topics"]
    core = ("pain_point", "objection", "purchase_trigger", "must_have_feature")
    assert all(topics[k]["insights"] > 10 and topics[k]["topics"] >= 2 for k in core)
    # The outlier budget binds clustered kinds; a kind grouped by aspect leaves out what names no aspect
    # or an aspect only one insight names.
    assert all(topics[k]["outlier_share"] <= 0.15 for k in topics if topics[k]["method"] != "aspect-groups")
    # The interviews say what success means and who decides: both reach the report and the cards.
    assert topics["success_factor"]["insights"] >= 5 and topics["buying_role"]["method"] == "role-groups"
    assert "How they decide" in html and "decision maker (who had the final say)" in html
    # The brands the demo's reviewers and posters name lead the products table (learnt, not listed).
    products = md.split("## Products and competitors", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"^\| Roamo \| \d+ \|", products, re.M) and re.search(r"^\| Dustly \| \d+ \|", products, re.M)
    n_personas = html.count('<article class="persona"')
    assert 3 <= n_personas <= 8 and first["analyze"]["personas"]["personas"] == n_personas
    quotes = re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", html, flags=re.S)
    assert len(quotes) > 40
    for q in quotes:
        links = re.findall(r'<a href="([^"]+)"', q)
        assert len(links) == 1 and links[0].startswith(demo_server + "/"), q
    assert "<script src" not in html and "https://cdn" not in html and "<link rel=\"stylesheet\"" not in html
    assert "[email]" not in "".join(quotes) or "@" not in "".join(quotes)


def test_exports_and_persona_files(demo_run):
    _study, _first, _second, out = demo_run
    for name in ("insights", "topics", "personas"):
        for ext in ("csv", "json", "parquet"):
            assert (out / "exports" / f"{name}.{ext}").stat().st_size > 100
    personas = json.loads((out / "exports" / "personas.json").read_text())
    assert personas and all(p["items"]["pain_point"] or p["items"]["objection"] for p in personas)
    # Strict JSON (what jq and JSON.parse accept): no NaN/Infinity, no "NaT"; dates in ISO form.

    def no_constants(name):
        raise AssertionError(f"{name} is not JSON")

    insights = json.loads((out / "exports" / "insights.json").read_text(), parse_constant=no_constants)
    assert all(r["created_at"] != "NaT" for r in insights)
    dated = [r for r in insights if r["created_at"]]
    assert dated and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", r["created_at"]) for r in dated)
    assert any(r["rating"] is None for r in insights) and any(isinstance(r["rating"], float) for r in insights)
    assert len(list((out / "personas").glob("persona-*.md"))) == len(personas)


def test_store_is_queryable_with_duckdb_and_authors_are_pseudonymised(demo_run):
    import duckdb

    _study, _first, _second, out = demo_run
    con = duckdb.connect(str(out / "voc.duckdb"), read_only=True)
    try:
        kinds = dict(con.execute("SELECT kind, count(*) FROM insights GROUP BY kind").fetchall())
        # The demo voices every kind, the two newer ones included (its interviews say who decides).
        assert set(kinds) == {"pain_point", "objection", "purchase_trigger", "must_have_feature",
                              "success_factor", "buying_role"}
        assert con.execute("SELECT count(*) FROM documents WHERE text LIKE '%@gmail.com%' OR text LIKE '%201-7744%'").fetchall()[0][0] == 0
        authors = [r[0] for r in con.execute("SELECT DISTINCT author_hash FROM documents WHERE author_hash IS NOT NULL").fetchall()]
        assert authors and all(a.startswith("a_") for a in authors)
        assert "huskymom_tara" not in " ".join(authors)
        runs = con.execute("SELECT flow, status FROM runs ORDER BY started_at").fetchall()
        assert runs.count(("crawl", "completed")) == 2 and runs.count(("analyze", "completed")) == 2
    finally:
        con.close()


def test_voc_topics_prints_the_run_over_run_flag_and_the_90_day_trend_of_every_topic(demo_run):
    from typer.testing import CliRunner

    from voc.cli import app
    from voc.store import Store
    from voc.trends import topic_trends

    study, _first, second, out = demo_run
    with Store(out / "voc.duckdb", read_only=True) as store:
        over_time, window = topic_trends(store.insights_with_topics(second["analyze"]["run_id"]))
        sizes = store.run_topics(second["analyze"]["run_id"], "objection")
    result = CliRunner().invoke(app, ["topics", str(study), "--kind", "objection"])
    assert result.exit_code == 0, result.output
    assert window["reason"] is None and "last 90 days" in result.output
    rows = {int(r[0]): r[1:4] for r in (ln.split() for ln in result.output.splitlines() if ln.startswith("  "))}
    expected = {int(t.topic_id): [str(t.size), "steady", over_time[("objection", int(t.topic_id))]]
                for t in sizes.itertuples() if t.topic_id != -1}
    assert rows == expected and {v[2] for v in rows.values()} - {"few"}  # the demo spans a year: trends, not "few"


def test_demo_report_in_headless_chromium(chromium_binary, demo_run, tmp_path):
    """The demo report as the pipeline flow wrote it, in the browser (tests/integration/test_report_browser.py)."""
    from tests.integration.test_report_browser import check_in_browser

    _study, first, _second, out = demo_run
    assert 3 <= first["analyze"]["personas"]["personas"] <= 8
    check_in_browser(chromium_binary, out / "report.html", tmp_path / "first-screen.png", min_personas=3)


def test_how_they_decide_quotes_the_same_sentences_in_html_and_markdown(demo_run):
    from markupsafe import escape  # as the report's Jinja template escapes ("'" -> "&#39;")

    from voc.report.context import decide_quotes
    from voc.report.markdown import _cell

    _study, _first, _second, out = demo_run
    personas = json.loads((out / "exports" / "personas.json").read_text())
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    html_parts = [a.split("How they decide</h4>", 1)[1].split("<h4>", 1)[0].split('<details class="questions"', 1)[0]
                  for a in html.split('<article class="persona"')[1:]]
    md_parts = [s.split("\n**", 1)[0] for s in md.split("**How they decide:**")[1:]]
    expected = [[q["text"] for q in decide_quotes(p["buying_process"])] for p in personas]
    assert any(expected) and len(html_parts) == len(md_parts) == len(personas)
    for texts, in_html, in_md in zip(expected, html_parts, md_parts):
        assert in_html.count("<blockquote") == len(texts) and in_md.count("> “") == len(texts)
        for text in texts:
            assert f"“{_cell(text)}”" in in_md and f"“{escape(text)}”" in in_html
