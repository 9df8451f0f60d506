"""End to end: a wake-up alarm (docs/pbx-api/call-services.md) ringing a room on the clock, missed,
repeated, answered, and gone after ``hotel/checkout``, as the two application servers receive
it.

Room 1009 rings 15 s; the default PBX runs on UTC+0. An alarm call is an API-placed ring: the
room's ``ExtensionStatus``, no ``RING``; answered, its prompt plays (5 s, no
``PlayPromptEnd``: that report is for prompts the API asked for) and the PBX hangs up.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support.e2e import SN, Line, of

ROOM = "1009"
DAY = 86400


def now(line: Line) -> float:
    return float(line.sim.get("/clock")["now"])


def next_minute(line: Line) -> tuple[str, float]:
    """An alarm time (``hh:mm``) at least a minute away, and when it is (epoch seconds)."""
    at = (int(now(line)) // 60 + 2) * 60
    return f"{datetime.fromtimestamp(at, UTC):%H:%M}", at


def alarm_calls(line: Line) -> list[dict[str, Any]]:
    return [c for c in line.live_calls() if (c["service"] or {}).get("type") == "wakeup"]


def test_a_wake_up_call_missed_repeated_answered_then_checked_out(line: Line) -> None:
    time, at = next_minute(line)
    alarm = {"time": time, "type": "everyday", "repeats": "1", "repeatinterval": "2"}
    created = line("wakeupcall/create", extid=ROOM, wakeup=[alarm | {"prompt": "welcome"}])
    assert created == {"status": "Success"}
    # A guest's name on the room, which check-out takes back.
    line("extension/update", extid=ROOM, username="Guest Smith")
    assert line.steps() == [("ConfigChange", "extension", ROOM, "update")]

    line.advance(at - now(line) - 0.5)
    assert (line.steps(), alarm_calls(line)) == ([], [])
    line.advance(at - now(line))  # the alarm's time: the room rings
    assert line.steps() == [("ExtensionStatus", ROOM, "Ringing")]
    (call,) = alarm_calls(line)
    first = call["callid"]
    assert call["service"] == {"type": "wakeup", "wakeupid": "1", "prompt": "welcome"}
    assert (call["parties"], call["state"]) == ([ROOM], "ringing")

    line.advance(15)  # nobody picks up: missed
    assert line.steps() == [
        ("CallFailed", "603 Declined", ROOM),
        ("ExtensionStatus", ROOM, "Idle"),
        ("NewCdr", "NO ANSWER"),
    ]
    assert alarm_calls(line) == []
    line.advance(120 - 15 - 0.5)
    assert line.steps() == []
    line.advance(0.5)  # two minutes after the first call began: the repeat
    assert line.steps() == [("ExtensionStatus", ROOM, "Ringing")]
    (repeat,) = alarm_calls(line)
    second = repeat["callid"]
    assert second != first
    line.advance(4)
    line.answer(second, ROOM)
    assert line.steps() == [("ExtensionStatus", ROOM, "Busy")]
    line.advance(4.5)
    assert line.steps() == []
    line.advance(0.5)  # the prompt has played: the PBX hangs up
    assert line.steps() == [
        ("BYE", ROOM),
        ("ExtensionStatus", ROOM, "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    assert alarm_calls(line) == []

    modern, legacy = line.bodies()
    failed = f'{{"action":"CallFailed","reason":"603 Declined","callid":"{first}",'
    assert modern[2] == (failed + f'"ext":{{"extid":"{ROOM}"}},"sn":"{SN}"}}').encode()
    assert legacy[2] == modern[2]  # parties at the top level: the same bytes
    missed, answered = of(line.reports(), "NewCdr")
    assert {k: missed[k] for k in ("callid", "callfrom", "callto", "type", "callduraction")} == {
        "callid": first,
        "callfrom": ROOM,
        "callto": ROOM,
        "type": "Internal",
        "callduraction": "15",
    }
    assert {k: answered[k] for k in ("callid", "status", "callduraction", "talkduraction")} == {
        "callid": second,
        "status": "ANSWERED",
        "callduraction": "9",
        "talkduraction": "5",
    }
    assert of(line.reports(), "PlayPromptEnd") == []

    # The next day the everyday alarm rings again; answered, it is not repeated.
    line.advance(DAY - 120 - 9)
    assert line.steps() == [("ExtensionStatus", ROOM, "Ringing")]
    (tomorrow,) = alarm_calls(line)
    line.answer(tomorrow["callid"])
    line.advance(5)
    assert [s[0] for s in line.steps()] == ["ExtensionStatus", "BYE", "ExtensionStatus", "NewCdr"]
    line.advance(120)
    assert (line.steps(), alarm_calls(line)) == ([], [])

    # Check-out: the alarm is gone, the room's name is back (reported as a change).
    assert line("hotel/checkout", extid=ROOM) == {"status": "Success"}
    assert line.steps() == [("ConfigChange", "extension", ROOM, "update")]
    assert line("wakeupcall/query", extid=ROOM) == {"status": "Success"}
    (room,) = line("extension/query", extid=ROOM)["extinfos"]
    assert room["username"] == "Room 109"
    line.advance(DAY)
    assert (line.steps(), alarm_calls(line)) == ([], [])


def test_a_onetime_alarm_for_two_rooms_one_in_dnd(line: Line) -> None:
    """One request, two alarms: 1004 is in DND, so its call fails at once (and is repeated,
    then the onetime alarm is gone); the room answers its first call."""
    time, at = next_minute(line)
    alarm = {"time": time, "type": "onetime", "repeats": "1", "repeatinterval": "1"}
    line("wakeupcall/create", extid=f"{ROOM},1004", wakeup=[alarm])
    wakeups = line("wakeupcall/query")["wakeups"]
    assert [(w["extid"], w["wakeup"][0]["wakeupid"]) for w in wakeups] == [
        ("1004", "2"),
        (ROOM, "1"),
    ]
    assert wakeups[1]["wakeup"][0]["prompt"] == "macroform-cold_day"
    line.advance(at - now(line))
    assert line.steps() == [
        ("ExtensionStatus", ROOM, "Ringing"),
        ("CallFailed", "DND", "1004"),
        ("NewCdr", "NO ANSWER"),
    ]
    (call,) = alarm_calls(line)
    line.answer(call["callid"])
    line.advance(5)
    assert line.steps() == [
        ("ExtensionStatus", ROOM, "Busy"),
        ("BYE", ROOM),
        ("ExtensionStatus", ROOM, "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    line.advance(55)  # a minute after the first calls: only the missed one is repeated
    assert line.steps() == [("CallFailed", "DND", "1004"), ("NewCdr", "NO ANSWER")]
    assert line("wakeupcall/query") == {"status": "Success"}
    line.advance(DAY)
    assert line.steps() == []
