"""The report sender against real loopback receivers (asyncio servers in this test's loop).

What the delivery tests cannot see from the outside: how many connections the reports take
(one per report by default, one kept per target with ``reports.keepalive``), that head and body
leave in one write, how answers of every shape end (a length, chunks, the connection's close,
an interim ``100``), and that a URL no request can go to is an error, not an exception.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from yspbx.reports.sender import ReportSender

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


@dataclass
class Loopback:
    """A receiver that reads each request whole and answers what ``answer`` says."""

    answer: Callable[[int], bytes] = lambda number: OK
    connections: int = 0
    first_reads: list[bytes] = field(default_factory=list)  # each request's first recv
    requests: list[bytes] = field(default_factory=list)
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                first = await reader.read(65536)
                if not first:
                    return
                data = first
                while b"\r\n\r\n" not in data:
                    data += await reader.read(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                while len(body) < length:
                    body += await reader.read(65536)
                self.first_reads.append(first)
                self.requests.append(data)
                writer.write(self.answer(len(self.requests)))
                await writer.drain()
                if self.answer(len(self.requests)).endswith(b"close-me"):
                    writer.close()
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/events?x=1"


@pytest.fixture
async def loopback() -> AsyncIterator[Loopback]:
    receiver = Loopback()
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    receiver.port = server.sockets[0].getsockname()[1]
    async with server:
        yield receiver


async def test_default_opens_one_connection_per_report(loopback: Loopback) -> None:
    sender = ReportSender(timeout=2, concurrency=4)
    for n in range(3):
        assert (await sender.post(loopback.url, b'{"n":%d}' % n)).status == 200
    await sender.aclose()
    assert loopback.connections == 3
    head = loopback.requests[0].split(b"\r\n\r\n")[0].split(b"\r\n")
    assert head[0] == b"POST /events?x=1 HTTP/1.1"
    assert sorted(head[1:]) == sorted(
        [
            b"Host: 127.0.0.1:%d" % loopback.port,
            b"User-Agent: WebAPI",
            b"Content-Type: application/json",
            b"Accept: application/json",
            b"X-Yspbx-Report: 1",
            b"Content-Length: 7",
        ]
    )
    # Head and body in one write: the receiver's first read holds the whole request.
    assert loopback.first_reads == loopback.requests


async def test_keepalive_reuses_one_connection_per_target(loopback: Loopback) -> None:
    sender = ReportSender(timeout=2, concurrency=4, keepalive=True)
    for n in range(5):
        assert (await sender.post(loopback.url, b'{"n":%d}' % n)).status == 200
    assert loopback.connections == 1
    await sender.aclose()


async def test_keepalive_opens_a_new_connection_when_the_receiver_closed_it(
    loopback: Loopback,
) -> None:
    loopback.answer = lambda n: b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nclose-me"
    sender = ReportSender(timeout=2, concurrency=4, keepalive=True)
    for _n in range(3):
        assert (await sender.post(loopback.url, b"{}")).status == 200
        await asyncio.sleep(0.01)  # the close reaches the sender
    assert loopback.connections == 3
    await sender.aclose()


async def test_keepalive_sends_again_on_a_new_connection_when_the_kept_one_was_closed(
    loopback: Loopback,
) -> None:
    # The receiver closes each connection as it answers: the next report, sent at once, finds
    # its kept connection closed (seen or not yet) and goes on a new one, never failing.
    loopback.answer = lambda n: b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nclose-me"
    sender = ReportSender(timeout=2, concurrency=4, keepalive=True)
    results = [await sender.post(loopback.url, b'{"n":%d}' % n) for n in range(20)]
    assert [r.status for r in results] == [200] * 20
    assert len(loopback.requests) == 20
    await sender.aclose()


async def test_keepalive_does_not_resend_once_an_answer_began(loopback: Loopback) -> None:
    loopback.answer = lambda n: (
        OK if n == 1 else b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nclose-me"
    )
    sender = ReportSender(timeout=2, concurrency=4, keepalive=True)
    assert (await sender.post(loopback.url, b"{}")).status == 200
    cut = await sender.post(loopback.url, b"{}")  # on the kept connection, cut mid-body
    assert cut.status is None
    assert len(loopback.requests) == 2
    await sender.aclose()


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (b"HTTP/1.1 204 No Content\r\n\r\n", 204),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 200),
        (
            b"HTTP/1.1 100 Continue\r\n\r\n"
            b"HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
            302,
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nclose-me", 200),
        (b"HTTP/1.0 200 OK\r\n\r\nuntil the end close-me", 200),
    ],
)
async def test_answers_of_every_shape_end_with_their_status(
    loopback: Loopback, answer: bytes, status: int
) -> None:
    loopback.answer = lambda n: answer
    sender = ReportSender(timeout=2, concurrency=4, keepalive=True)
    assert (await sender.post(loopback.url, b"{}")).status == status
    await sender.aclose()


async def test_cut_and_malformed_answers_are_no_answer(loopback: Loopback) -> None:
    sender = ReportSender(timeout=2, concurrency=4)
    loopback.answer = lambda n: b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort close-me"
    cut = await sender.post(loopback.url, b"{}")
    assert cut.status is None
    assert "complete answer" in cut.error
    loopback.answer = lambda n: b"NOT HTTP AT ALL\r\n\r\nclose-me"
    garbled = await sender.post(loopback.url, b"{}")
    assert garbled.status is None
    assert garbled.error


async def test_a_silent_receiver_times_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        sender = ReportSender(timeout=0.1, concurrency=1, keepalive=True)
        result = await sender.post(f"http://127.0.0.1:{port}/", b"{}")
    assert result.status is None
    assert result.error == "no answer within 0.1 s"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999/",
        "https://127.0.0.1:8080/",
        "http://127.0.0.1:8080/a b",
        "http://127.0.0.1:8080/a\r\nX-Evil: 1",
        "http://user@127.0.0.1:8080/",
        "http://bad host:8080/",
        "ftp://127.0.0.1/",
    ],
)
async def test_urls_no_request_can_go_to_are_errors(url: str) -> None:
    result = await ReportSender(timeout=1, concurrency=1).post(url, b"{}")
    assert result.status is None
    assert "invalid" in result.error


async def test_a_refused_connection_is_no_answer() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    result = await ReportSender(timeout=1, concurrency=1).post(f"http://127.0.0.1:{port}/", b"")
    assert result.status is None
    assert "refused" in result.error.lower()
