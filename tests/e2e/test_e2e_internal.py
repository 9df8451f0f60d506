"""End to end: an internal call the application dials (``extension/dial_extension``), as the two
application servers receive it (docs/pbx-api/reports.md, "Call sequences").

Party order follows docs/pbx-api/reports.md: ``ALERT`` names the caller, ``RING`` the ringing
callee then the caller, ``ANSWERED`` the caller first, ``ANSWER`` the callee first, and the first
``BYE`` the party that hung up.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.support.e2e import SN, Line, of


def timestart(callid: str) -> str:
    """The call's start as the record writes it: the callid's seconds, in UTC+0 (the default
    config's zone)."""
    seconds = int(callid.split(".")[0])
    return f"{datetime.fromtimestamp(seconds, UTC):%Y-%m-%d %H:%M:%S}"


def test_internal_api_dial_answered_then_released_by_the_callee(line: Line) -> None:
    answer = line("extension/dial_extension", caller="1001", callee="1002", autoanswer="no")
    callid = answer["callid"]
    assert answer == {"status": "Success", "callid": callid}
    assert re.fullmatch(r"\d{10}\.\d+", callid)
    # The PBX rings the caller's own phone first: only its status says so.
    assert line.steps() == [("ExtensionStatus", "1001", "Ringing")]

    line.advance(4)
    line.answer(callid, "1001")
    assert line.steps() == [
        ("ExtensionStatus", "1001", "Busy"),
        ("ALERT", "1001"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", "1001"),
    ]
    line.advance(6)
    line.answer(callid, "1002")
    assert line.steps() == [
        ("ExtensionStatus", "1002", "Busy"),
        ("ANSWERED", "1001", "1002"),
        ("ANSWER", "1002", "1001"),
    ]
    line.advance(35)
    line.hangup(callid, "1002")
    assert line.steps() == [
        ("BYE", "1002", "1001"),
        ("BYE", "1001", "1002"),
        ("ExtensionStatus", "1002", "Idle"),
        ("ExtensionStatus", "1001", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    assert line.live_calls() == []

    # The bytes, in both formats.
    modern, legacy = line.bodies()
    call = f'"action":"{{}}","callid":"{callid}"'
    ext = '{{"ext":{{"extid":"{}"}}}}'.format
    both = (ext("1001"), ext("1002"))
    back = (ext("1002"), ext("1001"))
    sn = f',"sn":"{SN}"}}'
    expected_modern = [
        status("1001", "Ringing"),
        status("1001", "Busy"),
        "{" + call.format("ALERT") + f',"call":[{ext("1001")}]' + sn,
        status("1002", "Ringing"),
        "{" + call.format("RING") + f',"call":[{",".join(back)}]' + sn,
        status("1002", "Busy"),
        "{" + call.format("ANSWERED") + f',"call":[{",".join(both)}]' + sn,
        "{" + call.format("ANSWER") + f',"call":[{",".join(back)}]' + sn,
        "{" + call.format("BYE") + f',"call":[{",".join(back)}]' + sn,
        "{" + call.format("BYE") + f',"call":[{",".join(both)}]' + sn,
        status("1002", "Idle"),
        status("1001", "Idle"),
        '{"action":"NewCdr",'
        f'"callid":"{callid}","timestart":"{timestart(callid)}","callfrom":"1001",'
        '"callto":"1002","desttrunkname":"","callduraction":"45","talkduraction":"35",'
        '"status":"ANSWERED","type":"Internal"' + sn,
    ]
    assert [body.decode() for body in modern] == expected_modern
    # Legacy: the parties written straight in, "ext" twice, sn last as in 1.0.2.
    c = f'"callid":"{callid}"'
    assert legacy[2] == f'{{"action":"ALERT",{c},"ext":{{"extid":"1001"}}{sn}'.encode()
    assert legacy[4] == (
        f'{{"action":"RING",{c},"ext":{{"extid":"1002"}},"ext":{{"extid":"1001"}}{sn}'.encode()
    )
    assert legacy[6] == (
        f'{{"action":"ANSWERED",{c},"ext":{{"extid":"1001"}},"ext":{{"extid":"1002"}}{sn}'.encode()
    )
    assert legacy[7] == (
        f'{{"action":"ANSWER",{c},"ext":{{"extid":"1002"}},"ext":{{"extid":"1001"}}{sn}'.encode()
    )
    assert legacy[8:10] == [
        f'{{"action":"BYE",{c},"ext":{{"extid":"1002"}},"ext":{{"extid":"1001"}}{sn}'.encode(),
        f'{{"action":"BYE",{c},"ext":{{"extid":"1001"}},"ext":{{"extid":"1002"}}{sn}'.encode(),
    ]
    assert legacy[0] == modern[0]  # no party: the same bytes in both formats
    assert legacy[-1] == modern[-1]


def status(extension: str, state: str) -> str:
    return (
        f'{{"action":"ExtensionStatus","extension":"{extension}","status":"{state}","sn":"{SN}"}}'
    )


def test_the_caller_hangs_up_first_and_is_named_first(line: Line) -> None:
    callid = line("extension/dial_extension", caller="1002", callee="1003", autoanswer="yes")[
        "callid"
    ]
    line.answer(callid, "1003")
    line.take()
    line.advance(12)
    line("extension/hangup", extid="1002")  # the application hangs up the caller's side
    assert line.steps() == [
        ("BYE", "1002", "1003"),
        ("BYE", "1003", "1002"),
        ("ExtensionStatus", "1002", "Idle"),
        ("ExtensionStatus", "1003", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["callduraction"], cdr["talkduraction"]) == ("12", "12")


def test_an_unmonitored_extension_sends_no_status_and_no_ring(line: Line) -> None:
    """1010 is not selected for status monitoring (``status_monitor = false``): no
    ``ExtensionStatus`` about it, and no ``RING`` naming it first (docs/pbx-api/wire.md: RING/ALERT
    need the extension's monitor); the other call reports still go out."""
    callid = line("extension/dial_extension", caller="1001", callee="1010", autoanswer="yes")[
        "callid"
    ]
    assert line.steps() == [
        ("ExtensionStatus", "1001", "Ringing"),
        ("ExtensionStatus", "1001", "Busy"),
        ("ALERT", "1001"),
    ]
    line.answer(callid, "1010")
    line.hangup(callid, "1001")
    assert line.steps() == [
        ("ANSWERED", "1001", "1010"),
        ("ANSWER", "1010", "1001"),
        ("BYE", "1001", "1010"),
        ("BYE", "1010", "1001"),
        ("ExtensionStatus", "1001", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    # And the other way round: the unmonitored caller hears ring-back without ALERT.
    callid = line("extension/dial_extension", caller="1010", callee="1001", autoanswer="yes")[
        "callid"
    ]
    assert line.steps() == [("ExtensionStatus", "1001", "Ringing"), ("RING", "1001", "1010")]
    line.hangup(callid, "1010")
    assert line.steps() == [
        ("CallFailed", "487 Request Terminated", "1001"),
        ("ExtensionStatus", "1001", "Idle"),
        ("NewCdr", "NO ANSWER"),
    ]


def test_hold_and_mute_send_no_report(line: Line) -> None:
    """No report exists for hold or mute; the extensions stay ``Busy`` throughout."""
    callid = line("extension/dial_extension", caller="1001", callee="1002", autoanswer="yes")[
        "callid"
    ]
    line.answer(callid, "1002")
    line.take()
    for endpoint in ("extension/hold", "extension/unhold", "extension/mute", "extension/unmute"):
        line(endpoint, extid="1001")
    assert line.steps() == []
    line.hangup(callid, "1001")
    assert [s[0] for s in line.steps()] == [
        "BYE",
        "BYE",
        "ExtensionStatus",
        "ExtensionStatus",
        "NewCdr",
    ]
