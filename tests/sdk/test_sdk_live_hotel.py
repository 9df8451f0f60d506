"""The SDK's hotel methods against the real server (both twins): wake-up alarms and check-out
(docs/pbx-api/call-services.md), alarm calls answered or missed, the voicemail box looked into
through the SDK's :class:`~yspbx.client.Simulator`.

Default config: rooms 1009 (rings 15 s) and 1010; the PBX runs on UTC+0; every extension may
call out through the route ``External`` (numbers starting with 0).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.support.sdk_live import FAR_END, OUTSIDE, Wire, assert_read_whole, raised
from yspbx.client import (
    Alarm,
    Client,
    ExtensionAlarms,
    InvalidValueError,
    NotFoundError,
    NotPermittedError,
    SimService,
    Simulator,
)

ROOM = "1009"


def sent(simulator: Simulator, endpoint: str) -> list[dict[str, object]]:
    """The bodies the server received for ``endpoint``, oldest first."""
    path = "/api/v1.1.0/" + endpoint
    return [json.loads(e.body or "{}") for e in simulator.journal() if e.path == path]


def next_minute(now: float) -> tuple[str, float]:
    """An alarm time (``hh:mm``) at least a minute away, and the seconds until it."""
    at = (int(now) // 60 + 2) * 60
    return f"{datetime.fromtimestamp(at, UTC):%H:%M}", at - now


def test_alarms_added_and_read_whole(sdk: Client, wire: Wire, simulator: Simulator) -> None:
    assert sdk.hotel.alarms() == []  # the answer is {"status": "Success"} alone
    sdk.hotel.add_alarm([ROOM, "1010"], "06:45", repeats=3, repeat_interval=5)
    sdk.hotel.add_alarm(ROOM, "6:30", "custom", weekdays=[1, 3, 5], prompt="welcome")
    assert sent(simulator, "wakeupcall/create") == [
        {
            "extid": "1009,1010",
            "wakeup": [{"time": "06:45", "type": "onetime", "repeats": "3", "repeatinterval": "5"}],
        },
        {
            "extid": ROOM,
            "wakeup": [
                {"time": "6:30", "type": "custom", "weekdays": "1,3,5", "prompt": "welcome"}
            ],
        },
    ]

    rooms = sdk.hotel.alarms()
    assert_read_whole(rooms, wire.items("wakeupcall/query", "wakeups"))
    assert all(isinstance(room, ExtensionAlarms) for room in rooms)
    assert [(room.extension, [a.id for a in room.alarms]) for room in rooms] == [
        (ROOM, ["1", "3"]),
        ("1010", ["2"]),
    ]
    first, custom = rooms[0].alarms
    assert first == Alarm(
        wakeupid="1",
        time="06:45",
        type="onetime",
        prompt="macroform-cold_day",
        repeats=3,
        repeatinterval=5,
    )
    assert (custom.time, custom.schedule, custom.weekdays, custom.prompt) == (
        "06:30",
        "custom",
        ["1", "3", "5"],
        "welcome",
    )
    assert (custom.repeats, custom.repeat_interval) == (0, 5)
    assert [room.extension for room in sdk.hotel.alarms("1010")] == ["1010"]
    assert [room.extension for room in sdk.hotel.alarms(["1010", ROOM])] == ["1010", ROOM]
    assert sdk.hotel.alarms("1011") == []  # a room without alarms is left out


def test_alarms_updated_and_deleted_by_id(sdk: Client, simulator: Simulator) -> None:
    sdk.hotel.add_alarm(ROOM, "06:45", "everyday", repeats=2, prompt="welcome")
    sdk.hotel.update_alarm(ROOM, "1", "07:15", "custom", weekdays="0,6")
    # v1.1.0's shape: the alarm named by wakeupid, its settings in an array of one object.
    assert sent(simulator, "wakeupcall/update") == [
        {
            "extid": ROOM,
            "wakeupid": "1",
            "wakeup": [{"time": "07:15", "type": "custom", "weekdays": "0,6"}],
        }
    ]
    (alarm,) = sdk.hotel.alarms(ROOM)[0].alarms
    assert (alarm.time, alarm.schedule, alarm.weekdays) == ("07:15", "custom", ["0", "6"])
    assert (alarm.repeats, alarm.prompt) == (2, "welcome")  # not sent: kept
    sdk.hotel.update_alarm(ROOM, "1", "07:15", "everyday", repeat_interval=10)
    (alarm,) = sdk.hotel.alarms(ROOM)[0].alarms
    assert (alarm.schedule, alarm.weekdays, alarm.repeat_interval) == ("everyday", [], 10)

    sdk.hotel.add_alarm(ROOM, "05:00")
    sdk.hotel.add_alarm(ROOM, "05:30")
    sdk.hotel.delete_alarms(ROOM, [])  # nothing named: nothing deleted, nothing sent
    assert sent(simulator, "wakeupcall/delete") == []
    assert [a.id for a in sdk.hotel.alarms(ROOM)[0].alarms] == ["1", "2", "3"]
    sdk.hotel.delete_alarms(ROOM, "2")
    sdk.hotel.delete_alarms(ROOM, ["1"])
    assert [a.id for a in sdk.hotel.alarms(ROOM)[0].alarms] == ["3"]
    sdk.hotel.delete_alarms(ROOM)  # all of the room's
    assert sent(simulator, "wakeupcall/delete") == [
        {"extid": ROOM, "wakeupid": "2"},
        {"extid": ROOM, "wakeupid": "1"},
        {"extid": ROOM},
    ]
    assert sdk.hotel.alarms() == []


def test_alarm_refusals(sdk: Client) -> None:
    create, update = "wakeupcall/create", "wakeupcall/update"
    raised(lambda: sdk.hotel.add_alarm("1999", "06:00"), NotFoundError, "10006", create)
    raised(lambda: sdk.hotel.add_alarm([ROOM, "1999"], "06:00"), NotFoundError, "10006")
    raised(lambda: sdk.hotel.add_alarm(ROOM, "24:00"), InvalidValueError, "10020", create)
    raised(lambda: sdk.hotel.add_alarm(ROOM, "0600"), InvalidValueError, "10020")
    raised(lambda: sdk.hotel.add_alarm(ROOM, "06:00", "custom"), InvalidValueError, "10020")
    raised(lambda: sdk.hotel.add_alarm(ROOM, "06:00", repeats=4), InvalidValueError, "10020")
    raised(
        lambda: sdk.hotel.add_alarm(ROOM, "06:00", repeat_interval=0), InvalidValueError, "10020"
    )
    raised(lambda: sdk.hotel.add_alarm(ROOM, "06:00", prompt="nope"), InvalidValueError, "10020")
    raised(lambda: sdk.hotel.add_alarm("", "06:00"), InvalidValueError, "10004", create)
    assert sdk.hotel.alarms() == []  # nothing was created

    sdk.hotel.add_alarm(ROOM, "06:45")
    sdk.hotel.add_alarm(ROOM, "07:00")
    # One alarm per time and room.
    raised(
        lambda: sdk.hotel.add_alarm(ROOM, "06:45", "everyday"), InvalidValueError, "10022", create
    )
    raised(
        lambda: sdk.hotel.update_alarm(ROOM, "2", "06:45", "onetime"),
        InvalidValueError,
        "10022",
        update,
    )
    raised(lambda: sdk.hotel.update_alarm(ROOM, "9", "08:00", "onetime"), NotFoundError, "10021")
    raised(lambda: sdk.hotel.update_alarm("1010", "1", "08:00", "onetime"), NotFoundError, "10021")
    raised(lambda: sdk.hotel.update_alarm("1999", "1", "08:00", "onetime"), NotFoundError, "10006")
    raised(lambda: sdk.hotel.update_alarm(ROOM, "1", "08:00", "custom"), InvalidValueError, "10020")
    raised(
        lambda: sdk.hotel.delete_alarms(ROOM, "1,9"), NotFoundError, "10021", "wakeupcall/delete"
    )
    raised(lambda: sdk.hotel.delete_alarms("1999"), NotFoundError, "10006", "wakeupcall/delete")
    raised(lambda: sdk.hotel.alarms("1999"), NotFoundError, "10006", "wakeupcall/query")
    assert [(a.id, a.time) for a in sdk.hotel.alarms(ROOM)[0].alarms] == [
        ("1", "06:45"),
        ("2", "07:00"),
    ]


def test_an_alarm_rings_the_room_until_it_answers(sdk: Client, simulator: Simulator) -> None:
    time, wait = next_minute(simulator.now())
    sdk.hotel.add_alarm(ROOM, time, repeats=1, repeat_interval=2, prompt="welcome")

    def ringing() -> list[str]:
        return [c.callid for c in simulator.calls() if c.service is not None]

    simulator.advance(wait - 1)
    assert ringing() == []
    simulator.advance(1)
    (callid,) = ringing()
    call = simulator.call(callid)
    assert call.service == SimService(type="wakeup", wakeupid="1", prompt="welcome")
    assert (call.parties, call.state) == ([ROOM], "ringing")
    assert simulator.hang_up(callid, party=ROOM) == ROOM  # the guest declines: missed
    assert ringing() == []
    simulator.advance(120 - 1)
    assert ringing() == []
    simulator.advance(1)  # two minutes after the first call began: the repeat
    (repeat,) = ringing()
    assert simulator.answer(repeat) == ROOM
    assert simulator.call(repeat).feature is not None
    simulator.advance(5)  # the prompt plays, the PBX hangs up
    assert simulator.calls() == []
    assert sdk.hotel.alarms() == []  # a one-time alarm is gone after its last call


def test_check_out_resets_the_room(sdk: Client, simulator: Simulator) -> None:
    sdk.extensions.update(ROOM, name="Guest Smith")
    sdk.inbound_routes.add(
        "To-voicemail",
        trunks="SIP-Carrier",
        destination_type="voicemail",
        destination=ROOM,
        did="5503399",
    )
    callid = simulator.start_call(OUTSIDE, "5503399", trunk="SIP-Carrier")
    left_at = simulator.now()
    simulator.advance(8)
    simulator.hang_up(callid)
    (message,) = simulator.voicemail(ROOM)
    assert (message.callid, message.from_number, message.seconds) == (callid, OUTSIDE, 8)
    assert message.at is not None
    assert abs(message.at - left_at) < 1
    sdk.hotel.add_alarm([ROOM, "1010"], "07:00", "everyday")

    sdk.hotel.check_out(ROOM)

    assert sdk.extensions.query(ROOM)[0].name == "Room 109"  # the config's caller-ID name
    assert simulator.voicemail(ROOM) == []
    assert ROOM not in sdk.outbound_routes.query("External")[0].extensions
    raised(lambda: sdk.calls.dial_outbound(ROOM, FAR_END), NotPermittedError, "10024")
    assert [room.extension for room in sdk.hotel.alarms()] == ["1010"]
    sdk.hotel.check_out(["1010", "1011"])
    assert sdk.hotel.alarms() == []


def test_check_out_refusals(sdk: Client) -> None:
    sdk.hotel.add_alarm(ROOM, "07:00")
    raised(lambda: sdk.hotel.check_out("1999"), NotFoundError, "10006", "hotel/checkout")
    raised(lambda: sdk.hotel.check_out([ROOM, "1999"]), NotFoundError, "10006")
    raised(lambda: sdk.hotel.check_out([]), InvalidValueError, "10004", "hotel/checkout")
    assert [room.extension for room in sdk.hotel.alarms()] == [ROOM]  # nothing changed
