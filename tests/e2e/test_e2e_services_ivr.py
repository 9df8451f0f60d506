"""End to end: callers in IVR 6200 (``DTMF``, ``PlayPromptEnd`` in docs/pbx-api/reports.md; the
IVR dials in docs/pbx-api/calls.md), as the two application servers receive it.

IVR 6200 of the default config plays ``welcome`` (5 s), keys 1 -> 1001, 2 -> queue 6700, 3 ->
ring group 6300, 0 -> 1000; extension numbers may be dialled; DID 5503302 on ``SIP-Carrier``
reaches it. ``DTMF`` in 1.0.2 carries ``info``, ``flag`` and ``infos``; the legacy body carries
``info`` alone, as the old guide's example (the harness checks every legacy twin).
"""

from __future__ import annotations

from tests.support.e2e import SN, Line, of

CALLER = "0612345678"
IVR_DID = "5503302"
OUTSIDE = "0698765432"


def test_a_caller_walks_the_ivr_by_keys_to_an_extension(line: Line) -> None:
    callid = line.place(CALLER, IVR_DID, trunk="SIP-Carrier")
    # The IVR picks up: no ANSWER/ANSWERED (no two parties are connected), no ring.
    assert line.steps() == []
    assert line.live_calls()[0]["feature"] == {"type": "ivr", "number": "6200", "entered": ""}
    line.advance(5)  # the prompt plays to its end
    assert line.steps() == [("PlayPromptEnd", "welcome", f"in:{CALLER}")]
    line.advance(1)
    line.press(callid, "1002")  # an extension number: acted on once it can only be 1002
    assert line.steps() == [
        ("DTMF", "1", "0", "1", f"in:{CALLER}"),
        ("DTMF", "0", "1", "10", f"in:{CALLER}"),
        ("DTMF", "0", "2", "100", f"in:{CALLER}"),
        ("DTMF", "2", "3", "1002", f"in:{CALLER}"),
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", f"in:{CALLER}"),
    ]
    line.advance(2)
    line.answer(callid, "1002")
    line.advance(20)
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

    modern, legacy = line.bodies()
    party = f'{{"from":"{CALLER}","to":"{IVR_DID}","trunk":"SIP-Carrier","inboundid":"{callid}"}}'
    head = f'"callid":"{callid}"'
    sn = f',"sn":"{SN}"}}'
    assert (
        modern[0]
        == (
            f'{{"action":"PlayPromptEnd",{head},"inbound":{party},"ivr":{{"ivrid":"6200"}},'
            f'"playtonum":"{CALLER}","prompt":"welcome"' + sn
        ).encode()
    )
    assert legacy[0] == modern[0]
    dtmf = f'{{"action":"DTMF",{head},"call":[{{"inbound":{party}}}],'
    assert modern[1:5] == [
        (dtmf + f'"info":"{key}","flag":"{n}","infos":"{"1002"[: n + 1]}"' + sn).encode()
        for n, key in enumerate("1002")
    ]
    assert legacy[1:5] == [
        f'{{"action":"DTMF",{head},"inbound":{party},"info":"{key}"{sn}'.encode() for key in "1002"
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    # The IVR answered the call: the record counts the talk from then, and names the
    # extension the caller reached.
    assert {k: cdr[k] for k in ("callfrom", "callto", "didnumber", "status", "type")} == {
        "callfrom": CALLER,
        "callto": "1002",
        "didnumber": IVR_DID,
        "status": "ANSWERED",
        "type": "Inbound",
    }
    assert (cdr["callduraction"], cdr["talkduraction"]) == ("28", "28")


def test_a_key_during_the_prompt_stops_it_and_a_map_key_acts_at_once(line: Line) -> None:
    callid = line.place(CALLER, IVR_DID, trunk="SIP-Carrier")
    line.advance(2)
    line.press(callid, "0")  # nothing longer starts with 0: key 0 -> 1000 at once
    assert line.steps() == [
        ("DTMF", "0", "0", "0", f"in:{CALLER}"),
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", f"in:{CALLER}"),
    ]
    line.advance(10)  # the prompt was stopped by the key: it never ends
    assert line.steps() == []
    line.hangup(callid)
    # The IVR had answered: the caller leaving ends it with one BYE naming the caller, even
    # while the extension it chose still rings.
    assert line.steps() == [
        ("BYE", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]


def test_silence_replays_the_menu_then_the_timeout_destination(line: Line) -> None:
    callid = line.place(CALLER, IVR_DID, trunk="SIP-Carrier")
    line.advance(5)
    line.advance(3 + 5)  # 3 s without a key, the menu again
    line.advance(3 + 5)
    assert line.steps() == [("PlayPromptEnd", "welcome", f"in:{CALLER}")] * 3
    line.advance(3)  # the third silence: the IVR's time-out destination, 1000
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", f"in:{CALLER}"),
    ]
    line.answer(callid)
    line.hangup(callid, "1000")
    assert [s[0] for s in line.steps()] == [
        "ExtensionStatus",
        "ANSWERED",
        "ANSWER",
        "BYE",
        "BYE",
        "ExtensionStatus",
        "NewCdr",
    ]


def test_ivr_dial_extension(line: Line) -> None:
    """The PBX rings 1001 and, once it picks up, plays it the IVR: its keys are reported with
    the ``ext`` party, and the extension it dials is rung as an API call is (``ALERT``)."""
    answer = line("ivr/dial_extension", ivrid="6200", extid="1001", autoanswer="yes")
    callid = answer["callid"]
    assert answer == {"status": "Success", "callid": callid}
    assert line.steps() == [
        ("ExtensionStatus", "1001", "Ringing"),
        ("ExtensionStatus", "1001", "Busy"),
    ]
    line.advance(5)
    assert line.steps() == [("PlayPromptEnd", "welcome", "1001")]
    line.press(callid, "1003")
    assert line.steps() == [
        ("DTMF", "1", "0", "1", "1001"),
        ("DTMF", "0", "1", "10", "1001"),
        ("DTMF", "0", "2", "100", "1001"),
        ("DTMF", "3", "3", "1003", "1001"),
        ("ALERT", "1001"),
        ("ExtensionStatus", "1003", "Ringing"),
        ("RING", "1003", "1001"),
    ]
    line.answer(callid, "1003")
    line.advance(9)
    line.hangup(callid, "1003")
    assert line.steps() == [
        ("ExtensionStatus", "1003", "Busy"),
        ("ANSWERED", "1001", "1003"),
        ("ANSWER", "1003", "1001"),
        ("BYE", "1003", "1001"),
        ("BYE", "1001", "1003"),
        ("ExtensionStatus", "1003", "Idle"),
        ("ExtensionStatus", "1001", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    modern, legacy = line.bodies()
    head = f'"callid":"{callid}"'
    assert (
        modern[2]
        == (
            f'{{"action":"PlayPromptEnd",{head},"ext":{{"extid":"1001"}},"ivr":{{"ivrid":"6200"}},'
            f'"playtonum":"1001","prompt":"welcome","sn":"{SN}"}}'
        ).encode()
    )
    assert (
        modern[3]
        == (
            f'{{"action":"DTMF",{head},"call":[{{"ext":{{"extid":"1001"}}}}],'
            f'"info":"1","flag":"0","infos":"1","sn":"{SN}"}}'
        ).encode()
    )
    assert legacy[3] == (
        f'{{"action":"DTMF",{head},"ext":{{"extid":"1001"}},"info":"1","sn":"{SN}"}}'.encode()
    )
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["callfrom"], cdr["callto"], cdr["type"]) == ("1001", "1003", "Internal")


def test_ivr_dial_outbound(line: Line) -> None:
    """The PBX calls a number outside through 1001's route and, once it answers, plays it the
    IVR: the outside party presses the keys (``outbound`` party)."""
    callid = line("ivr/dial_outbound", ivrid="6200", outto=OUTSIDE, fromext="1001")["callid"]
    assert line.steps() == []
    (leg,) = line.live_calls()[0]["legs"]
    outboundid = leg["id"]
    assert (leg["number"], leg["trunk"], leg["state"]) == (OUTSIDE, "SIP-Carrier", "ringing")
    line.advance(3)
    line.answer(callid, OUTSIDE)
    assert line.steps() == []
    line.advance(5)
    assert line.steps() == [("PlayPromptEnd", "welcome", "trunk:SIP-Carrier")]
    line.press(callid, "0")
    assert line.steps() == [
        ("DTMF", "0", "0", "0", f"out:{OUTSIDE}"),
        ("ALERT", f"out:{OUTSIDE}"),
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", f"out:{OUTSIDE}"),
    ]
    line.answer(callid, "1000")
    line.advance(6)
    line.hangup(callid, OUTSIDE)
    assert line.steps() == [
        ("ExtensionStatus", "1000", "Busy"),
        ("ANSWERED", f"out:{OUTSIDE}", "1000"),
        ("ANSWER", "1000", f"out:{OUTSIDE}"),
        ("BYE", f"out:{OUTSIDE}", "1000"),
        ("BYE", "1000", f"out:{OUTSIDE}"),
        ("ExtensionStatus", "1000", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    modern, legacy = line.bodies()
    head = f'"callid":"{callid}"'
    assert (
        modern[0]
        == (
            f'{{"action":"PlayPromptEnd",{head},"outbound":{{"trunkname":"SIP-Carrier"}},'
            f'"ivr":{{"ivrid":"6200"}},"playtonum":"{OUTSIDE}","prompt":"welcome","sn":"{SN}"}}'
        ).encode()
    )
    party = f'{{"from":"1001","to":"{OUTSIDE}","trunk":"SIP-Carrier","outboundid":"{outboundid}"}}'
    assert legacy[1] == (
        f'{{"action":"DTMF",{head},"outbound":{party},"info":"0","sn":"{SN}"}}'.encode()
    )
    (cdr,) = of(line.reports(), "NewCdr")
    # From the extension whose route was used, to the destination the IVR sent the call to.
    assert (cdr["callfrom"], cdr["callto"], cdr["type"], cdr["desttrunkname"]) == (
        "1001",
        "1000",
        "Outbound",
        "SIP-Carrier",
    )
    assert (cdr["callduraction"], cdr["talkduraction"]) == ("14", "11")
