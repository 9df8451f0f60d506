"""``/sim/v1/calls``: the control plane's phones and outside world (docs/control-plane.md)."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.calls_http import download_cdrs
from tests.support.helpers import API, Api, Sim
from tests.support.hosted import HostedServer, hosted
from yspbx.testing import ServerProcess


def test_a_call_from_outside_and_its_life(sim: Sim) -> None:
    placed = sim.post("/calls", {"from": "0612345678", "to": "5503301", "trunk": "SIP-Carrier"})
    callid = placed["callid"]
    assert placed == {"callid": callid, "state": "ringing"}
    (call,) = sim.get("/calls")
    assert {k: call[k] for k in ("callid", "parties", "state", "trunk")} == {
        "callid": callid,
        "parties": ["0612345678", "1000"],
        "state": "ringing",
        "trunk": "SIP-Carrier",
    }
    assert sim.get("/state")["calls"] == [call]
    assert sim.get(f"/calls/{callid}") == call
    answered = sim.post(f"/calls/{callid}/answer", {})
    assert answered == {"callid": callid, "state": "talking", "party": "1000"}
    assert {"number": "1000", "status": "Busy"} in sim.get("/state")["extensions"]
    hung_up = sim.post(f"/calls/{callid}/hangup", {})
    assert hung_up == {"callid": callid, "state": "ended", "party": "0612345678"}
    assert sim.get("/calls") == []
    assert {"number": "1000", "status": "Registered"} in sim.get("/state")["extensions"]


def test_a_phone_dials_and_the_named_party_answers_and_hangs_up(sim: Sim) -> None:
    callid = sim.post("/calls", {"from": "1001", "to": "1002"})["callid"]
    assert sim.post(f"/calls/{callid}/answer", {"party": "1002"})["state"] == "talking"
    assert sim.post(f"/calls/{callid}/hangup", {"party": "1002"})["party"] == "1002"
    assert sim.get("/calls") == []


def test_a_phone_dials_out(sim: Sim) -> None:
    callid = sim.post("/calls", {"from": "1001", "to": "0698765432"})["callid"]
    (call,) = sim.get("/calls")
    assert (call["callid"], call["type"], call["trunk"]) == (callid, "Outbound", "SIP-Carrier")
    assert call["parties"] == ["1001", "0698765432"]


def test_dtmf_is_recorded_on_the_call(sim: Sim) -> None:
    callid = sim.post("/calls", {"from": "0612345678", "to": "6200", "trunk": "SIP-Carrier"})[
        "callid"
    ]
    assert sim.post(f"/calls/{callid}/dtmf", {"digits": "1"})["digits"] == "1"
    sim.post(f"/calls/{callid}/dtmf", {"digits": "23#"})
    assert sim.get(f"/calls/{callid}")["digits"] == "123#"


def test_a_phone_transfers_its_call(sim: Sim) -> None:
    callid = sim.post("/calls", {"from": "1001", "to": "1002"})["callid"]
    transfer = f"/sim/v1/calls/{callid}/transfer"
    # Nobody to transfer yet: the call is not answered.
    assert sim.http.post(transfer, json={"party": "1001", "to": "1003"}).status_code == 409
    sim.post(f"/calls/{callid}/answer", {})
    assert sim.http.post(transfer, json={"party": "1005", "to": "1003"}).status_code == 404
    assert sim.http.post(transfer, json={"party": "1001"}).status_code == 400
    assert sim.http.post(transfer, json={"party": "1001", "to": "x"}).status_code == 400
    moved = sim.post(f"/calls/{callid}/transfer", {"party": "1002", "to": "1003"})
    assert moved == {"callid": callid, "state": "ringing", "party": "1002", "to": "1003"}
    assert sim.get(f"/calls/{callid}")["parties"] == ["1001", "1003"]


def test_ring_timeout_through_the_clock_advance(api: Api, sim: Sim) -> None:
    callid = sim.post("/calls", {"from": "0612345678", "to": "1009", "trunk": "SIP-Carrier"})[
        "callid"
    ]
    sim.advance(14)
    assert sim.get(f"/calls/{callid}")["state"] == "ringing"
    sim.advance(10)  # 1009 rings 15 s
    assert sim.get("/calls") == []
    assert {"number": "1009", "status": "Registered"} in sim.get("/state")["extensions"]
    (row,) = csv.DictReader(io.StringIO(download_cdrs(api, sim, api.token()).text))
    assert (row["callid"], row["status"], row["callduraction"], row["talkduraction"]) == (
        callid,
        "NO ANSWER",
        "15",
        "0",
    )


def test_a_call_that_cannot_connect_ends_at_once(sim: Sim) -> None:
    placed = sim.post("/calls", {"from": "1001", "to": "1004"})  # DND
    assert placed["state"] == "ended"
    assert sim.get("/calls") == []


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/calls", {"from": "9999", "to": "1001"}),
        ("/calls", {"from": "0612345678", "to": "1001", "trunk": "Nowhere"}),
        ("/calls/1.1/answer", {}),
        ("/calls/1.1/hangup", {}),
        ("/calls/1.1/dtmf", {"digits": "1"}),
    ],
)
def test_unknown_things_answer_404(sim: Sim, path: str, body: dict[str, Any]) -> None:
    response = sim.http.post("/sim/v1" + path, json=body)
    assert response.status_code == 404
    assert set(response.json()) == {"error", "detail"}
    assert sim.http.get("/sim/v1/calls/1.1").status_code == 404


def test_an_unknown_party_answers_404(sim: Sim) -> None:
    callid = sim.post("/calls", {"from": "1001", "to": "1002"})["callid"]
    for action in ("answer", "hangup"):
        response = sim.http.post(f"/sim/v1/calls/{callid}/{action}", json={"party": "1003"})
        assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"from": "1001"},
        {"to": "1002"},
        {"from": "1001", "to": ["1002"]},
        {"from": True, "to": "1002"},
        {"from": "10;01", "to": "1002"},
        {"from": "1001", "to": "1002", "trunk": 5.5},
        [1, 2],
    ],
)
def test_malformed_call_bodies_answer_400(sim: Sim, body: Any) -> None:
    response = sim.http.post("/sim/v1/calls", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert sim.get("/calls") == []


def test_malformed_action_bodies_answer_400(sim: Sim) -> None:
    callid = sim.post("/calls", {"from": "0612345678", "to": "6200", "trunk": "SIP-Carrier"})[
        "callid"
    ]
    for path, content in (
        ("dtmf", b"{}"),
        ("dtmf", b'{"digits": "12x"}'),
        ("dtmf", b'{"digits": 5.5}'),
        ("answer", b"not json"),
        ("hangup", b'{"party": {}}'),
    ):
        response = sim.http.post(f"/sim/v1/calls/{callid}/{path}", content=content)
        assert response.status_code == 400, (path, content)
    assert sim.get(f"/calls/{callid}")["digits"] == ""


def test_what_a_call_cannot_do_now_answers_409(sim: Sim) -> None:
    callid = sim.post("/calls", {"from": "1001", "to": "1002"})["callid"]
    assert (
        sim.http.post(f"/sim/v1/calls/{callid}/answer", json={"party": "1001"}).status_code == 409
    )
    assert sim.http.post("/sim/v1/calls", json={"from": "1001", "to": "1003"}).status_code == 409
    assert sim.http.post("/sim/v1/calls", json={"from": "1007", "to": "1003"}).status_code == 409
    sim.post(f"/calls/{callid}/answer", {})
    assert sim.http.post(f"/sim/v1/calls/{callid}/answer", json={}).status_code == 409


def test_reset_drops_calls_and_records(api: Api, sim: Sim) -> None:
    callid = sim.post("/calls", {"from": "1001", "to": "1002"})["callid"]
    sim.post(f"/calls/{callid}/answer", {})
    sim.post("/calls", {"from": "1003", "to": "1009"})
    sim.post(f"/calls/{callid}/hangup", {})
    sim.reset()
    assert sim.get("/calls") == []
    assert all(
        e["status"] in ("Registered", "Unavailable", "Idle")
        for e in sim.get("/state")["extensions"]
    )
    download = download_cdrs(api, sim, api.token())
    assert download.json() == {"status": "Failed", "errno": "20021"}


# -- many calls at once -----------------------------------------------------------------

CALLS = 50
_MANY = """
queues = []
ringgroups = []
extensiongroups = []
paginggroups = []
outroutes = []

