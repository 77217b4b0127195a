"""Pseudonyms, masking of personal data in every form people write it, and the salt's key file."""

from __future__ import annotations

import glob
import logging
import re

import duckdb
import numpy as np
import pandas as pd
import pytest

from voc.errors import VocError
from voc.personas.cards import build_personas, voice_matrix
from voc.privacy.pii import iban_ok, luhn_ok, scrub, scrub_url
from voc.privacy.pseudonyms import author_salt, pseudonymise
from voc.store import Store


def test_pseudonyms_are_stable_per_salt_and_hide_the_name():
    a = pseudonymise("huskymom_tara", "salt-1")
    assert a == pseudonymise("HuskyMom_Tara ", "salt-1")
    assert a != pseudonymise("huskymom_tara", "salt-2")
    assert "tara" not in a and a.startswith("a_")
    assert pseudonymise(None, "s") is None and pseudonymise("  ", "s") is None


def test_scrub_masks_contacts_but_keeps_prices_years_and_models():
    text = ("email me at jen.k.miller@gmail.com or call (555) 201-7744 / +1 415 555 0199, "
            "ask u/spammer99. Paid $549 in 2025 for the D7 Pro, 3200 Pa suction, 90 min runtime.")
    out = scrub(text)
    assert "gmail" not in out and "201-7744" not in out and "415 555" not in out and "spammer99" not in out
    assert out.count("[phone]") == 2 and "[email]" in out and "[user]" in out
    assert "$549" in out and "2025" in out and "D7 Pro" in out and "3200 Pa" in out


@pytest.mark.parametrize("text, masked", [
    # spelled-out emails
    ("write to jbrennan at gmail dot com please", "write to [email] please"),
    ("john(at)gmail(dot)com", "[email]"),
    ("john [at] gmail [dot] com", "[email]"),
    ("ahmed.r {at} proton {dot} me", "[email]"),
    ("Mail SANDRA.KOLB AT OUTLOOK DOT COM today", "Mail [email] today"),
    ("ask dmorales at hotmail.com.", "ask [email]."),
    ("reach cwu @ mail.com now", "reach [email] now"),
    # phones: US, UK, German, French, international, bare after a cue
    ("call (415) 555-0132 now", "call [phone] now"),
    ("text me at 4155550176", "text me at [phone]"),
    ("ring 07700 900123 or +44 7700 900456", "ring [phone] or [phone]"),
    ("office 020 7946 0958", "office [phone]"),
    ("ring me on 07700900789", "ring me on [phone]"),
    ("+44 (0)161 496 0012", "[phone]"),
    ("Ruf an: 0171 1234567", "Ruf an: [phone]"),
    ("Tel +49 (0)30 12345678 oder 030/2345671", "Tel [phone] oder [phone]"),
    ("Handy: 0151-23456789", "Handy: [phone]"),
    ("0049 89 7654321", "[phone]"),
    ("au 06 12 34 56 78 ou +33 1 42 68 53 00", "au [phone] ou [phone]"),
    ("Tel. 01.42.68.53.01", "Tel. [phone]"),
    ("+353 1 234 5678, +61 2 9876 5432, +91 98765 43210", "[phone], [phone], [phone]"),
    # numbers with a checksum
    ("IBAN DE89 3704 0044 0532 0130 00.", "IBAN [iban]."),
    ("GB82 WEST 1234 5698 7654 32 bounced", "[iban] bounced"),
    ("NL91ABNA0417164300", "[iban]"),
    ("card 4111 1111 1111 1111 twice", "card [card] twice"),
    ("paid with 5500-0000-0000-0004", "paid with [card]"),
    ("Amex 378282246310005", "Amex [card]"),
    ("SSN 536-22-1234 and 219-09-9999", "SSN [ssn] and [ssn]"),
    ("my SSN 078 05 1120 aloud", "my SSN [ssn] aloud"),
    # street addresses
    ("outside 221B Baker Street in", "outside [address] in"),
    ("at 17 Willow Lane, Apt 4B we", "at [address] we"),
    ("mine is 42 Elm St, and", "mine is [address], and"),
    ("an Hauptstraße 12 kam", "an [address] kam"),
    ("at Berliner Str. 5 and", "at [address] and"),
    ("at Lindenweg 7b on", "at [address] on"),
    # names after a cue
    ("My name is Anna Schmidt and I", "My name is [name] and I"),
    ("call me Rutger if", "call me [name] if"),
    ("ask for Melanie Brooks: she", "ask for [name]: she"),
    ("Dr. Helen Okafor said", "Dr. [name] said"),
    ("Ms. VanCamp called", "Ms. [name] called"),
    ("Hi, I'm Lukas Meyer and", "Hi, I'm [name] and"),
    ("Sincerely, Marcus O'Brien", "Sincerely, [name]"),
    ("it broke.\n\nThanks,\nDaniel Okoro", "it broke.\n\nThanks,\n[name]"),
    ("follow @dustly_fan99 and u/vacuumhater_42", "follow [user] and [user]"),
])
def test_every_promised_kind_is_masked_in_the_forms_people_write(text, masked):
    assert scrub(text) == masked


