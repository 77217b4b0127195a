"""Run-over-run topic flags and per-month / per-crawl counts, on a store with two analyses."""

from datetime import datetime

import pandas as pd
import pytest

from voc.schema import Document, sentence_id
from voc.store import Store
from voc.trends import arrivals, crawl_counts, match_topics, merged_into, monthly_counts, topic_flags

BATTERY = ["The battery dies after twenty minutes", "Battery will not hold a charge since the update",
           "It needs a charge halfway through the living room", "Battery life dropped to half in a year",
           "The battery died two weeks after the warranty ended", "Charging takes four hours for a short run"]
APP = ["The app crashes when I open the map", "App keeps logging me out", "The map in the app never loads",
       "The app lost my saved rooms again"]
NOISE = ["It is so loud the dog hides", "Too noisy to run while we watch TV", "The noise at full power is unbearable"]
MORE_BATTERY = ["Battery drains even on the dock", "After the update the battery lasts ten minutes",
                "The new battery was dead within a month", "Charge lasts half as long as it did"]
DOCK = ["The dock smells of old dust", "The dock bag fills in a week", "Emptying the dock sprays dust everywhere"]


def _crawl(store: Store, texts: list[str], month: int, tag: str) -> list[str]:
    """One crawl run storing one single-sentence review per text; returns their sentence ids."""
    run = store.start_run("crawl")
    docs = [Document(source="reviews", native_id=f"{tag}{i}", kind="review", text=t,
                     created_at=datetime(2026, month, 1 + i)) for i, t in enumerate(texts)]
    store.commit_batch(docs, "reviews", None)
    ids = [d.doc_id for d in docs]
    store.save_sentences(pd.DataFrame({"sent_id": [sentence_id(i, 0) for i in ids], "doc_id": ids, "idx": 0,
                                       "text": texts, "start_char": 0, "end_char": [len(t) for t in texts]}), ids)
    store.finish_run(run, "completed", {}, [])
    return [sentence_id(i, 0) for i in ids]


def _analyse(store: Store, topics: dict[int, tuple[str, list[str]]], outliers: list[str] = ()) -> str:
    run = store.start_run("analyze")
    rows = [{"topic_id": t, "label": label, "keywords": label.split()[:1], "size": len(ids)}
            for t, (label, ids) in topics.items()]
    members = [(s, t) for t, (_, ids) in topics.items() for s in ids] + [(s, -1) for s in outliers]
    store.save_topics(run, "pain_point", pd.DataFrame(rows),
                      pd.DataFrame(members, columns=["sent_id", "topic_id"]))
    store.finish_run(run, "completed", {}, [])
    return run


@pytest.fixture
def two_runs(tmp_path):
    """A refit after a second crawl renumbers and relabels every topic."""
    store = Store(tmp_path / "voc.duckdb")
    battery, app, noise = (_crawl(store, BATTERY, 1, "b"), _crawl(store, APP, 1, "a"), _crawl(store, NOISE, 1, "n"))
    _analyse(store, {0: ("battery (dies, charge)", battery), 1: ("app (crash, map)", app),
                     2: ("noise (loud)", noise[:2])}, outliers=noise[2:])
    more, dock = _crawl(store, MORE_BATTERY, 2, "m"), _crawl(store, DOCK, 2, "d")
    # The refit: battery grew and got a new label, app kept one insight fewer, noise dissolved
    # into the outliers and the battery topic, dock is new.
    run = _analyse(store, {0: ("app (map, crash)", app[:3]), 1: ("battery dies (charge, update)", battery + more + noise[:1]),
                           2: ("dock (dust, bag)", dock)}, outliers=app[3:] + noise[1:])
    yield store, run
    store.close()


def test_refit_topics_are_matched_by_shared_insights_not_labels(two_runs):
    store, _run = two_runs
    flags = topic_flags(store, "pain_point").set_index("label")
    battery = flags.loc["battery dies (charge, update)"]
    assert (battery["previous"], battery["previous_label"], battery["flag"]) == (6, "battery (dies, charge)", "rising")
    app = flags.loc["app (map, crash)"]
    assert (app["previous"], app["previous_label"], app["flag"]) == (4, "app (crash, map)", "steady")
    assert flags.loc["dock (dust, bag)", "flag"] == "new" and pd.isna(flags.loc["dock (dust, bag)", "previous"])
    gone = flags.loc["noise (loud)"]
    assert (gone["size"], gone["previous"], gone["flag"]) == (0, 2, "fading") and pd.isna(gone["topic_id"])
    assert len(flags) == 4


def test_two_topics_merged_by_hand_read_as_one_grown_and_one_merged(tmp_path):
    store = Store(tmp_path / "voc.duckdb")
    battery, more, app = (_crawl(store, BATTERY, 1, "b"), _crawl(store, MORE_BATTERY, 1, "m"), _crawl(store, APP, 1, "a"))
    _analyse(store, {0: ("battery (dies, charge)", battery), 1: ("charge (lasts, drains)", more), 2: ("app (crash, map)", app)})
    _analyse(store, {0: ("battery (dies, charge)", battery + more), 2: ("app (crash, map)", app)})
    flags = topic_flags(store, "pain_point").set_index("label")
    store.close()
    assert (flags.loc["battery (dies, charge)", "flag"], flags.loc["battery (dies, charge)", "previous"]) == ("rising", 6)
    merged = flags.loc["charge (lasts, drains)"]
    assert (merged["flag"], merged["size"], merged["previous"], merged["merged_into"]) == ("merged", 0, 4, "battery (dies, charge)")
    assert flags.loc["app (crash, map)", "flag"] == "steady" and pd.isna(flags.loc["app (crash, map)", "merged_into"])


