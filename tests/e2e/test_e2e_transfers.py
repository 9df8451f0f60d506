"""End to end: transfers. A user transferring a call from a phone (``/sim/v1/calls/{id}/transfer``,
the stand-in for the ``*3`` feature code) is reported as ``Tranfer`` (the vendor's spelling),
the transferor first; a transfer the application makes (``calltransfer``) is not reported as a
transfer at all (docs/pbx-api/reports.md, Tranfer), only by the ringing it causes.
"""

from __future__ import annotations

from tests.support.e2e import SN, Line, of

CALLER = "0612345678"


def inbound_call_answered_by(line: Line, extension: str) -> str:
    callid = line.place(CALLER, extension, trunk="SIP-Carrier")
    line.answer(callid)
    line.take()
    return callid


def test_a_user_transfers_an_inbound_call_from_the_phone(line: Line) -> None:
    callid = inbound_call_answered_by(line, "1001")
    line.advance(10)
    line.sim.post(f"/calls/{callid}/transfer", {"party": "1001", "to": "1003"})
    assert line.steps() == [
        ("Tranfer", "1001", f"in:{CALLER}"),
        ("NewCdr", "ANSWERED"),
        ("ExtensionStatus", "1001", "Idle"),
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1003", "Ringing"),
        ("RING", "1003", f"in:{CALLER}"),
    ]
    inbound = (
        f'"inbound":{{"from":"{CALLER}","to":"1001","trunk":"SIP-Carrier","inboundid":"{callid}"}}'
    )
    modern, legacy = line.bodies()
    tranfer = len(modern) - 6
    assert (
        modern[tranfer]
        == (
            f'{{"action":"Tranfer","callid":"{callid}","call":[{{"ext":{{"extid":"1001"}}}},'
            f'{{{inbound}}}],"sn":"{SN}"}}'
        ).encode()
    )
    # The old guide's example shape: the transferring extension, then the inbound party.
    assert (
        legacy[tranfer]
        == (
            f'{{"action":"Tranfer","callid":"{callid}","ext":{{"extid":"1001"}},{inbound},'
            f'"sn":"{SN}"}}'
        ).encode()
    )
    line.answer(callid, "1003")
    line.advance(5)
    line.hangup(callid, "1003")
    assert line.steps() == [
        ("ExtensionStatus", "1003", "Busy"),
        ("ANSWERED", f"in:{CALLER}", "1003"),
        ("ANSWER", "1003", f"in:{CALLER}"),
        ("BYE", "1003", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", "1003"),
        ("ExtensionStatus", "1003", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    # Two records for one callid: the stretch before the transfer, then the transferred call.
    first, second = of(line.reports(), "NewCdr")
    assert (first["callid"], first["type"], first["callto"], first["talkduraction"]) == (
        callid,
        "Inbound",
        "1001",
        "10",
    )
    assert (second["callid"], second["type"], second["callfrom"], second["callto"]) == (
        callid,
        "Transfer",
        CALLER,
        "1003",
    )
    assert second["talkduraction"] == "5"


def test_a_transfer_between_extensions_repeats_the_ext_key_in_legacy(line: Line) -> None:
    callid = line.place("1002", "1009")  # dialled on the phone: no RING/ALERT
    line.answer(callid)
    line.take()
    line.sim.post(f"/calls/{callid}/transfer", {"party": "1009", "to": "1011"})
    assert line.steps() == [
        ("Tranfer", "1009", "1002"),
        ("NewCdr", "ANSWERED"),
        ("ExtensionStatus", "1009", "Idle"),
        ("ExtensionStatus", "1011", "Ringing"),
    ]
    modern, legacy = line.bodies()
    assert (
        legacy[-4]
        == (
            f'{{"action":"Tranfer","callid":"{callid}","ext":{{"extid":"1009"}},'
            f'"ext":{{"extid":"1002"}},"sn":"{SN}"}}'
        ).encode()
    )
    assert (
        modern[-4]
        == (
            f'{{"action":"Tranfer","callid":"{callid}","call":[{{"ext":{{"extid":"1009"}}}},'
            f'{{"ext":{{"extid":"1002"}}}}],"sn":"{SN}"}}'
        ).encode()
    )


def test_an_api_transfer_is_not_reported_as_a_transfer(line: Line) -> None:
    callid = inbound_call_answered_by(line, "1001")
    answer = line("calltransfer", callid=callid, transferor="1001", transferto="1002")
    assert answer == {"status": "Success", "callid": callid}
    # The call goes on (same callid): the caller hears ring-back, 1002 rings.
    assert line.steps() == [
        ("NewCdr", "ANSWERED"),
        ("ExtensionStatus", "1001", "Idle"),
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", f"in:{CALLER}"),
    ]
    line.answer(callid)
    line.hangup(callid)
    assert line.steps() == [
        ("ExtensionStatus", "1002", "Busy"),
        ("ANSWERED", f"in:{CALLER}", "1002"),
        ("ANSWER", "1002", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", "1002"),
        ("BYE", "1002", f"in:{CALLER}"),
        ("ExtensionStatus", "1002", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    # inbound/transfer_number is an API transfer too (here of a call still ringing).
    other = line.place(CALLER, "1003", trunk="SIP-Carrier")
    line.take()
    line("inbound/transfer_number", inboundid=other, number="1011", fromext="")
    assert line.steps() == [
        ("ExtensionStatus", "1003", "Idle"),
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1011", "Ringing"),
        ("RING", "1011", f"in:{CALLER}"),
    ]
    assert not {report["action"] for report in map(dict, line.reports())} & {
        "Tranfer",
        "Transfer",
    }
