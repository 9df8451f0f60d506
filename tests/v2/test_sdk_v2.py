"""The SDK speaks 2.0.0: typed call methods by channel, 2.0.0 events parsed, TCP event clients
(sync and async) and ``yspbx listen --tcp``, against a real server."""

from __future__ import annotations

import subprocess
import sys

import anyio
import pytest

from tests.support.helpers import PASSWORD, Sim
from yspbx.client import (
    AsyncClient,
    AsyncTcpEvents,
    CallStatus,
    Client,
    ExtensionParty,
    InboundParty,
    NewCdr,
    TcpEvents,
    parse_report,
)
from yspbx.testing import ServerProcess


def test_client_on_2_0_0_dials_queries_and_hangs_up(server: ServerProcess, sim: Sim) -> None:
    with Client(
        server.url, username="api", password=PASSWORD, api_version="2.0.0", report_port=9
    ) as client:
        callid = client.v2.dial("1001", "1002", autoanswer=True)
        assert client.transport == "HTTP"
        (call,) = client.v2.query(callid)
        assert [m.status for m in call.members] == ["ALERT", "RING"]
        caller = call.member("1001")
        assert caller.channel.startswith("PJSIP/1001-")
        # The 1.1.0 areas work on the same token.
        assert client.calls.inbound() == []
        sim.post(f"/calls/{callid}/answer", {})
        assert client.v2.hold(caller.channel) == callid
        (call,) = client.v2.query(callid)
        assert call.member("1001").status == "HOLD"
        assert client.v2.hang_up(caller.channel) == callid
        assert client.v2.query(type="inbound") == []
        assert [e.number for e in client.v2.extensions()][:1] == ["1000"]


def test_async_client_on_2_0_0(server: ServerProcess, sim: Sim) -> None:
    async def run() -> None:
        async with AsyncClient(
            server.url, username="api", password=PASSWORD, api_version="2.0.0", report_port=9
        ) as client:
            callid = await client.v2.dial("1001", "1002")
            (entry,) = await client.v2.query_call("1001")
            assert entry.calls[0].callid == callid
            channel = entry.calls[0].member("1001").channel
            assert await client.v2.hang_up(channel) == callid

    anyio.run(run)


def test_parse_report_reads_2_0_0_events() -> None:
    body = (
        b'{"event":"CallStatus","callid":"1.2","members":[{"inbound":{"from":"0611","to":"1001",'
        b'"trunkname":"t","channelid":"PJSIP/trunk-t-endpoint-00000001","memberstatus":"ALERT"}},'
        b'{"ext":{"number":"1001","channelid":"PJSIP/1001-00000002","memberstatus":"RING",'
        b'"callpath":"6400"}}],"sn":"1"}'
    )
    event = parse_report(body)
    assert isinstance(event, CallStatus)
    assert event.action == "CallStatus"
    inbound, ext = event.parties
    assert isinstance(inbound, InboundParty)
    assert (inbound.from_number, inbound.trunk, inbound.status) == ("0611", "t", "ALERT")
    assert isinstance(ext, ExtensionParty)
    assert (ext.extension, ext.channel, ext.callpath) == ("1001", "PJSIP/1001-00000002", "6400")
    cdr = parse_report(b'{"event":"NewCdr","callid":"1.2","dsttrcunkname":"t","sn":"1"}')
    assert isinstance(cdr, NewCdr)
    assert cdr.destination_trunk == "t"


def _call(sim: Sim) -> str:
    callid = str(sim.post("/calls", {"from": "1001", "to": "1002"})["callid"])
    sim.post(f"/calls/{callid}/hangup", {})
    return callid


def test_tcp_events_sync(tcp_server: ServerProcess, tcp_sim: Sim) -> None:
    address = f"127.0.0.1:{tcp_server.tcp_port}"  # type: ignore[attr-defined]
    with TcpEvents(address, username="api", password=PASSWORD, timeout=10) as events:
        callid = _call(tcp_sim)
        for event in events:
            if isinstance(event, NewCdr):
                assert event.callid == callid
                break
            assert event.action in {"CallStatus", "ExtensionStatus", "CallFailed"}


def test_tcp_events_async(tcp_server: ServerProcess, tcp_sim: Sim) -> None:
    address = f"127.0.0.1:{tcp_server.tcp_port}"  # type: ignore[attr-defined]

    async def run() -> list[str]:
        seen: list[str] = []
        async with AsyncTcpEvents(address, username="api", password=PASSWORD) as events:
            callid = await anyio.to_thread.run_sync(_call, tcp_sim)
            with anyio.fail_after(10):
                async for event in events:
                    seen.append(event.action)
                    if isinstance(event, NewCdr) and event.callid == callid:
                        break
        return seen

    seen = anyio.run(run)
    assert "CallStatus" in seen
    assert seen[-1] == "NewCdr"


def test_a_bad_tcp_login_is_an_error(tcp_server: ServerProcess, tcp_sim: Sim) -> None:
    from yspbx.client import LoginError

    address = f"127.0.0.1:{tcp_server.tcp_port}"  # type: ignore[attr-defined]
    with pytest.raises(LoginError):
        TcpEvents(address, username="api", password="wrong").connect()
    tcp_sim.post("/reset")  # forget the failure


def test_cli_listen_tcp_prints_events(tcp_server: ServerProcess, tcp_sim: Sim) -> None:
    command = [
        sys.executable,
        "-m",
        "yspbx",
        "--username",
        "api",
        "--password",
        PASSWORD,
        "listen",
        "--tcp",
        f"127.0.0.1:{tcp_server.tcp_port}",  # type: ignore[attr-defined]
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            assert "reading events from tcp://127.0.0.1" in process.stdout.readline()
            callid = _call(tcp_sim)
            lines = []
            for line in process.stdout:
                lines.append(line)
                if "NewCdr" in line:
                    break
            assert any("CallStatus" in line and callid in line for line in lines)
        finally:
            process.terminate()
