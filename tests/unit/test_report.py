"""The report on small stores built by hand: edge cases must read plainly, never crash."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pandas as pd
import pytest

from voc import stages
from voc.config import StudyConfig
from voc.personas.events import _clause
from voc.personas.evidence import channel_of, pick_quotes, role_of
from voc.personas.phrases import distinctive_phrases
from voc.report import render_html, write_report
from voc.report.context import build_context, kind_tables, notices, overview
from voc.report.markdown import render_markdown
from voc.report.trends import changes_since
from voc.schema import Document, sentence_id
from voc.store import Store
from voc.trends import topic_trends

BASE = "https://forum.example"
# (kind, topic_id, label, text) per group of authors; every author voices their group's needs.
GROUPS = {
    "pets": [("pain_point", 0, "pet hair (brush, tangled)", "The brush is wrapped in husky hair after every single run."),
             ("purchase_trigger", 0, "puppy (golden retriever)", "We got a golden retriever puppy in May and the floors became fur."),
             ("must_have_feature", 0, "brush (rubber, tangle-free)", "It needs a tangle-free rubber brush for dog hair.")],
    "price": [("objection", 0, "price (rent, dollars)", "Eight hundred dollars for a vacuum is more than my rent share."),
              ("purchase_trigger", 1, "sale (prime day)", "It dropped to $299 on Prime Day so I finally caved."),
              ("pain_point", 1, "navigation (random, misses)", "The cheap one bounces around randomly and misses half the kitchen.")],
    "privacy": [("objection", 1, "camera (photos, bedroom)", "I am not putting a camera that uploads photos in my bedroom."),
                ("must_have_feature", 1, "local control (cloud account)", "Local control without a cloud account is non-negotiable."),
                ("pain_point", 2, "app (login, schedules)", "The app forced a new login and wiped my schedules again.")],
}


def add_corpus(store: Store, rows: list[dict], run_id: str) -> None:
    """Documents, one sentence each, their insights and this run's topics, as the stages write them."""
    by_source: dict[str, list[Document]] = {}
    for r in rows:
        by_source.setdefault(r["source"], []).append(Document(
            source=r["source"], native_id=r["id"], kind=r.get("doc_kind", "post"), text=r["text"],
            url=r.get("url", f"{BASE}/{r['source']}/{r['id']}"), thread_id=r.get("thread"), author_hash=r.get("author"),
            created_at=r.get("date"), rating=r.get("rating")))
    for source, docs in by_source.items():
        store.commit_batch(docs, source, None)
    docs = {d.native_id: d for ds in by_source.values() for d in ds}
    sents = pd.DataFrame([{"sent_id": sentence_id(docs[r["id"]].doc_id, 0), "doc_id": docs[r["id"]].doc_id, "idx": 0,
                           "text": r["text"], "start_char": 0, "end_char": len(r["text"])} for r in rows])
    store.save_sentences(sents, sents["doc_id"].tolist())
    ins = pd.DataFrame([{"sent_id": s, "kind": r["kind"], "aspect": r.get("aspect"), "strength": None,
                         "confidence": r.get("conf", 0.8), "method": r.get("method", "test")} for s, r in zip(sents["sent_id"], rows)
                        if r.get("kind")],
                       columns=["sent_id", "kind", "aspect", "strength", "confidence", "method"])
    attrs = pd.DataFrame([{"doc_id": docs[r["id"]].doc_id, "author_hash": r.get("author"), "attribute": r["self"],
                           "sent_id": s} for s, r in zip(sents["sent_id"], rows) if r.get("self")],
                         columns=["doc_id", "author_hash", "attribute", "sent_id"])
    store.save_insights(ins, attrs, sents["sent_id"].tolist(), "test")
    every = store.query("SELECT i.sent_id, i.kind FROM insights i")
    topic_of = {(s, r["kind"]): r.get("topic", -1) for s, r in zip(sents["sent_id"], rows) if r.get("kind")}
    labels = {(r["kind"], r.get("topic", -1)): r.get("label", "unassigned (outliers)") for r in rows if r.get("kind")}
    for kind, g in every.groupby("kind"):
        assign = pd.DataFrame({"sent_id": g["sent_id"], "topic_id": [topic_of.get((s, kind), -1) for s in g["sent_id"]]})
        sizes = assign.groupby("topic_id").size()
        topics = pd.DataFrame([{"topic_id": int(t), "label": labels.get((kind, t), "unassigned (outliers)"),
                                "keywords": labels.get((kind, t), "x").split(" (")[0].split(), "size": int(n)}
                               for t, n in sizes.items()])
        store.save_topics(run_id, kind, topics, assign)


