"""What the console's board and queue panel read, over real HTTP: each extension's DND and
forwarding in ``GET /sim/v1/state`` and the queues with their agents in ``GET /sim/v1/queues``
(docs/control-plane.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.sim.test_events import Stream
from tests.support.helpers import API, Api, Sim
from tests.support.polling import wait_until
from yspbx.testing import ServerProcess


@pytest.fixture
def stream(server: ServerProcess, sim: Sim) -> Iterator[Stream]:
    events = Stream(server.url)
    assert events.status == 200
    yield events
    events.close()


def settings_of(sim: Sim, number: str) -> dict[str, Any]:
    found = [e for e in sim.get("/state")["extension_settings"] if e["number"] == number]
    assert len(found) == 1
    item: dict[str, Any] = found[0]
    return item


def queue(sim: Sim, number: str) -> dict[str, Any]:
    found = [q for q in sim.get("/queues") if q["number"] == number]
    assert len(found) == 1
    item: dict[str, Any] = found[0]
    return item


def agents(sim: Sim, number: str) -> dict[str, tuple[str, bool]]:
    return {a["number"]: (a["state"], a["dynamic"]) for a in queue(sim, number)["agents"]}


def test_state_keeps_extension_items_and_adds_settings(sim: Sim) -> None:
    state = sim.get("/state")
    assert all(set(e) == {"number", "status"} for e in state["extensions"])
    assert {e["number"] for e in state["extension_settings"]} == {
        e["number"] for e in state["extensions"]
    }
    # The default extension forwards to its voicemail when busy or unanswered, never always.
    assert settings_of(sim, "1001") == {
        "number": "1001",
        "dnd": False,
        "forward": [
            {"rule": "noanswer", "to": "Voicemail", "destination": ""},
            {"rule": "busy", "to": "Voicemail", "destination": ""},
        ],
    }


def test_extension_update_shows_dnd_and_forwarding_and_is_streamed(
    sim: Sim, api: Api, stream: Stream
) -> None:
    token = api.token()
    answer = api.call(
        "extension/update",
        {
            "extid": "1001",
            "dnd": "on",
            "alwaysforward": "on",
            "atransferto": "Extension",
            "atransferext": "1003",
            "busyforward": "off",
            "noanswerforward": "on",
            "ntransferto": "Custom Number",
            "ntransferprefix": "9",
            "ntransfernum": "0612345678",
        },
        token,
    )
    assert answer["status"] == "Success", answer
    assert stream.next("config")[1] == {"type": "extension", "operation": "update", "key": "1001"}
    assert settings_of(sim, "1001") == {
        "number": "1001",
        "dnd": True,
        "forward": [
            {"rule": "always", "to": "Extension", "destination": "1003"},
            {"rule": "noanswer", "to": "Custom Number", "destination": "90612345678"},
        ],
    }
    api.call("extension/update", {"extid": "1001", "dnd": "off", "alwaysforward": "off"}, token)
    after = settings_of(sim, "1001")
    assert after["dnd"] is False
    assert [f["rule"] for f in after["forward"]] == ["noanswer"]


def test_queues_show_agents_logged_in_paused_and_talking(
    sim: Sim, api: Api, stream: Stream
) -> None:
    support = queue(sim, "6700")
    assert (support["name"], support["waiting"]) == ("Support", 0)
    assert agents(sim, "6700") == {"1001": ("idle", False), "1002": ("idle", False)}
    token = api.token()
    login = {"queueid": "6700", "extid": "1004", "password": "1234"}
    assert api.call("queue/add_dynamicagent", login, token)["status"] == "Success"
    assert agents(sim, "6700")["1004"] == ("idle", True)
    pause = {"queueid": "6700", "extid": "1001"}
    assert api.call("queue/pause_agent", pause, token)["status"] == "Success"
    assert agents(sim, "6700")["1001"] == ("paused", False)
    # The stream shows the request (the console reads the queues again after it).
    entry = stream.next("journal")[1]
    while entry["path"] != f"{API}queue/pause_agent":
        entry = stream.next("journal")[1]
    # A caller reaches the queue; the agent who answers is talking.
    callid = sim.post("/calls", {"from": "1003", "to": "6700"})["callid"]
    assert wait_until(lambda: agents(sim, "6700")["1002"][0] == "ringing")
    sim.post(f"/calls/{callid}/answer", {"party": "1002"})
    assert wait_until(lambda: agents(sim, "6700")["1002"][0] == "talking")
    assert agents(sim, "6700")["1001"] == ("paused", False)
    sim.post(f"/calls/{callid}/hangup", {})
    # The queue's wrap-up time (30 s) passes on the PBX's clock before the agent is idle again.
    assert wait_until(lambda: agents(sim, "6700")["1002"][0] == "wrap-up")
    sim.advance(31)
    assert wait_until(lambda: agents(sim, "6700")["1002"][0] == "idle")


def test_queues_after_reset_forget_logged_in_agents(sim: Sim, api: Api) -> None:
    token = api.token()
    login = {"queueid": "6700", "extid": "1004", "password": "1234"}
    api.call("queue/add_dynamicagent", login, token)
    sim.reset()
    assert "1004" not in agents(sim, "6700")
