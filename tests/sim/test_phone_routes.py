"""``/sim/v1/trunks`` and a phone's hold key (docs/control-plane.md)."""

from __future__ import annotations

from tests.support.helpers import Sim


def test_trunks_are_listed(sim: Sim) -> None:
    trunks = sim.get("/trunks")
    names = [t["name"] for t in trunks]
    assert "SIP-Carrier" in names
    assert all(set(t) == {"name", "type", "status"} for t in trunks)


def test_hold_and_resume_from_the_phone(sim: Sim) -> None:
    call = sim.post("/calls", {"from": "0612345678", "to": "5503301", "trunk": "SIP-Carrier"})
    callid = call["callid"]
    sim.post(f"/calls/{callid}/answer", {})
    assert sim.post("/extensions/1000/hold") == {"number": "1000", "held": True}
    assert sim.get(f"/calls/{callid}")["state"] == "held"
    assert sim.post("/extensions/1000/unhold") == {"number": "1000", "held": False}
    assert sim.get(f"/calls/{callid}")["state"] == "talking"


def test_hold_refusals(sim: Sim) -> None:
    idle = sim.http.post("/sim/v1/extensions/1001/hold", json={})
    assert idle.status_code == 409
    assert idle.json()["error"] == "conflict"
    assert sim.http.post("/sim/v1/extensions/9999/hold", json={}).status_code == 404
