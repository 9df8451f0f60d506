"""End to end: call forwarding, DND and ring simultaneously, as the extension's settings say.

The default config has the cases: 1005 forwards everything to 1001; 1001 keeps a new unit's
settings (no answer and busy go to its voicemail); 1011 forwards unanswered calls to its mobile
(``0`` + ``0698765432``, out through the SIP trunk); 1004 is in DND with busy forward off. The
other cases are set up through ``extension/update``, as an application would.

A rule that hands the call to another party is reported as ``Tranfer`` (the extension, then the
caller) before the new party rings; voicemail is the extension's own box (no ``Tranfer``). The
call keeps its ``callid`` and one record, whose ``callto`` says where the call went.
"""

from __future__ import annotations

from tests.support.e2e import SN, Line, of

CALLER = "0612345678"
MOBILE = "00698765432"  # 1011's mobile with its no-answer prefix "0"


def test_always_forward_on_an_inbound_call(line: Line) -> None:
    callid = line.place(CALLER, "1005", trunk="SIP-Carrier")
    # 1005 never rings: the PBX hands the call to 1001 at once, and says so; the caller hears
    # ring-back once 1001 rings.
    assert line.steps() == [
        ("Tranfer", "1005", f"in:{CALLER}"),
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1001", "Ringing"),
        ("RING", "1001", f"in:{CALLER}"),
    ]
    modern, legacy = line.bodies()
    inbound = (
        f'"inbound":{{"from":"{CALLER}","to":"1005","trunk":"SIP-Carrier","inboundid":"{callid}"}}'
    )
    assert (
        modern[0]
        == (
            f'{{"action":"Tranfer","callid":"{callid}","call":[{{"ext":{{"extid":"1005"}}}},'
            f'{{{inbound}}}],"sn":"{SN}"}}'
        ).encode()
    )
    # The old guide's Tranfer shape: the extension, then the inbound party (sn last).
    assert (
        legacy[0]
        == (
            f'{{"action":"Tranfer","callid":"{callid}","ext":{{"extid":"1005"}},{inbound},'
            f'"sn":"{SN}"}}'
        ).encode()
    )
    assert line.live_calls()[0]["parties"] == [CALLER, "1001"]
    line.answer(callid, "1001")
    line.advance(9)
    line.hangup(callid)
    assert line.steps() == [
        ("ExtensionStatus", "1001", "Busy"),
        ("ANSWERED", f"in:{CALLER}", "1001"),
        ("ANSWER", "1001", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", "1001"),
        ("BYE", "1001", f"in:{CALLER}"),
        ("ExtensionStatus", "1001", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    # One record: where the call went, and the number that was dialled in.
    assert {k: cdr[k] for k in ("callid", "callfrom", "callto", "type", "didnumber")} == {
        "callid": callid,
        "callfrom": CALLER,
        "callto": "1001",
        "type": "Inbound",
        "didnumber": "1005",
    }


def test_always_forward_on_an_api_dial(line: Line) -> None:
    callid = line("extension/dial_extension", caller="1002", callee="1005", autoanswer="yes")[
        "callid"
    ]
    assert line.steps() == [
        ("ExtensionStatus", "1002", "Ringing"),
        ("ExtensionStatus", "1002", "Busy"),
        ("Tranfer", "1005", "1002"),
        ("ALERT", "1002"),
        ("ExtensionStatus", "1001", "Ringing"),
        ("RING", "1001", "1002"),
    ]
    line.answer(callid, "1001")
    assert line.steps()[-2:] == [("ANSWERED", "1002", "1001"), ("ANSWER", "1001", "1002")]


def test_a_call_dialled_on_a_phone_forwards_without_ring_reports(line: Line) -> None:
    line.place("1002", "1005")
    assert line.steps() == [
        ("ExtensionStatus", "1002", "Busy"),
        ("Tranfer", "1005", "1002"),
        ("ExtensionStatus", "1001", "Ringing"),
    ]


def test_no_answer_goes_to_voicemail_after_the_ring_timeout(line: Line) -> None:
    callid = line.place(CALLER, "1001", trunk="SIP-Carrier")
    line.take()
    line.advance(29)
    assert line.steps() == []
    line.advance(1)  # 1001's ringtimeout (30 s): its voicemail takes the call
    assert line.steps() == [("ExtensionStatus", "1001", "Idle")]
    call = line.live_calls()[0]
    assert call["destination"] == {"type": "voicemail", "number": "1001"}
    line.advance(12)
    line.hangup(callid)
    assert line.steps() == [("BYE", f"in:{CALLER}"), ("NewCdr", "VOICEMAIL")]
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["callto"], cdr["status"], cdr["callduraction"], cdr["talkduraction"]) == (
        "1001",
        "VOICEMAIL",
        "42",
        "12",
    )
    (message,) = line.sim.get("/extensions/1001/voicemail")
    assert (message["callid"], message["from"], message["seconds"]) == (callid, CALLER, 12)


def test_an_unregistered_phone_takes_the_no_answer_rule_at_once(line: Line) -> None:
    line.sim.post("/extensions/1001/unregister")
    line.take()
    line.place(CALLER, "1001", trunk="SIP-Carrier")
    assert line.steps() == []  # nothing rings: 1001's voicemail answers
    assert line.live_calls()[0]["destination"] == {"type": "voicemail", "number": "1001"}


def test_busy_and_declined_go_to_voicemail(line: Line) -> None:
    first = line.place(CALLER, "1001", trunk="SIP-Carrier")
    line.answer(first, "1001")
    line.take()
    # 1001 is in a call: the busy rule sends the next caller straight to its voicemail.
    busy = line.place("0611111111", "1001", trunk="SIP-Carrier")
    assert line.steps() == []  # no ringing, no transfer: the box answers
    assert next(c for c in line.live_calls() if c["callid"] == busy)["destination"] == {
        "type": "voicemail",
        "number": "1001",
    }
    line.hangup(busy)
    line.hangup(first)
    line.take()
    # Declining a ringing call is busy too.
    declined = line.place(CALLER, "1001", trunk="SIP-Carrier")
    line.hangup(declined, "1001")
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1001", "Ringing"),
        ("RING", "1001", f"in:{CALLER}"),
        ("ExtensionStatus", "1001", "Idle"),
    ]
    assert line.live_calls()[0]["destination"] == {"type": "voicemail", "number": "1001"}


def test_no_answer_to_the_mobile_goes_out_as_a_trunk_call(line: Line) -> None:
    callid = line.place(CALLER, "1011", trunk="SIP-Carrier")
    line.take()
    line.advance(30)
    assert line.steps() == [
        ("ExtensionStatus", "1011", "Idle"),
        ("Tranfer", "1011", f"in:{CALLER}"),
        ("RING", f"out:{MOBILE}", f"in:{CALLER}"),
    ]
    (leg,) = line("outbound/query")["outbound"]
    assert (leg["from"], leg["to"], leg["trunk"], leg["status"]) == (
        "1011",
        MOBILE,
        "SIP-Carrier",
        "Progress",
    )
    line.answer(callid, MOBILE)
    line.advance(20)
    line.hangup(callid, MOBILE)
    assert line.steps() == [
        ("ANSWERED", f"in:{CALLER}", f"out:{MOBILE}"),
        ("ANSWER", f"out:{MOBILE}", f"in:{CALLER}"),
        ("BYE", f"out:{MOBILE}", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", f"out:{MOBILE}"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    # The record of a call forwarded out: type Outbound, the outside caller, the mobile, both
    # trunks, the inbound call's callid.
    assert {
        k: cdr[k] for k in ("callid", "callfrom", "callto", "type", "srctrunkname", "desttrunkname")
    } == {
        "callid": callid,
        "callfrom": CALLER,
        "callto": MOBILE,
        "type": "Outbound",
        "srctrunkname": "SIP-Carrier",
        "desttrunkname": "SIP-Carrier",
    }
    assert (cdr["callduraction"], cdr["talkduraction"]) == ("50", "20")


def test_dnd_is_busy_and_busy_forward_dials_a_custom_number(line: Line) -> None:
    line(
        "extension/update",
        extid="1004",
        busyforward="on",
        btransferto="Custom Number",
        btransferprefix="",
        btransfernum="0612000000",
    )
    line.take()
    callid = line("extension/dial_extension", caller="1002", callee="1004", autoanswer="yes")[
        "callid"
    ]
    assert line.steps() == [
        ("ExtensionStatus", "1002", "Ringing"),
        ("ExtensionStatus", "1002", "Busy"),
        ("Tranfer", "1004", "1002"),
        ("ALERT", "1002"),
        ("RING", "out:0612000000", "1002"),
    ]
    line.answer(callid, "0612000000")
    line.hangup(callid)
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["callto"], cdr["type"], cdr["desttrunkname"]) == (
        "0612000000",
        "Outbound",
        "SIP-Carrier",
    )


def test_ring_simultaneously_rings_the_mobile_with_the_phone(line: Line) -> None:
    line("extension/update", extid="1002", mobile="0699000000", ringsimultaneous="on")
    line.take()
    phone_wins = line.place(CALLER, "1002", trunk="SIP-Carrier")
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", f"in:{CALLER}"),
        ("RING", "out:0699000000", f"in:{CALLER}"),
    ]
    assert line.live_calls()[0]["parties"] == [CALLER, "1002", "0699000000"]
    line.answer(phone_wins, "1002")
    line.hangup(phone_wins)
    line.take()
    mobile_wins = line.place(CALLER, "1002", trunk="SIP-Carrier")
    line.take()
    line.answer(mobile_wins, "0699000000")
    assert line.steps() == [
        ("ExtensionStatus", "1002", "Idle"),
        ("ANSWERED", f"in:{CALLER}", "out:0699000000"),
        ("ANSWER", "out:0699000000", f"in:{CALLER}"),
    ]
    line.hangup(mobile_wins)
    phone_cdr, mobile_cdr = of(line.reports(), "NewCdr")
    assert (phone_cdr["callto"], phone_cdr["type"]) == ("1002", "Inbound")
    assert (mobile_cdr["callto"], mobile_cdr["type"], mobile_cdr["desttrunkname"]) == (
        "0699000000",
        "Outbound",
        "SIP-Carrier",
    )


def test_nobody_answers_a_ring_simultaneously_call_in_the_ring_timeout(line: Line) -> None:
    line("extension/update", extid="1003", mobile="0699000000", ringsimultaneous="on")
    line.take()
    line.place(CALLER, "1003", trunk="SIP-Carrier")  # 1003 rings 60 s, and so does the mobile
    line.take()
    line.advance(59)
    assert line.steps() == []
    line.advance(1)
    assert line.steps() == [
        ("ExtensionStatus", "1003", "Idle"),
        ("CallFailed", "603 Declined", "1003", f"in:{CALLER}"),
        ("NewCdr", "NO ANSWER"),
    ]


def test_a_forwarding_loop_ends_the_call(line: Line) -> None:
    line("extension/update", extid="1001", alwaysforward="on", atransferto="Extension",
         atransferext="1005")  # fmt: skip
    line.take()
    line.place(CALLER, "1005", trunk="SIP-Carrier")
    assert line.steps() == [
        ("Tranfer", "1005", f"in:{CALLER}"),
        ("Tranfer", "1001", f"in:{CALLER}"),
        ("CallFailed", "404 NOT found", "1005", f"in:{CALLER}"),
        ("NewCdr", "FAILED"),
    ]
    assert line.live_calls() == []


def test_queue_agents_do_not_forward(line: Line) -> None:
    """Queue 6700 rings 1001 as an agent: its no-answer rule (voicemail) is not used, the
    queue's own round ends and the caller keeps waiting."""
    callid = line.place(CALLER, "6700", trunk="SIP-Carrier")
    line.advance(30)
    call = next(c for c in line.live_calls() if c["callid"] == callid)
    assert call["destination"] == {"type": "queue", "number": "6700"}
    assert "Tranfer" not in [s[0] for s in line.steps()]