def group_rows(authors: int = 12, start: datetime = datetime(2025, 1, 1), sources=("forum", "reviews")) -> list[dict]:
    rows = []
    for g, (group, items) in enumerate(GROUPS.items()):
        for a in range(authors):
            for j, (kind, topic, label, text) in enumerate(items):
                rows.append({"id": f"{group}-{a}-{j}", "source": sources[(a + j) % len(sources)], "kind": kind,
                             "topic": topic, "label": label, "text": f"{text} ({group} voice {a})",
                             "author": f"a_{group}_{a}", "date": start + timedelta(days=7 * a + g),
                             "self": "we have two huskies" if group == "pets" and a < 3 else None})
    return rows


def analyse(study: StudyConfig, store: Store, rows: list[dict]) -> str:
    run = store.start_run("analyze")
    add_corpus(store, rows, run)
    stages.personas_stage(study, store, run)
    store.finish_run(run, "completed", {}, [])
    return run


@pytest.fixture
def study(tmp_path):
    return StudyConfig(name="tiny", product="Robot vacuums", output_dir=tmp_path / "out")


def quotes_in(html: str) -> list[str]:
    return re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", html, flags=re.S)


@pytest.mark.parametrize("n, said", [(1, "1 objection was filed"), (3, "3 objections were filed")])
def test_the_method_notes_count_the_objections_a_rule_filed(study, tmp_path, n, said):
    from markupsafe import escape

    from voc.extract.rules import RULE_NOTE

    rows = group_rows()
    ruled = [r for r in rows if r["kind"] == "objection"][:n]
    for r in ruled:
        r["method"] = "rule"
    with Store(tmp_path / "s.duckdb") as store:
        run = analyse(study, store, rows)
        paths = write_report(study, store, run)
    note = said + RULE_NOTE.removeprefix("filed")
    assert note in paths["markdown"].read_text(encoding="utf-8")
    assert str(escape(note)) in paths["html"].read_text(encoding="utf-8")  # as Jinja escapes it
    exported = pd.read_csv(paths["exports"] / "insights.csv")
    assert sorted(exported.loc[exported["method"] == "rule", "text"]) == sorted(r["text"] for r in ruled)


