"""Inbound call control (docs/pbx-api/call-services.md, and its reports in reports.md).

``SIP-Screened`` has "Control Inbound Call Answering" (Invite, accept/refuse), ``SIP-Directed``
"Control Inbound Call Destination" (Incoming, then a transfer or the route). Event sequences
are checked in process; the errnos and the calls' life over HTTP.
"""

from __future__ import annotations

import pytest

from tests.support.calls_http import Pbx as HttpPbx
from tests.support.engine import Pbx
from tests.support.helpers import Api, Sim, failed
from yspbx.errors import Errno, PbxError
from yspbx.pbx.events import InboundCallArrived, InboundCallOffered, InboundParty

CALLER = "0612345678"


async def test_invite_then_accept_lets_the_call_follow_its_route(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call(CALLER, "5503310", "SIP-Screened")
    assert pbx.take() == [("Invite", f"in:{CALLER}")]
    assert pbx.of(InboundCallOffered) == [
        InboundCallOffered(callid, InboundParty(CALLER, "5503310", "SIP-Screened", callid))
    ]
    (waiting,) = await pbx.calls.inbound_calls()
    assert (waiting.inboundid, waiting.status, waiting.callee) == (callid, "Progress", [])
    await pbx.advance(4)
    await pbx.calls.accept_inbound(callid)
    assert pbx.take() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", f"in:{CALLER}"),
    ]
    await pbx.calls.answer(callid)
    await pbx.advance(10)
    await pbx.calls.hangup(callid)
    (cdr,) = pbx.cdrs()
    assert (cdr.type, cdr.callto, cdr.srctrunkname, cdr.status) == (
        "Inbound",
        "1000",
        "SIP-Screened",
        "ANSWERED",
    )
    assert (cdr.call_duration, cdr.talk_duration) == (14, 10)
    # Once decided, the call waits for nothing more: a second answer is too late.
    with pytest.raises(PbxError) as late:
        await pbx.calls.refuse_inbound(callid)
    assert late.value.errno is Errno.INBOUND_CONTROL_TIMEOUT


