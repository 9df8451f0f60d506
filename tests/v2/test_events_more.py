"""More 2.0.0 events to a real receiver: Invite and accepting by channel, DTMF in an IVR and the
callpath of the extension it rings, an outbound call, hold, ExtensionStatus and ConfigChange."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.helpers import Sim
from tests.support.receivers import Received, Receiver
from tests.v2.support import Api2
from yspbx.testing import ServerProcess


class V2Session:
    """A 2.0.0 application server: its receiver and its API client, from one address."""

    def __init__(self, server: ServerProcess, receiver: Receiver) -> None:
        self.receiver = receiver
        self.api = Api2(server.url, receiver.host)
        self.token = self.api.token(port=str(receiver.port), version="2.0.0")

    def __call__(self, endpoint: str, **body: Any) -> dict[str, Any]:
        return self.api.call(endpoint, body, self.token)

    def events(self, received: list[Received] | None = None) -> list[dict[str, Any]]:
        found = []
        for request in self.receiver.received if received is None else received:
            data = request.json()
            assert isinstance(data, dict)
            found.append(data)
        return found

    def first(
        self, name: str, predicate: Callable[[dict[str, Any]], bool], **fields: str
    ) -> dict[str, Any]:
        """The first event ``name`` (with ``fields``) for which ``predicate`` holds."""

        def found(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [
                e
                for e in events
                if e.get("event") == name
                and all(e.get(k) == v for k, v in fields.items())
                and predicate(e)
            ]

        self.receiver.wait_until(lambda got: bool(found(self.events(got))))
        return found(self.events())[0]

    def wait_for(self, name: str, count: int = 1, **fields: str) -> list[dict[str, Any]]:
        def matching(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [
                e
                for e in events
                if e.get("event") == name and all(e.get(k) == v for k, v in fields.items())
            ]

        self.receiver.wait_until(lambda got: len(matching(self.events(got))) >= count)
        return matching(self.events())


@pytest.fixture
def v2(server: ServerProcess, sim: Sim) -> Iterator[V2Session]:
    with Receiver("127.0.0.11") as receiver:
        session = V2Session(server, receiver)
        yield session
        session.api.close()


def _statuses(event: dict[str, Any]) -> list[tuple[str, str]]:
    shown = []
    for member in event["members"]:
        ((kind, fields),) = member.items()
        shown.append((fields.get("number") or kind, fields["memberstatus"]))
    return shown


def test_invite_then_accept_by_channel(v2: V2Session, sim: Sim) -> None:
    callid = sim.post("/calls", {"from": "0611111111", "to": "1001", "trunk": "SIP-Screened"})[
        "callid"
    ]
    (invite,) = v2.wait_for("Invite")
    (member,) = invite["members"]
    inbound = member["inbound"]
    assert set(inbound) == {"from", "to", "trunkname", "channelid"}
    assert inbound["channelid"].startswith("PJSIP/trunk-SIP-Screened-endpoint-")
    answer = v2("call/accept_inbound", channelid=inbound["channelid"])
    assert answer == {"status": "Success", "callid": callid}
    first = v2.wait_for("CallStatus", callid=callid)[0]
    assert _statuses(first) == [("inbound", "ALERT"), ("1001", "RING")]
    # Nothing was reported for the call while it waited.
    names = [e["event"] for e in v2.events() if e.get("callid") == callid]
    assert names.index("Invite") < names.index("CallStatus")


def test_dtmf_in_an_ivr_and_the_callpath(v2: V2Session, sim: Sim) -> None:
    callid = sim.post("/calls", {"from": "0622222222", "to": "5503302", "trunk": "SIP-Carrier"})[
        "callid"
    ]
    sim.post(f"/calls/{callid}/dtmf", {"digits": "1"})
    (dtmf,) = v2.wait_for("DTMF", callid=callid)
    (member,) = dtmf["members"]
    assert member["inbound"]["from"] == "0622222222"
    assert (dtmf["info"], dtmf["flag"], dtmf["infos"]) == ("1", "0", "1")
    ringing = v2.first("CallStatus", lambda e: "ext" in e["members"][-1], callid=callid)
    ext = ringing["members"][-1]["ext"]
    assert (ext["number"], ext["memberstatus"], ext["callpath"]) == ("1001", "RING", "6200")


def test_outbound_call_and_hold(v2: V2Session, sim: Sim) -> None:
    callid = v2("call/dial", caller="1001", callee="0698765432", autoanswer="yes")["callid"]
    ringing = v2.wait_for("CallStatus", callid=callid)[-1]
    assert _statuses(ringing) == [("1001", "ALERT"), ("outbound", "RING")]
    outbound = ringing["members"][1]["outbound"]
    assert (outbound["from"], outbound["to"]) == ("1001", "0698765432")
    sim.post(f"/calls/{callid}/answer", {})
    talking = v2.wait_for("CallStatus", count=2, callid=callid)[-1]
    assert _statuses(talking) == [("1001", "ANSWERED"), ("outbound", "ANSWER")]
    v2("call/hold", channelid=outbound["channelid"])
    held = v2.wait_for("CallStatus", count=3, callid=callid)[-1]
    assert _statuses(held) == [("1001", "HOLD"), ("outbound", "ANSWER")]
    v2("call/hangup", channelid=outbound["channelid"])
    (cdr,) = v2.wait_for("NewCdr", callid=callid)
    assert (cdr["type"], cdr["dsttrcunkname"]) == ("Outbound", "SIP-Carrier")


def test_extension_status_and_config_change(v2: V2Session, sim: Sim) -> None:
    assert v2("extension/update", number="1003", username="Ana") == {"status": "Success"}
    (change,) = v2.wait_for("ConfigChange")
    assert (change["type"], change["extid"], change["operation"]) == (
        "extension",
        "1003",
        "update",
    )
    callid = sim.post("/calls", {"from": "1001", "to": "1002"})["callid"]
    sim.post(f"/calls/{callid}/answer", {})
    sim.post(f"/calls/{callid}/hangup", {})
    v2.wait_for("NewCdr", callid=callid)
    statuses = [
        (e["extension"], e["status"]) for e in v2.events() if e["event"] == "ExtensionStatus"
    ]
    assert ("1002", "Ringing") in statuses
    assert ("1002", "Idle") not in statuses
    assert ("1002", "Registered") in statuses  # a SIP phone back from its call
