"""The SDK against the real server for the call services (endpoints.md 14-17): what the client
sends is what the server understands, and what the server answers parses."""

from __future__ import annotations

import pytest

from tests.helpers import Sim
from tests.sdk_support import sync_client
from yspbx.client import ApiError
from yspbx.testing import ServerProcess


def test_inbound_control_prompts_and_sms(server: ServerProcess, sim: Sim) -> None:
    with sync_client(server.url) as client:
        offered = sim.post(
            "/calls", {"from": "0612345678", "to": "5503310", "trunk": "SIP-Screened"}
        )
        client.calls.accept_inbound(offered["callid"])
        with pytest.raises(ApiError) as late:
            client.calls.refuse_inbound(offered["callid"])
        assert late.value.errno == "10016"
        callid = client.prompts.play_to_extension("1003", ["welcome", "menu"], auto_answer=True)
        assert sim.get(f"/calls/{callid}")["feature"] == {
            "type": "prompt",
            "prompt": "welcome+menu",
        }
        smsid = client.sms.send("GSM1", "0611223344", "Your code is 4821")
        assert sim.get("/sms")[0] | {"sent_at": 0} == {
            "smsid": smsid,
            "trunk": "GSM1",
            "phonenumber": "0611223344",
            "message": "Your code is 4821",
            "sent_at": 0,
            "status": "sending",
        }
        with pytest.raises(ApiError) as unknown:
            client.sms.send("GSM9", "0611223344", "hi")
        assert unknown.value.errno == "10026"


def test_hotel(server: ServerProcess, sim: Sim) -> None:
    with sync_client(server.url) as client:
        client.hotel.add_alarm(["1009", "1010"], "06:45", repeats=3, repeat_interval=5)
        (room, other) = client.hotel.alarms()
        assert (room.extension, other.extension) == ("1009", "1010")
        (alarm,) = room.alarms
        assert (alarm.id, alarm.time, alarm.schedule, alarm.repeats, alarm.repeat_interval) == (
            "1",
            "06:45",
            "onetime",
            3,
            5,
        )
        assert alarm.prompt == "macroform-cold_day"
        client.hotel.update_alarm("1009", "1", "07:00", "custom", weekdays=["1", "2", "3"])
        (updated,) = client.hotel.alarms("1009")[0].alarms
        assert (updated.time, updated.schedule, updated.weekdays) == (
            "07:00",
            "custom",
            ["1", "2", "3"],
        )
        client.hotel.delete_alarms("1010")
        client.hotel.check_out("1009")
        assert client.hotel.alarms() == []