async def test_refuse_drops_the_call_without_a_record(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call(CALLER, "5503310", "SIP-Screened")
    await pbx.calls.refuse_inbound(callid)
    assert pbx.take() == [("Invite", f"in:{CALLER}")]
    assert pbx.live() == []
    await pbx.advance(60)
    assert pbx.take() == []
    assert await pbx.calls.records() == []
    with pytest.raises(PbxError) as again:
        await pbx.calls.accept_inbound(callid)
    assert again.value.errno is Errno.INBOUND_CONTROL_TIMEOUT


async def test_without_an_answer_the_window_closes_and_the_call_goes_on(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call(CALLER, "5503310", "SIP-Screened")
    await pbx.advance(9.5)
    assert pbx.take() == [("Invite", f"in:{CALLER}")]
    await pbx.advance(0.5)
    assert pbx.take() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", f"in:{CALLER}"),
    ]
    for late in (pbx.calls.accept_inbound, pbx.calls.refuse_inbound):
        with pytest.raises(PbxError) as error:
            await late(callid)
        assert error.value.errno is Errno.INBOUND_CONTROL_TIMEOUT
    assert pbx.live()[0]["parties"] == [CALLER, "1000"]
    # The caller gives up while 1000 rings: the call is recorded as any unanswered call.
    await pbx.calls.hangup(callid)
    assert pbx.cdrs()[0].status == "NO ANSWER"


async def test_the_caller_may_hang_up_while_the_application_decides(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call(CALLER, "5503310", "SIP-Screened")
    await pbx.advance(3)
    await pbx.calls.hangup(callid)
    assert pbx.calls_only()[-2:] == [
        ("CallFailed", "487 Request Terminated", f"in:{CALLER}"),
        ("NewCdr", "NO ANSWER"),
    ]
    await pbx.advance(20)
    assert pbx.take() == []
    # The application was asked about this call: answering now is late, not unknown.
    with pytest.raises(PbxError) as late:
        await pbx.calls.accept_inbound(callid)
    assert late.value.errno is Errno.INBOUND_CONTROL_TIMEOUT


async def test_incoming_waits_for_a_transfer_within_the_window(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call(CALLER, "5503320", "SIP-Directed")
    assert pbx.take() == [("Incoming", f"in:{CALLER}")]
    assert pbx.of(InboundCallArrived) == [
        InboundCallArrived(callid, InboundParty(CALLER, "5503320", "SIP-Directed", callid))
    ]
    assert pbx.live()[0]["offer"] == "destination"
    await pbx.advance(5)
    assert await pbx.calls.transfer_inbound(callid, "1003", "") == callid
    assert pbx.calls_only() == [("ALERT", f"in:{CALLER}"), ("RING", "1003", f"in:{CALLER}")]
    await pbx.advance(10)  # the window would have closed by now: nothing else happens
    assert pbx.calls_only() == []
    await pbx.calls.answer(callid)
    await pbx.calls.hangup(callid)
    cdr = pbx.cdrs()[-1]
    assert (cdr.callto, cdr.status, cdr.srctrunkname) == ("1003", "ANSWERED", "SIP-Directed")


async def test_incoming_without_a_transfer_uses_the_route_then_can_still_move(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call(CALLER, "5503320", "SIP-Directed")
    await pbx.advance(10)
    assert pbx.take() == [
        ("Incoming", f"in:{CALLER}"),
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", f"in:{CALLER}"),
    ]
    assert pbx.live()[0]["offer"] is None
    # After the window a transfer is an ordinary transfer of a ringing inbound call.
    await pbx.calls.transfer_inbound(callid, "1002", "")
    assert pbx.calls_only() == [("ALERT", f"in:{CALLER}"), ("RING", "1002", f"in:{CALLER}")]
    assert pbx.live()[0]["parties"] == [CALLER, "1002"]


async def test_a_trunk_with_both_options_asks_then_waits_for_a_destination(pbx: Pbx) -> None:
    trunk = pbx.services.simulator.config.trunks["SIP-Screened"]
    trunk.inbound_destination_control = True
    callid = await pbx.calls.place_call(CALLER, "5503310", "SIP-Screened")
    await pbx.calls.accept_inbound(callid)
    assert pbx.take() == [("Invite", f"in:{CALLER}"), ("Incoming", f"in:{CALLER}")]
    await pbx.advance(10)
    assert pbx.calls_only() == [("ALERT", f"in:{CALLER}"), ("RING", "1000", f"in:{CALLER}")]


async def test_a_transfer_while_the_invite_waits_accepts_the_call(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call(CALLER, "5503310", "SIP-Screened")
    await pbx.calls.transfer_inbound(callid, "1002", "")
    assert pbx.calls_only() == [
        ("Invite", f"in:{CALLER}"),
        ("ALERT", f"in:{CALLER}"),
        ("RING", "1002", f"in:{CALLER}"),
    ]
    await pbx.advance(10)  # the window's end no longer matters
    assert pbx.live()[0]["parties"] == [CALLER, "1002"]
    with pytest.raises(PbxError) as late:
        await pbx.calls.accept_inbound(callid)
    assert late.value.errno is Errno.INBOUND_CONTROL_TIMEOUT


async def test_trunks_without_control_send_neither_report(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call(CALLER, "5503301", "SIP-Carrier")
    assert pbx.calls_only() == [("ALERT", f"in:{CALLER}"), ("RING", "1000", f"in:{CALLER}")]
    with pytest.raises(PbxError) as error:
        await pbx.calls.accept_inbound(callid)
    assert error.value.errno is Errno.INBOUND_CONTROL_TIMEOUT


# -- over HTTP ----------------------------------------------------------------------------


def test_accept_and_refuse_over_http(api: Api, sim: Sim) -> None:
    pbx = HttpPbx(api, sim)
    accepted = pbx.place(CALLER, "5503310", "SIP-Screened")
    assert pbx.calls()[accepted]["offer"] == "answer"
    assert pbx("inbound/query", inboundid=accepted)["inbound"][0]["status"] == "Progress"
    assert pbx("inbound/accept", inboundid=accepted) == {"status": "Success"}
    assert pbx.calls()[accepted]["parties"] == [CALLER, "1000"]
    pbx.hangup(accepted)

    refused = pbx.place("0611111111", "5503310", "SIP-Screened")
    assert pbx("inbound/refuse", inboundid=refused) == {"status": "Success"}
    assert refused not in pbx.calls()
    assert pbx("inbound/refuse", inboundid=refused) == failed("10016")

    timed_out = pbx.place("0622222222", "5503310", "SIP-Screened")
    sim.advance(10)
    assert pbx("inbound/accept", inboundid=timed_out) == failed("10016")
    assert pbx.calls()[timed_out]["state"] == "ringing"


@pytest.mark.parametrize(
    ("body", "errno"),
    [
        ({}, "10004"),
        ({"inboundid": ""}, "10004"),
        ({"inboundid": ["1.1"]}, "10004"),
        ({"inboundid": "1.1"}, "10007"),
        ({"inboundid": "not an id"}, "10007"),
    ],
)
def test_accept_errnos(api: Api, sim: Sim, body: dict[str, object], errno: str) -> None:
    pbx = HttpPbx(api, sim)
    for endpoint in ("inbound/accept", "inbound/refuse"):
        assert api.call(endpoint, body, pbx.token) == failed(errno)


def test_incoming_directed_within_and_after_the_window_over_http(api: Api, sim: Sim) -> None:
    pbx = HttpPbx(api, sim)
    within = pbx.place(CALLER, "5503320", "SIP-Directed")
    assert (pbx.calls()[within]["offer"], pbx.calls()[within]["parties"]) == (
        "destination",
        [CALLER],
    )
    sim.advance(9)
    moved = pbx("inbound/transfer_number", inboundid=within, number="6200", fromext="")
    assert moved == {"status": "Success", "callid": within}
    assert pbx.calls()[within]["destination"] == {"type": "ivr", "number": "6200"}
    sim.advance(1)  # the window's end changes nothing any more
    assert pbx.calls()[within]["destination"] == {"type": "ivr", "number": "6200"}

    after = pbx.place("0698765432", "5503320", "SIP-Directed")
    sim.advance(10)
    assert pbx.calls()[after]["parties"] == ["0698765432", "1000"]
    assert pbx("inbound/accept", inboundid=after) == failed("10016")
    pbx("inbound/transfer_number", inboundid=after, number="1003", fromext="")
    assert pbx.calls()[after]["parties"] == ["0698765432", "1003"]
