"""What processes of a fleet send each other: a small JSON header and an opaque payload.

The payload carries bytes as they are (a request body, an answer already encoded for the wire),
so nothing is encoded twice on the way through.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from typing import Any

_LENGTH = struct.Struct("!I")


class BadMessage(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Message:
    header: dict[str, Any]
    payload: bytes = field(default=b"")

    @property
    def kind(self) -> str:
        return str(self.header.get("kind", ""))


def pack(message: Message) -> bytes:
    header = json.dumps(message.header, separators=(",", ":")).encode()
    return _LENGTH.pack(len(header)) + header + message.payload


def unpack(data: bytes) -> Message:
    try:
        (length,) = _LENGTH.unpack_from(data)
        header = json.loads(data[_LENGTH.size : _LENGTH.size + length])
    except (struct.error, ValueError) as exc:
        raise BadMessage(f"unreadable message: {exc}") from None
    if not isinstance(header, dict):
        raise BadMessage("the message header is not an object")
    return Message(header, data[_LENGTH.size + length :])
