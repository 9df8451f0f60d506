"""End to end: prompts played through the API (docs/pbx-api/call-services.md), as the two
application servers receive them.

The default config's custom prompts are ``welcome``, ``menu``, ``goodbye`` and
``macroform-cold_day``; each file plays 5 s of the server clock. ``PlayPromptEnd`` keeps its
party at the top level in both formats, as the v1.1.0 examples: ``ext`` for an extension,
``outbound`` with the trunk's name alone for a number outside.
"""

from __future__ import annotations

from tests.support.e2e import SN, Line, of

OUTSIDE = "0698765432"


def test_extension_playprompt(line: Line) -> None:
    answer = line("extension/playprompt", extid="1001", prompt="welcome+menu", autoanswer="no")
    callid = answer["callid"]
    assert answer == {"status": "Success", "callid": callid}
    # The PBX rings the extension for itself: its status only, no RING (nobody calls).
    assert line.steps() == [("ExtensionStatus", "1001", "Ringing")]
    assert line.live_calls()[0]["service"] == {"type": "prompt", "prompt": "welcome+menu"}
    line.advance(3)
    line.answer(callid, "1001")
    assert line.steps() == [("ExtensionStatus", "1001", "Busy")]
    line.advance(9.5)  # two files: 10 s
    assert line.steps() == []
    line.advance(0.5)
    assert line.steps() == [
        ("PlayPromptEnd", "welcome+menu", "1001"),
        ("BYE", "1001"),
        ("ExtensionStatus", "1001", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    assert line.live_calls() == []

    modern, legacy = line.bodies()
    end = f'{{"action":"PlayPromptEnd","callid":"{callid}","ext":{{"extid":"1001"}},'
    assert modern[2] == (end + f'"prompt":"welcome+menu","sn":"{SN}"}}').encode()
    assert legacy[2] == modern[2]  # parties at the top level: the same bytes
    bye = f'{{"action":"BYE","callid":"{callid}",'
    assert modern[3] == (bye + f'"call":[{{"ext":{{"extid":"1001"}}}}],"sn":"{SN}"}}').encode()
    assert legacy[3] == (bye + f'"ext":{{"extid":"1001"}},"sn":"{SN}"}}').encode()
    (cdr,) = of(line.reports(), "NewCdr")
    assert {
        k: cdr[k] for k in ("callfrom", "callto", "type", "callduraction", "talkduraction")
    } == {
        "callfrom": "1001",
        "callto": "1001",
        "type": "Internal",
        "callduraction": "13",
        "talkduraction": "10",
    }


def test_outbound_playprompt(line: Line) -> None:
    answer = line("outbound/playprompt", outto=OUTSIDE, prompt="goodbye", fromext="1002")
    callid = answer["callid"]
    assert answer == {"status": "Success", "callid": callid}
    assert line.steps() == []
    (outbound,) = line("outbound/query")["outbound"]
    assert (outbound["from"], outbound["to"], outbound["status"]) == ("1002", OUTSIDE, "Progress")
    line.advance(4)
    line.answer(callid, OUTSIDE)
    line.advance(4.5)
    assert line.steps() == []
    line.advance(0.5)
    assert line.steps() == [
        ("PlayPromptEnd", "goodbye", "trunk:SIP-Carrier"),
        ("BYE", f"out:{OUTSIDE}"),
        ("NewCdr", "ANSWERED"),
    ]
    modern, legacy = line.bodies()
    end = (
        f'{{"action":"PlayPromptEnd","callid":"{callid}","outbound":{{"trunkname":"SIP-Carrier"}},'
    )
    assert modern[0] == (end + f'"prompt":"goodbye","sn":"{SN}"}}').encode()
    assert legacy[0] == modern[0]
    (cdr,) = of(line.reports(), "NewCdr")
    assert {
        k: cdr[k]
        for k in ("callfrom", "callto", "desttrunkname", "type", "callduraction", "talkduraction")
    } == {
        "callfrom": "1002",
        "callto": OUTSIDE,
        "desttrunkname": "SIP-Carrier",
        "type": "Outbound",
        "callduraction": "9",
        "talkduraction": "5",
    }


def test_no_prompt_end_for_a_party_that_leaves_or_never_answers(line: Line) -> None:
    left = line("extension/playprompt", extid="1002", prompt="welcome", autoanswer="yes")["callid"]
    line.advance(2)
    line.hangup(left, "1002")
    assert line.steps() == [
        ("ExtensionStatus", "1002", "Ringing"),
        ("ExtensionStatus", "1002", "Busy"),
        ("BYE", "1002"),
        ("ExtensionStatus", "1002", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    line("outbound/playprompt", outto=OUTSIDE, prompt="menu")
    line.advance(30)  # nobody answers the number outside
    assert line.steps() == [
        ("CallFailed", "603 Declined", f"out:{OUTSIDE}"),
        ("NewCdr", "NO ANSWER"),
    ]
    assert of(line.reports(), "PlayPromptEnd") == []


def test_a_missing_prompt_is_10023_and_nothing_happens(line: Line) -> None:
    for prompt in ("nope", "welcome+nope", "1234"):
        assert line.refused("extension/playprompt", extid="1001", prompt=prompt) == "10023"
        assert line.refused("outbound/playprompt", outto=OUTSIDE, prompt=prompt) == "10023"
    assert line.refused("extension/playprompt", extid="1999", prompt="welcome") == "10006"
    assert line.live_calls() == []
    assert line.steps() == []
