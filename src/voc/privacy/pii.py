"""Mask personal data before anything reaches the store (authors are pseudonymised by
``voc.privacy.pseudonyms``).

Masked (README says the same): emails, also spelled out ("john at gmail dot com",
"john(at)gmail(dot)com"); phone numbers in US, UK, German and French formats and any
international "+NN"/"00NN" number (phonenumbers finds them, rules below keep ids out); IBANs
(mod-97 check); card numbers (Luhn); US social security numbers; street addresses (house number
and street); names after a cue ("my name is", "call me", "ask for", Dr./Mr./Mrs./Ms., a greeting,
a sign-off); @ and u/ handles; in links, personal query parameters, profile segments and emails.
Names without a cue are not masked: spaCy's small English NER found 414 PERSON spans in 2,000
real reviews and 29 of them were people (6 of the 228 spans of two or more words); the cues
masked 57 spans in 24,357 real reviews, 49 of them people, the rest pets and a brand.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

MASKS = ("[email]", "[phone]", "[user]", "[name]", "[address]", "[iban]", "[card]", "[ssn]")

EMAIL_RE = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")

# -- obfuscated emails -----------------------------------------------------------------------------
_LABEL = r"[A-Za-z0-9][A-Za-z0-9_%+-]{0,63}"
_BR_AT = r"\s*[(\[{<]\s*(?:at|@)\s*[)\]}>]\s*"
_BR_DOT = r"\s*[(\[{<]\s*(?:dot|\.)\s*[)\]}>]\s*"
_DOT = rf"(?:{_BR_DOT}|\s+dot\s+|\.)"
OBFUSCATED_EMAIL_RE = re.compile(
    rf"(?<![\w.@])(?P<local>{_LABEL}(?:{_DOT}{_LABEL}){{0,3}})"
    rf"(?P<at>{_BR_AT}|\s+at\s+|\s+@\s*|\s*@\s+)"
    rf"(?P<domain>{_LABEL}(?:{_DOT}{_LABEL}){{0,3}}){_DOT}(?P<tld>[A-Za-z]{{2,6}})\b", re.I)
_TLDS = {"com", "net", "org", "edu", "gov", "io", "co", "uk", "de", "fr", "info", "biz", "me", "us", "ca",
         "au", "nl", "es", "it", "ch", "at", "be", "eu", "ie", "nz", "in", "app", "dev", "mail"}
# A plain " at " is an email only when the domain is a mail provider or the dot is spelled out too:
# "I work at amazon.com" is not an address.
_PROVIDERS = {"gmail", "googlemail", "yahoo", "hotmail", "outlook", "live", "msn", "icloud", "me", "mac", "aol",
              "gmx", "web", "proton", "protonmail", "pm", "mail", "yandex", "zoho", "fastmail", "tutanota",
              "t-online", "btinternet", "orange", "free", "wanadoo", "comcast", "verizon", "att", "sky"}
_NOT_LOCAL = set("""i me we us you he him she her they them it this that is was are be a an the look looked work works
    worked working site website page shop shopping bought buy sold order ordered home live lives based available
    arrived stay stayed found price priced even only just one store online sale app apps aimed good great best""".split())


def _email_mask(m: re.Match) -> str:
    at, domain, tld = m.group("at").strip().lower(), m.group("domain"), m.group("tld").lower()
    if at != "at":  # bracketed "(at)" or a spaced "@": nobody writes that but for an address
        return "[email]"
    if m.group("local").lower() in _NOT_LOCAL or tld not in _TLDS:
        return m.group(0)
    spelled_dot = re.search(r"[(\[{<]|\bdot\b", m.group(0)[m.end("at") - m.start():], re.I)
    first = re.split(_DOT, domain, flags=re.I)[0].lower()
    return "[email]" if spelled_dot or first in _PROVIDERS else m.group(0)


# -- numbers with a check digit -----------------------------------------------------------------
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,3})?\b")
# Cards are written in one run or in groups of four (Amex: 4-6-5); a list of part numbers is not a card.
CARD_RE = re.compile(r"(?<![\d.,/-])[2-6](?:\d{12,18}|\d{3}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{3}([ -])\d{6}\2\d{5})(?![\d.,/]?\d)")
SSN_RE = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
SSN_CUED_RE = re.compile(r"(?i:\b(?:ssn|social security(?: number| no\.?| #)?)\b)[^\d]{0,20}"
                         r"(?P<num>(?!000|666|9\d\d)\d{3}[ .]?(?!00)\d{2}[ .]?(?!0000)\d{4})(?!\d)")


def iban_ok(candidate: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 = 1."""
    s = re.sub(r"[ -]", "", candidate).upper()
    if not (15 <= len(s) <= 34 and s[:2].isalpha() and s[2:4].isdigit() and sum(c.isdigit() for c in s) >= 10):
        return False
    digits = "".join(str(int(c, 36)) for c in s[4:] + s[:4])
    return int(digits) % 97 == 1


