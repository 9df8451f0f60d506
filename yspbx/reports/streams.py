"""TCP event streams (API 2.0.0's second report method, docs/api-2.md "TCP events").

The PBX listens on ``reports.tcp_port``; an application server connects and sends a login
block, AMI style::

    Action: login\\r\\nUsername: api\\r\\nSecret: <password>\\r\\nVersion: 2.0.0\\r\\n\\r\\n

(bare ``\\n`` line ends, any key case, and the same fields as one JSON object are read too;
``Secret`` is the plain password or its MD5). The PBX answers ``Response: Success`` and from then
on writes every event to the connection as one compact JSON object followed by ``\\r\\n\\r\\n``,
in the format the ``Version`` line asked for (``2.0.0``; absent: legacy). A failed login answers
``Response: Error``, counts toward the same IP lockout as HTTP logins, and closes.

Each stream is fed from the report outbox like an HTTP session (its reports are stored under the
stream's key before they are written, in the engine's order, and listed by ``/sim/v1/reports``);
there is no acknowledgement, so a report counts as delivered once written. A client that goes
away is dropped: its pending reports are dropped with it, nothing else notices.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from yspbx.clock import Clock
from yspbx.errors import PbxError
from yspbx.reports.outbox import Outbox
from yspbx.sessions.manager import SessionManager, report_format
from yspbx.sessions.models import format_of
from yspbx.store.base import AttemptOutcome, NewReport, OutboxStore

log = logging.getLogger(__name__)

# Outbox keys of TCP streams start with this (session tokens are 32 hex digits).
STREAM_PREFIX = "tcp:"
LOGIN_LIMIT = 4096
LOGIN_TIMEOUT = 10.0
SUCCESS = b"Response: Success\r\nMessage: Authentication accepted\r\n\r\n"
FAILURE = b"Response: Error\r\nMessage: Authentication failed\r\n\r\n"
LOCKED = b"Response: Error\r\nMessage: Authentication locked\r\n\r\n"
FRAME_END = b"\r\n\r\n"


@dataclass(eq=False)
class _Stream:
    key: str
    peer: str
    format: str
    writer: asyncio.StreamWriter
    wake: asyncio.Event = field(default_factory=asyncio.Event)


def parse_login(block: bytes) -> dict[str, str]:
    """The login block's fields, keys lower-cased, values trimmed (text or JSON form)."""
    text = block.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k).lower(): str(v).strip() for k, v in data.items() if v is not None}
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip().lower(), value.strip())
    return fields


class EventStreams:
    def __init__(self, sessions: SessionManager, outbox: OutboxStore, clock: Clock) -> None:
        self._sessions = sessions
        self._outbox = Outbox(outbox, 10000)
        self._store = outbox
        self._clock = clock
        self._streams: dict[str, _Stream] = {}
        self._ids = itertools.count(1)
        self._owner = f"tcp-{secrets.token_hex(6)}"
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int | None:
        if self._server is None or not self._server.sockets:
            return None
        return int(self._server.sockets[0].getsockname()[1])

    def count(self) -> int:
        return len(self._streams)

    def owns(self, key: str) -> bool:
        """Whether ``key`` is a stream connected to this process now."""
        return key in self._streams

    async def start(self, host: str, port: int) -> None:
        # Several worker processes of one server each open the listener (SO_REUSEPORT).
        self._server = await asyncio.start_server(self._connected, host, port, reuse_port=True)
        log.info("TCP event listener on %s:%s", host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for stream in list(self._streams.values()):
            stream.writer.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        self._server = None

    async def publish(
        self, action: str, body_for: Callable[[str], bytes | None], now: float
    ) -> None:
        """Queue an event for every logged-in stream, in its format, and wake it."""
        if not self._streams:
            return
        bodies: dict[str, bytes | None] = {}
        reports = []
        chosen = []
        for stream in self._streams.values():
            if stream.format not in bodies:
                bodies[stream.format] = body_for(stream.format)
            body = bodies[stream.format]
            if body is None:
                continue
            reports.append(NewReport(stream.key, action, body, stream.peer, now))
            chosen.append(stream)
        if reports:
            await self._store.add(reports)
        for stream in chosen:
            stream.wake.set()

    # -- one connection -------------------------------------------------------------------

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        peer = writer.get_extra_info("peername")
        ip = str(peer[0]) if peer else "0.0.0.0"
        stream: _Stream | None = None
        try:
            stream = await self._log_in(reader, writer, ip, peer)
            if stream is not None:
                await self._serve(stream, reader)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("TCP event stream from %s failed", ip)
        finally:
            if stream is not None:
                self._streams.pop(stream.key, None)
                await self._outbox.drop(stream.key, "TCP client gone")
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _log_in(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        ip: str,
        peer: object,
    ) -> _Stream | None:
        block = await asyncio.wait_for(_read_block(reader), LOGIN_TIMEOUT)
        fields = parse_login(block)
        if fields.get("action", "").lower() != "login":
            writer.write(FAILURE)
            await writer.drain()
            return None
        try:
            await self._sessions.stream_login(
                ip, fields.get("username", ""), fields.get("secret", "")
            )
        except PbxError as exc:
            writer.write(LOCKED if exc.errno.value == "20002" else FAILURE)
            await writer.drain()
            return None
        key = f"{STREAM_PREFIX}{next(self._ids)}-{self._owner}"
        version = report_format(fields.get("version"))
        target = f"tcp://{ip}:{peer[1] if isinstance(peer, tuple) else 0}"
        stream = _Stream(key, target, format_of(version), writer)
        writer.write(SUCCESS)
        await writer.drain()
        self._streams[key] = stream
        return stream

    async def _serve(self, stream: _Stream, reader: asyncio.StreamReader) -> None:
        """Write the stream's reports as they come; end when the client goes away."""
        gone = asyncio.ensure_future(_until_closed(reader))
        try:
            while not gone.done():
                await self._write_pending(stream)
                waiter = asyncio.ensure_future(stream.wake.wait())
                await asyncio.wait({gone, waiter}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                stream.wake.clear()
        finally:
            gone.cancel()

    async def _write_pending(self, stream: _Stream) -> None:
        while True:
            now = self._clock.now()
            claim = await self._store.claim(stream.key, self._owner, now, now + 60.0)
            report = claim.report
            if report is None:
                return
            stream.writer.write(report.body + FRAME_END)
            await stream.writer.drain()
            outcome = AttemptOutcome(stream.peer, None, True, self._clock.now())
            await self._store.finish(report.id, self._owner, outcome)
            await self._outbox.finished()


async def _read_block(reader: asyncio.StreamReader) -> bytes:
    """Up to the empty line that ends the login block (``\\r\\n\\r\\n`` or ``\\n\\n``)."""
    data = b""
    while b"\r\n\r\n" not in data and b"\n\n" not in data:
        chunk = await reader.read(512)
        if not chunk:
            break
        data += chunk
        if len(data) > LOGIN_LIMIT:
            break
    return data[:LOGIN_LIMIT]


async def _until_closed(reader: asyncio.StreamReader) -> None:
    """Read and ignore what the client sends after its login, until it closes."""
    while await reader.read(1024):
        pass
