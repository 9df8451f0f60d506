"""One HTTP POST of one report, the way the PBX sends it, with a hard deadline.

The request carries the PBX's headers (``User-Agent: WebAPI``, ``Content-Type`` and ``Accept``
``application/json``, plus ``Host`` and ``Content-Length``) and one of yspbx's own,
:data:`REPORT_MARK`: a report target can be made to point at yspbx itself, and the control plane
refuses any request that carries the mark, so a report never reaches it through the trust it
gives loopback clients (the receiver may ignore the header). It goes out on a new TCP
connection each time, as the PBX's short-lived flows do (``reports.keepalive`` reuses
connections instead, per target: faster, less faithful; a kept connection found closed before
any answer came back is replaced by a new one for the same report). Redirects are never
followed. The whole exchange, connecting and the answer's body included, must finish within
``timeout`` seconds of wall time: a receiver that hangs or trickles bytes cannot hold a delivery
slot longer than that. The answer's body is read (so a cut-off answer counts as no answer) and
thrown away as it arrives.

Why not httpx: a report is one small POST whose answer only matters by its status, repeated a
hundred thousand times in a day played at full speed, one after another per session. A general
client's layers (request and response models, cookie jar, pool bookkeeping, anyio's cancel
scopes, headers and body in two socket writes) cost about a millisecond per report here. This
client is an :class:`asyncio.Protocol` per connection: the request's head is built once per
target URL, head and body go out in one write, and the answer is parsed by ``httptools``
(llhttp, the parser uvicorn uses; a ``server`` dependency already), never by hand.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import httptools

# Marks every report this server sends; the control plane refuses requests carrying it.
REPORT_MARK = "X-Yspbx-Report"
REPORT_MARK_KEY = REPORT_MARK.lower().encode("ascii")

REPORT_HEADERS = (
    ("User-Agent", "WebAPI"),
    ("Content-Type", "application/json"),
    ("Accept", "application/json"),
    (REPORT_MARK, "1"),
)

# What a request target may hold on the wire: printable ASCII without spaces (RFC 9112's
# origin-form; a login's URL is percent-encoded before it becomes a target).
_TARGET = re.compile(r"/[\x21-\x7e]*")
# A registered name as a Host header carries it (letters, digits, '-', '.', '_').
_HOSTNAME = re.compile(r"[A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class SendResult:
    """The HTTP status the receiver answered, or None and why there was no complete answer."""

    status: int | None
    error: str = ""


class BadTarget(ValueError):
    """A report URL no request can be sent to (never expected: logins check targets)."""


@dataclass(frozen=True, slots=True)
class _Target:
    host: str  # as the socket connects to it (an IPv6 address without brackets)
    port: int
    head: bytes  # the request line and every header but Content-Length


@functools.lru_cache(maxsize=1024)
def _target(url: str) -> _Target:
    """``url`` checked and the request head to it built, once per URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadTarget(f"invalid report URL {url!r}: {exc}") from None
    host = parts.hostname or ""
    if parts.scheme != "http" or not host or parts.username is not None or parts.fragment:
        raise BadTarget(f"invalid report URL {url!r}")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        if not _HOSTNAME.fullmatch(host):
            raise BadTarget(f"invalid host in report URL {url!r}") from None
        authority = host
    else:
        authority = f"[{literal}]" if literal.version == 6 else str(literal)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if not _TARGET.fullmatch(path):
        raise BadTarget(f"invalid path in report URL {url!r}")
    if port is None:
        port = 80
    elif port != 80:
        authority += f":{port}"
    lines = [f"POST {path} HTTP/1.1", f"Host: {authority}"]
    lines += [f"{name}: {value}" for name, value in REPORT_HEADERS]
    head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode("ascii")
    return _Target(host, port, head)


class _NoAnswer(Exception):
    """The exchange ended without a complete answer (the reason is the message)."""