@pytest.mark.parametrize("text", [
    "Paid $549 in 2025, then $1,299.99 for the 2024 model.",
    "Firmware 3.5.2 and version 0.8.6.4-20160119 on Android 6.0.1 build 1.4.1.4",
    "on 2024-03-05, 12/03/2024 and 17.04.2016 at 10:30",
    "Galaxy S7, Nexus 5X, SM-G930F, W10295370A, iPhone 12 Pro, 3200 Pa, 5 GHz",
    "Kenmore model # 3639711786, part numbers: 04609010000 04609902000, UPC:050375000419",
    "ISBN 0-679-40564-X, serial # 05011534733, order #123456789",
    "I work at amazon.com and look at google dot com",
    "Thank you, Healthy Paws! Thanks Spot!",
    "it gets 10/10 from me, since 1998 2001 2005",
    "Server 93.123.18.113:27015 with DDR4 @2400MHz",
    "I had my cats insurance from @2012 to 2019",
])
def test_numbers_and_words_that_are_not_personal_stay(text):
    assert scrub(text) == text


def test_checksums():
    assert iban_ok("DE89 3704 0044 0532 0130 00") and not iban_ok("DE89 3704 0044 0532 0130 01")
    assert luhn_ok("4111 1111 1111 1111") and not luhn_ok("4111 1111 1111 1112")
    # A wrong check digit is not a card or an IBAN, so it is left alone.
    assert scrub("card 4111 1111 1111 1112") == "card 4111 1111 1111 1112"
    assert scrub("IBAN DE89 3704 0044 0532 0130 01") == "IBAN DE89 3704 0044 0532 0130 01"
    assert scrub("SSN 000-12-3456 and 666-12-3456") == "SSN 000-12-3456 and 666-12-3456"


@pytest.mark.parametrize("url, clean", [
    ("https://shop.example/r/1?email=jo%40gmail.com&page=2", "https://shop.example/r/1?page=2"),
    ("https://forum.example/user/anna_s/posts/55", "https://forum.example/user/%5Buser%5D/posts/55"),
    ("https://forum.example/u/anna_s", "https://forum.example/u/%5Buser%5D"),
    ("https://x.example/r/88?token=abc&ref=news&Name=Jo+Doe&api_key=k", "https://x.example/r/88?ref=news"),
    ("https://admin:pw@x.example/r/79", "https://x.example/r/79"),
    ("https://x.example/by/jo@gmail.com#c-jo@gmail.com", "https://x.example/by/%5Bemail%5D#%5Bemail%5D"),
    ("mailto:jo@gmail.com", "mailto:%5Bemail%5D"),
    ("https://x.example/t/42?page=2#post-7", "https://x.example/t/42?page=2#post-7"),
    ("https://x.example/search?", "https://x.example/search?"),
    (None, None),
])
def test_links_lose_personal_parts_and_keep_the_rest(url, clean):
    assert scrub_url(url) == clean


