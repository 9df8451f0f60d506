"""Hotel features (docs/pbx-api/call-services.md): wake-up alarms that ring on the server clock, and
check-out. The default PBX runs on UTC+0; room 1009 rings for 15 s."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.calls_http import Pbx as HttpPbx
from tests.support.engine import Pbx
from tests.support.helpers import Api, Sim, failed
from yspbx.pbx.call_ops import AlarmFields
from yspbx.pbx.events import PromptFinished
from yspbx.testing import ServerProcess

ROOM = "1009"
SUCCESS = {"status": "Success"}


def next_minute(now: float) -> tuple[str, float]:
    """An alarm time (``hh:mm``) at least a minute away, and the seconds until it."""
    at = (int(now) // 60 + 2) * 60
    return f"{datetime.fromtimestamp(at, UTC):%H:%M}", at - now


def wakeup_calls(sim: Sim) -> list[dict[str, Any]]:
    return [call for call in sim.get("/calls") if (call["service"] or {}).get("type") == "wakeup"]


def test_an_alarm_rings_repeats_when_missed_and_goes_at_check_out(api: Api, sim: Sim) -> None:
    pbx = HttpPbx(api, sim)
    time, wait = next_minute(sim.get("/clock")["now"])
    alarm = {"time": time, "type": "everyday", "repeats": "1", "repeatinterval": "5"}
    assert pbx("wakeupcall/create", extid=ROOM, wakeup=[alarm | {"prompt": "welcome"}]) == SUCCESS
    assert pbx("wakeupcall/query", extid=ROOM) == {
        "status": "Success",
        "wakeups": [
            {
                "extid": ROOM,
                "wakeup": [
                    {
                        "wakeupid": "1",
                        "time": time,
                        "type": "everyday",
                        "prompt": "welcome",
                        "repeats": "1",
                        "repeatinterval": "5",
                    }
                ],
            }
        ],
    }
    sim.advance(wait - 1)
    assert wakeup_calls(sim) == []
    sim.advance(1)
    (call,) = wakeup_calls(sim)
    assert call["service"] == {"type": "wakeup", "wakeupid": "1", "prompt": "welcome"}
    assert (call["parties"], call["state"]) == ([ROOM], "ringing")
    sim.advance(15)  # the room does not answer: missed
    assert wakeup_calls(sim) == []
    sim.advance(300 - 15 - 1)
    assert wakeup_calls(sim) == []
    sim.advance(1)  # five minutes after the first call: the repeat
    (repeat,) = wakeup_calls(sim)
    assert sim.post(f"/calls/{repeat['callid']}/answer", {})["state"] == "talking"
    assert wakeup_calls(sim)[0]["feature"] == {"type": "prompt", "prompt": "welcome"}
    sim.advance(5)  # the prompt plays, the PBX hangs up
    assert wakeup_calls(sim) == []
    # An everyday alarm stays; the next day it rings again.
    assert pbx("wakeupcall/query")["wakeups"][0]["wakeup"][0]["wakeupid"] == "1"
    sim.advance(86400 - 300 - 5)
    assert len(wakeup_calls(sim)) == 1
    pbx.token = api.token()  # a day without requests: the token has expired
    assert pbx("hotel/checkout", extid=ROOM) == SUCCESS
    assert pbx("wakeupcall/query", extid=ROOM) == SUCCESS
    sim.post(f"/calls/{wakeup_calls(sim)[0]['callid']}/hangup", {"party": ROOM})
    sim.advance(86400 + 300)
    assert wakeup_calls(sim) == []


def test_check_out_resets_the_room(api: Api, sim: Sim) -> None:
    pbx = HttpPbx(api, sim)
    assert pbx("extension/update", extid=ROOM, username="Guest Smith")["status"] == "Success"
    route = {"name": "To-voicemail", "did": "5503399", "trunks": "SIP-Carrier"}
    assert pbx("inroute/add", **route, desttype="voicemail", dest=ROOM)["status"] == "Success"
    callid = pbx.place("0612345678", "5503399", "SIP-Carrier")
    sim.advance(8)
    pbx.hangup(callid)
    (message,) = sim.get(f"/extensions/{ROOM}/voicemail")
    assert (message["callid"], message["from"], message["seconds"]) == (callid, "0612345678", 8)
    dialled = pbx("extension/dial_outbound", extid=ROOM, outto="0698765432")
    assert dialled["status"] == "Success"
    pbx("extension/hangup", extid=ROOM)
    pbx("wakeupcall/create", extid=f"{ROOM},1010", wakeup=[{"time": "07:00", "type": "everyday"}])

    assert pbx("hotel/checkout", extid=ROOM) == SUCCESS

    assert pbx("extension/query", extid=ROOM)["extinfos"][0]["username"] == "Room 109"
    assert sim.get(f"/extensions/{ROOM}/voicemail") == []
    assert pbx("extension/dial_outbound", extid=ROOM, outto="0698765432") == failed("10024")
    routes = pbx("outroute/query", name="External")["outroutes"][0]
    assert ROOM not in routes["extensions"].split(",")
    # Only the room checked out loses its alarm.
    wakeups = pbx("wakeupcall/query")["wakeups"]
    assert [w["extid"] for w in wakeups] == ["1010"]
    assert sim.http.get("/sim/v1/extensions/1999/voicemail").status_code == 404


@pytest.mark.parametrize(
    ("body", "errno"),
    [
        ({"wakeup": [{"time": "06:00", "type": "onetime"}]}, "10004"),
        ({"extid": ROOM}, "10004"),
        ({"extid": ROOM, "wakeup": []}, "10004"),
        ({"extid": "1999", "wakeup": [{"time": "06:00", "type": "onetime"}]}, "10006"),
        ({"extid": f"{ROOM},1999", "wakeup": [{"time": "06:00", "type": "onetime"}]}, "10006"),
        ({"extid": ROOM, "wakeup": "06:00"}, "10020"),
        ({"extid": ROOM, "wakeup": [7]}, "10020"),
        ({"extid": ROOM, "wakeup": [{"type": "onetime"}]}, "10020"),
        ({"extid": ROOM, "wakeup": [{"time": "6:00"}]}, "10020"),
        ({"extid": ROOM, "wakeup": [{"time": "24:00", "type": "onetime"}]}, "10020"),
        ({"extid": ROOM, "wakeup": [{"time": "06:60", "type": "onetime"}]}, "10020"),
        ({"extid": ROOM, "wakeup": [{"time": "0600", "type": "onetime"}]}, "10020"),
        ({"extid": ROOM, "wakeup": [{"time": "06:00", "type": "weekly"}]}, "10020"),
        ({"extid": ROOM, "wakeup": [{"time": "06:00", "type": "custom"}]}, "10020"),
        (
            {"extid": ROOM, "wakeup": [{"time": "06:00", "type": "custom", "weekdays": "7"}]},
            "10020",
        ),
        (
            {"extid": ROOM, "wakeup": [{"time": "06:00", "type": "onetime", "repeats": "4"}]},
            "10020",
        ),
        (
            {
                "extid": ROOM,
                "wakeup": [{"time": "06:00", "type": "onetime", "repeatinterval": "0"}],
            },
            "10020",
        ),
        ({"extid": ROOM, "wakeup": [{"time": "06:00", "type": "onetime", "prompt": "x"}]}, "10020"),
        ({"extid": ROOM, "wakeup": [{"time": "06:00", "type": "onetime", "repeats": {}}]}, "10020"),
    ],
)
def test_create_errnos(api: Api, sim: Sim, body: dict[str, Any], errno: str) -> None:
    pbx = HttpPbx(api, sim)
    assert api.call("wakeupcall/create", body, pbx.token) == failed(errno)
    assert pbx("wakeupcall/query") == SUCCESS


def test_update_delete_and_their_errnos(api: Api, sim: Sim) -> None:
    pbx = HttpPbx(api, sim)
    custom = {"time": "6:45", "type": "custom", "weekdays": [1, 3, 5], "Repeatinterval": 10}
    assert pbx("wakeupcall/create", extid=ROOM, wakeup=[custom]) == SUCCESS
    assert pbx("wakeupcall/create", extid=ROOM, wakeup=[{"time": "07:30", "type": "onetime"}]) == (
        SUCCESS
    )
    again = pbx("wakeupcall/create", extid=ROOM, wakeup=[{"time": "06:45", "type": "everyday"}])
    assert again == failed("10022")
    first, second = pbx("wakeupcall/query", extid=ROOM)["wakeups"][0]["wakeup"]
    assert first == {
        "wakeupid": "1",
        "time": "06:45",
        "type": "custom",
        "weekdays": "1,3,5",
        "prompt": "macroform-cold_day",
        "repeats": "0",
        "repeatinterval": "10",
    }
    assert (second["wakeupid"], second["time"], second["type"]) == ("2", "07:30", "onetime")

    # update: the fields sent change; found by id, or by the current time (old guide)
    change = {"extid": ROOM, "wakeupid": "1", "wakeup": [{"type": "everyday", "repeats": "2"}]}
    assert pbx("wakeupcall/update", **change) == SUCCESS
    updated = pbx("wakeupcall/query", extid=ROOM)["wakeups"][0]["wakeup"][0]
    assert (updated["type"], updated["repeats"], updated["repeatinterval"]) == (
        "everyday",
        "2",
        "10",
    )
    assert "weekdays" not in updated
    by_time = {"extid": ROOM, "time": "07:30", "wakeup": {"time": "08:00"}}
    assert pbx("wakeupcall/update", **by_time) == SUCCESS
    clash = {"extid": ROOM, "wakeupid": "2", "wakeup": [{"time": "06:45"}]}
    assert pbx("wakeupcall/update", **clash) == failed("10022")
    for body, errno in (
        ({"extid": ROOM, "wakeupid": "9", "wakeup": [{"time": "05:00"}]}, "10021"),
        ({"extid": "1010", "wakeupid": "1", "wakeup": [{"time": "05:00"}]}, "10021"),
        ({"extid": ROOM, "wakeup": [{"time": "05:00"}]}, "10004"),
        ({"extid": ROOM, "wakeupid": "1"}, "10004"),
        ({"extid": ROOM, "wakeupid": "1", "wakeup": [{"type": "custom"}]}, "10020"),
        ({"extid": "1999", "wakeupid": "1", "wakeup": [{"time": "05:00"}]}, "10006"),
    ):
        assert api.call("wakeupcall/update", body, pbx.token) == failed(errno)

    # delete: by id, by time, or everything of the extension
    assert pbx("wakeupcall/delete", extid=ROOM, wakeupid="1,9") == failed("10021")
    assert pbx("wakeupcall/delete", extid=ROOM, wakeupid="1") == SUCCESS
    assert pbx("wakeupcall/delete", extid=ROOM, wakeupid="1") == failed("10021")
    assert pbx("wakeupcall/delete", extid=ROOM, time="08:00") == SUCCESS
    assert pbx("wakeupcall/query", extid=ROOM) == SUCCESS
    pbx("wakeupcall/create", extid=ROOM, wakeup=[{"time": "05:00", "type": "onetime"}])
    assert pbx("wakeupcall/delete", extid=ROOM) == SUCCESS
    assert pbx("wakeupcall/query") == SUCCESS
    assert pbx("wakeupcall/delete", extid="1999") == failed("10006")
    assert pbx("wakeupcall/query", extid="1999") == failed("10006")
    assert pbx("hotel/checkout", extid=f"{ROOM},1999") == failed("10006")
    assert pbx("hotel/checkout") == failed("10004")


async def test_alarm_call_reports(pbx: Pbx) -> None:
    time, wait = next_minute(pbx.services.clock.now())
    fields = AlarmFields(time=time, type="onetime", repeats="1", repeatinterval="2")
    assert await pbx.calls.create_alarms([ROOM, "1004"], fields) == ["1", "2"]
    await pbx.advance(wait)
    # The room rings; 1004 is in DND: its alarm call fails at once (and will be repeated).
    assert pbx.take() == [
        ("ExtensionStatus", ROOM, "Ringing"),
        ("CallFailed", "DND", "1004"),
        ("NewCdr", "NO ANSWER"),
    ]
    room_call = next(c["callid"] for c in pbx.live())
    await pbx.calls.answer(room_call)
    await pbx.advance(5)
    assert pbx.take() == [
        ("ExtensionStatus", ROOM, "Busy"),
        ("BYE", ROOM),
        ("ExtensionStatus", ROOM, "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    assert pbx.of(PromptFinished) == []  # alarms are not API prompts
    cdr = pbx.cdrs()[-1]
    assert (cdr.callfrom, cdr.callto, cdr.type, cdr.talk_duration) == (ROOM, ROOM, "Internal", 5)
    # The room's onetime alarm answered is gone; 1004's is repeated, then gone too.
    assert [a.extid for a in await pbx.calls.alarms()] == ["1004"]
    await pbx.advance(120 - 5)
    assert pbx.calls_only() == [("CallFailed", "DND", "1004"), ("NewCdr", "NO ANSWER")]
    assert await pbx.calls.alarms() == []
    await pbx.advance(86400)
    assert pbx.take() == []


def test_alarms_survive_a_restart(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'state.db'}"
    with ServerProcess(store=store) as server:
        api, sim = Api(server.url), Sim(server.url)
        pbx = HttpPbx(api, sim)
        time, wait = next_minute(sim.get("/clock")["now"])
        pbx("wakeupcall/create", extid=ROOM, wakeup=[{"time": time, "type": "onetime"}])
        api.close()
        sim.close()
    with ServerProcess(store=store) as server:
        api, sim = Api(server.url), Sim(server.url)
        pbx = HttpPbx(api, sim)
        (alarm,) = pbx("wakeupcall/query")["wakeups"][0]["wakeup"]
        assert (alarm["wakeupid"], alarm["time"]) == ("1", time)
        sim.advance(wait)
        assert len(wakeup_calls(sim)) == 1
        pbx("wakeupcall/create", extid="1010", wakeup=[{"time": "05:00", "type": "onetime"}])
        assert [w["wakeup"][0]["wakeupid"] for w in pbx("wakeupcall/query")["wakeups"]] == [
            "1",
            "2",
        ]
        api.close()
        sim.close()
