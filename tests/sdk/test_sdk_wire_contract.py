"""The SDK's models and the server's endpoint declarations name the same wire fields
(configuration, docs/pbx-api/), so neither side can drift unnoticed: every key the server
answers with has a model field, every field the server reads the SDK can send, and the value
sets the SDK spells as ``Literal`` types are the server's."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from tests.support.sdk_cases_config import CONFIG_CASES
from tests.support.wire_contract import ENDPOINTS, answered_keys, wire_names
from yspbx import api
from yspbx.client._models import extensions, ivrs, paging, queues, routes, system, trunks

ANSWERS: dict[str, tuple[str, type[BaseModel]]] = {
    "deviceinfo/query": ("deviceinfo", system.DeviceInfo),
    "extensionlist/query": ("extlist", extensions.ExtensionSummary),
    "extension/query": ("extinfos", extensions.Extension),
    "trunklist/query": ("trunklist", trunks.Trunk),
    "siptrunk/query": ("trunks", trunks.SipTrunk),
    "inroute/query": ("inroutes", routes.InboundRoute),
    "outroute/query": ("outroutes", routes.OutboundRoute),
    "ivr/query": ("ivr", ivrs.Ivr),
    "queue/query": ("queues", queues.Queue),
    "paginggrouplist/query": ("paginggrouplist", paging.PagingGroupSummary),
    "paginggroup/query": ("paginggroup", paging.PagingGroup),
}

REQUESTS: dict[str, type[BaseModel]] = {
    "extension/query": extensions.ExtensionQuery,
    "extension/update": extensions.ExtensionUpdate,
    "siptrunk/query": trunks.SipTrunkQuery,
    "siptrunk/add": trunks.SipTrunkAdd,
    "siptrunk/update": trunks.SipTrunkUpdate,
    "siptrunk/delete": trunks.SipTrunkDelete,
    "inroute/query": routes.RouteNames,
    "inroute/add": routes.InboundRouteFields,
    "inroute/update": routes.InboundRouteFields,
    "inroute/delete": routes.RouteNames,
    "outroute/query": routes.RouteNames,
    "outroute/add": routes.OutboundRouteFields,
    "outroute/update": routes.OutboundRouteFields,
    "outroute/delete": routes.RouteNames,
    "ivr/query": ivrs.IvrQuery,
    "ivr/update": ivrs.IvrUpdate,
    "queue/query": queues.QueueQuery,
    "queue/update": queues.QueueUpdate,
    "queuestatus/query": queues.QueueStatusQuery,
    "queue/add_dynamicagent": queues.QueueAgent,
    "queue/del_dynamicagent": queues.QueueAgent,
    "queue/pause_agent": queues.QueueAgent,
    "queue/unpause_agent": queues.QueueAgent,
    "paginggroup/query": paging.PagingGroupNumbers,
    "paginggroup/add": paging.PagingGroupFields,
    "paginggroup/update": paging.PagingGroupFields,
    "paginggroup/delete": paging.PagingGroupNumbers,
}

# Fields a shared request model has that one of its endpoints does not take; the SDK's
# methods never send them there (``id`` on add: the PBX assigns it; no password to pause).
NOT_SENT = {
    "inroute/add": {"id"},
    "outroute/add": {"id"},
    "paginggroup/add": {"id"},
    "queue/pause_agent": {"password"},
    "queue/unpause_agent": {"password"},
}
# Spellings the server reads besides the one the SDK sends (extension/update's ``moblie``).
ALSO_READ = {"extension/update": {"moblie"}}


@pytest.mark.parametrize("path", sorted(ANSWERS))
def test_every_answered_key_has_a_model_field(path: str) -> None:
    key, model = ANSWERS[path]
    assert answered_keys(ENDPOINTS[path], key) == wire_names(model)


def test_queue_status_is_read_whole() -> None:
    schema = ENDPOINTS["queuestatus/query"].response["queues"]["items"]
    assert set(schema["properties"]) == {"queuenumber", "queuestatus"}
    block = schema["properties"]["queuestatus"]["items"]["properties"]
    assert set(block) == {"callercount", "members"}
    assert set(block["members"]["items"]["properties"]) == wire_names(queues.QueueMember)
    assert {"queuenumber"} <= wire_names(queues.QueueStatus)


@pytest.mark.parametrize("path", sorted(REQUESTS))
def test_the_sdk_sends_what_the_server_reads(path: str) -> None:
    read = {field.name for field in ENDPOINTS[path].fields}
    sent = wire_names(REQUESTS[path]) - NOT_SENT.get(path, set())
    assert sent == read - ALSO_READ.get(path, set())


def test_every_configuration_endpoint_is_compared() -> None:
    routers = (
        api.system.router,
        api.extensions.router,
        api.trunks.router,
        api.inroutes.router,
        api.outroutes.router,
        api.ivrs.router,
        api.queues.router,
        api.paging.router,
    )
    sections = {e.path for router in routers for e in router.endpoints}
    without_fields = {"deviceinfo/query", "apply", "extensionlist/query", "trunklist/query"}
    assert sections == set(ANSWERS) | set(REQUESTS) | without_fields


@pytest.mark.parametrize(
    ("path", "wire", "literal"),
    [
        ("siptrunk/add", "trunktype", trunks.SipTrunkType),
        ("siptrunk/update", "trunktype", trunks.SipTrunkType),
        ("paginggroup/add", "duplex", paging.PagingMode),
        ("paginggroup/update", "duplex", paging.PagingMode),
    ],
)
def test_the_sdk_value_sets_are_the_servers(path: str, wire: str, literal: Any) -> None:
    (field,) = [f for f in ENDPOINTS[path].fields if f.name == wire]
    assert set(field.enum) == set(get_args(literal))


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_the_sdk_always_sends_what_the_server_requires(name: str) -> None:
    """Each method's call in ``sdk_cases_config.py`` (whose body ``test_sdk_endpoints.py``
    checks byte for byte) carries every field the server requires: the method's required
    arguments fill them."""
    case = CONFIG_CASES[name]
    assert set(ENDPOINTS[case.path].required) <= set(case.sent or {})


def _docs_rows() -> dict[str, str]:
    """docs/sdk.md's table of the configuration answers: model name -> its row."""
    text = (Path(__file__).parents[2] / "docs" / "sdk.md").read_text(encoding="utf-8")
    section = text.split("### What the configuration methods answer", 1)[1].split("\n##", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {row.split("`")[1]: row for row in rows}


def test_the_docs_name_every_answer_field_with_its_wire_name() -> None:
    rows = _docs_rows()
    models = [model for _, model in ANSWERS.values()] + [queues.QueueStatus, queues.QueueMember]
    assert set(rows) == {model.__name__ for model in models}
    for model in models:
        row = rows[model.__name__]
        for name, info in model.model_fields.items():
            if info.alias and info.alias != name:
                assert f"`{name}` (`{info.alias}`)" in row, (model.__name__, name)
            else:
                assert f"`{name}`" in row, (model.__name__, name)
                assert f"`{name}` (`" not in row, (model.__name__, name)
