"""Q&A pages with schema.org QAPage/Question/Answer markup (JSON-LD and microdata): roles kept."""

from datetime import datetime

from scrapers.fetch import read_page
from scrapers.http import PoliteClient
from scrapers.qa import QaOptions, QaPageSource, page_documents
from tests.conftest import FIXTURES
from voc.config import Settings
from voc.schema import make_doc_id

FORUMS = FIXTURES / "forums"
SUPPORT = "https://support.dustly.example/questions/4417/does-the-d7-dock-work-on-thick-carpet"


def test_jsonld_question_and_answers():
    docs = page_documents("qa", SUPPORT, (FORUMS / "qa_jsonld.html").read_text())
    assert [(d.kind, d.author) for d in docs] == [("question", "Karin_O"), ("answer", "Dustly_Support_Ana"),
                                                  ("answer", "rug_rat_robin"), ("answer", "Henrik P.")]
    question, accepted, rug, returned = docs
    assert question.native_id == "question:support.dustly.example:q4417"
    assert question.text.startswith("Does the D7 dock work on thick carpet?\n\nWe have wall-to-wall wool carpet")
    assert question.created_at == datetime(2024, 2, 11, 17, 4, 27) and question.score == 14  # +01:00 to UTC
    assert {a.parent_id for a in docs[1:]} == {make_doc_id("qa", question.native_id)}
    assert {d.thread_id for d in docs} == {"question:support.dustly.example:q4417"}
    assert accepted.text.startswith("It works, but put the dock on the hard-floor plate") and accepted.score == 22
    assert rug.text == ("Mine sits on a shaggy rug with the plate and has docked fine for six months.\n"
                        "The brush roll tangles on the tassels though, so I tape them under.")
    assert "Same here" not in rug.text  # comments on an answer are not the answer
    assert returned.text.startswith("I returned mine") and "It works, but" not in returned.text  # quote dropped
    assert returned.url == "https://support.dustly.example/questions/4417#a9960"


def test_microdata_question_and_answers():
    docs = page_documents("qa", "https://askbrew.example/q/88214", (FORUMS / "qa_microdata.html").read_text())
    assert [(d.native_id, d.kind, d.author, d.score) for d in docs] == [
        ("question:askbrew.example:q-88214", "question", "Nadia R.", None),
        ("answer:askbrew.example:a-301", "answer", "Tomasz K.", 41.0),
        ("answer:askbrew.example:a-317", "answer", "Lea M.", 7.0)]
    assert docs[0].created_at == datetime(2023, 11, 2, 7, 12) and docs[2].created_at == datetime(2023, 11, 5, 20, 18)
    assert docs[2].text == "Only if your grinder is good enough. I fitted a PID, still sour, and it turned out to be " \
                           "the burrs." and docs[2].parent_id == docs[0].doc_id


def test_qa_source_crawls_and_recrawls_nothing_new(tmp_path, static_server):
    (tmp_path / "q.html").write_bytes((FORUMS / "qa_microdata.html").read_bytes())
    base = static_server(tmp_path)
    client = PoliteClient(Settings(http_min_interval=0.0), sleep=lambda s: None)
    src = QaPageSource("qa", QaOptions(urls=[base + "/q.html"]), client=client)
    assert [d.kind for d in src.fetch(None)] == ["question", "answer", "answer"]
    again = QaPageSource("qa", QaOptions(urls=[base + "/q.html"]), client=client)
    assert list(again.fetch(src.cursor())) == []
    assert read_page(base + "/q.html", client=client).engine == "qa_page"  # voc fetch picks the Q&A reader
