"""The /sim/v1 control plane: what it shows, what it resets, and who may use it."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

import httpx
import pytest

from tests.support.helpers import API, PASSWORD_MD5, Api, Sim, failed
from tests.support.hosted import HostedServer, hosted
from yspbx.journal import BODY_LIMIT, LocalJournal
from yspbx.store.base import JournalEntry
from yspbx.testing import ServerProcess


def test_clock_and_advance(sim: Sim) -> None:
    before = sim.get("/clock")["now"]
    assert isinstance(before, float)
    after = sim.advance(3600)
    assert after >= before + 3600
    assert sim.get("/clock")["now"] >= after


@pytest.mark.parametrize(
    "body",
    [{}, {"seconds": "10"}, {"seconds": -5}, {"seconds": True}, {"seconds": 1e30}, [1]],
    ids=["missing", "string", "negative", "bool", "huge", "array"],
)
def test_advance_refuses_bad_bodies_with_400(sim: Sim, body: object) -> None:
    response = sim.http.post("/sim/v1/clock/advance", json=body)
    assert response.status_code == 400
    assert set(response.json()) == {"error", "detail"}


def test_advance_refuses_non_json(sim: Sim) -> None:
    response = sim.http.post("/sim/v1/clock/advance", content=b"\x00\x01")
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_state_shape(sim: Sim) -> None:
    state = sim.get("/state")
    assert set(state) >= {"now", "extensions", "calls", "sessions", "blocked_ips"}
    assert {"number": "1000", "status": "Registered"} in state["extensions"]
    assert state["calls"] == []
    assert state["sessions"] == 0
    assert state["blocked_ips"] == []


def test_reset_forgets_sessions_lockouts_and_logs(api: Api, sim: Sim, server_url: str) -> None:
    token = api.token()
    locked = Api(server_url, "127.0.0.2")
    for _ in range(5):
        locked.login(password="0" * 32)
    assert sim.get("/journal")
    sim.reset()
    state = sim.get("/state")
    assert state["sessions"] == 0
    assert state["blocked_ips"] == []
    assert sim.get("/journal") == []
    assert api.call("deviceinfo/query", None, token) == failed("20004")
    assert locked.login()["status"] == "Success"


def test_journal_records_every_request_with_secrets_masked(api: Api, sim: Sim) -> None:
    token = api.token()
    api.call("deviceinfo/query", {}, token)
    api.post("extension/query", content=b"not json", token=token)
    journal = sim.get("/journal")
    assert [entry["path"] for entry in journal] == [
        "/api/v1.1.0/login",
        "/api/v1.1.0/deviceinfo/query",
        "/api/v1.1.0/extension/query",
    ]
    login, info, bad = journal
    assert set(login) == {
        "time",
        "client_ip",
        "method",
        "path",
        "query",
        "body",
        "http_status",
        "response",
    }
    assert login["client_ip"] == "127.0.0.1"
    assert login["method"] == "POST"
    assert login["http_status"] == 200
    assert PASSWORD_MD5 not in login["body"]
    assert '"password": "' + "*" * 28 + PASSWORD_MD5[-4:] + '"' in login["body"]
    assert token not in login["response"]
    assert info["query"] == "token=" + "*" * 28 + token[-4:]
    assert '"deviceinfo"' in info["response"]
    assert bad["body"] == "not json"
    assert bad["response"] == '{"status":"Failed","errno":"20000"}'
    assert all(token not in str(entry) for entry in journal)


def test_register_and_unregister(sim: Sim, server_url: str) -> None:
    assert sim.post("/extensions/1001/unregister")["status"] == "Unregistered"
    extensions = {e["number"]: e["status"] for e in sim.get("/state")["extensions"]}
    assert extensions["1001"] == "Unavailable"
    again = sim.http.post("/sim/v1/extensions/1001/unregister")
    assert again.status_code == 409
    assert sim.post("/extensions/1001/register")["status"] == "Registered"
    missing = sim.http.post("/sim/v1/extensions/4242/register")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"


def test_reset_restores_registrations(sim: Sim) -> None:
    sim.post("/extensions/1001/unregister")
    sim.post("/extensions/1007/register")
    sim.reset()
    extensions = {e["number"]: e["status"] for e in sim.get("/state")["extensions"]}
    assert extensions["1001"] == "Registered"
    assert extensions["1007"] == "Unavailable"


def test_unknown_control_plane_path_is_json_404(sim: Sim) -> None:
    response = sim.http.get("/sim/v1/nothing")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert sim.http.delete("/sim/v1/clock").status_code == 405


def test_openapi_lists_the_served_endpoints(server_url: str) -> None:
    document = httpx.get(server_url + "/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    for endpoint in ("login", "heartbeat", "logout", "deviceinfo/query"):
        assert "post" in paths[API + endpoint]
    login = paths[API + "login"]["post"]
    assert login["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "username",
        "password",
        "port",
    ]
    errnos = document["components"]["schemas"]["Failure"]["properties"]["errno"]["enum"]
    assert {"20002", "20003", "20004", "20005", "20006", "10003", "10004"} <= set(errnos)
    assert "parameters" not in login
    token_param = paths[API + "deviceinfo/query"]["post"]["parameters"][0]
    assert token_param["name"] == "token"
    assert token_param["in"] == "query"


@pytest.fixture(scope="module")
def guarded(server: ServerProcess) -> Iterator[HostedServer]:
    config = '[sim]\ntoken = "letmein"\n[api]\ntrust_proxy = true\nallowed_ips = ["127.0.0.0/30"]\n'
    with hosted(server, config) as pbx:
        yield pbx


def test_sim_token_is_required_when_set(guarded: HostedServer) -> None:
    with httpx.Client(base_url=guarded.url) as http:
        refused = http.get("/sim/v1/state")
        assert refused.status_code == 401
        assert refused.json()["error"] == "unauthorized"
        wrong = http.get("/sim/v1/state", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        ok = http.get("/sim/v1/state", headers={"Authorization": "Bearer letmein"})
        assert ok.status_code == 200


def test_trust_proxy_takes_the_forwarded_ip(guarded: HostedServer) -> None:
    with httpx.Client(base_url=guarded.url) as http:
        bad = {"username": "api", "password": "0" * 32, "port": "8260"}
        forwarded = {"X-Forwarded-For": "127.0.0.2, 10.9.9.9"}
        for _ in range(5):
            assert http.post(API + "login", json=bad, headers=forwarded).json() == failed("20003")
        good = {"username": "api", "password": PASSWORD_MD5, "port": "8260"}
        assert http.post(API + "login", json=good, headers=forwarded).json() == failed("20002")
        assert http.post(API + "login", json=good).json()["status"] == "Success"
        blocked = http.get("/sim/v1/blocked-ips", headers={"Authorization": "Bearer letmein"})
        assert [b["ip"] for b in blocked.json()] == ["127.0.0.2"]


def test_allowed_ips_refuse_other_clients(guarded: HostedServer) -> None:
    outsider = Api(guarded.url, "127.0.0.5")
    response = outsider.post("login", {"username": "api", "password": PASSWORD_MD5, "port": "1"})
    assert response.status_code == 403
    assert response.json() == failed("20002")
    insider = Api(guarded.url, "127.0.0.3")
    assert insider.login()["status"] == "Success"


@pytest.fixture(scope="module")
def plain_proxy(server: ServerProcess) -> Iterator[HostedServer]:
    with hosted(server, "[api]\ntrust_proxy = true\n[sim]\nenabled = true\n") as pbx:
        yield pbx


def test_control_plane_refuses_non_loopback_clients(plain_proxy: HostedServer) -> None:
    with httpx.Client(base_url=plain_proxy.url) as http:
        outside = http.get("/sim/v1/state", headers={"X-Forwarded-For": "203.0.113.7"})
        assert outside.status_code == 403
        assert outside.json()["error"] == "forbidden"
        assert http.get("/sim/v1/state").status_code == 200


def test_forwarded_for_is_ignored_without_trust_proxy(server: ServerProcess, sim: Sim) -> None:
    with httpx.Client(base_url=server.url) as http:
        bad = {"username": "api", "password": "0" * 32, "port": "8260"}
        for _ in range(5):
            http.post(API + "login", json=bad, headers={"X-Forwarded-For": "10.1.1.1"})
    assert [b["ip"] for b in sim.get("/blocked-ips")] == ["127.0.0.1"]


def test_control_plane_can_be_disabled(server: ServerProcess) -> None:
    with hosted(server, "[sim]\nenabled = false\n") as pbx, httpx.Client(base_url=pbx.url) as http:
        assert http.get("/sim/v1/state").status_code == 404
        assert Api(pbx.url).login()["status"] == "Success"


async def test_the_journal_keeps_a_long_body_cut_to_what_it_shows() -> None:
    journal = LocalJournal(size=100)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for index in range(100):
            big = b'{"extid":"' + str(index).encode() * 30_000 + b'"}'
            await journal.record(JournalEntry(1.0, "127.0.0.1", "POST", "/api", b"", big, 200, big))
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # 100 requests of 30-60 KB each way; the journal holds what it shows, about 4 KB each way.
    assert held < 100 * 3 * BODY_LIMIT
    entry = (await journal.entries())[-1]
    assert entry["body"] == ('{"extid":"' + "99" * 30_000)[:BODY_LIMIT] + "…"
    assert entry["response"] == entry["body"]
