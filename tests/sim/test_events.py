"""``GET /sim/v1/events``: the event stream over real HTTP (docs/control-plane.md)."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.helpers import API, Api, Sim
from yspbx.testing import ReportCollector, ServerProcess

WAIT = 10.0


class Stream:
    """A reader of the event stream on a thread of its own, events in a queue as they come."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.status: int | None = None
        self._client = httpx.Client(base_url=url, timeout=httpx.Timeout(WAIT, read=None))
        self._headers = headers or {}
        self._socket: socket.socket | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self._ready.wait(WAIT)

    def _read(self) -> None:
        try:
            with self._client.stream("GET", "/sim/v1/events", headers=self._headers) as answer:
                self.status = answer.status_code
                self._socket = answer.extensions["network_stream"].get_extra_info("socket")
                self.content_type = answer.headers.get("content-type", "")
                if answer.status_code != 200:
                    self._ready.set()
                    return
                name, data = "message", ""
                for line in answer.iter_lines():
                    if line.startswith("event: "):
                        name = line[len("event: ") :]
                    elif line.startswith("data: "):
                        data = line[len("data: ") :]
                    elif line == "" and data:
                        self.events.put((name, json.loads(data)))
                        if name == "hello":
                            self._ready.set()
                        name, data = "message", ""
        except (httpx.HTTPError, RuntimeError):
            pass
        finally:
            self._ready.set()

    def next(self, *names: str) -> tuple[str, dict[str, Any]]:
        """The next event among ``names`` (others are skipped)."""
        while True:
            name, data = self.events.get(timeout=WAIT)
            if not names or name in names:
                return name, data

    def close(self) -> None:
        # Leaving as a client that goes away does: the connection shut, which also wakes the
        # reader blocked on it (closing the client alone would leave it waiting for data).
        if self._socket is not None and self._thread.is_alive():
            with contextlib.suppress(OSError):  # the server may have closed it first
                self._socket.shutdown(socket.SHUT_RDWR)
        self._client.close()
        self._thread.join(WAIT)


@pytest.fixture
def stream(server: ServerProcess, sim: Sim) -> Iterator[Stream]:
    events = Stream(server.url)
    assert events.status == 200
    assert events.content_type.startswith("text/event-stream")
    yield events
    events.close()


def test_a_call_placed_shows_in_order(sim: Sim, stream: Stream) -> None:
    placed = sim.post("/calls", {"from": "0612345678", "to": "5503301", "trunk": "SIP-Carrier"})
    callid = placed["callid"]
    _, created = stream.next("call")
    assert (created["callid"], created["change"]) == (callid, "created")
    assert created["call"]["parties"] == ["0612345678", "1000"]
    _name, ringing = stream.next("extension")
    assert ringing == {"number": "1000", "status": "Ringing"}
    sim.post(f"/calls/{callid}/answer", {})
    answered = stream.next("call")[1]
    while answered["action"] != "ANSWER":
        answered = stream.next("call")[1]
    assert (answered["change"], answered["state"]) == ("state", "talking")
    sim.post(f"/calls/{callid}/hangup", {})
    changes: list[str] = []
    while not changes or changes[-1] != "ended":
        changes.append(stream.next("call")[1]["change"])
    assert changes[-1] == "ended"
    assert stream.next("cdr")[1] == {"callid": callid}


def test_the_clock_and_the_journal(sim: Sim, api: Api, stream: Stream) -> None:
    now = sim.advance(600)
    clock = stream.next("clock")[1]
    assert clock["now"] == pytest.approx(now)
    assert clock["advanced"] == 600
    token = api.token()
    session = stream.next("session")[1]
    assert session["change"] == "login"
    assert session["token"].endswith(token[-4:])
    assert token[:-4] not in session["token"]
    entry = stream.next("journal")[1]
    assert entry["path"] == f"{API}login"
    # The token expires with time: the advance says so.
    sim.advance(3600)
    expired = stream.next("session")[1]
    assert expired == {"change": "expired", "token": session["token"]}


def test_reports_queued_then_delivered(
    sim: Sim, api: Api, stream: Stream, collector: ReportCollector
) -> None:
    api.token(port=str(collector.port))
    sim.post("/calls", {"from": "0612345678", "to": "5503301", "trunk": "SIP-Carrier"})
    queued = stream.next("report")[1]
    assert queued["change"] == "queued"
    assert queued["attempts"] == 0
    assert queued["status"] is None
    assert json.loads(queued["body"])["action"] == queued["action"]
    delivered = stream.next("report")[1]
    while delivered["id"] != queued["id"]:
        delivered = stream.next("report")[1]
    assert delivered["change"] == "delivered"
    assert (delivered["status"], delivered["attempts"]) == (200, 1)
    assert delivered["action"] == queued["action"]


def test_lockouts_and_unblock(sim: Sim, server: ServerProcess, stream: Stream) -> None:
    client = Api(server.url, "127.0.0.53")
    for _ in range(5):
        client.login(password="0" * 32)
    client.close()
    changes = [stream.next("lockout")[1] for _ in range(5)]
    assert [c["failures"] for c in changes] == [1, 2, 3, 4, 5]
    assert changes[-1]["change"] == "blocked"
    ip = changes[-1]["ip"]
    assert sim.http.delete(f"/sim/v1/blocked-ips/{ip}").status_code == 200
    assert stream.next("lockout")[1] == {"ip": ip, "change": "unblocked"}


def test_the_guard_applies(server: ServerProcess, sim: Sim) -> None:
    foreign = Stream(server.url, {"Origin": "http://evil.example"})
    assert foreign.status == 403
    foreign.close()


def test_a_client_that_leaves_is_forgotten(server: ServerProcess, sim: Sim) -> None:
    for _ in range(3):
        events = Stream(server.url)
        events.close()
    # The server goes on answering, and a new stream still gets what happens.
    events = Stream(server.url)
    sim.advance(1)
    assert events.next("clock")[1]["advanced"] == 1
    events.close()