def test_links_inside_text_are_cleaned_and_not_read_as_numbers():
    text = "see https://steam.example/profiles/76561197961632157/recommended/?p=1 or https://x.example/a?email=jo@x.de"
    assert scrub(text) == "see https://steam.example/profiles/%5Buser%5D/recommended/?p=1 or https://x.example/a"


# -- the salt ---------------------------------------------------------------------------------------
@pytest.fixture
def key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("VOC_SALT", raising=False)
    path = tmp_path / "config" / "voc" / "salt"
    monkeypatch.setenv("VOC_SALT_FILE", str(path))
    return path


def test_salt_comes_from_a_key_file_created_once_with_0600_and_a_message(key_file, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="voc.privacy.pii"):
        first = author_salt()
    assert key_file.read_text().strip() == first and len(first) == 32
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert [r.getMessage() for r in caplog.records] == [
        f"wrote a new pseudonym salt to {key_file}: keep it secret (with it, authors can be re-identified from a "
        "list of names) and back it up (without it, the same authors get new pseudonyms)"]
    caplog.clear()
    with Store(tmp_path / "a.duckdb") as a, Store(tmp_path / "b.duckdb") as b:
        assert a.salt() == b.salt() == first  # two fresh stores, the same pseudonyms
    assert caplog.records == []  # created once
    for name in ("a.duckdb", "b.duckdb"):
        assert first.encode() not in (tmp_path / name).read_bytes()


def test_voc_salt_wins_and_no_key_file_is_written(key_file, monkeypatch):
    monkeypatch.setenv("VOC_SALT", "from-the-environment")
    assert author_salt() == "from-the-environment" and not key_file.exists()


def test_an_empty_or_unreadable_key_file_is_a_clear_error(key_file):
    key_file.parent.mkdir(parents=True)
    key_file.write_text("\n")
    with pytest.raises(VocError, match=rf"{re.escape(str(key_file))}: the pseudonym salt file is empty"):
        author_salt()


def legacy_store(path, salt):
    """A store as voc wrote it before: the salt in its meta table."""
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO meta VALUES ('author_salt', ?)", [salt])
    con.execute("CREATE TABLE IF NOT EXISTS documents_probe AS SELECT 1 AS x")
    con.close()
    assert salt.encode() in path.read_bytes()


def test_an_old_store_salt_moves_to_the_key_file_and_is_wiped_from_the_file(key_file, tmp_path, caplog):
    old = "0123456789abcdef0123456789abcdef"
    legacy_store(tmp_path / "old.duckdb", old)
    with caplog.at_level(logging.WARNING, logger="voc.privacy.pii"), Store(tmp_path / "old.duckdb") as store:
        assert store.salt() == old  # the pseudonyms already in the store stay valid
        assert store.meta("author_salt") is None and store.meta("salt_wipe_pending") is None
        assert store.scalar("SELECT count(*) FROM documents_probe") == 1  # the rewrite kept the data
    assert key_file.read_text().strip() == old and key_file.stat().st_mode & 0o777 == 0o600
    assert old.encode() not in (tmp_path / "old.duckdb").read_bytes()
    assert "moved the pseudonym salt out of" in caplog.text and str(key_file) in caplog.text


def test_an_old_store_salt_that_differs_from_the_key_file_is_removed_with_a_warning(key_file, tmp_path, caplog):
    key_file.parent.mkdir(parents=True)
    key_file.write_text("the-key-file-salt\n")
    legacy_store(tmp_path / "old.duckdb", "fedcba9876543210fedcba9876543210")
    with caplog.at_level(logging.WARNING, logger="voc.privacy.pii"), Store(tmp_path / "old.duckdb") as store:
        assert store.salt() == "the-key-file-salt" and store.meta("author_salt") is None
    assert b"fedcba9876543210fedcba9876543210" not in (tmp_path / "old.duckdb").read_bytes()
    assert "holds another, so authors crawled from now on get pseudonyms that differ" in caplog.text


# -- personas do not depend on the salt -----------------------------------------------------------------
KINDS = ["pain_point", "objection", "purchase_trigger", "must_have_feature"]


