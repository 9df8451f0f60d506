"""End to end: calls that cannot connect end with ``CallFailed`` (docs/pbx-api/reports.md) and a
record, never with ``BYE``.

``CallFailed`` keeps its parties at the top level in both formats (the v1.1.0 examples), the
party that could not be reached first. Reasons as docs/calls.md chose them from the
documented list: ring time-out ``603 Declined`` (record ``NO ANSWER``), ``DND`` (``NO
ANSWER``), the callee declining ``486 Busy Here`` (``BUSY``), the caller giving up ``487 Request
Terminated``. Ring time-outs fire through ``/sim/v1/clock/advance``. The extensions rung here
forward nothing (the default config turns forwarding off for them; ``test_e2e_forwarding.py``
has the calls that forward).
"""

from __future__ import annotations

from tests.support.e2e import SN, Line, of

CALLER = "0612345678"
NUMBER = "0698765432"


def test_ring_timeout_of_an_api_dial(line: Line) -> None:
    callid = line("extension/dial_extension", caller="1001", callee="1002", autoanswer="yes")[
        "callid"
    ]
    line.take()
    line.advance(29)  # 1002 rings 30 s (the default ringtimeout)
    assert line.steps() == []
    line.advance(2)
    assert line.steps() == [
        ("CallFailed", "603 Declined", "1002"),
        ("ExtensionStatus", "1002", "Idle"),
        ("ExtensionStatus", "1001", "Idle"),
        ("NewCdr", "NO ANSWER"),
    ]
    assert line.live_calls() == []
    modern, legacy = line.bodies()
    assert (
        modern[-4]
        == (
            f'{{"action":"CallFailed","reason":"603 Declined","callid":"{callid}",'
            f'"ext":{{"extid":"1002"}},"sn":"{SN}"}}'
        ).encode()
    )
    assert legacy[-4] == modern[-4]
    (cdr,) = of(line.reports(), "NewCdr")
    assert {k: cdr[k] for k in ("callfrom", "callto", "type", "status")} == {
        "callfrom": "1001",
        "callto": "1002",
        "type": "Internal",
        "status": "NO ANSWER",
    }
    # The time-out took effect at its own deadline, whatever the size of the clock jump.
    assert (cdr["callduraction"], cdr["talkduraction"]) == ("30", "0")
    assert "recording" not in cdr


def test_ring_timeout_of_an_inbound_call(line: Line) -> None:
    callid = line.place(CALLER, "1009", trunk="SIP-Carrier")  # 1009 rings 15 s
    line.take()
    line.advance(40)
    assert line.steps() == [
        ("CallFailed", "603 Declined", "1009", f"in:{CALLER}"),
        ("ExtensionStatus", "1009", "Idle"),
        ("NewCdr", "NO ANSWER"),
    ]
    modern, legacy = line.bodies()
    parties = (
        '"ext":{"extid":"1009"},'
        f'"inbound":{{"from":"{CALLER}","to":"1009","trunk":"SIP-Carrier","inboundid":"{callid}"}}'
    )
    # CallFailed keeps its parties at the top level: both formats are the same bytes.
    assert legacy[-3] == modern[-3]
    assert (
        modern[-3]
        == (
            f'{{"action":"CallFailed","reason":"603 Declined","callid":"{callid}",{parties},'
            f'"sn":"{SN}"}}'
        ).encode()
    )
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["status"], cdr["callduraction"], cdr["talkduraction"], cdr["type"]) == (
        "NO ANSWER",
        "15",
        "0",
        "Inbound",
    )


def test_dnd_callee(line: Line) -> None:
    callid = line("extension/dial_extension", caller="1001", callee="1004", autoanswer="yes")[
        "callid"
    ]
    assert line.steps() == [
        ("ExtensionStatus", "1001", "Ringing"),
        ("ExtensionStatus", "1001", "Busy"),
        ("CallFailed", "DND", "1004"),
        ("ExtensionStatus", "1001", "Idle"),
        ("NewCdr", "NO ANSWER"),
    ]
    modern, legacy = line.bodies()
    # The vendor's DND example (docs/pbx-api/reports.md), with this call's values.
    assert (
        modern[2]
        == (
            f'{{"action":"CallFailed","reason":"DND","callid":"{callid}","ext":{{"extid":"1004"}},'
            f'"sn":"{SN}"}}'
        ).encode()
    )
    assert legacy[2] == modern[2]


def test_the_number_called_outside_declines(line: Line) -> None:
    callid = line("extension/dial_outbound", extid="1002", outto=NUMBER, autoanswer="yes")["callid"]
    (query,) = line("outbound/query")["outbound"]
    line.take()
    line.hangup(callid, NUMBER)  # it rings and is declined
    assert line.steps() == [
        ("CallFailed", "486 Busy Here", f"out:{NUMBER}", "1002"),
        ("ExtensionStatus", "1002", "Idle"),
        ("NewCdr", "BUSY"),
    ]
    modern, _ = line.bodies()
    # The vendor's first CallFailed example: the outbound party, then the extension.
    assert (
        modern[-3]
        == (
            f'{{"action":"CallFailed","reason":"486 Busy Here","callid":"{callid}",'
            f'"outbound":{{"from":"1002","to":"{NUMBER}","trunk":"SIP-Carrier",'
            f'"outboundid":"{query["outboundid"]}"}},"ext":{{"extid":"1002"}},"sn":"{SN}"}}'
        ).encode()
    )


def test_the_caller_gives_up_before_the_answer(line: Line) -> None:
    callid = line.place(CALLER, "1003", trunk="SIP-Carrier")
    line.take()
    line.advance(7)
    line.hangup(callid)
    assert line.steps() == [
        ("CallFailed", "487 Request Terminated", "1003", f"in:{CALLER}"),
        ("ExtensionStatus", "1003", "Idle"),
        ("NewCdr", "NO ANSWER"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["callduraction"], cdr["talkduraction"]) == ("7", "0")
