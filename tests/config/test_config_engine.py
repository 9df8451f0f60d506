"""The configuration engine in process: the domain events it emits, what it asks of the call
engine, and how it keeps its state when the store misbehaves.

The server runs in this process (the real ASGI app on a memory store, driven over httpx's ASGI
transport), so a test can subscribe to the engine's events and stand in for the call engine,
which the HTTP-only tests cannot.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.helpers import PASSWORD
from yspbx.app import YspbxApp
from yspbx.pbx.config_ops import AgentState
from yspbx.pbx.events import ConfigChanged, DomainEvent, ExtensionStatusChanged
from yspbx.pbx.simulated.config import SimulatedConfig
from yspbx.pbx.simulated.persistence import CONFIG_KEY
from yspbx.services import Services
from yspbx.settings import load_settings
from yspbx.store.memory import MemoryStore


@dataclass
class Pbx:
    services: Services
    http: httpx.AsyncClient
    token: str
    events: list[DomainEvent]

    @property
    def config(self) -> SimulatedConfig:
        return self.services.simulator.config

    async def call(self, endpoint: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.http.post(
            f"/api/v1.1.0/{endpoint}", params={"token": self.token}, json=body or {}
        )
        assert response.status_code == 200
        answer: dict[str, Any] = response.json()
        return answer

    def config_changes(self) -> list[ConfigChanged]:
        return [e for e in self.events if isinstance(e, ConfigChanged)]


async def open_pbx(store: MemoryStore) -> tuple[Services, YspbxApp]:
    settings = load_settings()
    app = YspbxApp(settings, store)
    services = Services.build(settings, store)
    await services.start()
    app.holder.services = services
    return services, app


@pytest.fixture
async def pbx() -> AsyncIterator[Pbx]:
    services, app = await open_pbx(MemoryStore())
    events: list[DomainEvent] = []

    async def listen(event: DomainEvent) -> None:
        events.append(event)

    services.engine.subscribe(listen)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        body = {"username": "api", "password": hashlib.md5(PASSWORD.encode()).hexdigest()}
        login = (await http.post("/api/v1.1.0/login", json={**body, "port": "8260"})).json()
        yield Pbx(services, http, login["token"], events)
    await services.stop()


async def test_extension_update_emits_config_change(pbx: Pbx) -> None:
    assert (await pbx.call("extension/update", {"extid": "1001", "dnd": "on"}))["status"] == (
        "Success"
    )
    await pbx.call("extension/update", {"extid": "1002", "extnumber": "1102"})
    assert pbx.config_changes() == [
        ConfigChanged("extension", "update", "1001"),
        ConfigChanged("extension", "update", "1102"),
    ]


async def test_refused_changes_emit_nothing(pbx: Pbx) -> None:
    refused = [
        ("extension/update", {"extid": "1001", "ringtimeout": "45"}),
        ("extension/update", {"extid": "9999", "dnd": "on"}),
        ("siptrunk/add", {"trunkname": "SIP-Carrier", "trunktype": "peer", "host": "h",
                          "port": "5060", "domain": "h"}),
        ("siptrunk/update", {"id": "99", "trunktype": "peer", "password": "x"}),
        ("siptrunk/delete", {"trunkname": "SIP-Carrier,Nowhere"}),
    ]  # fmt: skip
    for endpoint, body in refused:
        assert (await pbx.call(endpoint, body))["status"] == "Failed"
    assert pbx.events == []


async def test_trunk_add_update_delete_emit_config_changes(pbx: Pbx) -> None:
    peer = {"trunkname": "peer-office", "trunktype": "peer", "host": "203.0.113.9",
            "port": "5060", "domain": "203.0.113.9"}  # fmt: skip
    assert (await pbx.call("siptrunk/add", peer))["status"] == "Success"
    assert (
        await pbx.call("siptrunk/update", {"id": "5", "trunktype": "peer", "trunkname": "peer-hq"})
    )["status"] == "Success"
    assert (await pbx.call("siptrunk/delete", {"trunkname": "all"}))["status"] == "Success"
    assert pbx.config_changes() == [
        ConfigChanged("trunk", "add", "peer-office"),
        ConfigChanged("trunk", "update", "peer-hq"),
        ConfigChanged("trunk", "del", "SIP-Carrier"),
        ConfigChanged("trunk", "del", "SIP-Screened"),
        ConfigChanged("trunk", "del", "SIP-Directed"),
        ConfigChanged("trunk", "del", "peer-hq"),
    ]


async def test_other_objects_emit_no_config_change(pbx: Pbx) -> None:
    # docs/pbx-api/reports.md: ConfigChange is about extensions and trunks only.
    changes = [
        ("ivr/update", {"ivrid": "6200", "promptrepeat": "2"}),
        ("queue/update", {"queueid": "6700", "retry": "10"}),
        ("inroute/delete", {"name": "Support-Line"}),
        ("outroute/update", {"name": "External", "strip": "1"}),
        ("paginggroup/delete", {"number": "6400"}),
    ]
    for endpoint, body in changes:
        assert (await pbx.call(endpoint, body))["status"] == "Success"
    assert pbx.events == []


async def test_registration_changes_emit_extension_status(pbx: Pbx) -> None:
    for path in ("1001/unregister", "1001/register", "1010/unregister"):
        response = await pbx.http.post(f"/sim/v1/extensions/{path}")
        assert response.status_code == 200
    # 1010 is not selected for status monitoring.
    assert pbx.events == [
        ExtensionStatusChanged("1001", "Unregistered"),
        ExtensionStatusChanged("1001", "Registered"),
    ]


async def test_queue_status_follows_the_call_engine(pbx: Pbx) -> None:
    calls = {"1001": "Ringing", "1002": "Busy", "1003": "Hold"}
    hooks = pbx.config.hooks
    hooks.extension_status = calls.get
    hooks.queue_waiting = lambda queue: 3 if queue == "6700" else 0
    hooks.agent_state = lambda queue, agent: AgentState.WRAPUP if agent == "1004" else None
    await pbx.call("queue/update", {"queueid": "6700", "agents": "1001,1002,1003,1004,1005"})
    await pbx.call("queue/add_dynamicagent", {"queueid": "6700", "extid": "1007",
                                              "password": "1234"})  # fmt: skip
    await pbx.call("queue/pause_agent", {"queueid": "6700", "extid": "1005"})
    answer = await pbx.call("queuestatus/query", {"queueid": "6700"})
    [status] = answer["queues"][0]["queuestatus"]
    assert status["callercount"] == "3"
    assert {m["agent"]: m["agentstatus"] for m in status["members"]} == {
        "1001": "6",  # ringing
        "1002": "2",  # in use
        "1003": "8",  # on hold
        "1004": "10",  # wrap-up, as the call engine says
        "1005": "9",  # paused
        "1007": "5",  # unregistered
    }
    extlist = (await pbx.call("extensionlist/query"))["extlist"]
    assert {e["extnumber"]: e["status"] for e in extlist}["1002"] == "Busy"
    # What the call engine reads to ring a queue: every agent that is not paused.
    assert pbx.config.available_agents("6700") == ["1001", "1002", "1003", "1004", "1007"]


async def test_an_extension_in_a_call_keeps_its_number(pbx: Pbx) -> None:
    pbx.config.use_call_status(lambda number: "Busy" if number == "1001" else None)
    assert await pbx.call("extension/update", {"extid": "1001", "extnumber": "1101"}) == {
        "status": "Failed",
        "errno": "10017",
    }
    # Other settings may still change during the call.
    assert (await pbx.call("extension/update", {"extid": "1001", "dnd": "on"}))["status"] == (
        "Success"
    )


async def test_a_trunk_carrying_a_call_cannot_be_deleted(pbx: Pbx) -> None:
    pbx.config.hooks.trunk_in_use = lambda name: name == "SIP-Carrier"
    answer = await pbx.call("siptrunk/delete", {"trunkname": "all"})
    assert answer == {"status": "Failed", "errno": "10061"}
    assert len(await pbx.config.query_sip_trunks(None)) == 3
    assert (await pbx.call("siptrunk/delete", {"trunkname": "SIP-Screened"}))["status"] == (
        "Success"
    )


async def test_the_store_keeps_only_what_changed(pbx: Pbx) -> None:
    await pbx.call("extension/update", {"extid": "1001", "dnd": "on"})
    await pbx.call("paginggroup/delete", {"number": "6400"})
    await pbx.call("queue/pause_agent", {"queueid": "6700", "extid": "1002"})
    raw = await pbx.services.store.state.get(CONFIG_KEY)
    assert raw is not None
    stored = json.loads(raw)
    assert stored["format"] == 1
    assert list(stored["objects"]) == ["extensions", "paginggroups"]
    assert list(stored["objects"]["extensions"]) == ["1001"]
    assert stored["objects"]["extensions"]["1001"]["dnd"] is True
    assert "registered" not in stored["objects"]["extensions"]["1001"]
    assert stored["objects"]["paginggroups"] == {"6400": None}
    assert stored["queue_agents"] == {"6700": {"dynamic": [], "paused": ["1002"]}}
    assert stored["next_ids"]["trunks"] == 5


async def test_a_failing_store_changes_nothing(pbx: Pbx, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken_put(key: str, value: bytes) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pbx.services.store.state, "put", broken_put)
    answer = await pbx.call("extension/update", {"extid": "1001", "extnumber": "1101"})
    assert answer == {"status": "Failed", "errno": "30001"}
    assert "1001" in pbx.config.extensions
    assert "1101" not in pbx.config.extensions
    assert pbx.config.queues["6700"].agents == ["1001", "1002"]
    assert pbx.events == []


async def test_unreadable_stored_changes_are_ignored() -> None:
    store = MemoryStore()
    await store.state.put(CONFIG_KEY, b"\x00 not json")
    services, _ = await open_pbx(store)
    assert services.simulator.config.extensions["1001"].username == "Ana Lopez"
    await services.stop()


async def test_a_stored_object_that_no_longer_fits_the_model_is_skipped() -> None:
    store = MemoryStore()
    stored = {
        "format": 1,
        "objects": {
            "extensions": {
                "1001": {"number": "1001", "unknown_key": 1},
                "1002": {"number": "1002", "username": "Ben Stored"},
            }
        },
        "next_ids": {},
        "queue_agents": {"6700": {"dynamic": ["1003", "9999"], "paused": "nonsense"}},
    }
    await store.state.put(CONFIG_KEY, json.dumps(stored).encode())
    services, _ = await open_pbx(store)
    config = services.simulator.config
    assert config.extensions["1001"].username == "Ana Lopez"
    assert config.extensions["1002"].username == "Ben Stored"
    assert [m.agent for m in config.queue_members("6700")] == ["1001", "1002", "1003"]
    await services.stop()
