"""JSON from untrusted pages, dumps and APIs: depth-limited, no NaN or Infinity, no lone surrogates.

``json.loads`` recurses once per level of nesting, so a document nested deeper than
``MAX_JSON_DEPTH`` is refused before it is parsed; real data (Reddit items, Discourse answers,
schema.org blocks) is a handful of levels deep.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_JSON_DEPTH = 64


class JsonTooDeep(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH."""


# A JSON string token, closing quote optional so an unclosed one ends the scan (no rescans).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects in a JSON text nest deeper than ``limit`` (brackets in strings do not count)."""
    if text.count("[") + text.count("{") <= limit:
        return False  # it cannot nest deeper than it has openers
    depth = 0
    for bracket in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]}... is out of range")
    return value


def _float_sized_int(text: str) -> int:
    # Past ~308 digits float() overflows, and every source turns numbers into floats somewhere.
    if len(text.lstrip("-")) > 300:
        raise ValueError(f"integer {text[:20]}... is out of range")
    return int(text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _mend(value: Any) -> Any:
    """Lone surrogates (a ``\\ud800`` escape without its pair) as U+FFFD: no parser or store takes them."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_mend(v) for v in value]
    if isinstance(value, dict):
        return {_mend(k): _mend(v) for k, v in value.items()}
    return value


def loads_json(text: str, *, strict: bool = True, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` for untrusted text: nesting past ``max_depth`` is refused before parsing.

    NaN and Infinity, which Python's json accepts but JSON does not have, are refused too: they
    would reach ratings and scores as numbers no comparison can place, and so are numbers too big
    for a float. Escaped lone surrogates become U+FFFD (lxml and DuckDB refuse them).

    Raises:
        JsonTooDeep: nested deeper than ``max_depth``.
        ValueError: not JSON.
    """
    if json_too_deep(text, max_depth):
        raise JsonTooDeep(f"nested deeper than {max_depth} levels")
    try:
        value = json.loads(text, strict=strict, parse_constant=_no_constant, parse_float=_finite_float,
                           parse_int=_float_sized_int)
    except RecursionError:  # the pre-scan is exact for valid JSON; this covers what it misreads
        raise JsonTooDeep(f"nested deeper than {max_depth} levels") from None
    # Valid pairs are joined by json itself; only escapes can leave a lone one.
    return _mend(value) if "\\ud" in text or "\\uD" in text else value


# A line longer than this is not tried as a Python literal: ast builds a tree many times the
# size of its text (a 1 MiB line of numbers took 620 MB), and the lines that need it are short.
MAX_PYTHON_LINE = 1 << 16


def loads_python_dict(text: str, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any] | None:
    """A line that JSON refuses but Python reads as a dict literal (``\\'`` escapes in double-quoted
    strings, as in the Amazon review and Q&A sets of McAuley et al., or single quotes), as JSON
    would give it; None when it is not one. Only literals are read (``ast.literal_eval``, no code
    runs; Python's parser stops at 200 levels), keys must be strings, and the value passes through
    ``loads_json`` again, so it meets the same limits (no NaN, no lone surrogate, nothing deeper)."""
    import ast

    if len(text) > MAX_PYTHON_LINE or not text.lstrip().startswith("{"):
        return None
    try:
        value = ast.literal_eval(text.strip())
        if not (isinstance(value, dict) and all(isinstance(k, str) for k in value)):
            return None
        return loads_json(json.dumps(value), max_depth=max_depth)  # ASCII escapes: lone surrogates get mended
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
