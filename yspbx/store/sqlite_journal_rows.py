"""The journal's entries packed into one row per batch (the SQLite store's ``journal_batches``).

Every API request is journaled, so a row per entry cost each request a B-tree insert, an
``AUTOINCREMENT`` counter update and, at the next trim, a delete: about a sixth of a login's
time on SQLite. The entries a process writes together (one batch, :class:`SharedJournal`) are
one row instead: one insert and one delete per batch, whatever its size. The format is a
version byte, then per entry a fixed header (time, HTTP status, six lengths) and the six
fields' bytes; nothing in it is executed when read (no pickle).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from yspbx.store.base import JournalEntry

_VERSION = b"\x01"
_HEADER = struct.Struct("<dH6I")


def pack(entries: Sequence[JournalEntry]) -> bytes:
    # Written out field by field: this runs for every API request (a generator per entry cost
    # about a third of it).
    parts = [_VERSION]
    add = parts.extend
    header = _HEADER.pack
    for e in entries:
        ip = e.client_ip.encode("utf-8", "surrogatepass")
        method = e.method.encode("utf-8", "surrogatepass")
        path = e.path.encode("utf-8", "surrogatepass")
        query, body, response = e.query, e.body, e.response
        add(
            (
                header(
                    e.time,
                    e.http_status,
                    len(ip),
                    len(method),
                    len(path),
                    len(query),
                    len(body),
                    len(response),
                ),
                ip,
                method,
                path,
                query,
                body,
                response,
            )
        )
    return b"".join(parts)


def unpack(blob: bytes) -> list[JournalEntry]:
    if blob[:1] != _VERSION:
        raise ValueError(f"unknown journal batch format {blob[:1]!r}")
    entries = []
    at, size, end = 1, _HEADER.size, len(blob)
    while at < end:
        time, status, *lengths = _HEADER.unpack_from(blob, at)
        at += size
        fields = []
        for length in lengths:
            fields.append(blob[at : at + length])
            at += length
        ip, method, path, query, body, response = fields
        entries.append(
            JournalEntry(time, _text(ip), _text(method), _text(path), query, body, status, response)
        )
    return entries


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogatepass")
