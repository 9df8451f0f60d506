"""Slow, idle, oversized and surplus connections, over raw TCP against a real ``yspbx serve``.

Each attack of issue 17's point 2, replayed with the server's limits set small (one second),
so a test waits about as long as the limit it checks and no longer.
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.polling import wait_until
from yspbx.testing import ServerProcess

pytestmark = pytest.mark.slow

LIMIT = 1.0  # head, body and keep-alive time-outs of the `limited` server, in seconds
MAX_HEAD = 8192


def _env(**values: object) -> dict[str, str]:
    return {f"YSPBX_SERVER_{key.upper()}": str(value) for key, value in values.items()}


@pytest.fixture(scope="module", params=["httptools", "h11"])
def limited(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """Small limits, on each of uvicorn's HTTP parsers (the guard wraps both)."""
    env = _env(
        head_timeout=LIMIT,
        body_timeout=LIMIT,
        keepalive_timeout=LIMIT,
        max_head_bytes=MAX_HEAD,
        http=request.param,
    )
    with ServerProcess(store="memory://", env=env) as process:
        yield process


@pytest.fixture(scope="module")
def capped() -> Iterator[ServerProcess]:
    """Four connections at most; time-outs long enough not to end the admitted ones."""
    with ServerProcess(store="memory://", env=_env(max_connections=4)) as process:
        yield process


def _connect(server: ServerProcess) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=5)


def _closed(sock: socket.socket, within: float) -> bytes:
    """Everything the server sends until it closes the connection, which must happen within
    ``within`` seconds."""
    received = b""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], 0.05)
        if readable:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                return received
            if not chunk:
                return received
            received += chunk
    raise AssertionError(f"still open after {within} s; received {received!r}")


def _request(sock: socket.socket, head: bytes) -> bytes:
    """Send a whole request and read one answer (headers and a Content-Length body)."""
    sock.sendall(head)
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(65536)
        assert chunk, f"closed mid-answer: {answer!r}"
        answer += chunk
    top, _, body = answer.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in top.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return top + b"\r\n\r\n" + body


HEALTH = b"GET /health HTTP/1.1\r\nHost: pbx\r\n\r\n"


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_a_head_sent_line_by_line_is_cut_off_at_the_head_timeout(limited: ServerProcess) -> None:
    with _connect(limited) as sock:
        started = time.monotonic()
        sock.sendall(b"POST /api/v1.1.0/login HTTP/1.1\r\nHost: pbx\r\n")
        received = b""
        # One header line every 0.2 s: each byte arriving must not extend the deadline.
        deadline = started + LIMIT + 3
        closed = False
        while not closed and time.monotonic() < deadline:
            try:
                sock.sendall(b"X-Drip: 1\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            readable, _, _ = select.select([sock], [], [], 0.2)
            if readable:
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    break
                received += chunk
                closed = not chunk
        elapsed = time.monotonic() - started
    assert LIMIT * 0.8 <= elapsed < LIMIT + 3, elapsed
    assert received.startswith(b"HTTP/1.1 408 "), received


def test_a_connection_that_sends_nothing_is_closed_at_the_head_timeout(
    limited: ServerProcess,
) -> None:
    with _connect(limited) as sock:
        started = time.monotonic()
        assert _closed(sock, LIMIT + 3) == b""
        assert time.monotonic() - started >= LIMIT * 0.8


def test_a_body_sent_byte_by_byte_is_cut_off_at_the_body_timeout(limited: ServerProcess) -> None:
    with _connect(limited) as sock:
        sock.sendall(
            b"POST /api/v1.1.0/login HTTP/1.1\r\nHost: pbx\r\n"
            b"Content-Type: application/json\r\nContent-Length: 200\r\n\r\n"
        )
        started = time.monotonic()
        received = b""
        closed = False
        while not closed and time.monotonic() < started + LIMIT + 3:
            try:
                sock.sendall(b" ")
            except (BrokenPipeError, ConnectionResetError):
                break
            readable, _, _ = select.select([sock], [], [], 0.2)
            if readable:
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    break
                received += chunk
                closed = not chunk
        elapsed = time.monotonic() - started
    assert LIMIT * 0.8 <= elapsed < LIMIT + 3, elapsed
    assert received.startswith(b"HTTP/1.1 408 "), received
    assert b"body" in received


def test_an_idle_kept_alive_connection_is_closed(limited: ServerProcess) -> None:
    with _connect(limited) as sock:
        assert _request(sock, HEALTH).startswith(b"HTTP/1.1 200 ")
        answered = time.monotonic()
        assert _closed(sock, LIMIT + 3) == b""
        assert time.monotonic() - answered >= LIMIT * 0.8


def test_a_kept_alive_connection_serves_requests_within_its_limits(
    limited: ServerProcess,
) -> None:
    """The deadlines are per request: a connection used again and again stays open."""
    with _connect(limited) as sock:
        for _ in range(5):
            assert _request(sock, HEALTH).startswith(b"HTTP/1.1 200 ")


def test_an_oversized_header_is_refused_before_it_is_read(limited: ServerProcess) -> None:
    rss_before = _rss_kib(limited.pid)
    chunk = b"a" * 65536
    sent = 0
    with _connect(limited) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: pbx\r\nX-Big: ")
        # Up to 300 MiB, as the attack sent; the server must stop it long before.
        while sent < 300 * 1024 * 1024:
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
        try:
            answer = _closed(sock, 5)
        except ConnectionResetError:  # pragma: no cover - depends on the kernel's timing
            answer = b""
    assert sent < 4 * 1024 * 1024, sent
    if answer:
        assert answer.startswith(b"HTTP/1.1 431 "), answer
    grown_mib = (_rss_kib(limited.pid) - rss_before) / 1024
    assert grown_mib < 20, grown_mib
    with _connect(limited) as sock:
        assert _request(sock, HEALTH).startswith(b"HTTP/1.1 200 ")


def test_a_head_just_under_the_limit_is_served(limited: ServerProcess) -> None:
    padding = b"x" * (MAX_HEAD - 200)
    with _connect(limited) as sock:
        head = b"GET /health HTTP/1.1\r\nHost: pbx\r\nX-Pad: " + padding + b"\r\n\r\n"
        assert _request(sock, head).startswith(b"HTTP/1.1 200 ")


def test_the_connection_over_the_cap_is_refused_with_503(capped: ServerProcess) -> None:
    admitted = [_connect(capped) for _ in range(4)]
    try:
        for sock in admitted:
            assert _request(sock, HEALTH).startswith(b"HTTP/1.1 200 ")
        with _connect(capped) as surplus:
            surplus.sendall(HEALTH)
            answer = _closed(surplus, 5)
        assert answer.startswith(b"HTTP/1.1 503 "), answer
        assert b"too many connections" in answer
        # The admitted ones still answer (a load balancer's health check among them).
        for sock in admitted:
            assert _request(sock, HEALTH).startswith(b"HTTP/1.1 200 ")
        admitted.pop().close()

        def admitted_again() -> bool:
            with _connect(capped) as sock:
                return _request(sock, HEALTH).startswith(b"HTTP/1.1 200 ")

        wait_until(admitted_again, timeout=5, what="a new connection admitted once one closed")
    finally:
        for sock in admitted:
            sock.close()
