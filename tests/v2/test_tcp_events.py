"""TCP event streams over real sockets (docs/api-2.md, "TCP events"): the login block, the
framing, the shared lockout, and a client that goes away."""

from __future__ import annotations

import json
import socket
from typing import Any

from tests.support.helpers import PASSWORD, PASSWORD_MD5, Sim, failed
from tests.support.polling import wait_until
from tests.v2.support import Api2
from yspbx.testing import ServerProcess


class StreamClient:
    """An application server's end of a TCP event stream: raw bytes in, JSON objects out."""

    def __init__(self, port: int, source: str = "127.0.0.1") -> None:
        self.sock = socket.create_connection(
            ("127.0.0.1", port), timeout=10, source_address=(source, 0)
        )
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def reply(self) -> bytes:
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        return head

    def events(self, until: str, key: str = "event") -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while not any(e.get(key) == until for e in found):
            frame = self.reply()
            assert frame, f"stream closed before {until}; got {found}"
            event = json.loads(frame)
            assert isinstance(event, dict)
            found.append(event)
        return found

    def closed(self) -> bool:
        self.sock.settimeout(5)
        return self.sock.recv(1) == b""

    def close(self) -> None:
        self.sock.close()


def _block(secret: str, version: str | None = "2.0.0") -> bytes:
    lines = ["Action: login", "Username: api", f"Secret: {secret}"]
    if version is not None:
        lines.append(f"Version: {version}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_login_answers_tcp_transport(tcp_server: ServerProcess, tcp_sim: Sim) -> None:
    api = Api2(tcp_server.url)
    try:
        answer = api.login(version="2.0.0", port="8333")
    finally:
        api.close()
    assert answer["transport"] == "TCP"


def test_a_stream_receives_2_0_0_events_framed(tcp_server: ServerProcess, tcp_sim: Sim) -> None:
    client = StreamClient(tcp_server.tcp_port)  # type: ignore[attr-defined]
    try:
        client.send(_block(PASSWORD))
        reply = client.reply()
        assert reply == b"Response: Success\r\nMessage: Authentication accepted"
        assert b"{" not in reply
        callid = tcp_sim.post("/calls", {"from": "1001", "to": "1002"})["callid"]
        tcp_sim.post(f"/calls/{callid}/answer", {})
        tcp_sim.post(f"/calls/{callid}/hangup", {})
        events = client.events("NewCdr")
    finally:
        client.close()
    calls = [e for e in events if e["event"] == "CallStatus"]
    assert calls[0]["callid"] == callid
    assert [next(iter(m.values()))["memberstatus"] for m in calls[0]["members"]] == [
        "ALERT",
        "RING",
    ]
    assert events[-1]["callid"] == callid
    log = tcp_sim.get("/reports")
    assert {entry["state"] for entry in log if entry["target"].startswith("tcp://")} == {
        "delivered"
    }


def test_md5_secret_json_login_and_legacy_format(tcp_server: ServerProcess, tcp_sim: Sim) -> None:
    client = StreamClient(tcp_server.tcp_port)  # type: ignore[attr-defined]
    try:
        login = {"action": "login", "username": "api", "secret": PASSWORD_MD5}
        client.send(json.dumps(login).encode() + b"\r\n\r\n")
        assert client.reply().startswith(b"Response: Success")
        callid = tcp_sim.post("/calls", {"from": "1001", "to": "1002"})["callid"]
        tcp_sim.post(f"/calls/{callid}/hangup", {})
        events = client.events("NewCdr", key="action")
    finally:
        client.close()
    assert all("event" not in e for e in events)


def test_bad_logins_close_and_count_toward_the_lockout(
    tcp_server: ServerProcess, tcp_sim: Sim
) -> None:
    port = tcp_server.tcp_port  # type: ignore[attr-defined]
    for _ in range(5):
        client = StreamClient(port, "127.0.0.3")
        client.send(_block("wrong"))
        assert client.reply() == b"Response: Error\r\nMessage: Authentication failed"
        assert client.closed()
        client.close()
    api = Api2(tcp_server.url, "127.0.0.3")
    try:
        assert api.login() == failed("20002")
    finally:
        api.close()
    client = StreamClient(port, "127.0.0.3")
    client.send(_block(PASSWORD))
    assert client.reply().startswith(b"Response: Error")
    client.close()


def test_a_client_that_goes_away_is_dropped_harmlessly(
    tcp_server: ServerProcess, tcp_sim: Sim
) -> None:
    port = tcp_server.tcp_port  # type: ignore[attr-defined]
    leaver = StreamClient(port)
    leaver.send(_block(PASSWORD))
    assert leaver.reply().startswith(b"Response: Success")
    leaver.close()
    stayer = StreamClient(port)
    try:
        stayer.send(_block(PASSWORD))
        assert stayer.reply().startswith(b"Response: Success")
        for _ in range(3):
            callid = tcp_sim.post("/calls", {"from": "1001", "to": "1002"})["callid"]
            tcp_sim.post(f"/calls/{callid}/hangup", {})
            events = stayer.events("NewCdr")
            assert events[-1]["callid"] == callid
    finally:
        stayer.close()
    wait_until(
        lambda: tcp_sim.get("/reports"),
        until=lambda log: not any(e["state"] == "pending" for e in log),
        what="no pending TCP report",
    )