class _Connection(asyncio.Protocol):
    """One TCP connection to a receiver: one exchange at a time, the answer parsed as it comes
    (its body discarded), the status handed to the waiting sender."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._answer: asyncio.Future[int] | None = None
        self._parser: httptools.HttpResponseParser | None = None
        self._status = 0
        self._headers_done = False
        self._sized = False  # the answer says where its body ends (length, chunks)
        self.reusable = False
        self.answered = False  # some of the current exchange's answer arrived

    # asyncio's side.

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have its methods.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.answered = True
        parser = self._parser
        if parser is None:
            # Bytes nobody asked for: the connection can carry no further exchange.
            self._lose("the receiver sent bytes before any request")
            return
        try:
            parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._lose("the receiver switched protocols")
        except httptools.HttpParserError as exc:
            self._lose(f"malformed answer: {exc}")

    def eof_received(self) -> bool | None:
        if self._parser is not None and self._headers_done and not self._sized:
            # The body ran to the end of the connection: that was the whole answer.
            self._complete(reusable=False)
        self._lose("the connection closed before a complete answer")
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        reason = f"{type(exc).__name__}: {exc}" if exc else ""
        self._lose(reason or "the connection closed before a complete answer")

    # httptools' side.

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        if name == b"content-length" or name == b"transfer-encoding":
            self._sized = True

    def on_headers_complete(self) -> None:
        assert self._parser is not None
        self._status = self._parser.get_status_code()
        self._headers_done = True

    def on_message_complete(self) -> None:
        assert self._parser is not None
        if 100 <= self._status < 200:
            # An interim answer (100 Continue...): the final one follows on the same exchange.
            self._headers_done = self._sized = False
            return
        self._complete(reusable=self._parser.should_keep_alive())

    # The sender's side.

    def send(self, data: bytes) -> asyncio.Future[int]:
        """Write one request (head and body in one write); the future gets the status."""
        assert self.transport is not None
        if self.closed or self.transport.is_closing():
            # Closed under us (by the loop after a failed write) before the loop said so.
            self.closed = True
            raise _NoAnswer("the connection closed before the request went out")
        loop = asyncio.get_running_loop()
        self._answer = loop.create_future()
        self._parser = httptools.HttpResponseParser(self)
        self._status, self._headers_done, self._sized = 0, False, False
        self.reusable = self.answered = False
        self.transport.write(data)
        return self._answer

    def _complete(self, reusable: bool) -> None:
        answer, self._answer = self._answer, None
        self._parser = None
        self.reusable = reusable and not self.closed
        if answer is not None and not answer.done():
            answer.set_result(self._status)

    def _lose(self, reason: str) -> None:
        self.closed = True
        self.reusable = False
        self._parser = None
        answer, self._answer = self._answer, None
        if answer is not None and not answer.done():
            answer.set_exception(_NoAnswer(reason))
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


class ReportSender:
    def __init__(self, timeout: float, concurrency: int, keepalive: bool = False) -> None:
        """At most ``concurrency`` connections are kept idle (with ``keepalive``); the caller
        bounds the posts in flight."""
        self.timeout = timeout
        self.keepalive = keepalive
        self._max_idle = concurrency if keepalive else 0
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._idle_count = 0

    async def post(self, url: str, body: bytes) -> SendResult:
        try:
            target = _target(url)
        except BadTarget as exc:
            return SendResult(None, str(exc))
        connection: _Connection | None = None
        request = b"%b%d\r\n\r\n%b" % (target.head, len(body), body)
        try:
            async with asyncio.timeout(self.timeout):
                connection = self._reuse(target)
                if connection is not None:
                    try:
                        status = await connection.send(request)
                    except _NoAnswer:
                        if connection.answered:
                            raise
                        # A kept connection the receiver had closed as the request went out
                        # (its close not seen yet): again on a new one, within the deadline.
                        # Delivery is at least once, and a failed attempt is sent again anyway.
                        connection = None
                if connection is None:
                    connection = await self._connect(target)
                    status = await connection.send(request)
        except TimeoutError:
            if connection is not None:
                connection.abort()
            return SendResult(None, f"no answer within {self.timeout:g} s")
        except _NoAnswer as exc:
            return SendResult(None, f"no complete answer: {exc}")
        except OSError as exc:
            if connection is not None:
                connection.abort()
            return SendResult(None, f"{type(exc).__name__}: {exc}".rstrip(": "))
        except BaseException:
            # Cancelled mid-exchange: the connection is in an unknown state.
            if connection is not None:
                connection.abort()
            raise
        self._keep(target, connection)
        return SendResult(status)

    async def _connect(self, target: _Target) -> _Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(_Connection, target.host, target.port)
        return connection

    def _reuse(self, target: _Target) -> _Connection | None:
        if not self._idle_count:
            return None
        idle = self._idle.get((target.host, target.port))
        while idle:
            connection = idle.pop()
            self._idle_count -= 1
            transport = connection.transport
            if not connection.closed and transport is not None and not transport.is_closing():
                return connection
        return None

    def _keep(self, target: _Target, connection: _Connection) -> None:
        """Keep the connection for the target's next report, or close it."""
        if not connection.reusable or self._idle_count >= self._max_idle:
            connection.close()
            return
        self._idle.setdefault((target.host, target.port), []).append(connection)
        self._idle_count += 1

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
        self._idle_count = 0
