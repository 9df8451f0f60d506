"""extensionlist/query is served from an encoded answer while nothing it shows has changed:
every kind of change must still show at once."""

from __future__ import annotations

from tests.support.helpers import Api, Sim


def _statuses(api: Api, token: str) -> dict[str, tuple[str, str]]:
    answer = api.call("extensionlist/query", None, token)
    return {e["extnumber"]: (e["status"], e["username"]) for e in answer["extlist"]}


def test_every_change_shows_in_the_next_answer(api: Api, sim: Sim) -> None:
    token = api.token()
    assert _statuses(api, token)["1001"] == ("Registered", "Ana Lopez")
    assert _statuses(api, token) == _statuses(api, token)

    sim.post("/extensions/1001/unregister")
    assert _statuses(api, token)["1001"][0] == "Unavailable"
    sim.post("/extensions/1001/register")
    assert _statuses(api, token)["1001"][0] == "Registered"

    assert (
        api.call("extension/update", {"extid": "1002", "username": "Ben O"}, token)["status"]
        == "Success"
    )
    assert _statuses(api, token)["1002"] == ("Registered", "Ben O")

    callid = sim.post("/calls", {"from": "1000", "to": "1002"})["callid"]
    assert _statuses(api, token)["1002"][0] == "Ringing"
    sim.post(f"/calls/{callid}/answer", {})
    assert _statuses(api, token)["1002"][0] == "Busy"
    sim.post(f"/calls/{callid}/hangup", {})
    assert _statuses(api, token)["1002"][0] == "Registered"

    sim.reset()
    token = api.token()
    assert _statuses(api, token)["1002"] == ("Registered", "Ben Okafor")
