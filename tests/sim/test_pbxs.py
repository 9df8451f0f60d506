"""Many PBXs on one server (``/sim/v1/pbxs``): two hosted PBXs and the default one never see
each other's sessions, lockouts, calls, reports, journal, clock or config, in every store;
each answers on its own port and under ``/pbx/<name>``; deleting one removes everything it
stored and closes its port; a PBX created at run time outlives a restart on SQLite."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.calls_http import download_cdrs
from tests.support.helpers import API, Api, Sim, failed
from tests.support.receivers import Receiver, log_in
from tests.support.stores import REDIS_URL, forget_prefix, unique_prefix
from yspbx.testing import ServerProcess

OTHER_CONFIG = """
[api]
password = "other-secret"

[device]
devicename = "Yeastar S300"
"""


@pytest.fixture(params=["memory", "sqlite", "redis"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    prefix = unique_prefix()
    store = {
        "memory": "memory://",
        "sqlite": f"sqlite:///{tmp_path / 'state.db'}",
        "redis": REDIS_URL,
    }[request.param]
    process = ServerProcess(store=store, env={"YSPBX_SERVER_STORE_PREFIX": prefix})
    with process:
        yield process
    if request.param == "redis":
        forget_prefix(prefix)


def create(url: str, **body: Any) -> dict[str, Any]:
    response = httpx.post(url + "/sim/v1/pbxs", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    assert isinstance(data, dict)
    return data


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def test_two_pbxs_and_the_default_never_see_each_other(server: ServerProcess) -> None:
    a = create(server.url, name="alpha")
    b = create(server.url, name="beta", config=OTHER_CONFIG)
    assert a == {"name": "alpha", "url": a["url"], "prefix": "/pbx/alpha"}
    assert a["url"].startswith("http://127.0.0.1:")
    assert a["url"] != b["url"]
    listed = httpx.get(server.url + "/sim/v1/pbxs").json()
    assert listed == [a, b]
    with (
        closing(Sim(a["url"])) as sim_a,
        closing(Sim(server.url + b["prefix"])) as sim_b,
        closing(Sim(server.url)) as sim_main,
        closing(Api(a["url"])) as api_a,
        closing(Api(server.url + b["prefix"])) as api_b,
        closing(Api(server.url)) as api_main,
    ):
        # Config: each its own password and device.
        assert api_b.login()["errno"] == "20003"
        token_b = api_b.token(password=md5("other-secret"))
        token_a = api_a.token()
        info = api_b.call("deviceinfo/query", {}, token_b)
        assert info["deviceinfo"]["devicename"] == "Yeastar S300"
        # Sessions: a token of one PBX is unknown to the others.
        assert api_b.call("deviceinfo/query", {}, token_a) == failed("20004")
        assert api_main.call("deviceinfo/query", {}, token_a) == failed("20004")
        assert [sim_a.get("/state")["sessions"], sim_b.get("/state")["sessions"]] == [1, 1]
        assert sim_main.get("/state")["sessions"] == 0
        # Lockouts are per PBX and IP.
        locked = Api(a["url"], "127.0.0.41")
        try:
            for _ in range(5):
                locked.login(password="0" * 32)
            assert locked.login()["errno"] == "20002"
        finally:
            locked.close()
        assert [x["ip"] for x in sim_a.get("/blocked-ips")] == ["127.0.0.41"]
        assert sim_b.get("/blocked-ips") == []
        assert sim_main.get("/blocked-ips") == []
        other = Api(server.url + b["prefix"], "127.0.0.41")
        try:
            assert other.login(password=md5("other-secret"))["status"] == "Success"
        finally:
            other.close()
        # Calls.
        callid = sim_a.post("/calls", {"from": "1000", "to": "1001"})["callid"]
        assert [c["callid"] for c in sim_a.get("/calls")] == [callid]
        assert sim_b.get("/calls") == []
        assert sim_main.get("/calls") == []
        # Clock.
        before_b, before_main = sim_b.get("/clock")["now"], sim_main.get("/clock")["now"]
        assert sim_a.advance(1000) >= before_b + 1000
        assert sim_b.get("/clock")["now"] < before_b + 100
        assert sim_main.get("/clock")["now"] < before_main + 100
        # Journal.
        assert all(
            "/login" in e["path"] or "deviceinfo" in e["path"] for e in sim_b.get("/journal")
        )
        assert not any(e["client_ip"] == "127.0.0.41" for e in sim_main.get("/journal"))
        # A reset of the default PBX keeps the hosted PBXs and their data.
        sim_main.reset()
        assert httpx.get(server.url + "/sim/v1/pbxs").json() == [a, b]
        assert sim_a.get("/state")["sessions"] == 1
        # A reset of one leaves the others.
        sim_b.reset()
        assert sim_b.get("/state")["sessions"] == 0
        assert sim_a.get("/state")["sessions"] == 1
        assert [c["callid"] for c in sim_a.get("/calls")] == [callid]


def test_reports_go_to_the_sessions_of_their_own_pbx(server: ServerProcess) -> None:
    a = create(server.url, name="alpha")
    b = create(server.url, name="beta")
    with Receiver("127.0.0.21") as for_a, Receiver("127.0.0.22") as for_b:
        log_in(a["url"], for_a)
        log_in(server.url + b["prefix"], for_b)
        with closing(Sim(a["url"])) as sim_a, closing(Sim(b["url"])) as sim_b:
            sim_a.post("/calls", {"from": "1000", "to": "1001"})
            for_a.wait_until(lambda got: any(b'"ExtensionStatus"' in r.body for r in got))
            assert sim_b.get("/reports") == []
            assert sim_a.get("/reports")
        assert not any(b'"ExtensionStatus"' in r.body for r in for_b.received)


def test_names_configs_and_ports_are_checked(server: ServerProcess) -> None:
    create(server.url, name="alpha")
    taken = httpx.post(server.url + "/sim/v1/pbxs", json={"name": "alpha"})
    assert taken.status_code == 409
    assert taken.json()["error"] == "conflict"
    for body in (
        {"name": "Not A Name"},
        {"config": "[api\n"},
        {"config": 3},
        {"port": "x"},
        {"config": "[[extensions]]\nnumber = 'x'\n"},
    ):
        answer = httpx.post(server.url + "/sim/v1/pbxs", json=body)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["error"] == "bad_request"
    gone = httpx.delete(server.url + "/sim/v1/pbxs/nobody")
    assert gone.status_code == 404
    assert httpx.get(server.url + "/pbx/nobody/sim/v1/state").status_code == 404
    named = create(server.url)
    assert named["name"]
    assert named["prefix"] == f"/pbx/{named['name']}"


def test_delete_removes_everything_and_closes_the_port(server: ServerProcess) -> None:
    a = create(server.url, name="alpha")
    with closing(Api(a["url"])) as api, closing(Sim(a["url"])) as sim:
        token = api.token()
        sim.advance(5000)
        sim.post("/calls", {"from": "1000", "to": "1001"})
    assert httpx.delete(server.url + "/sim/v1/pbxs/alpha").status_code == 204
    with pytest.raises(httpx.ConnectError):
        httpx.get(a["url"] + "/health")
    assert httpx.get(server.url + "/pbx/alpha/sim/v1/state").status_code == 404
    assert httpx.get(server.url + "/sim/v1/pbxs").json() == []
    again = create(server.url, name="alpha")
    with closing(Api(again["url"])) as api, closing(Sim(again["url"])) as sim:
        state = sim.get("/state")
        assert state["sessions"] == 0
        assert state["calls"] == []
        assert sim.get("/journal") == []
        assert api.call("deviceinfo/query", {}, token) == failed("20004")


def test_a_pbx_created_at_run_time_outlives_a_restart(tmp_path: Path) -> None:
    with ServerProcess(store=f"sqlite:///{tmp_path / 'state.db'}") as server:
        a = create(server.url, name="alpha", config=OTHER_CONFIG)
        with closing(Api(a["url"])) as api:
            token = api.token(password=md5("other-secret"))
        server.restart()
        (listed,) = httpx.get(server.url + "/sim/v1/pbxs").json()
        assert listed["name"] == "alpha"
        with closing(Api(server.url + "/pbx/alpha")) as api:
            answer = api.call("deviceinfo/query", {}, token)
            assert answer["deviceinfo"]["devicename"] == "Yeastar S300"
        with closing(Api(server.url)) as api:
            assert api.call("deviceinfo/query", {}, token) == failed("20004")


def test_declared_pbxs_start_with_the_server(tmp_path: Path) -> None:
    (tmp_path / "hotel.toml").write_text('[api]\npassword = "hotel"\n', encoding="utf-8")
    main = tmp_path / "main.toml"
    main.write_text(
        '[[pbxs]]\nname = "hotel"\nconfig = "hotel.toml"\n\n'
        '[[pbxs]]\nname = "inline"\ninline = """\n[api]\npassword = "inline"\n"""\n',
        encoding="utf-8",
    )
    with ServerProcess(
        config=main, extra_args=("--pbx", f"cli={tmp_path / 'hotel.toml'}")
    ) as server:
        listed = {p["name"]: p for p in httpx.get(server.url + "/sim/v1/pbxs").json()}
        assert sorted(listed) == ["cli", "hotel", "inline"]
        for name, password in (("hotel", "hotel"), ("inline", "inline"), ("cli", "hotel")):
            with closing(Api(listed[name]["url"])) as api:
                assert api.login(password=md5(password))["status"] == "Success"
        answer = httpx.post(server.url + API + "login", json={"username": "api"})
        assert answer.status_code == 200


def test_the_hosted_pbxs_are_guarded_by_the_servers_settings(tmp_path: Path) -> None:
    """``/sim/v1/pbxs`` is the server's: a hosted PBX's own control-plane settings (here: no
    token) never open it, on the PBX's port or under its prefix."""
    main = tmp_path / "main.toml"
    main.write_text('[sim]\ntoken = "main-token"\n', encoding="utf-8")
    bearer = {"Authorization": "Bearer main-token"}
    with ServerProcess(config=main) as server:
        made = httpx.post(server.url + "/sim/v1/pbxs", json={"name": "open"}, headers=bearer)
        assert made.status_code == 201
        hosted = made.json()
        for base in (hosted["url"], server.url + hosted["prefix"]):
            assert httpx.get(base + "/sim/v1/pbxs").status_code == 401
            assert httpx.delete(base + "/sim/v1/pbxs/open").status_code == 401
            assert httpx.get(base + "/sim/v1/pbxs", headers=bearer).status_code == 200
            # Its own control plane follows its own config (no token: loopback).
            assert httpx.get(base + "/sim/v1/state").status_code == 200