def mixed_voices(salt: str) -> pd.DataFrame:
    """60 authors with overlapping mixes of themes: a split k-means could draw in several ways."""
    rng = np.random.default_rng(3)
    rows = []
    for a in range(60):
        favourite = rng.integers(0, 4)
        for j in range(rng.integers(2, 6)):
            kind, topic = KINDS[rng.integers(0, 4)], int(favourite if rng.random() < 0.5 else rng.integers(0, 4))
            rows.append({"sent_id": f"d{a:03d}-{j}", "kind": kind, "topic_id": topic, "aspect": None,
                         "text": f"{kind} theme {topic}, sentence {len(rows)}", "confidence": 0.7,
                         "url": f"https://forum.example/t/{a}", "source": "forum", "created_at": pd.Timestamp("2025-01-01"),
                         "author_hash": pseudonymise(f"user{a}", salt), "thread_id": f"t{a % 7}", "doc_id": f"d{a:03d}"})
    return pd.DataFrame(rows)


def test_personas_are_the_same_under_any_salt():
    topics = pd.DataFrame([{"kind": k, "topic_id": t, "label": f"{k} {t}"} for k in KINDS for t in range(4)])
    one, two = mixed_voices("salt-one"), mixed_voices("salt-two")
    assert not set(one["author_hash"]) & set(two["author_hash"])  # the pseudonyms do differ
    # The voice matrix lists voices in the order of their first sentence, not of their pseudonym.
    assert list(voice_matrix(one.assign(voice=one["author_hash"], topic_key=one["topic_id"].astype(str)))[0].index) == \
        list(dict.fromkeys(one.sort_values("sent_id")["author_hash"]))
    p1, d1 = build_personas(one, topics, pd.DataFrame(), 3, 8, seed=42)
    p2, d2 = build_personas(two, topics, pd.DataFrame(), 3, 8, seed=42)
    assert d1["k"] == d2["k"] >= 3 and d1["per_k"] == d2["per_k"]
    cols = ["persona_id", "name", "share", "size", "items", "vocabulary", "quotes", "tagline"]
    pd.testing.assert_frame_equal(p1[cols], p2[cols])


# -- real reviews ------------------------------------------------------------------------------------------
def real_reviews(shared) -> list[str]:
    app = pd.read_csv(shared / "app_reviews_urr_ciurumelea2017" / "reviews_data.csv", encoding="utf-8-sig")
    pet = [pd.read_csv(f) for f in sorted(glob.glob(str(shared / "trustpilot_pet_insurance_reviews" / "*.csv")))]
    return app["reviewText"].dropna().astype(str).tolist() + pd.concat(pet)["text"].dropna().astype(str).tolist()


# Strings in the real reviews that are not personal and must come through unchanged.
KEEP = ["Android 6.0.1", "0.8.6.4-20160119", "Galaxy S7", "Nexus 5X", "Note 4", "2/13/2016", "4.4.2", "11/18/2019",
        "$10,000", "$1,000", "$2000", "02/23/24", "10.7.23", "13591649", "310878"]


def test_real_reviews_keep_versions_models_dates_prices_and_ids(shared):
    texts = real_reviews(shared)
    for keep in KEEP:
        rows = [t for t in texts if keep in t]
        assert rows, keep
        assert [t for t in rows if keep not in scrub(t)] == [], keep


def test_real_contact_details_and_signed_names_are_masked(shared):
    # Independent, strict patterns as the oracle: every US-style phone, every email, every
    # "Sincerely, First Last" at the end of a real review must be gone after scrubbing.
    oracle = re.compile(r"\(\d{3}\) ?\d{3}-\d{4}|\b\d{3}-\d{3}-\d{4}\b|\b[\w.+-]+@[\w-]+\.[a-z]{2,}\b"
                        r"|(?<=Sincerely,)\s*[A-Z][a-z]+ [A-Z][a-z]+\s*$")
    found = {m.group(0).strip(): t for t in real_reviews(shared) for m in oracle.finditer(t)}
    assert len(found) >= 10
    assert [v for v, t in found.items() if v in scrub(t)] == []
