"""A real HTTP receiver for event reports: a loopback server that records and misbehaves on cue.

It plays the application server of a test: it listens on a loopback address (``127.0.0.x``
acts as a separate host) and a free port, records every request it reads, raw bytes included,
in arrival order, and answers each one as scripted::

    with Receiver("127.0.0.5") as receiver:
        token = log_in(server.url, receiver, version="1.0.2")  # from 127.0.0.5, its port
        receiver.queue(500, 500, HANG, CLOSE, CUT_BODY, Slow(0.2, 200))  # the next six answers
        receiver.policy = lambda request: 500 if request.number % 3 == 0 else 200  # then this
        ...
        reports = receiver.wait_for_acknowledged(3)   # the first three answered 200
        receiver.stop()        # connections are refused from now on
        receiver.start()       # same host and port again

Answers: an ``int`` is that HTTP status (empty body); ``HANG`` reads the request and never
answers (until the client gives up or the receiver stops); ``CLOSE`` reads it and closes
without a word; ``CUT_BODY`` starts a ``200`` whose body stops half way; ``Slow(s, status)``
answers after ``s`` seconds. Every answer closes the connection (the PBX opens a new one per
report anyway).

``wait_for_log(sim, predicate)`` polls ``GET /sim/v1/reports``: once the log shows an attempt,
its retry timer is armed, so ``sim.advance(...)`` then brings the resend forward.
"""

from __future__ import annotations

import json
import select
import socket
import socketserver
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from tests.support.helpers import Api, Sim
from tests.support.polling import wait_until


@dataclass(frozen=True)
class Hang:
    pass


@dataclass(frozen=True)
class Close:
    pass


@dataclass(frozen=True)
class CutBody:
    pass


@dataclass(frozen=True)
class Slow:
    seconds: float
    status: int = 200


HANG, CLOSE, CUT_BODY = Hang(), Close(), CutBody()
Answer = int | Hang | Close | CutBody | Slow

_REASONS = {200: "OK", 204: "No Content", 302: "Found", 404: "Not Found", 500: "Server Error"}
_MAX_REQUEST = 1 << 20


@dataclass
class Received:
    """One request as it arrived, and what the receiver did with it."""

    number: int  # 1 for the first request this receiver read
    method: str
    path: str
    headers: list[tuple[str, str]]  # as sent: names in their own case, in order
    body: bytes
    raw: bytes  # the whole request, head and body, byte for byte
    answer: Answer = 200
    status: int | None = None  # the status of a complete answer that went out, else None
    done: bool = False  # the receiver is finished with it (answered, closed, or given up on)
    at: float = field(default_factory=time.monotonic)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def acknowledged(self) -> bool:
        return self.status == 200


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        super().__init__((receiver.host, receiver.port), _Handler)


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        try:
            request = _Reader(sock).request()
        except (OSError, ValueError):
            return
        if request is not None:
            self.server.receiver._serve(sock, *request)