def luhn_ok(number: str) -> bool:
    """The Luhn checksum every payment card number carries."""
    digits = [int(c) for c in number if c.isdigit()]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(reversed(digits)))
    return 13 <= len(digits) <= 19 and total % 10 == 0


def _iban_mask(m: re.Match) -> str:
    # The pattern may run into a following capitalised word: the IBAN is the longest prefix that checks.
    text = m.group(0)
    for end in range(len(text), 14, -1):
        if text[end - 1] not in " -" and iban_ok(text[:end]):
            return "[iban]" + text[end:]
    return text


def _in_number_list(text: str, start: int, end: int) -> bool:
    """Whether a number stands in a list of long numbers ("04609010000, 04609902000"): part numbers."""
    before, after = text[max(0, start - 30):start], text[end:end + 30]
    return bool(re.search(r"\d{5,}[,;/]?\s?$|[\w-]*\d[\w-]*[,;/]\s?$", before)
                or re.match(r"^[,;/]?\s?\d{5,}|^[,;/]\s?[\w-]*\d", after))


# -- phone numbers -------------------------------------------------------------------------------
PHONE_REGIONS = ("US", "GB", "DE", "FR")
MIN_PHONE_DIGITS = 9
_US_SHAPE = re.compile(r"(?:1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}")
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥]|\b(?:usd|eur|gbp|rs\.?|inr))\s*$", re.I)
_CURRENCY_AFTER = re.compile(r"^\s*(?:[$€£¥]|usd\b|eur\b|gbp\b|euros?\b|dollars?\b|pounds?\b)", re.I)
_VERSION_BEFORE = re.compile(r"\b(?:v|ver|version|build|release|firmware|fw|rev)\.?\s*$", re.I)
# "0.8.6.4-20160119": a dotted group of one digit is a version, never a phone number.
_VERSION_LIKE = re.compile(r"(?:^|\.)\d(?:\.|$)|\d\.\d\.")
_PHONE_CUE = re.compile(r"\b(?:call|calling|phone|tel|telephone|cell|mobile|mob|text|txt|sms|fax|reach|dial|"
                        r"whatsapp|contact|ring|handy|telefon|portable)\b[^\n\d]{0,35}$", re.I)
_PART_CUE = re.compile(r"(?:\b(?:part|parts|model|models|serial|s/n|upc|ean|isbn|sku|p/n|pn|item|order|invoice|"
                       r"ref|reference|mfg|asin|tracking|product|catalog|id)\b|#)[^\n\d]{0,35}$", re.I)


def _is_phone(raw: str, number: Any, region: str, text: str, start: int, end: int) -> bool:
    """Whether a candidate the matcher found is a phone number rather than a year, price or part number.

    Leniency POSSIBLE only checks lengths, so it also finds fictional numbers ("07700 900123") that
    people invent, and many ids. These rules (tuned on 57,000 real reviews and product Q&A) keep the
    ids out: at least 9 digits; never after a currency, "version", "model"/"part"/"serial"/"#" or in
    a list of numbers; + or 00 for international numbers, the trunk 0 (GB, DE, FR) or the US 3-3-4
    shape for national ones. A bare run of digits needs "call", "phone", "text"… before it, or to be
    a valid US number.
    """
    import phonenumbers

    before, after = text[max(0, start - 40):start], text[end:end + 12]
    if sum(c.isdigit() for c in raw) < MIN_PHONE_DIGITS or _CURRENCY_BEFORE.search(before) \
            or _CURRENCY_AFTER.match(after) or _VERSION_BEFORE.search(before) \
            or ("." in raw and _VERSION_LIKE.search(raw)):
        return False
    if re.search(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4})+ ?$", before):
        return False  # the rest of an IBAN whose check digits failed: an account number, not a phone
    cued = bool(_PHONE_CUE.search(before))
    if raw.startswith("+"):
        return True
    if not cued and (_PART_CUE.search(before) or _in_number_list(text, start, end)):
        return False
    bare = raw.isdigit()
    if bare and not cued and (text[start - 1:start].isalnum() or text[end:end + 1].isalpha()):
        return False  # "FGF5303935066", "8053621v": glued to letters, a part number
    if re.match(r"00[1-9]", raw) or (region != "US" and re.match(r"0[1-9]", raw)):
        return not bare or cued  # bare runs of digits with a 0 are mostly part numbers and UPCs
    if region == "US" and _US_SHAPE.fullmatch(raw):
        return True
    return region == "US" and bare and (cued or phonenumbers.is_valid_number(number))


