"""uvicorn's HTTP protocols with the deadlines and caps a server on a shared network needs.

uvicorn closes a keep-alive connection that stays idle after a response
(``timeout_keep_alive``) and h11 bounds a request head's size, but nothing bounds how long a
client may take to send a request head or its body, a fresh connection that sends nothing is
never closed, httptools accepts a head of any size (a 300 MiB header grew the process by
hundreds of megabytes), and ``limit_concurrency`` only answers 503 once a request head has
arrived, so idle connections beyond it still hold a file descriptor each. A handful of slow
clients could therefore hold the server's descriptors forever, unauthenticated.

This module adds those bounds to both protocols, at the one place that sees every byte
(``data_received``), without touching the parsing:

* **head**: from the connection's start, or from the first byte of a later request on a
  kept-alive connection, the head must be complete within ``head_timeout`` seconds, and may not
  exceed ``max_head_bytes``; otherwise ``408`` or ``431`` and the connection is closed.
* **body**: from the end of the head, the body must be complete within ``body_timeout``;
  otherwise ``408`` (unless the application already answered) and the connection is closed.
* **idle keep-alive**: ``server.keepalive_timeout`` (uvicorn's ``timeout_keep_alive``), kept
  by the guard on the httptools protocol, by uvicorn's own timer on h11.
* **connections**: at most ``max_connections`` open at once per process; the next one is
  answered ``503`` with a short body at once and closed, so a client sees why rather than a
  silent hang, and the connections already admitted (a load balancer's ``/health``) go on.

The limits travel on :class:`GuardedConfig`, which worker processes receive pickled.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# A refused connection is answered at once, then read (and what it sends thrown away) for at
# most this long before it is closed: closing with unread data would reset the connection and
# the client could lose the answer.
_REFUSAL_LINGER = 1.0
_NEVER = math.inf


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    head_timeout: float = 10.0
    body_timeout: float = 10.0
    max_head_bytes: int = 32768
    max_connections: int = 1000


class GuardedConfig(uvicorn.Config):
    """uvicorn's config, carrying the limits the guarded protocols read."""

    def __init__(self, app: Any, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.limits = limits


def _answer(status: int, reason: str, text: str) -> bytes:
    body = (text + "\n").encode("ascii")
    return (
        f"HTTP/1.1 {status} {reason}\r\n"
        "content-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode("ascii") + body


_BUSY = _answer(503, "Service Unavailable", "yspbx: too many connections, try again later")
_HEAD_LATE = _answer(408, "Request Timeout", "yspbx: the request head took too long")
_BODY_LATE = _answer(408, "Request Timeout", "yspbx: the request body took too long")
_HEAD_LARGE = _answer(431, "Request Header Fields Too Large", "yspbx: the request head is too big")


# Bodies up to this size are sent in the same write as their head; a larger one (a recording
# download) follows it in a write of its own rather than being copied.
_JOIN_BELOW = 64 * 1024
_CONTINUE = b"HTTP/1.1 100 "


class _HeadWithBody:
    """What one request's answer is written through: its head is held until the body's first
    bytes and both go out in one write.

    uvicorn writes a response's head as soon as the application starts the response, then the
    body: two system calls and, with ``TCP_NODELAY``, two packets for an answer of a few hundred
    bytes. Every API answer starts and ends in the same turn of the event loop, so holding the
    head costs nothing; an answer whose body comes later (an event stream) gets its head at the
    end of that turn. A ``100 Continue`` is never held.
    """

    __slots__ = ("_held", "_loop", "_transport", "_waiting")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None
        self._waiting = True  # for the head

    def write(self, data: bytes) -> None:
        if self._waiting and not data.startswith(_CONTINUE):
            self._waiting = False
            self._held = data
            self._loop.call_soon(self.flush)
            return
        held = self._held
        if held is not None:
            self._held = None
            if len(data) < _JOIN_BELOW:
                data = held + data
            else:
                self._transport.write(held)
        self._transport.write(data)

    def flush(self) -> None:
        held = self._held
        if held is not None:
            self._held = None
            if not self._transport.is_closing():
                self._transport.write(held)

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def close(self) -> None:
        self.flush()
        self._transport.close()


class _Sweeper:
    """One clock for every connection of a server: each connection keeps the time its current
    deadline falls due, and a sweep every ``tick`` seconds ends those that are past it.

    A timer per deadline cost every request on a kept-alive connection a timer made and
    cancelled (the head's, and uvicorn's own keep-alive timer after each answer), a few
    microseconds each on the hottest path; a deadline is now an assignment. The price is
    precision: a deadline is acted on up to one tick late (a tick is an eighth of the shortest
    limit, at most half a second). The sweep runs only while connections are open.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, tick: float) -> None:
        self._loop = loop
        self.tick = tick
        self._watched: set[_Guard] = set()
        self._timer: asyncio.TimerHandle | None = None

    def watch(self, guard: _Guard) -> None:
        self._watched.add(guard)
        if self._timer is None:
            self._timer = self._loop.call_later(self.tick, self._sweep)

    def unwatch(self, guard: _Guard) -> None:
        self._watched.discard(guard)

    def _sweep(self) -> None:
        self._timer = None
        now = self._loop.time()
        for guard in [g for g in self._watched if g.due_at <= now]:
            guard.fall_due()
        if self._watched:
            self._timer = self._loop.call_later(self.tick, self._sweep)


def _sweeper_for(protocol: Any, limits: ConnectionLimits) -> _Sweeper:
    """The sweeper of the protocol's server (kept on uvicorn's state that all its connections
    share), made by the first connection."""
    state = protocol.server_state
    sweeper: _Sweeper | None = getattr(state, "yspbx_sweeper", None)
    if sweeper is None:
        shortest = min(limits.head_timeout, limits.body_timeout, float(protocol.timeout_keep_alive))
        sweeper = _Sweeper(protocol.loop, min(0.5, max(0.01, shortest / 8)))
        state.yspbx_sweeper = sweeper
    return sweeper


class _Guard:
    """The bounds, written once for both protocols (mixed in before uvicorn's class).

    The phase of a connection is read from uvicorn's own request cycle after each chunk is
    parsed: a cycle that was not there before means a head was completed; a cycle whose
    ``more_body`` is still set is waiting for its body. At most one deadline is armed at a
    time (``due_at``, what to do then in ``_on_due``), watched by the server's
    :class:`_Sweeper`.
    """

    # What uvicorn's protocols provide.
    config: uvicorn.Config
    connections: set[Any]
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    cycle: Any
    server_state: Any
    timeout_keep_alive: int

    def _guard_setup(self) -> None:
        limits = getattr(self.config, "limits", None)
        self._limits = limits if isinstance(limits, ConnectionLimits) else ConnectionLimits()
        self._sweeper = _sweeper_for(self, self._limits)
        self.due_at = _NEVER
        self._on_due: Callable[[], None] | None = None
        self._head_bytes = 0
        self._seen_cycle: Any = None
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        if len(self.connections) > self._limits.max_connections:
            # Out of the count at once: refused connections must not crowd out admitted ones.
            self.connections.discard(self)
            self._refuse()
            return
        self._sweeper.watch(self)
        self._arm(self._limits.head_timeout, self._head_late)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        waiting_head = self._waiting_head()
        super().data_received(data)  # type: ignore[misc]
        if self.transport.is_closing():
            self._disarm()
            return
        cycle = self.cycle
        if cycle is not self._seen_cycle:
            # A head was completed: its size and clock start over for the next one.
            self._seen_cycle = cycle
            self._head_bytes = 0
            self._disarm()
            if cycle.more_body:
                self._arm(self._limits.body_timeout, self._body_late)
            # Its answer's head waits for the body's first bytes (one write, one packet).
            cycle.transport = _HeadWithBody(self.transport, self.loop)
        elif waiting_head:
            if self._on_due != self._head_late:
                # The first bytes of a request on a kept-alive connection, short of a whole
                # head, start its head's clock (a head that arrives whole needs no clock).
                self._arm(self._limits.head_timeout, self._head_late)
            self._head_bytes += len(data)
            if self._head_bytes > self._limits.max_head_bytes:
                self._close_with(_HEAD_LARGE)
        elif cycle is not None and not cycle.more_body:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._sweeper.unwatch(self)
        super().connection_lost(exc)  # type: ignore[misc]

    def _waiting_head(self) -> bool:
        cycle = self.cycle
        return cycle is None or not cycle.more_body

    def _arm(self, seconds: float, callback: Callable[[], None]) -> None:
        self.due_at = self.loop.time() + seconds
        self._on_due = callback

    def _disarm(self) -> None:
        self.due_at = _NEVER
        self._on_due = None

    def fall_due(self) -> None:
        """The sweeper found the armed deadline past."""
        callback = self._on_due
        self._disarm()
        if callback is not None:
            callback()

    def _head_late(self) -> None:
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # Still answering the previous request (pipelined bytes arrived meanwhile): the
            # next head's clock starts once that answer is out.
            self._arm(self._limits.head_timeout, self._head_late)
            return
        if self._head_bytes:
            self._close_with(_HEAD_LATE)
        elif not self.transport.is_closing():
            # Nothing at all was sent: close without a word, as for an idle keep-alive.
            self.transport.close()

    def _body_late(self) -> None:
        cycle = self.cycle
        if cycle is None or not cycle.more_body:
            return
        self._close_with(b"" if cycle.response_started else _BODY_LATE)

    def _close_with(self, answer: bytes) -> None:
        self._disarm()
        if self.transport.is_closing():
            return
        if answer:
            self.transport.write(answer)
        self.transport.close()

    def _refuse(self) -> None:
        self._refused = True
        self.transport.write(_BUSY)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(_REFUSAL_LINGER, self.transport.close)


class GuardedHttpToolsProtocol(_Guard, HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard_setup()

    def on_response_complete(self) -> None:
        """uvicorn's, with the idle keep-alive as a deadline of the sweeper's instead of a
        timer made after every answer (uvicorn's own path when a pipelined request waits or
        the connection is closing)."""
        if self.pipeline or self.transport.is_closing():
            super().on_response_complete()
            return
        self.server_state.total_requests += 1
        self._unset_keepalive_if_required()
        self.flow.resume_reading()
        self._arm(self.timeout_keep_alive, self.timeout_keep_alive_handler)


class GuardedH11Protocol(_Guard, H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard_setup()


PROTOCOLS: dict[str, type[asyncio.Protocol]] = {
    "httptools": GuardedHttpToolsProtocol,
    "h11": GuardedH11Protocol,
}
