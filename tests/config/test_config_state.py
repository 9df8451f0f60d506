"""Configuration changes persist in the store across restarts; reset returns to the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_config
from tests.support.helpers import Api, Sim
from yspbx.settings import default_config_text
from yspbx.testing import ServerProcess

QUERIES: list[tuple[str, dict[str, str] | None]] = [
    ("extensionlist/query", None),
    ("extension/query", None),
    ("trunklist/query", None),
    ("siptrunk/query", {"trunkname": "all"}),
    ("inroute/query", {"name": "all"}),
    ("outroute/query", {"name": "all"}),
    ("ivr/query", None),
    ("queue/query", None),
    ("queuestatus/query", {"queueid": "6700"}),
    ("paginggrouplist/query", None),
    ("paginggroup/query", {"number": "all"}),
]

CHANGES: list[tuple[str, dict[str, str]]] = [
    ("extension/update", {"extid": "1002", "username": "Ben O", "dnd": "on", "ringtimeout": "15"}),
    ("extension/update", {"extid": "1003", "extnumber": "1103"}),
    ("siptrunk/add", {"trunkname": "peer-office", "trunktype": "peer", "host": "203.0.113.9",
                      "port": "5060", "domain": "203.0.113.9"}),
    ("siptrunk/update", {"id": "1", "trunktype": "register", "password": "rotated"}),
    ("siptrunk/delete", {"trunkname": "SIP-Directed"}),
    ("inroute/add", {"name": "Sales-DID", "did": "5503304", "trunks": "peer-office",
                     "desttype": "ringgroup", "dest": "6300"}),
    ("inroute/delete", {"name": "Support-Line"}),
    ("outroute/update", {"id": "2", "strip": "2"}),
    ("outroute/add", {"name": "national", "prefix": "0X.", "trunks": "SIP-Carrier",
                      "extensions": "1000,1103"}),
    ("ivr/update", {"ivrid": "6200", "ivrname": "Main-Menu", "promptrepeat": "2"}),
    ("queue/update", {"queueid": "6700", "ringstrategy": "Linear", "agents": "1001,1103"}),
    ("queue/add_dynamicagent", {"queueid": "6700", "extid": "1004", "password": "1234"}),
    ("queue/pause_agent", {"queueid": "6700", "extid": "1001"}),
    ("paginggroup/add", {"number": "6401", "name": "Workshop", "duplex": "intercom",
                         "allowexten": "1001,1002", "enablekeyhanup": "no"}),
    ("paginggroup/update", {"id": "1", "duplex": "multicast", "multicastip": "224.0.1.75"}),
]  # fmt: skip


def snapshot(api: Api, token: str) -> list[dict[str, Any]]:
    return [api.call(endpoint, body, token) for endpoint, body in QUERIES]


def make_changes(api: Api, token: str) -> None:
    for endpoint, body in CHANGES:
        assert api.call(endpoint, body, token) == {"status": "Success"}, (endpoint, body)


def test_reset_restores_the_configuration_file(api: Api, sim: Sim, token: str) -> None:
    pristine = snapshot(api, token)
    make_changes(api, token)
    changed = snapshot(api, token)
    # Every query shows a change, so the comparison below proves each one was undone.
    assert all(a != b for a, b in zip(pristine, changed, strict=True))
    sim.reset()
    assert snapshot(api, api.token()) == pristine


@pytest.mark.slow
def test_restart_keeps_api_changes_and_reset_forgets_them(tmp_path: Path) -> None:
    with ServerProcess(store=f"sqlite:///{tmp_path / 'state.db'}") as server:
        api, sim = Api(server.url), Sim(server.url)
        token = api.token()
        pristine = snapshot(api, token)
        make_changes(api, token)
        changed = snapshot(api, token)
        server.restart()
        token = api.token()
        assert snapshot(api, token) == changed
        # Ids are never reused, across restarts too.
        assert api.call("siptrunk/delete", {"trunkname": "peer-office"}, token)["status"] == (
            "Success"
        )
        server.restart()
        token = api.token()
        body = {"trunkname": "peer-2", "trunktype": "peer", "host": "h.example", "port": "5060",
                "domain": "h.example"}  # fmt: skip
        assert api.call("siptrunk/add", body, token)["status"] == "Success"
        assert api.call("siptrunk/query", {"trunkname": "peer-2"}, token)["trunks"][0]["id"] == "6"
        sim.reset()
        server.restart()
        assert snapshot(api, api.token()) == pristine


@pytest.mark.slow
def test_file_edits_show_for_objects_the_api_did_not_change(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'state.db'}"
    config = write_config(tmp_path, default_config_text())
    with ServerProcess(config=config, store=store) as server:
        api = Api(server.url)
        token = api.token()
        body = {"extid": "1001", "username": "Ana API"}
        assert api.call("extension/update", body, token)["status"] == "Success"
        server.stop()
        edited = default_config_text().replace('"Ben Okafor"', '"Ben Edited"')
        edited = edited.replace('"Ana Lopez"', '"Ana Edited"')
        config.write_text(edited, encoding="utf-8")
        server.start()
        token = api.token()
        extlist = api.call("extensionlist/query", None, token)["extlist"]
        names = {e["extnumber"]: e["username"] for e in extlist}
        # 1001 keeps the API's change; 1002, untouched by the API, follows the file.
        assert (names["1001"], names["1002"]) == ("Ana API", "Ben Edited")


@pytest.mark.slow
def test_memory_store_forgets_changes_on_restart() -> None:
    with ServerProcess(store="memory://") as server:
        api = Api(server.url)
        token = api.token()
        body = {"extid": "1001", "username": "Ana API"}
        assert api.call("extension/update", body, token)["status"] == "Success"
        server.restart()
        ext = api.call("extension/query", {"extid": "1001"}, api.token())["extinfos"][0]
        assert ext["username"] == "Ana Lopez"


@pytest.mark.slow
def test_two_servers_on_one_store_share_the_configuration(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'state.db'}"
    with ServerProcess(store=store) as first, ServerProcess(store=store) as second:
        a, b = Api(first.url), Api(second.url)
        token_a, token_b = a.token(), b.token()
        body = {"extid": "1001", "username": "Ana Shared"}
        assert a.call("extension/update", body, token_a)["status"] == "Success"
        assert (
            b.call("extension/query", {"extid": "1001"}, token_b)["extinfos"][0]["username"]
            == "Ana Shared"
        )
        trunk = {"trunkname": "peer-b", "trunktype": "peer", "host": "h.example",
                 "port": "5060", "domain": "h.example"}  # fmt: skip
        assert b.call("siptrunk/add", trunk, token_b)["status"] == "Success"
        # The first server's next change is made on top of the second's.
        assert a.call("siptrunk/add", {**trunk, "trunkname": "peer-a"}, token_a)["status"] == (
            "Success"
        )
        for api, token in ((a, token_a), (b, token_b)):
            trunks = api.call("siptrunk/query", {"trunkname": "peer-a,peer-b"}, token)["trunks"]
            assert [(t["trunkname"], t["id"]) for t in trunks] == [("peer-a", "6"), ("peer-b", "5")]
            ext = api.call("extension/query", {"extid": "1001"}, token)["extinfos"][0]
            assert ext["username"] == "Ana Shared"
