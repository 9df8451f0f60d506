"""deviceinfo/query beside the configuration, apply's rate rule, and the OpenAPI description."""

from __future__ import annotations

import httpx

from tests.support.helpers import Api, Sim, failed
from yspbx.pbx.simulated.config import APPLY_INTERVAL

CONFIG_ENDPOINTS = [
    "apply",
    "extensionlist/query",
    "extension/query",
    "extension/update",
    "trunklist/query",
    "siptrunk/query",
    "siptrunk/add",
    "siptrunk/update",
    "siptrunk/delete",
    "inroute/query",
    "inroute/add",
    "inroute/update",
    "inroute/delete",
    "outroute/query",
    "outroute/add",
    "outroute/update",
    "outroute/delete",
    "ivr/query",
    "ivr/update",
    "queue/query",
    "queue/update",
    "queuestatus/query",
    "queue/add_dynamicagent",
    "queue/del_dynamicagent",
    "queue/pause_agent",
    "queue/unpause_agent",
    "paginggrouplist/query",
    "paginggroup/query",
    "paginggroup/add",
    "paginggroup/update",
    "paginggroup/delete",
]


def test_deviceinfo_counts_registered_extensions(api: Api, sim: Sim, token: str) -> None:
    info = api.call("deviceinfo/query", None, token)["deviceinfo"]
    # The default PBX has 12 extensions, 1007 unregistered, on an S100 (100 extensions).
    assert info["extensionstatus"] == "11/100"
    sim.post("/extensions/1001/unregister")
    info = api.call("deviceinfo/query", None, token)["deviceinfo"]
    assert info["extensionstatus"] == "10/100"


def test_apply_succeeds_then_refuses_until_the_interval_passed(
    api: Api, sim: Sim, token: str
) -> None:
    assert api.call("apply", None, token) == {"status": "Success"}
    assert api.call("apply", {}, token) == failed("10025")
    sim.advance(APPLY_INTERVAL - 1)
    assert api.call("apply", None, token) == failed("10025")
    sim.advance(1)
    assert api.call("apply", None, token) == {"status": "Success"}
    assert api.call("apply", None, token) == failed("10025")


def test_reset_forgets_the_last_apply(api: Api, sim: Sim, token: str) -> None:
    assert api.call("apply", None, token)["status"] == "Success"
    sim.reset()
    assert api.call("apply", None, api.token())["status"] == "Success"


def test_openapi_describes_every_configuration_endpoint(server_url: str) -> None:
    spec = httpx.get(server_url + "/openapi.json").json()
    for path in CONFIG_ENDPOINTS:
        operation = spec["paths"][f"/api/v1.1.0/{path}"]["post"]
        success = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert success["oneOf"][0]["properties"]["status"] == {"const": "Success"}
        assert operation["summary"]
    update = spec["paths"]["/api/v1.1.0/extension/update"]["post"]
    body = update["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["extid"]
    assert body["properties"]["ringtimeout"]["enum"] == ["15", "30", "60", "120", "300"]
    assert body["properties"]["dnd"]["enum"] == ["on", "off"]
    query = spec["paths"]["/api/v1.1.0/extension/query"]["post"]
    answer = query["responses"]["200"]["content"]["application/json"]["schema"]["oneOf"][0]
    item = answer["properties"]["extinfos"]["items"]
    assert "moblie" in item["required"]
    assert item["additionalProperties"] is False
