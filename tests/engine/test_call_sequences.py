"""The documented call sequences (docs/pbx-api/reports.md), event by event, on an in-process PBX.

Each test drives one scenario through the engine's API operations and the simulator's phones,
and checks the domain events in order (the reports they become), the parties in report order,
and the record the call leaves.
"""

from __future__ import annotations

from tests.support.engine import Pbx
from yspbx.pbx.events import (
    CallAlerting,
    CallAnswered,
    CallFailed,
    CallReleased,
    CallRinging,
    ExtParty,
    InboundParty,
    KeyPressed,
    OutboundParty,
)


async def test_internal_api_dial_answered_and_released_by_the_callee(pbx: Pbx) -> None:
    callid = await pbx.calls.dial_extension("1001", "1002", autoanswer=False)
    assert pbx.take() == [("ExtensionStatus", "1001", "Ringing")]
    assert pbx.status("1001") == "Ringing"

    await pbx.calls.answer(callid, "1001")
    assert pbx.take() == [
        ("ExtensionStatus", "1001", "Busy"),
        ("ALERT", "1001"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", "1001"),
    ]
    await pbx.advance(7)
    await pbx.calls.answer(callid)
    assert pbx.take() == [
        ("ExtensionStatus", "1002", "Busy"),
        ("ANSWERED", "1001", "1002"),
        ("ANSWER", "1002", "1001"),
    ]
    await pbx.advance(35)
    await pbx.calls.hangup(callid, "1002")
    assert pbx.take() == [
        ("BYE", "1002", "1001"),
        ("BYE", "1001", "1002"),
        ("ExtensionStatus", "1002", "Idle"),
        ("ExtensionStatus", "1001", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    # The bodies: every call report carries the call's id, parties as the examples show them.
    assert pbx.of(CallAlerting) == [CallAlerting(callid, (ExtParty("1001"),))]
    assert pbx.of(CallRinging) == [CallRinging(callid, (ExtParty("1002"), ExtParty("1001")))]
    (cdr,) = pbx.cdrs()
    assert (cdr.callid, cdr.callfrom, cdr.callto, cdr.type) == (callid, "1001", "1002", "Internal")
    assert (cdr.call_duration, cdr.talk_duration, cdr.status) == (42, 35, "ANSWERED")
    assert cdr.desttrunkname == cdr.srctrunkname == cdr.recording == ""
    assert pbx.live() == []
    assert pbx.status("1001") == "Registered"


async def test_callid_is_unix_seconds_and_a_sequence(pbx: Pbx) -> None:
    now = int(pbx.services.clock.now())
    first = await pbx.calls.dial_extension("1001", "1002", autoanswer=False)
    second = await pbx.calls.dial_extension("1003", "1009", autoanswer=False)
    seconds, sequence = first.split(".")
    assert now <= int(seconds) <= now + 1
    assert second.split(".")[1] == str(int(sequence) + 1)


async def test_autoanswer_connects_the_caller_at_once(pbx: Pbx) -> None:
    callid = await pbx.calls.dial_extension("1001", "1002", autoanswer=True)
    assert pbx.take() == [
        ("ExtensionStatus", "1001", "Ringing"),
        ("ExtensionStatus", "1001", "Busy"),
        ("ALERT", "1001"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", "1001"),
    ]
    assert pbx.live()[0]["callid"] == callid


async def test_a_call_dialled_on_a_phone_sends_no_ring_or_alert(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("1001", "1002")
    await pbx.calls.answer(callid)
    await pbx.calls.hangup(callid)
    assert pbx.take() == [
        ("ExtensionStatus", "1001", "Busy"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("ExtensionStatus", "1002", "Busy"),
        ("ANSWERED", "1001", "1002"),
        ("ANSWER", "1002", "1001"),
        ("BYE", "1001", "1002"),
        ("BYE", "1002", "1001"),
        ("ExtensionStatus", "1001", "Idle"),
        ("ExtensionStatus", "1002", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]


async def test_extension_dials_out_through_the_route(pbx: Pbx) -> None:
    callid = await pbx.calls.dial_outbound("1001", "0698765432", autoanswer=True)
    events = pbx.calls_only()
    assert events == [("ALERT", "1001"), ("RING", "out:0698765432", "1001")]
    (ring,) = pbx.of(CallRinging)
    outbound = ring.parties[0]
    assert isinstance(outbound, OutboundParty)
    assert (outbound.from_number, outbound.to_number, outbound.trunk) == (
        "1001",
        "0698765432",
        "SIP-Carrier",
    )
    assert outbound.outboundid != callid
    assert outbound.outboundid.split(".")[1] == str(int(callid.split(".")[1]) + 1)
    (query,) = await pbx.calls.outbound_calls()
    assert (query.outboundid, query.status) == (outbound.outboundid, "Progress")

    await pbx.calls.answer(callid, "0698765432")
    assert pbx.calls_only() == [
        ("ANSWERED", "1001", "out:0698765432"),
        ("ANSWER", "out:0698765432", "1001"),
    ]
    assert (await pbx.calls.outbound_calls())[0].status == "Talking"
    await pbx.advance(20)
    await pbx.calls.hangup_outbound(outbound.outboundid)
    assert pbx.calls_only() == [
        ("BYE", "out:0698765432", "1001"),
        ("BYE", "1001", "out:0698765432"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = pbx.cdrs()
    assert (cdr.type, cdr.callfrom, cdr.callto, cdr.desttrunkname) == (
        "Outbound",
        "1001",
        "0698765432",
        "SIP-Carrier",
    )
    assert cdr.talk_duration == 20
    # SIP-Carrier records its calls.
    assert cdr.recording.endswith(f"-{callid}-1001-0698765432-Outbound.wav")


async def test_inbound_call_follows_the_route_to_an_extension(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("0612345678", "5503301", "SIP-Carrier")
    inbound = InboundParty("0612345678", "5503301", "SIP-Carrier", callid)
    assert pbx.take() == [
        ("ALERT", "in:0612345678"),
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", "in:0612345678"),
    ]
    assert pbx.of(CallAlerting) == [CallAlerting(callid, (inbound,))]
    assert pbx.of(CallRinging) == [CallRinging(callid, (ExtParty("1000"), inbound))]
    (query,) = await pbx.calls.inbound_calls()
    assert (query.inboundid, query.from_number, query.to_number, query.trunk) == (
        callid,
        "0612345678",
        "5503301",
        "SIP-Carrier",
    )
    assert (query.status, query.callee) == ("Progress", [{"extid": "1000"}])

    await pbx.advance(11)
    await pbx.calls.answer(callid)
    assert pbx.calls_only() == [
        ("ANSWERED", "in:0612345678", "1000"),
        ("ANSWER", "1000", "in:0612345678"),
    ]
    assert (await pbx.calls.inbound_calls())[0].status == "Talking"
    await pbx.advance(50)
    await pbx.calls.hangup(callid)
    assert pbx.calls_only() == [
        ("BYE", "in:0612345678", "1000"),
        ("BYE", "1000", "in:0612345678"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = pbx.cdrs()
    assert (cdr.type, cdr.callfrom, cdr.callto, cdr.didnumber, cdr.srctrunkname) == (
        "Inbound",
        "0612345678",
        "1000",
        "5503301",
        "SIP-Carrier",
    )
    assert (cdr.call_duration, cdr.talk_duration) == (61, 50)
    assert cdr.recording.endswith(f"-{callid}-0612345678-1000-Inbound.wav")
    assert cdr.recording[:14].isdigit()


async def test_inbound_routes_pick_did_then_direct_dial_then_catch_all(pbx: Pbx) -> None:
    ivr_call = await pbx.calls.place_call("0611111111", "5503302", "SIP-Carrier")
    direct = await pbx.calls.place_call("0622222222", "1003", "SIP-Carrier")
    fallback = await pbx.calls.place_call("0633333333", "5503399", "SIP-Carrier")
    live = {call["callid"]: call for call in pbx.live()}
    assert live[ivr_call]["destination"] == {"type": "ivr", "number": "6200"}
    assert live[ivr_call]["state"] == "talking"
    assert live[direct]["parties"] == ["0622222222", "1003"]
    assert live[fallback]["parties"] == ["0633333333", "1000"]
    statuses = {c.inboundid: (c.status, c.callee) for c in await pbx.calls.inbound_calls()}
    assert statuses[ivr_call] == ("Wait", [{"ivrid": "6200"}])


async def test_inbound_call_to_an_ivr_records_keys_and_ends_with_one_bye(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("0612345678", "5503302", "SIP-Carrier")
    assert pbx.take() == []
    await pbx.calls.press_keys(callid, "12#")
    inbound = InboundParty("0612345678", "5503302", "SIP-Carrier", callid)
    assert pbx.of(KeyPressed) == [
        KeyPressed(callid, (inbound,), "1", 0, "1"),
        KeyPressed(callid, (inbound,), "2", 1, "12"),
        KeyPressed(callid, (inbound,), "#", 2, "12#"),
    ]
    pbx.take()
    # "12" is no choice of IVR 6200: its menu plays again, and the end of the prompt is reported.
    await pbx.advance(9)
    await pbx.calls.hangup(callid)
    assert pbx.take() == [
        ("PlayPromptEnd", "welcome", "in:0612345678"),
        ("BYE", "in:0612345678"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = pbx.cdrs()
    assert (cdr.callto, cdr.talk_duration, cdr.didnumber) == ("6200", 9, "5503302")


async def test_call_back_bridges_two_numbers_outside(pbx: Pbx) -> None:
    callid = await pbx.calls.callback("0612345678", "0698765432", "1001")
    assert pbx.take() == []
    (first,) = await pbx.calls.outbound_calls()
    assert (first.to_number, first.status) == ("0612345678", "Progress")
    await pbx.calls.answer(callid, "0612345678")
    assert pbx.take() == [("ALERT", "out:0612345678"), ("RING", "out:0698765432", "out:0612345678")]
    statuses = {c.to_number: c.status for c in await pbx.calls.outbound_calls()}
    assert statuses == {"0612345678": "Wait", "0698765432": "Progress"}
    await pbx.calls.answer(callid, "0698765432")
    await pbx.advance(30)
    await pbx.calls.hangup(callid, "0698765432")
    assert pbx.take() == [
        ("ANSWERED", "out:0612345678", "out:0698765432"),
        ("ANSWER", "out:0698765432", "out:0612345678"),
        ("BYE", "out:0698765432", "out:0612345678"),
        ("BYE", "out:0612345678", "out:0698765432"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = pbx.cdrs()
    assert (cdr.type, cdr.callfrom, cdr.callto, cdr.talk_duration) == (
        "Callback",
        "0612345678",
        "0698765432",
        30,
    )
    assert (cdr.srctrunkname, cdr.desttrunkname) == ("SIP-Carrier", "SIP-Carrier")


async def test_calltransfer_hands_the_caller_to_another_extension(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("0612345678", "1001", "SIP-Carrier")
    await pbx.calls.answer(callid)
    await pbx.advance(10)
    pbx.take()
    assert await pbx.calls.transfer(callid, "1001", "1002", "") == callid
    assert pbx.take() == [
        ("NewCdr", "ANSWERED"),
        ("ExtensionStatus", "1001", "Idle"),
        ("ALERT", "in:0612345678"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", "in:0612345678"),
    ]
    assert (await pbx.calls.inbound_calls())[0].status == "Wait"
    await pbx.calls.answer(callid)
    await pbx.advance(5)
    await pbx.calls.hangup_extension("1002")
    assert pbx.calls_only() == [
        ("ANSWERED", "in:0612345678", "1002"),
        ("ANSWER", "1002", "in:0612345678"),
        ("BYE", "1002", "in:0612345678"),
        ("BYE", "in:0612345678", "1002"),
        ("NewCdr", "ANSWERED"),
    ]
    first, second = pbx.cdrs()
    assert (first.type, first.callto, first.talk_duration) == ("Inbound", "1001", 10)
    assert (second.type, second.callfrom, second.callto, second.talk_duration) == (
        "Transfer",
        "0612345678",
        "1002",
        5,
    )
    assert first.callid == second.callid == callid
    assert not any(
        isinstance(e, CallReleased) and e.parties[0] == ExtParty("1001") for e in pbx.events
    )


async def test_inbound_transfer_number_redirects_a_ringing_call_outside(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("0612345678", "1001", "SIP-Carrier")
    pbx.take()
    assert await pbx.calls.transfer_inbound(callid, "0698765432", "1001") == callid
    assert pbx.take() == [
        ("ExtensionStatus", "1001", "Idle"),
        ("ALERT", "in:0612345678"),
        ("RING", "out:0698765432", "in:0612345678"),
    ]
    await pbx.calls.answer(callid, "0698765432")
    await pbx.calls.hangup(callid)
    (cdr,) = pbx.cdrs()
    assert (cdr.type, cdr.callto, cdr.desttrunkname, cdr.status) == (
        "Inbound",
        "0698765432",
        "SIP-Carrier",
        "ANSWERED",
    )


async def test_outbound_transfer_number_sends_the_outside_party_to_an_extension(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("1001", "0698765432")
    await pbx.calls.answer(callid)
    (outbound,) = await pbx.calls.outbound_calls()
    pbx.take()
    await pbx.calls.transfer_outbound(outbound.outboundid, "1003", "1001")
    assert pbx.take() == [
        ("NewCdr", "ANSWERED"),
        ("ExtensionStatus", "1001", "Idle"),
        ("ALERT", "out:0698765432"),
        ("ExtensionStatus", "1003", "Ringing"),
        ("RING", "1003", "out:0698765432"),
    ]
    await pbx.calls.answer(callid)
    await pbx.calls.hangup(callid, "1003")
    assert pbx.cdrs()[-1].type == "Transfer"
    assert pbx.live() == []


async def test_a_transfer_made_on_a_phone_is_reported_as_tranfer(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("0612345678", "1001", "SIP-Carrier")
    await pbx.calls.answer(callid)
    pbx.take()
    await pbx.calls.transfer_from_phone(callid, "1001", "1003")
    assert pbx.take() == [
        ("Tranfer", "1001", "in:0612345678"),
        ("NewCdr", "ANSWERED"),
        ("ExtensionStatus", "1001", "Idle"),
        ("ALERT", "in:0612345678"),
        ("ExtensionStatus", "1003", "Ringing"),
        ("RING", "1003", "in:0612345678"),
    ]
    # A phone transfer of a call dialled on a phone rings without RING.
    internal = await pbx.calls.place_call("1002", "1009")
    await pbx.calls.answer(internal)
    pbx.take()
    await pbx.calls.transfer_from_phone(internal, "1009", "1011")
    assert pbx.calls_only() == [("Tranfer", "1009", "1002"), ("NewCdr", "ANSWERED")]


async def test_hold_and_unhold(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("0612345678", "1001", "SIP-Carrier")
    await pbx.calls.answer(callid)
    pbx.take()
    await pbx.calls.hold("1001")
    assert pbx.status("1001") == "Hold"
    assert pbx.live()[0]["state"] == "held"
    assert (await pbx.calls.inbound_calls())[0].status == "Wait"
    await pbx.calls.hold("1001")  # holding a held call changes nothing
    await pbx.calls.unhold("1001")
    assert pbx.status("1001") == "Busy"
    assert (await pbx.calls.inbound_calls())[0].status == "Talking"
    # Holding is not reported (no report exists for it); the extension stays Busy.
    assert pbx.take() == []


async def test_mute_lasts_until_unmute_or_the_end_of_the_call(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("1001", "1002")
    await pbx.calls.answer(callid)
    await pbx.calls.mute("1001")
    legs = {leg["number"]: leg for leg in pbx.live()[0]["legs"]}
    assert legs["1001"]["muted"] is True
    await pbx.calls.unmute("1001")
    assert {leg["number"]: leg["muted"] for leg in pbx.live()[0]["legs"]} == {
        "1001": False,
        "1002": False,
    }


async def test_ring_timeout_fires_on_the_clock(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("0612345678", "1002", "SIP-Carrier")  # no forwarding
    await pbx.advance(29)
    assert pbx.live() != []
    pbx.take()
    await pbx.advance(1.5)
    assert pbx.take() == [
        ("CallFailed", "603 Declined", "1002", "in:0612345678"),
        ("ExtensionStatus", "1002", "Idle"),
        ("NewCdr", "NO ANSWER"),
    ]
    (failed,) = pbx.of(CallFailed)
    assert failed.callid == callid
    (cdr,) = pbx.cdrs()
    assert (cdr.status, cdr.talk_duration, cdr.call_duration, cdr.recording) == (
        "NO ANSWER",
        0,
        30,
        "",
    )
    assert pbx.live() == []


async def test_the_extension_ring_timeout_and_the_config_default(pbx: Pbx) -> None:
    await pbx.calls.place_call("1001", "1009")  # 1009 rings 15 s
    await pbx.calls.dial_outbound("1003", "0698765432", autoanswer=True)  # calls.ring_timeout
    await pbx.advance(15.5)
    assert [call["parties"] for call in pbx.live()] == [["1003", "0698765432"]]
    await pbx.advance(15)
    assert pbx.live() == []


async def test_unanswered_api_caller_times_out(pbx: Pbx) -> None:
    await pbx.calls.dial_extension("1003", "1001", autoanswer=False)  # 1003 rings 60 s
    await pbx.advance(59)
    assert pbx.live() != []
    pbx.take()
    await pbx.advance(2)
    assert pbx.take() == [
        ("CallFailed", "603 Declined", "1003"),
        ("ExtensionStatus", "1003", "Idle"),
        ("NewCdr", "NO ANSWER"),
    ]


async def test_calls_that_cannot_connect_fail_with_the_reason(pbx: Pbx) -> None:
    await pbx.calls.place_call("1001", "1004")  # DND
    await pbx.calls.place_call("1002", "1007")  # not registered
    await pbx.calls.place_call("1003", "5555")  # nothing has that number
    await pbx.calls.place_call("1006", "0698765432")  # outbound restriction
    await pbx.calls.place_call("1009", "90611223344")  # the GSM route is not for 1009
    reasons = [(e.reason, tuple(e.parties)) for e in pbx.of(CallFailed)]
    assert reasons == [
        ("DND", (ExtParty("1004"),)),
        ("480 Temporarily unavailable", (ExtParty("1007"),)),
        ("404 NOT found", (ExtParty("1003"),)),
        ("NO Outbound Restriction", (ExtParty("1006"),)),
        ("NO Outbound Restriction", (ExtParty("1009"),)),
    ]
    assert [cdr.status for cdr in pbx.cdrs()] == [
        "NO ANSWER",
        "FAILED",
        "FAILED",
        "FAILED",
        "FAILED",
    ]
    assert pbx.live() == []


async def test_busy_callee_declined_call_and_abandoned_call(pbx: Pbx) -> None:
    talking = await pbx.calls.place_call("1001", "1002")
    await pbx.calls.answer(talking)
    await pbx.calls.place_call("0612345678", "1002", "SIP-Carrier")
    declined = await pbx.calls.place_call("0612345679", "1003", "SIP-Carrier")
    await pbx.calls.hangup(declined, "1003")
    abandoned = await pbx.calls.place_call("0612345670", "1009", "SIP-Carrier")
    await pbx.calls.hangup(abandoned)
    assert [(e.reason, [who for who in e.parties]) for e in pbx.of(CallFailed)] == [
        (
            "486 Busy Here",
            [
                ExtParty("1002"),
                InboundParty("0612345678", "1002", "SIP-Carrier", pbx.of(CallFailed)[0].callid),
            ],
        ),
        (
            "486 Busy Here",
            [ExtParty("1003"), InboundParty("0612345679", "1003", "SIP-Carrier", declined)],
        ),
        (
            "487 Request Terminated",
            [ExtParty("1009"), InboundParty("0612345670", "1009", "SIP-Carrier", abandoned)],
        ),
    ]
    assert [cdr.status for cdr in pbx.cdrs()] == ["BUSY", "BUSY", "NO ANSWER"]


async def test_ring_group_rings_its_members_and_the_first_answer_wins(pbx: Pbx) -> None:
    # Ring group 6300: 1002, 1003, 1004 (DND, so it does not ring).
    callid = await pbx.calls.place_call("0612345678", "6300", "SIP-Carrier")
    assert pbx.calls_only() == [
        ("ALERT", "in:0612345678"),
        ("RING", "1002", "in:0612345678"),
        ("RING", "1003", "in:0612345678"),
    ]
    (query,) = await pbx.calls.inbound_calls()
    assert query.callee == [{"ringgroupid": "6300"}, {"extid": "1002"}, {"extid": "1003"}]
    await pbx.calls.answer(callid, "1003")
    assert pbx.take() == [
        ("ExtensionStatus", "1003", "Busy"),
        ("ExtensionStatus", "1002", "Idle"),
        ("ANSWERED", "in:0612345678", "1003"),
        ("ANSWER", "1003", "in:0612345678"),
    ]
    await pbx.calls.hangup(callid)
    assert pbx.cdrs()[0].callto == "1003"


async def test_ring_group_nobody_answers(pbx: Pbx) -> None:
    await pbx.calls.place_call("0612345678", "6300", "SIP-Carrier")
    await pbx.advance(31)
    assert pbx.of(CallFailed)[0].reason == "603 Declined"
    assert pbx.live() == []


async def test_queue_answers_rings_agents_retries_and_gives_up(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("0612345678", "5503303", "SIP-Carrier")  # to queue 6700
    assert pbx.calls_only() == [
        ("ALERT", "in:0612345678"),
        ("RING", "1001", "in:0612345678"),
        ("RING", "1002", "in:0612345678"),
    ]
    (query,) = await pbx.calls.inbound_calls()
    assert query.status == "Wait"
    await pbx.advance(30)  # agenttimeout: the agents stop ringing, the caller waits
    assert [leg["number"] for leg in pbx.live()[0]["legs"]] == ["0612345678"]
    await pbx.advance(30)  # retry: they ring again
    assert len(pbx.of(CallRinging)) == 4
    await pbx.advance(3)
    await pbx.calls.answer(callid, "1002")
    await pbx.calls.hangup(callid)
    (cdr,) = pbx.cdrs()
    assert (cdr.callto, cdr.agentringtime, cdr.status) == ("1002", "3", "ANSWERED")

    waiting = await pbx.calls.place_call("0612345678", "6700", "SIP-Carrier")
    await pbx.advance(1801)
    assert waiting not in {c["callid"] for c in pbx.live()}
    assert pbx.cdrs()[-1].status == "NO ANSWER"


async def test_api_dials_into_an_ivr_a_queue_and_a_ring_group(pbx: Pbx) -> None:
    ivr = await pbx.calls.dial_ivr_extension("6200", "1001", autoanswer=True)
    assert pbx.live()[0]["destination"] == {"type": "ivr", "number": "6200"}
    outside = await pbx.calls.dial_ivr_outbound("6200", "0611111111", "1002")
    queue = await pbx.calls.dial_queue_outbound("6700", "0622222222", "1003")
    group = await pbx.calls.dial_ringgroup_outbound("6300", "0633333333", "1009")
    for callid, number in ((outside, "0611111111"), (queue, "0622222222"), (group, "0633333333")):
        await pbx.calls.answer(callid, number)
    live = {call["callid"]: call for call in pbx.live()}
    assert live[ivr]["state"] == "talking"
    assert live[outside]["destination"] == {"type": "ivr", "number": "6200"}
    assert live[queue]["destination"] == {"type": "queue", "number": "6700"}
    # Queue agent 1001 is in the IVR call, so only 1002 rings; ring group: 1002 is taken.
    assert [leg["number"] for leg in live[queue]["legs"]] == ["0622222222", "1002"]
    assert [leg["number"] for leg in live[group]["legs"]] == ["0633333333", "1003"]


async def test_listen_whisper_and_barge(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("1002", "1003")
    await pbx.calls.answer(callid)
    pbx.take()
    await pbx.calls.monitor("Listen", "1001", "1002")  # 1001's mode is Listen
    assert pbx.take() == [
        ("ExtensionStatus", "1001", "Ringing"),
        ("ExtensionStatus", "1001", "Busy"),
    ]
    legs = pbx.live()[0]["legs"]
    assert legs[-1].pop("channel").startswith("PJSIP/1001-")
    assert legs[-1] == {
        "number": "1001",
        "kind": "ext",
        "role": "monitor",
        "state": "talking",
        "muted": False,
        "monitor_mode": "Listen",
    }
    assert pbx.live()[0]["parties"] == ["1002", "1003"]
    # The monitor hangs up: only it leaves.
    await pbx.calls.hangup_extension("1001")
    assert pbx.take() == [("ExtensionStatus", "1001", "Idle")]
    await pbx.calls.monitor("Barge-in", "1000", "1003")  # 1000 is Extensive
    await pbx.calls.hangup(callid, "1002")
    assert pbx.calls_only() == [
        ("BYE", "1002", "1003"),
        ("BYE", "1003", "1002"),
        ("NewCdr", "ANSWERED"),
    ]
    assert pbx.status("1000") == "Registered"


async def test_an_analog_phone_rings_for_a_monitoring_call(pbx: Pbx) -> None:
    config = pbx.services.simulator.config
    config.extensions["1008"].monitormode = "Whisper"
    callid = await pbx.calls.place_call("1002", "1003")
    await pbx.calls.answer(callid)
    await pbx.calls.monitor("Whisper", "1008", "1002")
    monitor = pbx.live()[0]["legs"][-1]
    assert (monitor["number"], monitor["state"]) == ("1008", "ringing")
    await pbx.calls.answer(callid, "1008")
    assert pbx.live()[0]["legs"][-1]["state"] == "talking"


async def test_extensions_without_status_monitor_send_no_extension_status(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("1010", "1001")
    await pbx.calls.answer(callid)
    await pbx.calls.hangup(callid)
    assert [e for e in pbx.take() if e[0] == "ExtensionStatus" and e[1] == "1010"] == []
    assert len(pbx.cdrs()) == 1


async def test_the_answered_report_names_both_parties_in_order_for_every_leg_kind(pbx: Pbx) -> None:
    callid = await pbx.calls.place_call("0612345678", "1002", "SIP-Carrier")
    await pbx.calls.answer(callid)
    (answered,) = pbx.of(CallAnswered)
    assert isinstance(answered.parties[0], InboundParty)
    assert answered.parties[1] == ExtParty("1002")
