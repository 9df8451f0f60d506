"""End to end: inbound call control (docs/pbx-api/call-services.md) as the two
application servers receive it.

``SIP-Screened`` (DID 5503310) has "Control Inbound Call Answering": every call on it is
reported as ``Invite`` and waits for ``inbound/accept`` / ``inbound/refuse``. ``SIP-Directed``
(DID 5503320) has "Control Inbound Call Destination": ``Incoming``, then the application may
direct the call (``inbound/transfer_number``). Both trunks' calls otherwise follow the
``Default`` route to extension 1000. The window is 10 s of the server clock.
"""

from __future__ import annotations

from tests.support.e2e import SN, Line, of

CALLER = "0612345678"


def inbound(callid: str, did: str, trunk: str) -> str:
    """The ``inbound`` party object as the reports write it."""
    return f'{{"from":"{CALLER}","to":"{did}","trunk":"{trunk}","inboundid":"{callid}"}}'


def test_invite_accepted_within_the_window(line: Line) -> None:
    callid = line.place(CALLER, "5503310", trunk="SIP-Screened")
    assert line.steps() == [("Invite", f"in:{CALLER}")]
    party = inbound(callid, "5503310", "SIP-Screened")
    modern, legacy = line.bodies()
    assert modern == [
        f'{{"action":"Invite","callid":"{callid}","call":[{{"inbound":{party}}}],"sn":"{SN}"}}'.encode()
    ]
    assert legacy == [
        f'{{"action":"Invite","callid":"{callid}","inbound":{party},"sn":"{SN}"}}'.encode()
    ]
    # While the application decides, the call rings nobody.
    (query,) = line("inbound/query", inboundid=callid)["inbound"]
    assert (query["inboundid"], query["status"], query["callee"]) == (callid, "Progress", [])
    assert line.live_calls()[0]["offer"] == "answer"

    line.advance(4)
    assert line("inbound/accept", inboundid=callid) == {"status": "Success"}
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", f"in:{CALLER}"),
    ]
    line.advance(3)
    line.answer(callid)
    line.advance(10)
    line.hangup(callid)
    assert line.steps() == [
        ("ExtensionStatus", "1000", "Busy"),
        ("ANSWERED", f"in:{CALLER}", "1000"),
        ("ANSWER", "1000", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", "1000"),
        ("BYE", "1000", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    # The record counts the wait for the application's answer as ringing time.
    assert {k: cdr[k] for k in ("callfrom", "callto", "srctrunkname", "didnumber", "type")} == {
        "callfrom": CALLER,
        "callto": "1000",
        "srctrunkname": "SIP-Screened",
        "didnumber": "5503310",
        "type": "Inbound",
    }
    assert (cdr["callduraction"], cdr["talkduraction"]) == ("17", "10")
    # Decided once: a second answer is too late.
    assert line.refused("inbound/refuse", inboundid=callid) == "10016"


def test_invite_refused_leaves_no_report_and_no_record(line: Line) -> None:
    callid = line.place(CALLER, "5503310", trunk="SIP-Screened")
    line.advance(2)
    assert line("inbound/refuse", inboundid=callid) == {"status": "Success"}
    assert line.steps() == [("Invite", f"in:{CALLER}")]
    assert line.live_calls() == []
    line.advance(60)  # nothing was left waiting to fire either
    assert line.steps() == []
    assert line.records() == []
    assert line.refused("inbound/accept", inboundid=callid) == "10016"
    # Another call on the same trunk, accepted, is recorded: the download does show records.
    other = line.place("0698765432", "5503310", trunk="SIP-Screened")
    line("inbound/accept", inboundid=other)
    line.hangup(other)
    assert [r["callid"] for r in line.records()] == [other]
    assert line.steps()[-3:] == [
        ("CallFailed", "487 Request Terminated", "1000", "in:0698765432"),
        ("ExtensionStatus", "1000", "Idle"),
        ("NewCdr", "NO ANSWER"),
    ]


def test_invite_without_an_answer_goes_on_when_the_window_closes(line: Line) -> None:
    callid = line.place(CALLER, "5503310", trunk="SIP-Screened")
    line.advance(9.5)
    assert line.steps() == [("Invite", f"in:{CALLER}")]
    line.advance(0.5)
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", f"in:{CALLER}"),
    ]
    assert line.live_calls()[0]["offer"] is None
    assert line.refused("inbound/accept", inboundid=callid) == "10016"
    assert line.refused("inbound/refuse", inboundid=callid) == "10016"
    line.answer(callid)
    line.advance(5)
    line.hangup(callid, "1000")
    assert line.steps() == [
        ("ExtensionStatus", "1000", "Busy"),
        ("ANSWERED", f"in:{CALLER}", "1000"),
        ("ANSWER", "1000", f"in:{CALLER}"),
        ("BYE", "1000", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", "1000"),
        ("ExtensionStatus", "1000", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["callduraction"], cdr["talkduraction"]) == ("15", "5")


def test_the_caller_hangs_up_while_the_invite_waits(line: Line) -> None:
    callid = line.place(CALLER, "5503310", trunk="SIP-Screened")
    line.advance(3)
    line.hangup(callid)
    assert line.steps() == [
        ("Invite", f"in:{CALLER}"),
        ("CallFailed", "487 Request Terminated", f"in:{CALLER}"),
        ("NewCdr", "NO ANSWER"),
    ]
    line.advance(10)
    assert line.steps() == []
    assert line.refused("inbound/accept", inboundid=callid) == "10016"


def test_incoming_directed_within_the_window(line: Line) -> None:
    callid = line.place(CALLER, "5503320", trunk="SIP-Directed")
    assert line.steps() == [("Incoming", f"in:{CALLER}")]
    party = inbound(callid, "5503320", "SIP-Directed")
    modern, legacy = line.bodies()
    assert modern == [
        f'{{"action":"Incoming","callid":"{callid}","call":[{{"inbound":{party}}}],"sn":"{SN}"}}'.encode()
    ]
    assert legacy == [
        f'{{"action":"Incoming","callid":"{callid}","inbound":{party},"sn":"{SN}"}}'.encode()
    ]
    assert line.live_calls()[0]["offer"] == "destination"
    # The trunk asks where the call goes, not whether to take it.
    assert line.refused("inbound/accept", inboundid=callid) == "10016"

    line.advance(5)
    answer = line("inbound/transfer_number", inboundid=callid, number="1003", fromext="")
    assert answer == {"status": "Success", "callid": callid}
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1003", "Ringing"),
        ("RING", "1003", f"in:{CALLER}"),
    ]
    line.advance(10)  # the window would have closed by now: the route is not used
    assert line.steps() == []
    line.answer(callid, "1003")
    line.advance(7)
    line.hangup(callid)
    assert line.steps() == [
        ("ExtensionStatus", "1003", "Busy"),
        ("ANSWERED", f"in:{CALLER}", "1003"),
        ("ANSWER", "1003", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", "1003"),
        ("BYE", "1003", f"in:{CALLER}"),
        ("ExtensionStatus", "1003", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["callto"], cdr["srctrunkname"], cdr["type"], cdr["talkduraction"]) == (
        "1003",
        "SIP-Directed",
        "Inbound",
        "7",
    )


def test_incoming_not_directed_goes_to_the_route_after_the_window(line: Line) -> None:
    callid = line.place(CALLER, "5503320", trunk="SIP-Directed")
    line.advance(9.5)
    assert line.steps() == [("Incoming", f"in:{CALLER}")]
    line.advance(0.5)
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", f"in:{CALLER}"),
    ]
    assert line.live_calls()[0]["offer"] is None
    line.answer(callid)
    line.advance(4)
    line.hangup(callid)
    assert line.steps() == [
        ("ExtensionStatus", "1000", "Busy"),
        ("ANSWERED", f"in:{CALLER}", "1000"),
        ("ANSWER", "1000", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", "1000"),
        ("BYE", "1000", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["callto"], cdr["callduraction"], cdr["talkduraction"]) == ("1000", "14", "4")
