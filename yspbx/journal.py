"""The request journal: every API request the server received, for the control plane to show.

Recording sits on the hot path, so it only appends a tuple of references to a bounded deque;
decoding, masking and shaping happen when someone reads the journal. Tokens and password hashes
are masked on the way out (``9b1c`` followed by asterisks), never stored in a second form.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any, NamedTuple

# Bodies longer than this are cut in the journal (the request itself is not affected).
BODY_LIMIT = 4096

_SECRET_JSON = re.compile(r'("(?:token|password|random)"\s*:\s*")([^"]*)(")')
_SECRET_QUERY = re.compile(r"((?:^|&)(?:token|random)=)([^&]*)")


class _Entry(NamedTuple):
    time: float
    client_ip: str
    method: str
    path: str
    query: bytes
    body: bytes
    http_status: int
    response: bytes


def mask(secret: str) -> str:
    return secret[:4] + "*" * max(0, len(secret) - 4)


def _mask_json_text(text: str) -> str:
    return _SECRET_JSON.sub(lambda m: m.group(1) + mask(m.group(2)) + m.group(3), text)


def _mask_query(text: str) -> str:
    return _SECRET_QUERY.sub(lambda m: m.group(1) + mask(m.group(2)), text)


def _text(data: bytes) -> str:
    text = data[:BODY_LIMIT].decode("utf-8", errors="replace")
    return text + "…" if len(data) > BODY_LIMIT else text


class Journal:
    def __init__(self, size: int) -> None:
        self._entries: deque[_Entry] = deque(maxlen=size)

    def record(
        self,
        time: float,
        client_ip: str,
        method: str,
        path: str,
        query: bytes,
        body: bytes,
        http_status: int,
        response: bytes,
    ) -> None:
        self._entries.append(
            _Entry(time, client_ip, method, path, query, body, http_status, response)
        )

    def entries(self) -> list[dict[str, Any]]:
        return [
            {
                "time": e.time,
                "client_ip": e.client_ip,
                "method": e.method,
                "path": e.path,
                "query": _mask_query(e.query.decode("latin-1")),
                "body": _mask_json_text(_text(e.body)),
                "http_status": e.http_status,
                "response": _mask_json_text(_text(e.response)),
            }
            for e in list(self._entries)
        ]

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
