"""Response bytes to text the way a browser does it.

In order: a byte-order mark; the charset of the Content-Type header; for HTML, a ``<meta charset>``
or ``<meta http-equiv="Content-Type">`` near the top (and an XML declaration); then the bytes
themselves: UTF-8 when they are valid UTF-8, else the encoding charset_normalizer finds for
non-Latin scripts (GBK, Shift_JIS, windows-1251...), else windows-1252, the browser default for
Western pages. Labels are read as browsers read them: ``iso-8859-1`` and ``us-ascii`` mean
windows-1252, ``utf8mb4`` means UTF-8, and a label Python does not know, or one naming a
bytes-to-bytes codec (``base64``), is passed over rather than failing the page.
"""

from __future__ import annotations

import codecs
import re

# WHATWG Encoding Standard: these labels name windows-1252 in every browser (Python's latin-1
# would turn the bytes 0x80-0x9F, curly quotes and dashes on real pages, into control characters).
BROWSER_LABELS = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
                  "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "ansi_x3.4-1968": "cp1252",
                  "iso_8859-1": "cp1252", "cp819": "cp1252", "ibm819": "cp1252",
                  # seen on real servers, unknown to Python under these names
                  "utf8mb4": "utf-8", "utf8mb3": "utf-8", "utf-8mb4": "utf-8"}
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# How far into an HTML body a <meta charset> is looked for (browsers look at 1,024 bytes; real
# pages put long scripts and comments first).
PRESCAN = 8192
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_XML = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.I)
# Single-byte codecs for Latin-script languages: charset_normalizer cannot tell them apart on short
# text (French read as cp1250 turns "très" into "trčs"), so such a guess becomes windows-1252.
_LATIN = {"cp1250", "cp1252", "cp1254", "cp1257", "cp1258", "latin_1", "iso8859_2", "iso8859_3", "iso8859_4",
          "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "mac_roman",
          "mac_latin2", "mac_iceland", "mac_turkish", "cp437", "cp850", "cp858", "ascii"}


def codec_for(label: str | None) -> str | None:
    """The Python codec a charset label names, as a browser reads the label; None when it names none."""
    if not label:
        return None
    name = label.strip().strip("'\"").lower()
    name = BROWSER_LABELS.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value."""
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip().strip("'\"")
    return None


def declared(content: bytes) -> str | None:
    """The codec an HTML or XML body declares near its top (``<meta charset>``, ``http-equiv``, ``<?xml``)."""
    head = content[:PRESCAN]
    for pattern in (_XML, _META):
        m = pattern.search(head)
        codec = codec_for(m.group(1).decode("ascii", "replace")) if m else None
        if codec:
            # A document read as bytes cannot be UTF-16 if it got this far as ASCII (WHATWG: UTF-8).
            return "utf-8" if codec.startswith("utf-16") else codec
    return None


def detected(content: bytes) -> str:
    """UTF-8 if the bytes are valid UTF-8, a non-Latin codec if charset_normalizer finds one, else windows-1252."""
    try:
        content.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    guess = from_bytes(content[:200_000]).best()
    if guess is None:
        return "cp1252"
    names = {codec_for(n) for n in [guess.encoding, *guess.could_be_from_charset]}
    return "cp1252" if names & _LATIN or "cp1252" in names else (codec_for(guess.encoding) or "cp1252")


def sniff(content: bytes, content_type: str | None) -> str:
    """The codec to decode a response body with (see the module docstring for the order)."""
    for bom, codec in BOMS:
        if content.startswith(bom):
            return codec
    return codec_for(header_charset(content_type)) or declared(content) or detected(content)


def decode(content: bytes, content_type: str | None) -> str:
    """A response body as text; bytes the chosen codec cannot read become U+FFFD."""
    return content.decode(sniff(content, content_type), errors="replace")
