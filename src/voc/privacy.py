"""Pseudonymise authors and mask contact details before anything reaches the store."""

from __future__ import annotations

import hashlib
import hmac
import re

EMAIL_RE = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
# Phone numbers: 9+ digits with the usual separators, optionally +country code. Plain years,
# prices and model numbers are shorter or lack separators and stay untouched.
PHONE_RE = re.compile(
    r"(?<![\w$€£])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])\d{3,4}[\s.-]\d{3,4}\b"
)
HANDLE_RE = re.compile(r"(?<![\w/])@[A-Za-z0-9_]{3,30}\b")
U_HANDLE_RE = re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}\b")


def pseudonymise(author: str | None, salt: str) -> str | None:
    """A stable keyed hash of an author name: the same author maps to the same pseudonym
    within a store, but the name cannot be recovered without the salt."""
    if author is None or not author.strip():
        return None
    digest = hmac.new(salt.encode(), author.strip().lower().encode(), hashlib.sha256)
    return "a_" + digest.hexdigest()[:16]


def scrub(text: str) -> str:
    """Mask emails, phone numbers and @/u/ handles in free text."""
    text = EMAIL_RE.sub("[email]", text)
    text = PHONE_RE.sub("[phone]", text)
    text = U_HANDLE_RE.sub("[user]", text)
    return HANDLE_RE.sub("[user]", text)