class _Reader:
    """Reads one HTTP/1.1 request (Content-Length or chunked body) off a socket."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""
        self.raw = b""

    def _fill(self) -> None:
        chunk = self._sock.recv(65536)
        if not chunk:
            raise EOFError
        self._buffer += chunk
        self.raw += chunk
        if len(self.raw) > _MAX_REQUEST:
            raise ValueError("request too large")

    def _until(self, marker: bytes) -> bytes:
        while marker not in self._buffer:
            self._fill()
        line, _, self._buffer = self._buffer.partition(marker)
        return line

    def _exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._fill()
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def request(self) -> tuple[str, list[tuple[str, str]], bytes, bytes] | None:
        """(request line, headers, body, raw bytes), or None when the client left first."""
        try:
            head = self._until(b"\r\n\r\n").decode("latin-1").split("\r\n")
            headers = [(k, v.strip()) for k, _, v in (line.partition(":") for line in head[1:])]
            fields = {k.lower(): v for k, v in headers}
            if fields.get("transfer-encoding", "").lower() == "chunked":
                body = b""
                while size := int(self._until(b"\r\n").split(b";")[0], 16):
                    body += self._exactly(size)
                    self._exactly(2)
                self._until(b"\r\n")
            else:
                body = self._exactly(int(fields.get("content-length", "0")))
        except EOFError:
            return None
        return head[0], headers, body, self.raw


class Receiver:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.policy: Callable[[Received], Answer] = lambda request: 200
        self._queue: deque[Answer] = deque()
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # life cycle

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> Receiver:
        self._stopping.clear()
        self._server = _Server(self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (connections are refused) and let go of hanging clients."""
        server, self._server = self._server, None
        self._stopping.set()
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # scripting

    def queue(self, *answers: Answer) -> None:
        """The next requests get these answers, in order; then :attr:`policy` decides."""
        with self._lock:
            self._queue.extend(answers)

    # what arrived

    @property
    def received(self) -> list[Received]:
        """Every request read so far, in arrival order (including the ones not acknowledged)."""
        with self._lock:
            return list(self._received)

    def open_requests(self) -> int:
        """Requests read and not yet answered (hanging, slow): the sender's posts in flight."""
        with self._lock:
            return sum(1 for r in self._received if not r.done)

    def acknowledged(self) -> list[Received]:
        return [r for r in self.received if r.acknowledged]

    def wait_until(
        self, predicate: Callable[[list[Received]], bool], timeout: float = 10.0
    ) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self._received):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"receiver {self.url}: condition not met within {timeout} s; got "
                        f"{[(r.answer, r.body[:80]) for r in self._received]}"
                    )
                self._changed.wait(remaining)
            return list(self._received)

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until at least ``count`` requests have been read."""
        return self.wait_until(lambda rs: len(rs) >= count, timeout)

    def wait_for_acknowledged(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until ``count`` requests have been answered 200; return those."""
        got = self.wait_until(lambda rs: sum(r.acknowledged for r in rs) >= count, timeout)
        return [r for r in got if r.acknowledged]

    # serving

    def _serve(
        self,
        sock: socket.socket,
        line: str,
        headers: list[tuple[str, str]],
        body: bytes,
        raw: bytes,
    ) -> None:
        method, path, _ = [*line.split(" "), "", ""][:3]
        with self._lock:
            request = Received(len(self._received) + 1, method, path, headers, body, raw)
            answer = self._queue.popleft() if self._queue else self.policy(request)
            request.answer = answer
            self._received.append(request)
            self._changed.notify_all()
        try:
            status = self._answer(sock, answer)
        except OSError:
            status = None
        with self._changed:
            request.status = status
            request.done = True
            self._changed.notify_all()

    def _answer(self, sock: socket.socket, answer: Answer) -> int | None:
        if isinstance(answer, Hang):
            while not self._stopping.is_set():
                readable, _, _ = select.select([sock], [], [], 0.05)
                if readable and not sock.recv(1024):
                    break  # the client gave up
            return None
        if isinstance(answer, Close):
            sock.shutdown(socket.SHUT_RDWR)
            return None
        if isinstance(answer, CutBody):
            sock.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc"
            )
            sock.shutdown(socket.SHUT_RDWR)
            return None
        if isinstance(answer, Slow):
            if self._stopping.wait(answer.seconds):
                return None
            status = answer.status
        else:
            status = answer
        reason = _REASONS.get(status, "Status")
        sock.sendall(
            f"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        return status


def log_in(server_url: str, receiver: Receiver, **fields: str) -> str:
    """Log in as the application server behind ``receiver`` (its IP, its port); the token."""
    api = Api(server_url, receiver.host)
    try:
        return api.token(port=str(receiver.port), **fields)
    finally:
        api.close()


ReportLog = list[dict[str, Any]]


def wait_for_log(
    sim: Sim, predicate: Callable[[ReportLog], bool], timeout: float = 10.0
) -> ReportLog:
    """Poll ``GET /sim/v1/reports`` until ``predicate`` holds; the log it held for.

    The log records an attempt (and arms its retry timer) in one step, so once it shows an
    attempt, advancing the clock is sure to bring the retry forward.
    """

    def report_log() -> ReportLog:
        log: ReportLog = sim.get("/reports")
        return log

    return wait_until(report_log, until=predicate, timeout=timeout, what="the report log")


def head_attempted(count: int) -> Callable[[ReportLog], bool]:
    """A :func:`wait_for_log` predicate: the oldest report was attempted ``count`` times."""
    return lambda log: bool(log) and log[0]["attempts"] == count