def test_full_report_has_personas_tables_and_linked_quotes(study, tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        run = analyse(study, store, group_rows())
        paths = write_report(study, store, run)
    html = paths["html"].read_text(encoding="utf-8")
    md = paths["markdown"].read_text(encoding="utf-8")
    assert html.count('<article class="persona"') == 3
    assert 'id="table-pain_point"' in html and "<svg" in html and "<script src" not in html
    # Every theme table counts its people beside its mentions, in both renderings.
    assert html.count('title="different people (authors) who made these mentions">People</th>') == html.count(
        'class="kind-table"') > 0 and "| Mentions | People | Share |" in md
    for q in quotes_in(html):
        assert re.findall(r'<a href="([^"]+)"', q)[0].startswith(BASE), q
    assert "puppy" in html and "Questions to validate this draft" in html and "confidence" in html
    for title in ("Pain points", "Objections", "Purchase triggers", "Must-have features", "Persona drafts",
                  "What changed since the last crawl", "Method notes"):
        assert f"## {title}" in md
    assert "This is the first analysis" in md and "the labelling guide's rule" not in md
    persona = json.loads((paths["personas"] / "persona-1.json").read_text())
    assert set(persona["interview_questions"]) == {"success_factors", "perceived_barriers", "buyer_journey"}
    # The HTML and Markdown cards name the same themes on their "Less often than others" lines,
    # and the export keeps the persona's data, not how the card lays it out.
    less = [line.split(": ", 1)[1] for line in md.splitlines() if line.startswith("- Less often than others: ")]
    assert html.count('<p class="less">Less often than others: ') == len(less)
    assert html.count("Nothing they raise more often than others.") == md.count("- Nothing they raise more often")
    assert all(re.sub(r" \(\d+\)", "", entry).split(", ")[0] in html for entry in less)
    assert "raised" not in persona and persona["items"]
    assert (paths["personas"] / "persona-1.md").read_text().startswith("# The ")
    for name in ("insights", "topics", "personas"):
        assert (paths["exports"] / f"{name}.parquet").exists()


def test_ten_documents_one_source_and_an_empty_kind_are_said_plainly(study, tmp_path):
    rows = [{"id": f"d{i}", "source": "forum", "kind": ["pain_point", "purchase_trigger", "must_have_feature"][i % 3],
             "topic": 0, "label": ["dock (noise)", "moved (house)", "quiet (mode)"][i % 3], "author": f"a{i % 4}",
             "text": f"The dock is loud at night and wakes the baby, post {i}.", "date": datetime(2025, 3, 1 + i)}
            for i in range(10)]
    with Store(tmp_path / "s.duckdb") as store:
        run = analyse(study, store, rows)
        paths = write_report(study, store, run)
    html = paths["html"].read_text(encoding="utf-8")
    md = paths["markdown"].read_text(encoding="utf-8")
    for text in (html, md):
        assert "Only 10 documents" in text
        assert "All documents come from one source (forum)" in text
        assert "No objections were found" in text
        assert "too few to split" in text  # 4 voices cannot make 3 segments
    assert html.count('<article class="persona"') <= 1


def test_no_insights_and_no_dates_still_make_a_report(study, tmp_path):
    rows = [{"id": f"d{i}", "source": "forum", "text": f"Hello everyone, post {i}.", "author": f"a{i}"} for i in range(3)]
    with Store(tmp_path / "s.duckdb") as store:
        run = analyse(study, store, rows)
        paths = write_report(study, store, run)
    html = paths["html"].read_text(encoding="utf-8")
    assert "No insights were found" in html and "No document has a date" in html
    assert "No persona drafts" in html and html.count('<article class="persona"') == 0
    assert "No insights were found" in paths["markdown"].read_text(encoding="utf-8")


def test_second_run_shows_new_themes_since_the_last_crawl(study, tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        analyse(study, store, group_rows())
        later = group_rows() + [
            {"id": f"new-{i}", "source": "forum", "kind": "objection", "topic": 2, "label": "subscription (monthly fee)",
             "text": f"A monthly subscription for a vacuum is a deal-breaker, number {i}.", "author": f"a_new_{i}",
             "date": datetime(2025, 6, 1) + timedelta(days=i)} for i in range(5)]
        run = analyse(study, store, later)
        ctx = build_context(study, store, run)
    assert ctx["changes"]["status"] == "changed" and ctx["changes"]["new_insights"] == 5
    assert [t["label"] for t in ctx["changes"]["themes"]] == ["subscription (monthly fee)"]
    assert "subscription (monthly fee)" in render_markdown(ctx).split("## What changed")[1]
    assert "● new" in render_html(ctx)


def test_html_and_markdown_cards_name_the_same_less_often_themes(study, tmp_path):
    from voc.personas.wording import raised

    with Store(tmp_path / "s.duckdb") as store:
        run = analyse(study, store, group_rows())
        ctx = build_context(study, store, run)
    card = ctx["personas"][0]
    # One theme per kind raised less than by everyone (its label holding markup, which must stay text).
    for its in card["items"].values():
        if its:
            its[-1].update(lift=0.4, label=its[-1]["label"] + " <b>")
    shown = raised(card["items"])
    less = [it["label"] for k in shown for it in shown[k]["less"]]
    assert less
    html, md = render_html(ctx), render_markdown(ctx)
    for label in less:
        assert label.replace("<", "&lt;").replace(">", "&gt;") in html.split('<p class="less">', 1)[1]
    assert html.count('<p class="less">Less often than others: ') == md.count("- Less often than others: ") > 0
    assert "<b>" not in md.split("## Persona drafts")[1] and " <b>" not in html.split('<section id="personas">')[1]


def test_trends_compare_shares_in_the_last_90_days():
    days = pd.date_range("2025-01-01", "2025-12-31", freq="3D")
    items = pd.DataFrame({"kind": "pain_point", "created_at": days,
                          "topic_id": [1 if d > pd.Timestamp("2025-10-02") and i % 2 else 0 for i, d in enumerate(days)]})
    trends, window = topic_trends(items)
    assert trends[("pain_point", 1)] == "new" and window["to"] == "2025-12-30"
    assert trends[("pain_point", 0)] == "down"  # still the most mentions, but its share fell from 1 to ~0.5
    short, why = topic_trends(items[items["created_at"] > "2025-11-01"])
    assert short == {} and "less than" in why["reason"]


def test_changes_need_two_new_mentions_and_a_previous_run():
    items = pd.DataFrame({"sent_id": list("abcdef"), "kind": "objection", "topic_id": [0, 0, 0, 1, 1, 2]})
    topics = pd.DataFrame({"kind": "objection", "topic_id": [0, 1, 2], "label": ["price", "camera", "noise"]})
    assert changes_since(items, topics, None)["status"] == "first"
    assert changes_since(items, topics, {(s, "objection") for s in "abcdef"})["status"] == "none"
    changed = changes_since(items, topics, {(s, "objection") for s in "abc"})
    assert [(t["label"], t["status"]) for t in changed["themes"]] == [("camera", "new")]  # "noise": one mention


def test_tables_rank_themes_and_put_outliers_last():
    items = pd.DataFrame({"sent_id": [f"s{i}" for i in range(7)], "kind": "pain_point", "topic_id": [-1, -1, -1, 0, 1, 1, 1],
                          "aspect": "dock", "strength": None, "confidence": 0.9, "text": [f"quote {i} " * 8 for i in range(7)],
                          "url": "http://x/1", "source": "forum", "created_at": None, "doc_id": [f"d{i}" for i in range(7)]})
    topics = pd.DataFrame({"kind": "pain_point", "topic_id": [-1, 0, 1], "label": ["outliers", "a", "b"],
                           "keywords": [["x"], ["y"], ["z"]]})
    t = kind_tables(items, topics, {})["pain_point"]
    assert [e["label"] for e in t["topics"]] == ["b", "a", "outliers"] and t["themes"] == 2
    o = overview(pd.DataFrame({"source": ["forum"], "kind": ["review"], "rating": [5.0], "created_at": [None], "lang": ["en"]}),
                 items, 7)
    assert o["mid_rated_share"] == 0.0 and o["date_from"] is None
    said = notices(o, kind_tables(items, topics, {}), {}, 0)
    assert any("one source" in n for n in said) and any("No objections" in n for n in said)


def test_evidence_helpers():
    rows = pd.DataFrame({"sent_id": ["a", "b", "c"], "doc_id": ["d1", "d1", "d2"], "confidence": [0.9, 0.9, 0.7],
                         "text": ["- The dock is so loud it wakes the whole house every night.",
                                  "And the dock smells of wet dog after every single mopping run.",
                                  "The bin is tiny and fills up after one room of dog hair."],
                         "url": ["http://f/1", "http://f/1", None], "source": "forum", "created_at": None})
    quotes = pick_quotes(rows, n=2)
    assert [q["text"][:8] for q in quotes] == ["The dock", "The bin "]  # one per document first, list marker gone
    assert quotes[1]["url"] is None
    assert channel_of("reddit", "https://www.reddit.com/r/RobotVacuums/comments/x") == "r/RobotVacuums"
    assert channel_of("shop", "http://127.0.0.1:8765/reviews/1") == "shop"
    assert channel_of("vendor", "https://forum.vendor.com/t/1") == "vendor (forum.vendor.com)"
    assert role_of("i'm a nurse") == "nurse" and role_of("we got a puppy") == "dog owner"
    assert role_of("i have three cats") == "cat owner" and role_of("retired machinist") == "retired machinist"
    assert [_clause(t) for t in ["Our old one finally died last week.", "We moved into an old house with stairs."]] == [
        "whose old one died", "who moved into an old house"]
    texts = pd.Series(["dog hair everywhere", "the dog hair again", "price is high", "price is too high", "app app"])
    voices = pd.Series(["a", "b", "c", "d", "e"])
    assert distinctive_phrases(texts, voices, pd.Series([True, True, False, False, False]))[0] == "dog hair"


def test_previous_run_of_a_run_that_failed_after_writing_topics(tmp_path):
    from voc.report.context import _previous_run

    with Store(tmp_path / "s.duckdb") as store:
        first = store.start_run("analyze")
        store.finish_run(first, "completed", {}, [])
        second = store.start_run("analyze")
        store.finish_run(second, "completed", {}, [])
        broken = store.start_run("analyze")
        store.finish_run(broken, "failed", {}, ["personas: out of memory"])
        assert _previous_run(store, first) is None
        assert _previous_run(store, second) == first
        assert _previous_run(store, broken) == second


def test_on_a_qa_corpus_askers_themes_lead_and_quotes_come_from_questions():
    # Sentences from the coffee.stackexchange dump: the grinder theme has more mentions, all but
    # one from answerers' advice; the moka pot theme is raised by two askers.
    texts = ["I notice that some barista's keep whacking the doser on the coffee grinder.",
             "A burr grinder gives a more even grind than a blade grinder.",
             "Grind just before brewing; a cheap burr grinder beats a blade grinder.",
             "You should get a conical burr grinder.",
             "The bottom part of my moka pot has a slimy surface which is extremely difficult to scrub.",
             "My moka pot leaks steam around the gasket.",
             "Replace the moka pot gasket every year."]
    items = pd.DataFrame({"sent_id": [f"s{i}" for i in range(7)], "kind": "pain_point", "topic_id": [0, 0, 0, 0, 1, 1, 1],
                          "aspect": None, "strength": None, "confidence": 0.9, "text": texts, "url": "https://coffee.stackexchange.com/q/1",
                          "source": "coffee-se", "created_at": None, "doc_id": [f"d{i}" for i in range(7)],
                          "doc_kind": ["question", "answer", "answer", "answer", "question", "question", "answer"]})
    topics = pd.DataFrame({"kind": "pain_point", "topic_id": [0, 1], "label": ["grinder", "moka pot"],
                           "keywords": [["grinder"], ["moka"]]})
    t = kind_tables(items, topics, {})["pain_point"]
    assert [(e["label"], e["askers"], e["count"]) for e in t["topics"]] == [("moka pot", 2, 3), ("grinder", 1, 4)]
    assert t["in_questions"] == 3 and [e["people"] for e in t["topics"]] == [3, 4]
    assert [q["text"] for q in t["topics"][0]["quotes"][:2]] == [texts[4], texts[5]]
    assert t["topics"][1]["quotes"][0]["text"] == texts[0]
    md = "\n".join(render_markdown_kind(t))
    assert "| Mentions | People | Askers |" in md and "3 of 7 mentions are in questions" in md
    assert "| 1 | moka pot | 3 | 3 | 2 |" in md
    # Askers and people are people, not sentences: both moka pot questions by one author are one asker.
    one = kind_tables(items.assign(author_hash=["a", "b", "c", "d", "e", "e", "f"]), topics, {})["pain_point"]
    assert [(e["label"], e["askers"], e["people"], e["count"]) for e in one["topics"]] == [
        ("grinder", 1, 4, 4), ("moka pot", 1, 2, 3)]
    # Reviews only: no askers column, themes by mentions.
    plain = kind_tables(items.drop(columns="doc_kind"), topics, {})["pain_point"]
    assert plain["in_questions"] is None and [e["label"] for e in plain["topics"]] == ["grinder", "moka pot"]
    # Mostly reviews with a little Q&A: ranking by askers would bury the review themes.
    mixed = items.assign(doc_kind=["question", "answer", "review", "review", "review", "review", "review"])
    assert kind_tables(mixed, topics, {})["pain_point"]["in_questions"] is None


def test_quotes_the_classifier_is_unsure_of_are_left_out_beside_sure_ones_and_marked_alone():
    # Pain points of the coffee.stackexchange report with the confidence the shipped classifier gave
    # them: the on-label "grinder" sentences at 0.29 and 0.30 were judged not pain points at all.
    texts = ["I notice that some barista's keep whacking the doser on the coffee grinder when they fill the espresso holder.",
             "By my own empirical evidence, I would guess that time since grinding, coarseness of the grind, and tamping "
             "pressure are the biggest factors.",
             "The bottom part of my moka pot has a slimy surface which is extremely difficult to scrub.",
             "My hand grinder takes ten minutes of cranking for one cup and my wrist hurts after."]
    items = pd.DataFrame({"sent_id": [f"s{i}" for i in range(4)], "kind": "pain_point", "topic_id": 0, "aspect": None,
                          "strength": None, "confidence": [0.29, 0.30, 0.80, 0.69], "text": texts,
                          "url": "https://coffee.stackexchange.com/q/10", "source": "coffee-se", "created_at": None,
                          "doc_id": ["d0", "d1", "d2", "d3"]})
    topics = pd.DataFrame({"kind": "pain_point", "topic_id": [0], "label": ["grinder"], "keywords": [["grinder"]]})
    quotes = kind_tables(items, topics, {})["pain_point"]["topics"][0]["quotes"]
    # The sure quote alone, though it never says "grinder"; none of the unsure ones that do.
    assert [(q["text"][:16], q["sure"], q["confidence"]) for q in quotes] == [("The bottom part ", True, 0.8)]
    # Without it, the best unsure one alone, marked.
    unsure_only = items[items["sent_id"] != "s2"]
    md = "\n".join(render_markdown_kind(kind_tables(unsure_only, topics, {})["pain_point"]))
    assert "takes ten minutes of cranking" in md and "*(unsure, 0.69: check before use)*" in md
    assert md.count("check before use") == 1 and "whacking" not in md
    # A theme with a sure quote leads the first screen over a bigger one without, if it has at least
    # half the mentions of the biggest.
    from voc.report.context import highlights

    named = pd.DataFrame({"kind": "pain_point", "topic_id": [0, 1], "label": ["grinder", "moka pot"],
                          "keywords": [["grinder"], ["moka"]]})
    unsure = [items.assign(sent_id=[f"t{i}" for i in range(4)], confidence=0.3, topic_id=0)]
    for extra, lead in ((2, ("moka pot", 2, True)), (4, ("grinder", 6, False))):
        rows = pd.concat([items.assign(topic_id=[1, 0, 1, 0])] + [u.head(extra) for u in unsure])
        top = {h["kind"]: h for h in highlights(kind_tables(rows, named, {}))}["pain_point"]
        assert (top["label"], top["count"], top["quote"]["sure"]) == lead


def test_unsure_quotes_are_marked_wherever_they_are_shown(study, tmp_path):
    from voc.alerts import Alert, message

    rows = group_rows()
    for r in rows:  # the pet-hair pain point scored 0.698: below the cut, so never shown as "0.70"
        r["conf"] = 0.698 if r["label"].startswith("pet hair") else 0.8
    with Store(tmp_path / "s.duckdb") as store:
        run = analyse(study, store, rows)
        paths = write_report(study, store, run)
    html = paths["html"].read_text(encoding="utf-8")
    marked = re.findall(r'<blockquote class="unsure">(.*?)</blockquote>', html, flags=re.S)
    assert marked and all("husky hair" in q and "unsure (0.69): check before use" in q for q in marked)
    assert sum("husky hair" in q for q in quotes_in(html)) == len(marked)  # every pet-hair quote carries it
    cards = "\n".join(p.read_text() for p in paths["personas"].glob("persona-*.md"))
    assert "husky hair" in cards and "*(unsure, 0.69: check before use)*" in cards
    q = {"text": "The brush is wrapped in husky hair after every single run.", "url": "http://x/1",
         "confidence": 0.69, "sure": False}
    _title, body = message(study, [Alert("pain_point", "pet hair", 12, 12, None, [q, {**q, "sure": True}])])
    assert body.count("(unsure, 0.69)") == 1


def test_a_theme_with_sure_quotes_shows_no_unsure_one_and_a_theme_without_shows_one():
    from voc.personas.evidence import label_quotes

    rows = pd.DataFrame({"sent_id": ["a", "b", "c", "d"], "doc_id": ["d1", "d2", "d3", "d4"],
                         "confidence": [0.8, 0.6, 0.65, 0.75],
                         "text": ["The claim was denied after three months of waiting.",
                                  "- The claim was denied after three months of waiting.",
                                  "They denied my claim for a pre-existing condition.",
                                  "- The claim was denied after three months of waiting."],
                         "url": None, "source": "trustpilot", "created_at": None})
    # Sure in two reviews (a, d), unsure in a third: quoted once; the unsure c is not shown beside it.
    assert [(q["text"][:14], q["sure"]) for q in label_quotes(rows, "claim denied")] == [("The claim was ", True)]
    unsure = rows.iloc[1:3]
    assert [(q["text"][:14], q["sure"]) for q in label_quotes(unsure, "claim denied")] == [("They denied my", False)]
    # Askers first: a mask indexed like the rows is used as given, one indexed otherwise is refused.
    asked = pd.Series([False, False, True, False], index=rows.index)
    assert [q["text"][:14] for q in label_quotes(rows.assign(confidence=0.9), "claim denied", 2, asked)] == [
        "They denied my", "The claim was "]
    with pytest.raises(ValueError, match="indexed like"):
        label_quotes(unsure, "claim denied", first=asked)
    with pytest.raises(ValueError, match="indexed like"):  # as long, but numbered afresh
        label_quotes(rows.set_axis([10, 11, 12, 13]), "claim denied", first=asked)


def test_markdown_quotes_every_theme_it_lists():
    # Eleven pet-insurance themes (Trustpilot labels); the table lists them all, so all get quotes.
    labels = ["claim denied", "premium increase", "vet records", "cancel policy", "email response", "pre-existing",
              "deductible", "app login", "customer service", "wellness plan", "reimbursement time"]
    items = pd.DataFrame({"sent_id": [f"s{i}" for i in range(22)], "kind": "pain_point",
                          "topic_id": [i // 2 for i in range(22)], "aspect": None, "strength": None, "confidence": 0.9,
                          "text": [f"My {labels[i // 2]} problem went on for weeks, number {i}." for i in range(22)],
                          "url": "http://x/1", "source": "trustpilot", "created_at": None,
                          "doc_id": [f"d{i}" for i in range(22)]})
    topics = pd.DataFrame({"kind": "pain_point", "topic_id": range(11), "label": labels, "keywords": [[]] * 11})
    md = "\n".join(render_markdown_kind(kind_tables(items, topics, {})["pain_point"]))
    assert all(f"**{label}**" in md for label in labels) and md.count("> “My ") == 22


def render_markdown_kind(table):
    from voc.report.markdown import _kind

    return _kind(table, {})


def test_at_a_glance_names_a_theme_or_says_there_is_none_yet():
    from voc.report.context import highlights

    # Success factors grouped by aspect, two without one (unassigned), the rest in small themes.
    items = pd.DataFrame({"sent_id": [f"s{i}" for i in range(9)], "kind": ["success_factor"] * 5 + ["pain_point"] * 4,
                          "topic_id": [-1, -1, 1, 2, 3, 0, 0, 1, 1], "aspect": None, "strength": None, "confidence": 0.9,
                          "text": [f"quote {i} " * 8 for i in range(9)], "url": "http://x/1", "source": "forum",
                          "created_at": None, "doc_id": [f"d{i}" for i in range(9)]})
    topics = pd.DataFrame({"kind": ["success_factor"] * 4 + ["pain_point"] * 2, "topic_id": [-1, 1, 2, 3, 0, 1],
                           "label": ["unassigned (outliers)", "battery", "quiet", "time", "various (app, wifi)",
                                     "suction (carpet)"],
                           "keywords": [[]] * 6})
    glance = {h["kind"]: h for h in highlights(kind_tables(items, topics, {}))}
    assert glance["success_factor"]["label"] is None and glance["success_factor"]["total"] == 5
    assert (glance["pain_point"]["label"], glance["pain_point"]["count"]) == ("suction (carpet)", 2)


def test_a_kind_with_nothing_grouped_still_shows_its_quotes():
    # The coffee Q&A study's purchase triggers: six, each naming its own aspect, so no theme. The
    # Markdown report quoted none of them (the HTML did).
    texts = ["In a few months, I'll have to buy my own machine to practice on.",
             "I use a camping stove temporarily, but it requires me to buy gas refills every now and then."]
    items = pd.DataFrame({"sent_id": ["s0", "s1"], "kind": "purchase_trigger", "topic_id": -1, "aspect": None,
                          "strength": None, "confidence": [0.9, 0.8], "text": texts,
                          "url": ["https://coffee.stackexchange.com/q/344", "https://coffee.stackexchange.com/q/78"],
                          "source": "coffee-se", "created_at": None, "doc_id": ["d0", "d1"]})
    topics = pd.DataFrame({"kind": ["purchase_trigger"], "topic_id": [-1], "label": ["unassigned (outliers)"],
                           "keywords": [[]]})
    md = "\n".join(render_markdown_kind(kind_tables(items, topics, {})["purchase_trigger"]))
    assert "**Not grouped into a theme**" in md
    assert all(f"> “{t}”" in md for t in texts)


def test_life_events_from_real_trigger_sentences_keep_their_last_words(shared):
    """Cut at 44 characters these read "who upgraded to a wireless G Linksys USB" and "who got a
    London Fog trenchcoat for" (an Amazon electronics review and a r/BuyItForLife post)."""
    import re

    amazon = (shared / "amazon_reviews_multidomain_blitzer2007" / "electronics" / "negative.review").read_text(
        encoding="latin-1")
    reddit = (shared / "reddit_top_posts_umbrae2013" / "BuyItForLife.csv").read_text(encoding="utf-8")
    upgraded = re.search(r"I upgraded to a wireless G Linksys USB adaptor[^.]*\.", amazon).group(0)
    trenchcoat = re.search(r"[^.]*London Fog trenchcoat for Christmas[^.]*\.", reddit).group(0)
    assert _clause(upgraded) == "who upgraded to a wireless G Linksys USB adaptor"
    assert _clause(trenchcoat) == "who got a London Fog trenchcoat for Christmas"


def test_a_life_event_names_a_segment_only_when_several_voices_tell_of_it(shared):
    """r/BuyItForLife's top posts, one voice per post: the events two or more posts tell of, each
    in the words that stand for it; one post's London Fog trenchcoat is an anecdote."""
    import re

    from voc.personas.events import shared_events

    posts = pd.read_csv(shared / "reddit_top_posts_umbrae2013" / "BuyItForLife.csv")
    texts, voices = [], []
    for post in posts.itertuples():
        for field in (post.title, post.selftext):
            for sentence in re.split(r"(?<=[.!?])\s+", field) if isinstance(field, str) else []:
                if _clause(sentence):
                    texts.append(sentence)
                    voices.append(post.id)
    events = shared_events(texts, voices)
    assert events[0] == "who waits for a deal"  # nine posts wait for a sale or a deal
    # "whose last belt broke", "whose fourth glue gun broke" and "whose stove died" are one event.
    broke = [v for t, v in zip(texts, voices) if _clause(t) in ("whose last belt broke", "whose fourth glue gun broke",
                                                                 "whose stove died")]
    assert len(set(broke)) == 3 and "whose stove died" in events
    assert shared_events(texts, voices, set(broke))[0] == "whose stove died"  # the segment's own event first
    trenchcoat = "who got a London Fog trenchcoat for Christmas"
    assert trenchcoat not in events and trenchcoat in shared_events(texts, voices, least=1, top=50)



def test_an_event_stands_for_others_without_its_names():
    """Clauses from real Amazon electronics reviews in the bench corpus: without the model's or
    brand's name they can stand for every voice whose headphones died, unless nothing is left."""
    from voc.personas.events import _unnamed

    assert _unnamed("whose Sony headphones died") == "whose headphones died"
    assert _unnamed("who upgraded to Windows XP") == "who upgraded"
    assert _unnamed("whose Cyber Acoustics died") is None
    assert _unnamed("whose old Sennheisers broke down") is None
    assert _unnamed("who got a London Fog trenchcoat") is None  # "who got a" tells no event
    # Switching to a named brand is switching brands (the brand is the other one).
    assert _unnamed("who switched to Figo") == _unnamed("who switched to Pet's Best") == "who switched brands"


def test_an_event_told_by_more_voices_without_its_names_beats_a_plain_one(shared):
    """Trustpilot pet-insurance reviews: two reviewers switched to a named insurer, one "switched
    back"; the persona read "The customer who switched back" and a judge asked: from what?"""
    from voc.personas.events import shared_events

    reviews = pd.concat([pd.read_csv(shared / "trustpilot_pet_insurance_reviews" / f"{name}_reviews.csv")
                         for name in ("aspca", "figo", "healthypaws")], ignore_index=True)
    found = {}
    for wanted in ("There coverage wasn", "We switched to Figo because", "I switched to Pet's Best which"):
        text = next(t for t in reviews["text"].dropna() if wanted in t)
        found[wanted] = next(s for s in re.split(r"(?<=[.!?])\s+", text) if s.startswith(wanted))
    texts, voices = list(found.values()), ["aspca-1", "figo-1", "healthypaws-1"]
    assert [_clause(t) for t in texts] == ["who switched back", "who switched to Figo", "who switched to Pet's Best"]
    assert shared_events(texts, voices) == ["who switched brands"]
    # One plain clause still beats one voice's brand: "who upgraded to a new laptop" is not "who upgraded".
    assert shared_events(["I upgraded to a new laptop.", "We upgraded to Windows XP."], ["a", "b"]) == [
        "who upgraded to a new laptop"]


def test_json_exports_are_written_record_by_record_as_one_dump_would_write_them(shared, tmp_path):
    from voc.report import json_safe, write_json_array

    reviews = pd.read_csv(shared / "trustpilot_pet_insurance_reviews" / "figo_reviews.csv")
    records = json_safe(reviews.head(300).to_dict(orient="records"))
    # What a naive line-by-line writer gets wrong: 27 of these reviews span lines, 66 are not ASCII.
    assert sum("\n" in r["text"] for r in records) == 27 and sum(not r["text"].isascii() for r in records) == 66
    for rows in (records, records[:1], []):
        path = tmp_path / "out.json"
        write_json_array(path, iter(rows))
        assert path.read_text(encoding="utf-8") == json.dumps(rows, indent=1, ensure_ascii=False, allow_nan=False)
        assert json.loads(path.read_text(encoding="utf-8")) == rows
    assert not list(tmp_path.glob("*.part"))
    # A record JSON cannot hold fails the export and leaves the previous file as it was, no side file.
    with pytest.raises(ValueError):
        write_json_array(path, iter([records[0], {"rating": float("nan")}]))
    assert path.read_text(encoding="utf-8") == "[]" and not list(tmp_path.glob("*.part"))


def test_quotes_that_also_speak_of_a_bracketed_term_come_first(shared):
    # Real Trustpilot reviews of Healthy Paws. A content lead read the theme "policy (cancel,
    # renewed)" as mislabelled: its three quotes spoke of the policy, none of cancelling or renewing it.
    import csv

    from voc.personas.evidence import label_quotes

    with (shared / "trustpilot_pet_insurance_reviews" / "healthypaws_reviews.csv").open(encoding="utf-8") as fh:
        reviews = list(csv.DictReader(fh))
    sentences = [(r["id"], s) for r in reviews for s in re.split(r"(?<=[.!?])\s+", r["text"]) if re.search(r"\bpolicy\b", s, re.I)]
    terms = re.compile(r"\b(cancel|renew)", re.I)
    plain = [x for x in sentences if not terms.search(x[1])][:12]
    told = [x for x in sentences if terms.search(x[1])][:3]
    rows = pd.DataFrame({"sent_id": [f"s{i:02d}" for i in range(15)], "doc_id": [d for d, _ in plain + told],
                         "text": [t for _, t in plain + told], "confidence": 0.9, "url": None,
                         "source": "trustpilot", "created_at": None})
    quotes = label_quotes(rows, "policy (cancel, renewed)")
    assert sorted(q["text"] for q in quotes) == sorted(t for _, t in told)
    # Without the terms, the head alone: the plain sentences compete on their own merits.
    assert not all(terms.search(q["text"]) for q in label_quotes(rows, "policy"))
    # A role's description is stop words, which prove nothing; the outliers have no terms.
    from voc.topics.labels import OUTLIER_LABEL, on_terms

    texts = rows["text"].tolist()
    assert not on_terms(texts, "user (who it is for)").any() and not on_terms(texts, OUTLIER_LABEL).any()
    assert on_terms(texts, "policy (cancel, renewed)").sum() == 3


def test_a_review_sites_answer_head_is_no_part_of_a_quote(shared):
    # Real Capterra review of Forms On Fire, its "Cons" answer imported as written.
    import csv

    from voc.personas.evidence import label_quotes

    with (shared / "software_reviews_capterra_nocode" / "Capterra-Forms-On-Fire.csv").open(encoding="utf-8-sig") as fh:
        cell = next(c for r in csv.reader(fh) for c in r if "constant emails I get from support" in c)
    sentence = cell.split(". ")[0] + "."
    assert sentence == "Cons:\xa0The constant emails I get from support are annoying."
    rows = pd.DataFrame({"sent_id": ["a"], "doc_id": ["d1"], "confidence": [0.9], "text": [sentence], "url": None,
                         "source": "capterra", "created_at": None})
    assert [q["text"] for q in label_quotes(rows, "support")] == ["The constant emails I get from support are annoying."]
    from voc.personas.evidence import quote_text

    assert quote_text("Cons:") == "Cons:"  # an answer head alone is all there is to show
