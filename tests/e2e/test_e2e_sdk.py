"""End to end with the SDK on both sides: ``yspbx.Client`` logs in and dials, and the SDK's
``ReportReceiver``, served by uvicorn on a loopback port (``yspbx.testing.ReportCollector``),
takes the real server's reports and turns them into typed events, in either format.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from tests.support.e2e import SN
from tests.support.helpers import PASSWORD, Sim
from yspbx import Client, ReportReceiver
from yspbx.client import (
    Alert,
    Answer,
    Answered,
    Bye,
    Event,
    ExtensionParty,
    ExtensionStatus,
    InboundParty,
    NewCdr,
    Ring,
)
from yspbx.testing import ReportCollector, ServerProcess

MODERN_HOST, LEGACY_HOST = "127.0.0.43", "127.0.0.44"


def client(server: ServerProcess, collector: ReportCollector, version: str | None) -> Client:
    """An SDK client on the collector's host, telling the PBX to report to the collector."""
    return Client(
        server.url,
        username="api",
        password=PASSWORD,
        transport=httpx.HTTPTransport(local_address=collector.host),
        report_port=collector.port,
        report_version=version,
    )


@pytest.fixture
def collectors(sim: Sim) -> Iterator[tuple[ReportCollector, ReportCollector]]:
    with ReportCollector(MODERN_HOST) as modern, ReportCollector(LEGACY_HOST) as legacy:
        yield modern, legacy


def test_the_receiver_reads_a_call_in_both_formats(
    server: ServerProcess, sim: Sim, collectors: tuple[ReportCollector, ReportCollector]
) -> None:
    modern, legacy = collectors
    assert isinstance(modern.receiver, ReportReceiver)
    rings: list[Ring] = []

    @legacy.receiver.on(Ring)
    async def ringing(event: Ring) -> None:  # a handler by event class
        rings.append(event)

    with client(server, modern, "1.0.2") as pbx, client(server, legacy, None) as old:
        old.login()
        callid = pbx.calls.dial_extension("1001", "1002", auto_answer=True)
        sim.advance(3)
        sim.post(f"/calls/{callid}/answer", {"party": "1002"})
        sim.advance(20)
        pbx.calls.hang_up("1002")
        modern.wait_for(NewCdr)
        legacy.wait_for(NewCdr)

    # Legacy RING: "ext" twice in one object; both parties kept, in order.
    (ring,) = rings
    assert (
        ring.body
        == (
            f'{{"action":"RING","callid":"{callid}","ext":{{"extid":"1002"}},'
            f'"ext":{{"extid":"1001"}},"sn":"{SN}"}}'
        ).encode()
    )
    assert ring.callid == callid
    assert ring.parties == [ExtensionParty(extid="1002"), ExtensionParty(extid="1001")]
    assert ring.extensions == ["1002", "1001"]
    assert ring.raw["ext"] == [{"extid": "1002"}, {"extid": "1001"}]
    assert ring.serial_number == SN  # units send sn in the legacy format too

    # 1.0.2: the whole call as typed events, in the order sent.
    events = modern.events
    assert [(type(e), _who(e)) for e in events] == [
        (ExtensionStatus, ("1001", "Ringing")),
        (ExtensionStatus, ("1001", "Busy")),
        (Alert, ("1001",)),
        (ExtensionStatus, ("1002", "Ringing")),
        (Ring, ("1002", "1001")),
        (ExtensionStatus, ("1002", "Busy")),
        (Answered, ("1001", "1002")),
        (Answer, ("1002", "1001")),
        (Bye, ("1002", "1001")),
        (Bye, ("1001", "1002")),
        (ExtensionStatus, ("1002", "Idle")),
        (ExtensionStatus, ("1001", "Idle")),
        (NewCdr, ()),
    ]
    assert all(e.serial_number == SN for e in events)
    assert {e.callid for e in events if isinstance(e, Bye | Ring | Alert)} == {callid}
    cdr = events[-1]
    assert isinstance(cdr, NewCdr)
    assert (cdr.callid, cdr.caller, cdr.callee, cdr.call_type, cdr.status) == (
        callid,
        "1001",
        "1002",
        "Internal",
        "ANSWERED",
    )
    assert (cdr.call_duration, cdr.talk_duration) == (23, 20)
    assert isinstance(cdr.time_start, datetime)
    assert (cdr.destination_trunk, cdr.recording) == ("", "")
    # The legacy session saw the same sequence of actions.
    assert [e.action for e in legacy.events] == [e.action for e in events]


def test_the_receiver_reads_an_inbound_call_and_the_sdk_fetches_its_recording(
    server: ServerProcess, sim: Sim, collectors: tuple[ReportCollector, ReportCollector]
) -> None:
    modern, _ = collectors
    with client(server, modern, "1.0.2") as pbx:
        pbx.login()
        callid = sim.post(
            "/calls", {"from": "0612345678", "to": "5503301", "trunk": "SIP-Carrier"}
        )["callid"]
        sim.post(f"/calls/{callid}/answer", {})
        sim.advance(2)
        sim.post(f"/calls/{callid}/hangup", {})
        cdr = modern.wait_for(NewCdr)
        ring = modern.wait_for(Ring)
        assert isinstance(ring, Ring)
        assert isinstance(cdr, NewCdr)
        assert ring.parties == [
            ExtensionParty(extid="1000"),
            InboundParty(
                **{"from": "0612345678", "to": "5503301", "trunk": "SIP-Carrier"},
                inboundid=callid,
            ),
        ]
        assert ring.inbound is not None
        assert ring.inbound.id == callid
        assert (cdr.source_trunk, cdr.did_number, cdr.call_type) == (
            "SIP-Carrier",
            "5503301",
            "Inbound",
        )
        audio = pbx.recordings.fetch(cdr.recording)
    assert audio[:4] == b"RIFF"
    assert audio[8:12] == b"WAVE"


def _who(event: Event) -> tuple[str, ...]:
    if isinstance(event, ExtensionStatus):
        return (event.extension, event.status)
    if isinstance(event, Ring | Alert | Answer | Answered | Bye):
        return tuple(event.extensions)
    return ()
