"""Reading a request body from ASGI messages, for the API envelope and the fleet's forwarder.

A body over the limit is refused from its ``Content-Length`` before a byte is read, and a
chunked one as soon as it passes the limit, so a huge upload never sits in memory whole.
"""

from __future__ import annotations

from typing import Any


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    """The client disconnected before its body was complete: there is nobody to answer."""


def header(scope: Any, wanted: bytes) -> bytes | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return bytes(value)
    return None


async def read_body(scope: Any, receive: Any, limit: int) -> bytes:
    declared = header(scope, b"content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise BodyTooLarge
        except ValueError:
            pass
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