def phone_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the phone numbers in text."""
    if sum(c.isdigit() for c in text) < MIN_PHONE_DIGITS:
        return []
    import phonenumbers

    spans = set()
    for region in PHONE_REGIONS:
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            if _is_phone(m.raw_string, m.number, region, text, m.start, m.end):
                spans.add((m.start, m.end))
    return sorted(spans)


def _replace_spans(text: str, spans: list[tuple[int, int]], mask: str) -> str:
    out, last = [], 0
    for start, end in sorted(spans):
        if start >= last:  # a span overlapping the previous one only extends it
            out += [text[last:start], mask]
        last = max(last, end)
    return "".join(out) + text[last:]


# -- street addresses and names ------------------------------------------------------------------
_CAP = r"[A-Z][A-Za-z'’.-]*"
ADDRESS_RE = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?(?:-\d{{1,5}})?,?\s+(?:{_CAP}\s+){{0,3}}{_CAP}\s+"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Place|Pl|Terrace|Close|Crescent"
    r"|Parkway|Pkwy|Highway|Hwy|Way|Square|Sq)\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Unit|Suite|Ste|Flat|#)\.?\s*#?\w{1,5}\b)?"
    r"|\b(?:[A-ZÄÖÜ][a-zäöüß-]+(?:straße|strasse|str\.|weg|allee|gasse|platz)"
    r"|[A-ZÄÖÜ][a-zäöüß-]+\s+(?:Straße|Strasse|Str\.|Weg|Allee|Gasse|Platz))\s*\d{1,4}(?: ?[a-zA-Z](?!\w))?(?!\w)")
_UP, _LOW = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
# "Anna", "VanCamp", "O'Brien", "Brosnan-Cleary", "Zoë"; a name never ends inside a word.
_NAME = rf"(?:[{_UP}]['’])?[{_UP}][{_LOW}]+(?:[{_UP}][{_LOW}]+)?(?:['’-][{_UP}]?[{_LOW}]+)?(?![\w'’])"
_FULL = rf"{_NAME}(?:\s+[{_UP}]\.)?(?:[ \t]+{_NAME}){{0,2}}"
NAME_CUES = (
    re.compile(rf"(?i:\b(?:my name is|my name's|i am called|i'm called|call me|ask for|asked for)\s+)({_FULL})"),
    re.compile(rf"\b(?:Dr|Mr|Mrs|Ms|Mx|Prof)\.?\s+({_FULL})"),
    re.compile(rf"(?i:\b(?:hi|hello|hey)[,!]?\s+(?:i'm|i am|this is|it's)\s+)({_FULL})"),
    # Sign-offs at the very end: "Regards, Anna Schmidt", "Thanks,\nTom". After "thanks" the name
    # must stand on a line of its own: "Thank you, Healthy Paws!" thanks a company.
    re.compile(rf"(?i:\b(?:regards|sincerely|cheers|best wishes)[,!.]?\s*[-–—]?\s*)({_FULL})\s*[.!]?\s*$"),
    re.compile(rf"(?i:\b(?:thanks|thank you)[,.!]*[^\S\n]*\n\s*[-–—]?\s*)({_FULL})\s*[.!]?\s*$"),
)
# Capitalised words that follow a cue but name no one ("ask for Help", "Thanks, Customer Service").
_NOT_NAMES = {"The", "A", "An", "It", "This", "That", "You", "Your", "Me", "Us", "Them", "Him", "Her", "All", "Everyone",
              "Anyone", "Someone", "Nobody", "Everybody", "Help", "Support", "Customer", "Service", "Team", "Manager",
              "Supervisor", "Agent", "Developer", "Developers", "Admin", "President", "Refund", "Please", "Sir",
              "Madam", "God", "More", "Details", "Assistance", "Advice", "Nothing", "Guys", "Folks", "Again", "Now",
              "Today", "So", "Very", "Not", "Great", "Good", "Happy", "Sorry", "Here", "There", "Thanks", "Thank",
              "Hello", "Hi", "For",
              # brands named like people: "Mr. Coffee", "Mr. Clean", "Dr. Pepper"
              "Coffee", "Clean", "Pepper", "Heater", "Martens"}


def _name_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for pattern in NAME_CUES:
        for m in pattern.finditer(text):
            words, start = m.group(1).split(), m.start(1)
            if words[0] == "The" and len(words) > 1:  # "Sincerely, The Roberts": the family is named
                words, start = words[1:], m.start(1) + m.group(1).index(words[1], 3)
            keep = 0
            while keep < len(words) and words[keep] not in _NOT_NAMES:  # a name ends where ordinary words start
                keep += 1
            if keep:
                spans.append((start, start + len(" ".join(words[:keep]))))
    return spans


# -- links ---------------------------------------------------------------------------------------
# Query parameters that carry who someone is; dropped from every stored link, as are those
# whose name marks a secret (voc.privacy.redact.secret_name: key, token, password, signature...).
PERSONAL_PARAMS = {"email", "e-mail", "mail", "email_address", "emailaddress", "user", "username", "user_name",
                   "userid", "user_id", "uid", "login", "name", "firstname", "first_name", "lastname", "last_name",
                   "fullname", "full_name", "phone", "tel", "telephone", "mobile", "session", "sessionid",
                   "session_id", "sid"}
# Path segments after which comes a user name: /user/<name>, /u/<name>, /members/<name>.
PROFILE_SEGMENTS = {"user", "users", "u", "member", "members", "profile", "profiles", "people", "author", "authors",
                    "account", "accounts"}
URL_IN_TEXT = re.compile(r"\bhttps?://[^\s<>\"')\]]+", re.I)


def _personal_param(name: str) -> bool:
    from voc.privacy.redact import secret_name

    return name.lower() in PERSONAL_PARAMS or secret_name(name)


def scrub_url(url: str | None) -> str | None:
    """A link without its personal parts: personal query parameters and user:password are dropped,
    the segment after /user/, /u/, /members/ … becomes [user], and emails anywhere become [email].
    The host, the rest of the path and the other parameters are kept as they were."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return EMAIL_RE.sub("[email]", url)
    segments = parts.path.split("/")
    for i in range(len(segments)):
        if i and segments[i - 1].lower() in PROFILE_SEGMENTS and segments[i]:
            segments[i] = quote("[user]")
        elif EMAIL_RE.search(unquote(segments[i])):
            segments[i] = quote(EMAIL_RE.sub("[email]", unquote(segments[i])))
    pairs = parts.query.split("&")
    kept = [p for p in pairs if not _personal_param(unquote(p.split("=", 1)[0]).strip())
            and not EMAIL_RE.search(unquote(p.replace("+", " ")))]
    fragment = parts.fragment
    if EMAIL_RE.search(unquote(fragment)):
        fragment = quote(EMAIL_RE.sub("[email]", unquote(fragment)))
    clean = (parts.scheme, parts.netloc.rsplit("@", 1)[-1], "/".join(segments), "&".join(kept), fragment)
    # Rebuild only when something was dropped: urlunsplit would also drop an empty "?" or "#".
    return url if clean == tuple(parts) else urlunsplit(clean)


