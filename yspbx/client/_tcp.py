"""TCP event streams (API 2.0.0, docs/api-2.md "TCP events"): connect to the PBX's TCP event
port, log in, and read events as they come, sync (:class:`TcpEvents`) or async
(:class:`AsyncTcpEvents`).

The stream carries JSON objects separated by blank lines; the reader does not rely on the
separator: it decodes whole JSON objects from the bytes received (several in one read, one
split over reads) and skips whatever lies between them, such as the login reply.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterator
from types import TracebackType

import anyio
from anyio.abc import ByteStream

from yspbx.client._events import Event, parse_report
from yspbx.client._exceptions import ConnectError, LoginError

DEFAULT_PORT = 8333
_SUCCESS = b"Response: Success"


def login_block(username: str, password: str, version: str | None = "2.0.0") -> bytes:
    """The login block: ``Secret`` is the plain API password (the PBX takes its MD5 too)."""
    lines = ["Action: login", f"Username: {username}", f"Secret: {password}"]
    if version:
        lines.append(f"Version: {version}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def parse_address(address: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[v6]:PORT``; a bare host means port 8333)."""
    host, sep, port = address.rpartition(":")
    if not sep or "]" in port:
        return address.strip("[]"), DEFAULT_PORT
    return host.strip("[]"), int(port)


class _Decoder:
    """Whole JSON objects out of a byte stream."""

    def __init__(self) -> None:
        self._text = ""
        self._decoder = json.JSONDecoder()
        self._raw = b""

    def feed(self, data: bytes) -> list[bytes]:
        self._raw += data
        try:
            self._text = self._raw.decode("utf-8")
        except UnicodeDecodeError:
            return []  # a character split over reads: wait for the rest
        found = []
        while True:
            start = self._text.find("{")
            if start < 0:
                self._text = ""
                break
            try:
                _, end = self._decoder.raw_decode(self._text, start)
            except ValueError:
                self._text = self._text[start:]
                break
            found.append(self._text[start:end].encode("utf-8"))
            self._text = self._text[end:]
        self._raw = self._text.encode("utf-8")
        return found


def _check_reply(reply: bytes) -> None:
    if _SUCCESS not in reply:
        raise LoginError("20003", "tcp login", reply.decode("utf-8", errors="replace").strip())


class TcpEvents:
    """``with TcpEvents("pbx:8333", username="api", password="...") as events:
    for event in events: ...``"""

    def __init__(
        self,
        address: str,
        *,
        username: str,
        password: str,
        version: str | None = "2.0.0",
        timeout: float | None = None,
    ) -> None:
        self.host, self.port = parse_address(address)
        self._block = login_block(username, password, version)
        self._timeout = timeout
        self._sock: socket.socket | None = None
        self._decoder = _Decoder()
        self._pending: list[bytes] = []

    def connect(self) -> TcpEvents:
        try:
            self._sock = socket.create_connection((self.host, self.port), timeout=10)
        except OSError as exc:
            raise ConnectError(f"cannot reach {self.host}:{self.port}: {exc}") from exc
        self._sock.sendall(self._block)
        reply = b""
        while b"\r\n\r\n" not in reply and b"\n\n" not in reply:
            chunk = self._sock.recv(1024)
            if not chunk:
                break
            reply += chunk
        head, _, rest = reply.partition(b"\r\n\r\n")
        _check_reply(head)
        self._pending = self._decoder.feed(rest)
        self._sock.settimeout(self._timeout)
        return self

    def __enter__(self) -> TcpEvents:
        return self.connect()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __iter__(self) -> Iterator[Event]:
        while True:
            while self._pending:
                yield parse_report(self._pending.pop(0))
            if self._sock is None:
                return
            data = self._sock.recv(65536)
            if not data:
                return
            self._pending = self._decoder.feed(data)


class AsyncTcpEvents:
    """``async with AsyncTcpEvents("pbx:8333", username=..., password=...) as events:
    async for event in events: ...``"""

    def __init__(
        self, address: str, *, username: str, password: str, version: str | None = "2.0.0"
    ) -> None:
        self.host, self.port = parse_address(address)
        self._block = login_block(username, password, version)
        self._stream: ByteStream | None = None
        self._decoder = _Decoder()
        self._pending: list[bytes] = []

    async def connect(self) -> AsyncTcpEvents:
        try:
            self._stream = await anyio.connect_tcp(self.host, self.port)
        except OSError as exc:
            raise ConnectError(f"cannot reach {self.host}:{self.port}: {exc}") from exc
        await self._stream.send(self._block)
        reply = b""
        while b"\r\n\r\n" not in reply and b"\n\n" not in reply:
            try:
                reply += await self._stream.receive(1024)
            except anyio.EndOfStream:
                break
        head, _, rest = reply.partition(b"\r\n\r\n")
        _check_reply(head)
        self._pending = self._decoder.feed(rest)
        return self

    async def __aenter__(self) -> AsyncTcpEvents:
        return await self.connect()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._stream is not None:
            await self._stream.aclose()
            self._stream = None

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            while self._pending:
                yield parse_report(self._pending.pop(0))
            if self._stream is None:
                return
            try:
                data = await self._stream.receive(65536)
            except (anyio.EndOfStream, anyio.ClosedResourceError):
                return
            self._pending = self._decoder.feed(data)