def test_call_records_stay_with_their_pbx(server: ServerProcess) -> None:
    a = create(server.url, name="alpha")
    b = create(server.url, name="beta")
    with (
        closing(Api(a["url"])) as api_a,
        closing(Sim(a["url"])) as sim_a,
        closing(Api(b["url"])) as api_b,
        closing(Sim(b["url"])) as sim_b,
    ):
        callid = sim_a.post("/calls", {"from": "1000", "to": "1001"})["callid"]
        sim_a.post(f"/calls/{callid}/answer")
        sim_a.advance(30)
        sim_a.post(f"/calls/{callid}/hangup")
        mine = download_cdrs(api_a, sim_a, api_a.token())
        theirs = download_cdrs(api_b, sim_b, api_b.token())
    assert mine.status_code == 200
    assert callid in mine.text
    assert callid not in theirs.text
    assert len(theirs.text.splitlines()) < len(mine.text.splitlines())


def test_a_restart_whose_old_port_is_taken_serves_the_pbx_under_its_prefix(
    tmp_path: Path,
) -> None:
    with ServerProcess(store=f"sqlite:///{tmp_path / 'state.db'}") as server:
        a = create(server.url, name="alpha")
        port = int(a["url"].rsplit(":", 1)[1])
        server.stop()
        with socket.socket() as squatter:
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            squatter.bind(("127.0.0.1", port))
            squatter.listen()
            server.start()
            (listed,) = httpx.get(server.url + "/sim/v1/pbxs").json()
            assert listed["name"] == "alpha"
            assert listed["url"] is None
            assert httpx.get(server.url + "/pbx/alpha/health").status_code == 200