def test_a_gone_topic_merged_only_where_most_of_it_went():
    before = pd.DataFrame({"sent_id": list("abcdefgh"), "topic_id": [0] * 4 + [1] * 4})
    # Topic 1: three of four insights now in topic 5 -> merged; split two and two -> not merged.
    assert merged_into(before, pd.DataFrame({"sent_id": list("abcdefgh"), "topic_id": [5] * 7 + [6]}), {1}) == {1: 5}
    assert merged_into(before, pd.DataFrame({"sent_id": list("abcdefgh"), "topic_id": [5] * 6 + [6] * 2}), {1}) == {}
    # Half of it became outliers: dissolved, not merged.
    assert merged_into(before, pd.DataFrame({"sent_id": list("abcdefgh"), "topic_id": [5] * 6 + [-1] * 2}), {1}) == {}


def test_a_split_topic_continues_in_its_larger_part():
    before = pd.DataFrame({"sent_id": list("abcdefgh"), "topic_id": [0] * 8})
    now = pd.DataFrame({"sent_id": list("abcdefgh"), "topic_id": [3] * 5 + [4] * 3})
    assert match_topics(before, now) == {3: 0}
    before = pd.DataFrame({"sent_id": list("abcdefghij"), "topic_id": [0] * 10})
    now = pd.DataFrame({"sent_id": list("abcdefghij"), "topic_id": [5] + [6] * 9})
    assert match_topics(before, now) == {6: 0}
    # Shattered into five pieces of two: none of them is the old topic.
    assert match_topics(before, now.assign(topic_id=[5] * 2 + [6] * 2 + [7] * 2 + [8] * 2 + [9] * 2)) == {}


def test_equal_labels_count_only_when_insights_cannot_decide(two_runs):
    store, _run = two_runs
    # A rebuilt store: new sentence ids, so no insight of the last run is in this one.
    fresh = _crawl(store, BATTERY + APP, 3, "r")
    _analyse(store, {7: ("app (map, crash)", fresh[6:]), 8: ("battery (new ids)", fresh[:6])})
    flags = topic_flags(store, "pain_point").set_index("label")
    assert (flags.loc["app (map, crash)", "previous"], flags.loc["app (map, crash)", "flag"]) == (3, "steady")
    assert flags.loc["battery (new ids)", "flag"] == "new"

    # The old app insights are still here but became outliers; a topic that took the "app"
    # label over the dock insights is not the app topic continued.
    app, dock = fresh[6:], _crawl(store, DOCK, 3, "q")
    _analyse(store, {0: ("battery (new ids)", fresh[:6]), 1: ("app (map, crash)", dock)}, outliers=app)
    flags = topic_flags(store, "pain_point")
    live = flags[flags["topic_id"].notna()].set_index("label")
    assert live.loc["app (map, crash)", "flag"] == "new" and pd.isna(live.loc["app (map, crash)", "previous"])
    assert live.loc["battery (new ids)", "flag"] == "steady"
    gone = flags[flags["topic_id"].isna()]
    assert gone[["label", "previous", "flag"]].values.tolist() == [["app (map, crash)", 4, "fading"]]


def test_counts_per_month_of_source_date_and_per_crawl(two_runs):
    store, run = two_runs
    months = monthly_counts(store, run, "pain_point")
    grid = months.pivot_table(index="label", columns="month", values="n", fill_value=0)
    assert grid.loc["battery dies (charge, update)"].to_dict() == {"2026-01": 7, "2026-02": 4}
    assert grid.loc["dock (dust, bag)"].to_dict() == {"2026-01": 0, "2026-02": 3}
    crawls = crawl_counts(store, run, "pain_point")
    per_crawl = crawls.groupby("label")["crawl_run"].nunique()
    assert per_crawl["dock (dust, bag)"] == 1 and per_crawl["battery dies (charge, update)"] == 3
    assert crawls["n"].sum() == months["n"].sum() == 3 + 11 + 3


def test_arrivals_count_only_what_arrived_and_take_the_studys_rise():
    # The alert test's situation: 8 new reviews all land in a 49-mention theme of a 567-insight kind.
    old = [("pain_point", 0)] * 49 + [("pain_point", 1)] * 300 + [("pain_point", -1)] * 218
    new = [("pain_point", 0)] * 8
    items = pd.DataFrame({"sent_id": [f"s{i}" for i in range(len(old) + len(new))],
                          "kind": [k for k, _ in old + new], "topic_id": [t for _, t in old + new]})
    previous = {(s, "pain_point") for s in items["sent_id"][:len(old)]}
    (theme,) = arrivals(items, previous)
    assert theme == {"kind": "pain_point", "topic_id": 0, "new": 8, "count": 57, "status": "rising"}
    assert arrivals(items, previous, rising=20.0) == []  # 8/8 of the new vs 49/567 before: x11.6, not x21
    assert arrivals(items, previous, min_new=9) == []
    # A theme made mostly of arrivals is new.
    fresh = items.assign(topic_id=[*items["topic_id"][:len(old)], *[2] * 8])
    assert arrivals(fresh, previous)[0] == {"kind": "pain_point", "topic_id": 2, "new": 8, "count": 8, "status": "new"}
