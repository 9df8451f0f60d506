"""How an answer leaves the server: head and body in one write, over raw TCP against a real
``yspbx serve`` on both of uvicorn's HTTP parsers, and the cases that must not be held back
(``100 Continue``, a ``HEAD`` answer, an answer whose body comes later)."""

from __future__ import annotations

import asyncio
import json
import select
import socket
from collections.abc import Iterator

import pytest

from yspbx.http_guard import _HeadWithBody
from yspbx.testing import ServerProcess

LOGIN_BODY = json.dumps(
    {"username": "api", "password": "8dc34f93e849dab027e77e05a7da40ac", "port": "8260"}
).encode()


def _login_request(extra_headers: bytes = b"", body: bytes = LOGIN_BODY) -> bytes:
    return (
        b"POST /api/v1.1.0/login HTTP/1.1\r\nHost: pbx\r\nContent-Type: application/json\r\n"
        + extra_headers
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


@pytest.fixture(scope="module", params=["httptools", "h11"])
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    with ServerProcess(store="memory://", env={"YSPBX_SERVER_HTTP": request.param}) as process:
        yield process


@pytest.fixture
def sock(server: ServerProcess) -> Iterator[socket.socket]:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        yield connection


def _first_read(sock: socket.socket) -> bytes:
    """What the first read after the answer starts to arrive returns."""
    readable, _, _ = select.select([sock], [], [], 5)
    assert readable, "no answer within 5 s"
    return sock.recv(65536)


def _answer_length(answer: bytes) -> int:
    head, _, _ = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(head) + 4 + int(value)
    raise AssertionError(f"no Content-Length in {head!r}")


def _read_answer(sock: socket.socket, received: bytes = b"") -> tuple[bytes, bytes]:
    """One whole answer, and what came after it."""
    while b"\r\n\r\n" not in received or len(received) < _answer_length(received):
        chunk = sock.recv(65536)
        assert chunk, f"closed mid-answer: {received!r}"
        received += chunk
    end = _answer_length(received)
    return received[:end], received[end:]


def test_an_answer_arrives_whole_in_the_first_read(sock: socket.socket) -> None:
    sock.sendall(_login_request())
    first = _first_read(sock)
    assert first.startswith(b"HTTP/1.1 200 OK\r\n")
    assert len(first) == _answer_length(first)
    assert json.loads(first.partition(b"\r\n\r\n")[2])["status"] == "Success"


def test_100_continue_is_sent_before_the_body_is(sock: socket.socket) -> None:
    """A client that waits for ``100 Continue`` before its body gets it at once (it is
    never held for a body that cannot come until it is sent)."""
    head = _login_request(b"Expect: 100-continue\r\n").partition(b"\r\n\r\n")[0] + b"\r\n\r\n"
    sock.sendall(head)
    interim = _first_read(sock)
    assert interim.startswith(b"HTTP/1.1 100 ")
    sock.sendall(LOGIN_BODY)
    rest = interim.partition(b"\r\n\r\n")[2]
    answer, _ = _read_answer(sock, rest)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b'"status":"Success"' in answer


def test_a_head_request_gets_its_head(sock: socket.socket) -> None:
    sock.sendall(b"HEAD /api/v1.1.0/login HTTP/1.1\r\nHost: pbx\r\n\r\n")
    first = _first_read(sock)
    assert first.startswith(b"HTTP/1.1 200 OK\r\n")
    assert first.endswith(b"\r\n\r\n")  # a head and nothing after it
    assert b"content-length: " in first.lower()


def test_pipelined_requests_are_answered_in_order(sock: socket.socket) -> None:
    wrong = b'{"username":"api","password":"0","port":"8260"}'
    sock.sendall(_login_request() + _login_request(body=wrong))
    first, rest = _read_answer(sock)
    second, _ = _read_answer(sock, rest)
    assert b'"status":"Success"' in first
    assert b'"status":"Failed"' in second


class _Recording(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


def test_a_large_body_follows_its_head_uncopied() -> None:
    async def scenario() -> list[bytes]:
        transport = _Recording()
        writer = _HeadWithBody(transport, asyncio.get_running_loop())
        writer.write(b"HEAD\r\n\r\n")
        writer.write(b"x" * (1 << 20))
        await asyncio.sleep(0)
        return transport.writes

    writes = asyncio.run(scenario())
    assert [len(w) for w in writes] == [len(b"HEAD\r\n\r\n"), 1 << 20]


def test_a_head_whose_body_comes_later_leaves_at_the_end_of_the_turn() -> None:
    async def scenario() -> tuple[list[bytes], list[bytes]]:
        transport = _Recording()
        writer = _HeadWithBody(transport, asyncio.get_running_loop())
        writer.write(b"HEAD\r\n\r\n")
        held = list(transport.writes)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        writer.write(b"event")
        return held, transport.writes

    held, writes = asyncio.run(scenario())
    assert held == []
    assert writes == [b"HEAD\r\n\r\n", b"event"]


def test_closing_sends_a_held_head_first() -> None:
    async def scenario() -> _Recording:
        transport = _Recording()
        writer = _HeadWithBody(transport, asyncio.get_running_loop())
        writer.write(b"HEAD\r\n\r\n")
        writer.close()
        return transport

    transport = asyncio.run(scenario())
    assert transport.writes == [b"HEAD\r\n\r\n"]
    assert transport.closed
