"""End to end: calls that go out through ``SIP-Carrier``: an extension the application dials out
(``extension/dial_outbound``), a call dialled on a phone, and a call back
(``outbound/dial_outbound``), as the two application servers receive them.

For an extension calling out, docs/pbx-api/reports.md (from the S1000 v1.1.0 page) puts the
``outbound`` party before the ``ext`` in ``RING``; the ``outbound`` object carries ``from``,
``to``, ``trunk`` and ``outboundid`` (a fresh id, not the callid).
"""

from __future__ import annotations

import json

from tests.support.e2e import SN, Line, of

NUMBER = "0698765432"


def test_extension_dials_out_through_the_api(line: Line) -> None:
    callid = line("extension/dial_outbound", extid="1001", outto=NUMBER, autoanswer="yes")["callid"]
    assert line.steps() == [
        ("ExtensionStatus", "1001", "Ringing"),
        ("ExtensionStatus", "1001", "Busy"),
        ("ALERT", "1001"),
        ("RING", f"out:{NUMBER}", "1001"),
    ]
    (query,) = line("outbound/query")["outbound"]
    outboundid = query["outboundid"]
    assert outboundid != callid
    outbound = (
        f'{{"outbound":{{"from":"1001","to":"{NUMBER}","trunk":"SIP-Carrier",'
        f'"outboundid":"{outboundid}"}}}}'
    )
    ext = '{"ext":{"extid":"1001"}}'
    modern, legacy = line.bodies()
    assert modern[3] == (
        f'{{"action":"RING","callid":"{callid}","call":[{outbound},{ext}],"sn":"{SN}"}}'.encode()
    )
    assert legacy[3] == (
        f'{{"action":"RING","callid":"{callid}",{outbound[1:-1]},{ext[1:-1]},"sn":"{SN}"}}'.encode()
    )

    line.advance(8)
    line.answer(callid, NUMBER)
    assert line.steps() == [
        ("ANSWERED", "1001", f"out:{NUMBER}"),
        ("ANSWER", f"out:{NUMBER}", "1001"),
    ]
    line.advance(20)
    line("outbound/hangup", outboundid=outboundid)
    assert line.steps() == [
        ("BYE", f"out:{NUMBER}", "1001"),
        ("BYE", "1001", f"out:{NUMBER}"),
        ("ExtensionStatus", "1001", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    modern, legacy = line.bodies()
    assert modern[6:8] == [
        f'{{"action":"BYE","callid":"{callid}","call":[{outbound},{ext}],"sn":"{SN}"}}'.encode(),
        f'{{"action":"BYE","callid":"{callid}","call":[{ext},{outbound}],"sn":"{SN}"}}'.encode(),
    ]
    assert legacy[7] == (
        f'{{"action":"BYE","callid":"{callid}",{ext[1:-1]},{outbound[1:-1]},"sn":"{SN}"}}'.encode()
    )
    (cdr,) = of(line.reports(), "NewCdr")
    recording = cdr.pop("recording")  # SIP-Carrier records its calls
    assert recording.endswith(f"-{callid}-1001-{NUMBER}-Outbound.wav")
    assert list(cdr) == [
        "action",
        "callid",
        "timestart",
        "callfrom",
        "callto",
        "desttrunkname",
        "callduraction",
        "talkduraction",
        "status",
        "type",
        "sn",
    ]
    assert {k: cdr[k] for k in list(cdr)[3:10]} == {
        "callfrom": "1001",
        "callto": NUMBER,
        "desttrunkname": "SIP-Carrier",
        "callduraction": "28",
        "talkduraction": "20",
        "status": "ANSWERED",
        "type": "Outbound",
    }


def test_a_call_dialled_on_a_phone_sends_no_ring_or_alert(line: Line) -> None:
    """docs/pbx-api/reports.md: RING and ALERT only for ringing the API triggered; the rest of the
    call is reported."""
    callid = line.place("1002", NUMBER)
    assert line.steps() == [("ExtensionStatus", "1002", "Busy")]
    line.answer(callid)
    line.advance(3)
    line.hangup(callid, "1002")
    assert line.steps() == [
        ("ANSWERED", "1002", f"out:{NUMBER}"),
        ("ANSWER", f"out:{NUMBER}", "1002"),
        ("BYE", "1002", f"out:{NUMBER}"),
        ("BYE", f"out:{NUMBER}", "1002"),
        ("ExtensionStatus", "1002", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]


def test_call_back_bridges_two_numbers_outside(line: Line) -> None:
    first, second = "0612345678", NUMBER
    callid = line("outbound/dial_outbound", caller=first, outto=second, fromext="1001")["callid"]
    # The PBX calls the first number; nothing is reported until it answers.
    assert line.steps() == []
    line.advance(5)
    line.answer(callid, first)
    assert line.steps() == [("ALERT", f"out:{first}"), ("RING", f"out:{second}", f"out:{first}")]
    line.advance(4)
    line.answer(callid, second)
    line.advance(30)
    line.hangup(callid, second)
    assert line.steps() == [
        ("ANSWERED", f"out:{first}", f"out:{second}"),
        ("ANSWER", f"out:{second}", f"out:{first}"),
        ("BYE", f"out:{second}", f"out:{first}"),
        ("BYE", f"out:{first}", f"out:{second}"),
        ("NewCdr", "ANSWERED"),
    ]
    modern, legacy = line.bodies()
    parties = [party["outbound"] for party in json.loads(modern[1])["call"]]
    ids = {party["to"]: party["outboundid"] for party in parties}
    a, b = (
        f'"outbound":{{"from":"1001","to":"{number}","trunk":"SIP-Carrier",'
        f'"outboundid":"{ids[number]}"}}'
        for number in (first, second)
    )
    assert ids[first] != ids[second] != callid
    # Legacy: the outbound key twice, the ringing number first.
    assert legacy[1] == f'{{"action":"RING","callid":"{callid}",{b},{a},"sn":"{SN}"}}'.encode()
    assert modern[1] == (
        f'{{"action":"RING","callid":"{callid}","call":[{{{b}}},{{{a}}}],"sn":"{SN}"}}'.encode()
    )
    (cdr,) = of(line.reports(), "NewCdr")
    assert cdr["recording"].endswith(f"-{callid}-{first}-{second}-Callback.wav")
    assert {k: cdr.get(k) for k in ("callfrom", "callto", "srctrunkname", "desttrunkname")} == {
        "callfrom": first,
        "callto": second,
        "srctrunkname": "SIP-Carrier",
        "desttrunkname": "SIP-Carrier",
    }
    assert (cdr["callduraction"], cdr["talkduraction"], cdr["type"]) == ("39", "30", "Callback")
