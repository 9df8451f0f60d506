"""2.0.0 events over HTTP, to a real receiver: a session's format follows its login/heartbeat
``version``; CallStatus lists every member with its channel and ``memberstatus``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.helpers import Sim
from tests.support.receivers import Receiver
from tests.v2.support import Api2
from yspbx.testing import ServerProcess


def _log_in(server: ServerProcess, receiver: Receiver, **fields: str) -> str:
    api = Api2(server.url, receiver.host)
    try:
        return api.token(port=str(receiver.port), **fields)
    finally:
        api.close()


def _calls(bodies: list[dict[str, Any]], callid: str) -> list[list[tuple[str, str]]]:
    shown = []
    for body in bodies:
        if body.get("event") == "CallStatus" and body["callid"] == callid:
            shown.append(
                [
                    (next(iter(m)), next(iter(m.values())).get("memberstatus", ""))
                    for m in body["members"]
                ]
            )
    return shown


def test_an_inbound_call_in_2_0_0_events_and_1_0_2_reports_at_once(
    server: ServerProcess, sim: Sim
) -> None:
    with Receiver("127.0.0.7") as v2, Receiver("127.0.0.8") as v1:
        _log_in(server, v2, version="2.0.0")
        _log_in(server, v1, version="1.0.2")
        callid = sim.post("/calls", {"from": "0611111111", "to": "1001", "trunk": "SIP-Carrier"})[
            "callid"
        ]
        sim.post(f"/calls/{callid}/answer", {})
        sim.post(f"/calls/{callid}/hangup", {})
        bodies = _wait_for(v2, "event", "NewCdr")
        old = _wait_for(v1, "action", "NewCdr")
    assert all("action" not in b for b in bodies)
    assert _calls(bodies, callid) == [
        [("inbound", "ALERT"), ("ext", "RING")],
        [("inbound", "ANSWERED"), ("ext", "ANSWER")],
        [("inbound", "BYE"), ("ext", "ANSWER")],
        [("ext", "BYE")],
    ]
    first = next(b for b in bodies if b.get("event") == "CallStatus")
    inbound = first["members"][0]["inbound"]
    assert (inbound["from"], inbound["to"], inbound["trunkname"]) == (
        "0611111111",
        "1001",
        "SIP-Carrier",
    )
    assert inbound["channelid"].startswith("PJSIP/trunk-SIP-Carrier-endpoint-")
    cdr = bodies[-1]
    assert cdr["event"] == "NewCdr"
    assert cdr["callid"] == callid
    assert {"dsttrcunkname", "pincode", "didnumber", "agentringtime", "sn"} <= set(cdr)
    assert cdr["type"] == "Inbound"
    assert cdr["srctrunkname"] == "SIP-Carrier"
    # The NewCdr comes after the call's last CallStatus.
    names = [b["event"] for b in bodies if b.get("callid") == callid]
    assert names[-1] == "NewCdr"
    assert "CallStatus" not in names[names.index("NewCdr") :]
    # The 1.0.2 session got the 1.1.0 reports of the same call, no CallStatus.
    actions = [b["action"] for b in old if b.get("callid") == callid]
    assert "ANSWER" in actions
    assert "CallStatus" not in actions
    assert not any("true" in r or "false" in r or "null" in r for r in map(str, bodies))


def _wait_for(receiver: Receiver, key: str, name: str) -> list[dict[str, Any]]:
    got = receiver.wait_until(lambda received: any(_body(r).get(key) == name for r in received))
    return [_body(r) for r in got]


def _body(received: Any) -> dict[str, Any]:
    data = received.json()
    assert isinstance(data, dict)
    return data


def test_heartbeat_version_switches_the_session_format(server: ServerProcess, sim: Sim) -> None:
    with Receiver("127.0.0.9") as receiver:
        token = _log_in(server, receiver)  # no version: the legacy (1.0.0) format
        api = Api2(server.url, receiver.host)
        try:
            assert api.call("heartbeat", {"version": "2.0.0"}, token) == {"status": "Success"}
        finally:
            api.close()
        sim.post("/calls", {"from": "1001", "to": "1002"})
        bodies = _wait_for(receiver, "event", "CallStatus")
    assert all("event" in b for b in bodies)


def test_logging_in_again_does_not_double_the_events(server: ServerProcess, sim: Sim) -> None:
    with Receiver("127.0.0.10") as receiver:
        _log_in(server, receiver, version="2.0.0")
        _log_in(server, receiver, version="2.0.0")  # again, without logging out
        callid = sim.post("/calls", {"from": "1001", "to": "1002"})["callid"]
        sim.post(f"/calls/{callid}/hangup", {})
        bodies = _wait_for(receiver, "event", "NewCdr")
    assert [b["callid"] for b in bodies if b["event"] == "NewCdr"] == [callid]
    # The outbox queued each event once: for the newest login only.
    queued = [r for r in sim.get("/reports") if r["action"] == "NewCdr"]
    assert len(queued) == 1


def test_a_restart_announces_bootup_in_the_2_0_0_format(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'state.db'}"
    with ServerProcess(store=store) as server, Receiver("127.0.0.12") as receiver:
        _log_in(server, receiver, version="2.0.0")
        server.restart()
        (boot,) = receiver.wait_for_acknowledged(1)
    body = boot.json()
    assert body["event"] == "BootUp"
    assert "action" not in body