[[inroutes]]
name = "Default"
trunks = ["SIP-Carrier"]
desttype = "extension"
dest = "2000"

[[ivrs]]
number = "6200"
name = "Welcome"
keys = { "1" = "2001" }
timeout_dest = "2000"

"""


def _extensions(count: int) -> str:
    return "".join(
        f'[[extensions]]\nnumber = "{2000 + i}"\nrecord = {"true" if i % 10 == 0 else "false"}\n\n'
        for i in range(count)
    )


@pytest.fixture(scope="module")
def crowded(server: ServerProcess) -> Any:
    """A PBX with 100 extensions, 2000-2099."""
    with hosted(server, _MANY + _extensions(2 * CALLS)) as pbx:
        yield pbx


async def _all(client: httpx.AsyncClient, requests: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    async def one(path: str, body: dict[str, Any]) -> Any:
        response = await client.post("/sim/v1" + path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    return list(await asyncio.gather(*(one(path, body) for path, body in requests)))


def test_fifty_concurrent_calls_stay_consistent(crowded: HostedServer) -> None:
    async def scenario() -> list[str]:
        async with httpx.AsyncClient(base_url=crowded.url, timeout=30) as client:
            placed = await _all(
                client,
                [
                    ("/calls", {"from": str(2000 + i), "to": str(2000 + CALLS + i)})
                    for i in range(CALLS)
                ]
                + [
                    ("/calls", {"from": f"06000000{i:02d}", "to": "6200", "trunk": "SIP-Carrier"})
                    for i in range(10)
                ],
            )
            callids = [p["callid"] for p in placed]
            await _all(client, [(f"/calls/{c}/answer", {}) for c in callids[:CALLS]])
            live = (await client.get("/sim/v1/calls")).json()
            assert len(live) == CALLS + 10
            assert all(call["state"] == "talking" for call in live)
            statuses = (await client.get("/sim/v1/state")).json()["extensions"]
            busy = [e for e in statuses if e["number"].startswith("20") and e["status"] == "Busy"]
            assert len(busy) == 2 * CALLS
            # Half hang up from the caller's side, half from the callee's.
            await _all(
                client,
                [
                    (f"/calls/{c}/hangup", {"party": str(2000 + CALLS + i)} if i % 2 else {})
                    for i, c in enumerate(callids)
                ][:CALLS]
                + [(f"/calls/{c}/hangup", {}) for c in callids[CALLS:]],
            )
            return callids

    callids = asyncio.run(scenario())
    sim, api = Sim(crowded.url), Api(crowded.url)
    assert sim.get("/calls") == []
    assert all(
        e["status"] == "Registered"
        for e in sim.get("/state")["extensions"]
        if e["number"].startswith("20")
    )
    assert len(set(callids)) == len(callids)
    download = download_cdrs(api, sim, api.token())
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert sorted(row["callid"] for row in rows) == sorted(callids)
    assert {row["status"] for row in rows} == {"ANSWERED"}
    recorded = {row["callfrom"] for row in rows if row["recording"]}
    # One extension in ten records, and SIP-Carrier records every call it carries.
    assert recorded == {str(2000 + i) for i in range(0, CALLS, 10)} | {
        f"06000000{i:02d}" for i in range(10)
    }
    api.close()
    sim.close()


def test_restart_keeps_records_and_recordings(tmp_path: Path) -> None:
    with ServerProcess(store=f"sqlite:///{tmp_path / 'state.db'}") as server:
        sim, api = Sim(server.url), Api(server.url)
        callid = sim.post("/calls", {"from": "0612345678", "to": "1000", "trunk": "SIP-Carrier"})[
            "callid"
        ]
        sim.post(f"/calls/{callid}/answer", {})
        sim.advance(4)
        sim.post(f"/calls/{callid}/hangup", {})
        server.restart()
        token = api.token()
        download = download_cdrs(api, sim, token, "1000")
        (row,) = csv.DictReader(io.StringIO(download.text))
        assert (row["callid"], row["talkduraction"]) == (callid, "4")
        random = api.call("recording/get_random", {"recording": row["recording"]}, token)["random"]
        wav = api.http.get(
            API + "recording/download",
            params={"recording": row["recording"], "random": random, "token": token},
        )
        assert wav.content[:4] == b"RIFF"
        # Ids keep counting across the restart.
        again = sim.post("/calls", {"from": "1001", "to": "1002"})["callid"]
        assert int(again.split(".")[1]) > int(callid.split(".")[1])
        api.close()
        sim.close()
