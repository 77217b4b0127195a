"""Secrets never leave the process: one function masks them in any text voc prints or stores.

Error messages carry URLs (requests puts the whole request URL, query string included, into its
exceptions), and URLs carry API keys, tokens and passwords. Every error, log line and run record
that leaves the process goes through :func:`redact` first: at the HTTP layer (FetchError), in the
run-record writer (Store.finish_run), in what flows hand to Prefect, and in what the CLI prints.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"

# Environment variables that hold secrets by name, whatever their value looks like.
SECRET_ENV = ("STACKEXCHANGE_KEY", "REDDIT_CLIENT_SECRET", "REDDIT_CLIENT_ID", "REDDIT_PASSWORD", "VOC_SALT")
SECRET_ENV_SUFFIXES = ("_KEY", "_TOKEN", "_SECRET", "_PASSWORD")
# VOC_* settings that are not secrets: paths, numbers and the User-Agent. Masking them would
# only garble messages ("voc: error: *** is locked"); any other VOC_* value counts as secret.
PUBLIC_VOC_ENV = ("VOC_STORE", "VOC_USER_AGENT", "VOC_LOG_LEVEL", "VOC_PROGRESS", "VOC_SHARED_DATA", "VOC_SALT_FILE",
                  "VOC_RUNTIME_DIR")
PUBLIC_VOC_PREFIXES = ("VOC_HTTP_", "VOC_SOURCE_")
# Shorter values are too likely to occur in ordinary text ("1", "true", a port number).
MIN_SECRET_LEN = 8

# A parameter name counts as secret when, split at - _ . [ ] and camelCase humps, one of its parts
# is one of these words (so apiKey, refresh_token, X-Amz-Signature and authToken are secret; author,
# keyword and monkey are not).
SECRET_WORDS = {"key", "apikey", "token", "accesstoken", "secret", "password", "passwd", "pwd", "pass",
                "sig", "signature", "credential", "credentials", "session", "sessionid", "sid", "cookie",
                "auth", "authorization", "authentication"}

# name=value as in a query string, a form body or a log line ("?key=abc&site=x", "token=abc").
# The value ends before a delimiter, or before a colon that ends it ("?key=abc: HTTP 404").
_PARAM = re.compile(r"(?<![\w.\-\[\]])([A-Za-z][\w.\-\[\]]*)=([^&;#\s'\"<>,)}\]]+?)(?=:?(?:[&;#\s'\"<>,)}\]]|$))")
# "name": "value" and 'name': 'value' as in JSON and Python reprs of dicts.
_QUOTED = re.compile(r"""(["'])([A-Za-z][\w.\-]*)\1(\s*:\s*)(["'])(.*?)(?<!\\)\4""")
# scheme://userinfo@host: the userinfo part, however much of it there is.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@?#'\"<>]+@")


def secret_name(name: str) -> bool:
    """Whether a query parameter or field name says its value is a secret."""
    parts = [p for p in re.split(r"[-_.\[\]]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()) if p]
    return any(p in SECRET_WORDS for p in parts) or re.sub(r"[-_.]", "", name.lower()) in SECRET_WORDS


def _public_voc(name: str) -> bool:
    return name in PUBLIC_VOC_ENV or name.startswith(PUBLIC_VOC_PREFIXES)


def secret_values(environ: dict[str, str] | None = None) -> list[str]:
    """Secret values held in the environment, longest first (so no mask leaves a tail behind).

    Secret are the named credentials voc reads (SECRET_ENV), any VOC_* setting that is not a
    known public one, and any variable whose name ends in _KEY, _TOKEN, _SECRET or _PASSWORD;
    values shorter than MIN_SECRET_LEN are skipped.
    """
    environ = os.environ if environ is None else environ
    found = set()
    for name, value in environ.items():
        upper = name.upper()
        secret = (upper in SECRET_ENV or upper.endswith(SECRET_ENV_SUFFIXES)
                  or (upper.startswith("VOC_") and not _public_voc(upper)))
        if secret and value and len(value) >= MIN_SECRET_LEN:
            # A value in a URL is percent-encoded; mask every form it can take there too.
            found.update({value, quote(value, safe=""), quote_plus(value)})
    return sorted(found, key=len, reverse=True)


def redact(text: Any, environ: dict[str, str] | None = None) -> Any:
    """Mask secrets in a string: secret query parameters, URL userinfo, secret env values.

    Args:
        text: any string (a URL, an error message, a log line); other types are returned as is.
        environ: where to look for secret values (default: os.environ).

    Returns:
        The string with every secret replaced by ``***``, e.g.
        ``https://api.x/q?key=abc&site=y`` -> ``https://api.x/q?key=***&site=y``.
    """
    return _redact(text, secret_values(environ))


def redact_data(obj: Any, environ: dict[str, str] | None = None) -> Any:
    """:func:`redact` every string in nested dicts, lists and tuples (run counts, error records)."""
    values = secret_values(environ)

    def walk(o: Any) -> Any:
        if isinstance(o, str):
            return _redact(o, values)
        if isinstance(o, dict):
            return {walk(k): walk(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return type(o)(walk(v) for v in o)
        return o

    return walk(obj)


def _redact(text: Any, values: list[str]) -> Any:
    if not isinstance(text, str) or not text:
        return text
    for value in values:
        text = text.replace(value, MASK)
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    text = _PARAM.sub(lambda m: f"{m.group(1)}={MASK}" if secret_name(m.group(1)) else m.group(0), text)
    return _QUOTED.sub(lambda m: (f"{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}{m.group(4)}{MASK}{m.group(4)}"
                                  if secret_name(m.group(2)) else m.group(0)), text)