# -- the whole pass ------------------------------------------------------------------------------
HANDLE_RE = re.compile(r"(?<![\w/])@[A-Za-z_][A-Za-z0-9_]{2,29}\b")  # not "@2012" (a year) or "@2400MHz"
U_HANDLE_RE = re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}\b")


def scrub(text: str) -> str:
    """Mask the personal data listed in this module's docstring in free text.

    Links are cleaned by ``scrub_url`` and otherwise left alone (their ids and paths are not phone
    numbers). Elsewhere order matters: emails first, then numbers with a checksum (a card number
    would also read as a phone number), then phones, addresses, names and handles.
    """
    if not text:
        return text
    pieces = URL_IN_TEXT.split(text)
    links = URL_IN_TEXT.findall(text)
    out = [_scrub_prose(pieces[0])]
    for link, piece in zip(links, pieces[1:]):
        out += [scrub_url(link) or "", _scrub_prose(piece)]
    return "".join(out)


# (kind, function) in the order they run on text outside links.
STEPS = (
    ("email", lambda t: OBFUSCATED_EMAIL_RE.sub(_email_mask, EMAIL_RE.sub("[email]", t))),
    ("iban", lambda t: IBAN_RE.sub(_iban_mask, t)),
    ("card", lambda t: CARD_RE.sub(lambda m: "[card]" if luhn_ok(m.group(0))
                                   and not _in_number_list(t, m.start(), m.end()) else m.group(0), t)),
    ("ssn", lambda t: SSN_RE.sub("[ssn]", SSN_CUED_RE.sub(lambda m: m.group(0)[:m.start("num") - m.start()] + "[ssn]", t))),
    ("phone", lambda t: _replace_spans(t, phone_spans(t), "[phone]")),
    ("address", lambda t: ADDRESS_RE.sub("[address]", t)),
    ("name", lambda t: _replace_spans(t, _name_spans(t), "[name]")),
    ("user", lambda t: HANDLE_RE.sub("[user]", U_HANDLE_RE.sub("[user]", t))),
)


def _scrub_prose(text: str) -> str:
    for _kind, step in STEPS:
        if text:
            text = step(text)
    return text
