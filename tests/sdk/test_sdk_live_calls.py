"""The SDK's live-call methods against the real server (both twins): the queries, hang-ups,
hold and mute, and monitoring (docs/pbx-api/calls.md), with the outside world and the phones driven
through the SDK's own :class:`~yspbx.client.Simulator`, so its call helpers are proven too.

Default config: 1000 records and may monitor in any mode; 1001 may only listen, 1002 only
whisper, 1003 only barge in; 1004 has DND and monitoring disabled; 1009 may not be monitored.
Trunk SIP-Carrier's calls go to 1000 unless the DID is 5503302 (IVR 6200) or 5503303 (queue).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from tests.support.sdk_live import FAR_END, OUTSIDE, Wire, assert_read_whole, raised, talking
from yspbx.client import (
    BusyError,
    CallParty,
    Client,
    InboundCall,
    InvalidValueError,
    NotFoundError,
    NotPermittedError,
    OutboundCall,
    Simulator,
)

# -- queries (9) ----------------------------------------------------------------------------


def test_inbound_query_follows_the_call(sdk: Client, wire: Wire, simulator: Simulator) -> None:
    assert sdk.calls.inbound() == []
    callid = simulator.start_call(OUTSIDE, "5503301", trunk="SIP-Carrier")
    (ringing,) = sdk.calls.inbound()
    assert_read_whole([ringing], wire.items("inbound/query", "inbound"))
    assert isinstance(ringing, InboundCall)
    assert (ringing.id, ringing.from_number, ringing.to_number) == (callid, OUTSIDE, "5503301")
    assert (ringing.trunk, ringing.status) == ("SIP-Carrier", "Progress")
    assert ringing.callee == [CallParty(extid="1000")]
    assert (ringing.callee[0].kind, ringing.callee[0].id) == ("extension", "1000")

    assert simulator.answer(callid) == "1000"
    (answered,) = sdk.calls.inbound(callid)
    assert answered.status == "Talking"
    sdk.calls.hold("1000")
    assert sdk.calls.inbound([callid])[0].status == "Wait"  # held by the other side
    assert sdk.calls.inbound(["1.1"]) == []
    assert sdk.calls.outbound() == []


def test_inbound_query_selects_by_id(sdk: Client, simulator: Simulator) -> None:
    first = simulator.start_call("0611111111", "1001", trunk="SIP-Carrier")
    second = simulator.start_call("0622222222", "1002", trunk="SIP-Carrier")
    assert [c.id for c in sdk.calls.inbound()] == [first, second]
    assert [c.id for c in sdk.calls.inbound(second)] == [second]
    assert [c.id for c in sdk.calls.inbound([first, second])] == [first, second]
    assert [c.id for c in sdk.calls.inbound(f"{first},{second}")] == [first, second]


def test_outbound_query_follows_the_call(sdk: Client, wire: Wire, simulator: Simulator) -> None:
    callid = simulator.start_call("1001", FAR_END)
    outboundid = simulator.call(callid).leg(FAR_END).id
    assert outboundid is not None
    assert outboundid != callid
    (dialling,) = sdk.calls.outbound()
    assert_read_whole([dialling], wire.items("outbound/query", "outbound"))
    assert isinstance(dialling, OutboundCall)
    assert (dialling.id, dialling.from_number, dialling.to_number) == (outboundid, "1001", FAR_END)
    assert (dialling.trunk, dialling.status) == ("SIP-Carrier", "Progress")
    simulator.answer(callid, party=FAR_END)
    assert sdk.calls.outbound(outboundid)[0].status == "Talking"
    assert sdk.calls.outbound([outboundid, "1.1"]) == [sdk.calls.outbound()[0]]
    assert sdk.calls.inbound() == []


def test_callee_names_every_kind_of_party(sdk: Client, wire: Wire, simulator: Simulator) -> None:
    """Who has an inbound call: an extension, the IVR / queue / ring group holding it, or an
    outbound leg once the call was sent outside; every key the server sends has a field."""
    ivr = simulator.start_call("0611111111", "5503302", trunk="SIP-Carrier")
    queue = simulator.start_call("0622222222", "5503303", trunk="SIP-Carrier")
    group = simulator.start_call("0633333333", "5503301", trunk="SIP-Carrier")
    sdk.calls.transfer_inbound(group, "6300")
    outside = simulator.start_call("0644444444", "5503301", trunk="SIP-Carrier")
    simulator.answer(outside)
    sdk.calls.transfer_inbound(outside, FAR_END, from_extension="1000")
    outboundid = simulator.call(outside).leg(FAR_END).id

    calls = {call.id: call for call in sdk.calls.inbound()}
    assert_read_whole(list(calls.values()), wire.items("inbound/query", "inbound"))
    assert calls[ivr].callee == [CallParty(ivrid="6200")]
    assert calls[ivr].status == "Wait"
    assert calls[queue].callee[0] == CallParty(queueid="6700")
    assert [p.id for p in calls[queue].callee[1:]] == ["1001", "1002"]  # its agents ring
    # The ring group rings its one free member (1002 rings for the queue, 1004 has DND).
    assert calls[group].callee == [CallParty(ringgroupid="6300"), CallParty(extid="1003")]
    assert calls[outside].callee == [CallParty(outboundid=outboundid)]
    assert [p.kind for p in calls[outside].callee + calls[group].callee[:1]] == [
        "outbound",
        "ring_group",
    ]
    assert [(p.kind, p.id) for p in (calls[ivr].callee[0], calls[queue].callee[0])] == [
        ("ivr", "6200"),
        ("queue", "6700"),
    ]


# -- hang up, hold, mute (10) ---------------------------------------------------------------


def test_hang_ups(sdk: Client, simulator: Simulator) -> None:
    inbound = simulator.start_call(OUTSIDE, "1001", trunk="SIP-Carrier")
    outbound = talking(simulator, "1002", FAR_END)
    internal = talking(simulator, "1003", "1000")
    outboundid = simulator.call(outbound).leg(FAR_END).id
    assert outboundid is not None
    sdk.calls.hang_up_inbound(inbound)
    sdk.calls.hang_up_outbound(outboundid)
    assert [c.callid for c in simulator.calls()] == [internal]
    sdk.calls.hang_up("1000")
    assert simulator.calls() == []
    assert {e.number: e.status for e in sdk.extensions.list()}["1000"] == "Registered"


def test_hang_up_refusals(sdk: Client, simulator: Simulator) -> None:
    callid = simulator.start_call("1001", FAR_END)
    outboundid = simulator.call(callid).leg(FAR_END).id
    assert outboundid is not None
    raised(lambda: sdk.calls.hang_up("9999"), NotFoundError, "10006", "extension/hangup")
    raised(lambda: sdk.calls.hang_up("1002"), NotFoundError, "10007")  # in no call
    raised(lambda: sdk.calls.hang_up_inbound("1.1"), NotFoundError, "10007", "inbound/hangup")
    # An outbound leg's id is not an inbound id.
    raised(lambda: sdk.calls.hang_up_inbound(outboundid), NotFoundError, "10007")
    raised(lambda: sdk.calls.hang_up_outbound(callid), NotFoundError, "10007", "outbound/hangup")
    raised(lambda: sdk.calls.hang_up(""), InvalidValueError, "10004")
    assert [c.callid for c in simulator.calls()] == [callid]


def test_hold_unhold_mute_unmute(sdk: Client, simulator: Simulator) -> None:
    callid = talking(simulator, "1001", "1002")
    sdk.calls.hold("1001")
    assert simulator.call(callid).state == "held"
    assert simulator.call(callid).leg("1001").state == "held"
    assert {e.number: e.status for e in sdk.extensions.list()}["1001"] == "Hold"
    sdk.calls.hold("1001")  # already held: nothing changes
    sdk.calls.unhold("1001")
    assert simulator.call(callid).state == "talking"
    sdk.calls.mute("1002")
    assert [(leg.number, leg.muted) for leg in simulator.call(callid).legs] == [
        ("1001", False),
        ("1002", True),
    ]
    sdk.calls.unmute("1002")
    assert not any(leg.muted for leg in simulator.call(callid).legs)


def test_hold_and_mute_refusals(sdk: Client, simulator: Simulator) -> None:
    actions: list[tuple[Callable[[str], None], str]] = [
        (sdk.calls.hold, "extension/hold"),
        (sdk.calls.unhold, "extension/unhold"),
        (sdk.calls.mute, "extension/mute"),
        (sdk.calls.unmute, "extension/unmute"),
    ]
    for method, endpoint in actions:
        raised(functools.partial(method, "9999"), NotFoundError, "10006", endpoint)
        raised(functools.partial(method, "1001"), NotFoundError, "10007", endpoint)
    simulator.start_call("1001", "1002")  # ringing: not connected yet
    raised(lambda: sdk.calls.hold("1002"), BusyError, "10015", "extension/hold")
    raised(lambda: sdk.calls.mute("1002"), BusyError, "10015", "extension/mute")


# -- monitoring (11) ------------------------------------------------------------------------


def test_listen_whisper_barge(sdk: Client, simulator: Simulator) -> None:
    callid = talking(simulator, "1002", "1003")
    sdk.calls.listen("1001", "1002")
    monitor = simulator.call(callid).legs[-1]
    assert (monitor.number, monitor.role, monitor.monitor_mode) == ("1001", "monitor", "Listen")
    assert monitor.state == "talking"  # an IP phone answers a monitoring call by itself
    assert simulator.call(callid).parties == ["1002", "1003"]  # monitors are not parties
    sdk.calls.hang_up("1001")  # the monitor leaves; the call goes on
    sdk.calls.whisper("1000", "1003")
    assert simulator.call(callid).legs[-1].monitor_mode == "Whisper"
    assert simulator.hang_up(callid, party="1000") == "1000"
    sdk.calls.barge("1000", "1002")
    assert simulator.call(callid).legs[-1].monitor_mode == "Barge-in"
    simulator.hang_up(callid)  # the monitored call ends: the monitor goes with it
    assert simulator.calls() == []


def test_monitor_refusals(sdk: Client, simulator: Simulator) -> None:
    raised(lambda: sdk.calls.listen("1000", "1002"), NotFoundError, "10007")  # in no call
    ringing = simulator.start_call("1002", "1003")
    raised(lambda: sdk.calls.listen("1000", "1002"), BusyError, "10015", "extension/listen")
    simulator.hang_up(ringing)
    talking(simulator, "1002", "1003")
    raised(lambda: sdk.calls.listen("9999", "1002"), NotFoundError, "10006", "extension/listen")
    raised(lambda: sdk.calls.whisper("1000", "9999"), NotFoundError, "10006", "extension/whisper")
    # 1009 may not be monitored; 1001 may only listen; 1004 may not monitor at all.
    raised(lambda: sdk.calls.listen("1000", "1009"), NotPermittedError, "10009")
    raised(
        lambda: sdk.calls.whisper("1001", "1002"), NotPermittedError, "10010", "extension/whisper"
    )
    raised(lambda: sdk.calls.barge("1004", "1002"), NotPermittedError, "10010", "extension/barge")
    # The monitor is in the call itself.
    raised(lambda: sdk.calls.barge("1003", "1002"), BusyError, "10008", "extension/barge")
    sdk.calls.listen("1000", "1002")
    # One monitor at a time.
    raised(lambda: sdk.calls.listen("1001", "1003"), NotPermittedError, "10009")
    raised(lambda: sdk.calls.listen("1000", ""), InvalidValueError, "10004")
