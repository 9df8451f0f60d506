"""Parsing request bodies as JSON with every string a valid Unicode text.

JSON may spell a lone UTF-16 surrogate (``"\\ud800"``), which Python keeps in a ``str`` that can
never be encoded: stored in an SMS it made every later read of it fail, in a login user name it
made the comparison raise. Each one is replaced here, at the edge, by U+FFFD (the replacement
character), in keys and values alike, so nothing past the edge ever holds one. A body with no
``\\uD800``-``\\uDFFF`` escape (nearly all) is parsed as it is, with no second look.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(body: bytes, numbers_as_text: bool = False) -> Any:
    """``json.loads(body)``, lone surrogates replaced; raises what ``json.loads`` raises.
    ``numbers_as_text``: fractional numbers stay their source text (API 2.0.0's callids)."""
    # A body that opens with an object's brace is UTF-8 to ``json.loads`` (it detects the
    # encoding from the first bytes): decoded here the same way, that detection is skipped.
    text: bytes | str = body
    if body[:1] == b"{" and body[1:2] not in (b"\x00", b""):
        text = body.decode("utf-8", "surrogatepass")
    data = json.loads(text, parse_float=str) if numbers_as_text else json.loads(text)
    if _SURROGATE_ESCAPE.search(body) is None:
        return data
    return without_surrogates(data)


def without_surrogates(value: Any) -> Any:
    """``value`` with U+FFFD for every lone surrogate in its strings (valid pairs are already
    one character once parsed)."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    return value
