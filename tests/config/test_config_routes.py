"""inroute/* and outroute/* (docs/pbx-api/trunks-routes.md)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.helpers import Api, failed

INROUTE = {"name": "Sales-DID", "did": "5503304", "caller_id": "", "trunks": "SIP-Carrier",
           "desttype": "ringgroup", "dest": "6300"}  # fmt: skip
OUTROUTE_EXAMPLE = {"name": "national", "prefix": "0", "strip": "1", "prepend": "",
                    "trunks": "SIP-Carrier", "extensions": "1001,1002",
                    "extensionsgroup": "Sales"}  # fmt: skip


def inroutes(api: Api, token: str, names: str = "all") -> list[dict[str, str]]:
    answer = api.call("inroute/query", {"name": names}, token)
    assert answer["status"] == "Success", answer
    routes: list[dict[str, str]] = answer["inroutes"]
    return routes


def outroutes(api: Api, token: str, names: str = "all") -> list[dict[str, str]]:
    answer = api.call("outroute/query", {"name": names}, token)
    assert answer["status"] == "Success", answer
    routes: list[dict[str, str]] = answer["outroutes"]
    return routes


# Inbound routes.


def test_inroute_query_has_the_documented_shape(api: Api, token: str) -> None:
    routes = inroutes(api, token)
    assert [r["name"] for r in routes] == ["Main-IVR", "Support-Line", "Default"]
    assert routes[0] == {"id": "1", "name": "Main-IVR", "did": "5503302", "caller_id": "",
                         "trunks": "SIP-Carrier", "desttype": "ivr", "dest": "6200"}  # fmt: skip
    assert [r["name"] for r in inroutes(api, token, "Default,Main-IVR")] == ["Default", "Main-IVR"]


@pytest.mark.parametrize("names", ["Nowhere", "Default,Nowhere"])
def test_inroute_query_unknown_is_10072(api: Api, token: str, names: str) -> None:
    assert api.call("inroute/query", {"name": names}, token) == failed("10072")


def test_inroute_add_then_query_then_delete(api: Api, token: str) -> None:
    assert api.call("inroute/add", INROUTE, token) == {"status": "Success"}
    [route] = inroutes(api, token, "Sales-DID")
    assert route == {"id": "4", **INROUTE}
    assert api.call("inroute/delete", {"name": "Sales-DID"}, token) == {"status": "Success"}
    assert api.call("inroute/query", {"name": "Sales-DID"}, token) == failed("10072")


@pytest.mark.parametrize(
    ("desttype", "dest"),
    [("hangup", ""), ("extension", "1002"), ("voicemail", "1002"), ("ivr", "6200"),
     ("queue", "6700"), ("conference", "6500"), ("outroute", "External"), ("faxtoemail", "1000"),
     ("disa", "night-disa"), ("callback", "cb-1")],
)  # fmt: skip
def test_inroute_destination_types(api: Api, token: str, desttype: str, dest: str) -> None:
    body = {**INROUTE, "desttype": desttype, "dest": dest}
    assert api.call("inroute/add", body, token)["status"] == "Success"
    [route] = inroutes(api, token, "Sales-DID")
    assert (route["desttype"], route["dest"]) == (desttype, dest)


@pytest.mark.parametrize(
    ("changes", "errno"),
    [
        ({"name": "has space"}, "10063"),
        ({"name": "Main-IVR"}, "10064"),
        ({"did": "55a3"}, "10065"),
        ({"caller_id": "anonymous"}, "10066"),
        ({"trunks": "SIP-Carrier,Nowhere"}, "10067"),
        ({"trunks": ","}, "10067"),
        ({"desttype": "nowhere"}, "10068"),
        ({"desttype": "extension", "dest": "9999"}, "10069"),
        ({"desttype": "ivr", "dest": "6700"}, "10069"),
        ({"desttype": "extrange", "dest": "1009-1000"}, "10069"),
        ({"desttype": "extrange", "dest": "1000-1009"}, "10069"),  # one DID, ten extensions
        ({"desttype": "outroute", "dest": "Nowhere"}, "10069"),
        ({"desttype": "queue", "dest": ""}, "10004"),
        ({"trunks": ""}, "10004"),
    ],
)
def test_inroute_add_refusals(api: Api, token: str, changes: dict[str, str], errno: str) -> None:
    assert api.call("inroute/add", {**INROUTE, **changes}, token) == failed(errno)
    assert len(inroutes(api, token)) == 3


def test_inroute_limit_is_10070(api: Api, token: str) -> None:
    for index in range(97):
        body = {**INROUTE, "name": f"r{index}", "did": str(index)}
        assert api.call("inroute/add", body, token)["status"] == "Success"
    assert api.call("inroute/add", {**INROUTE, "name": "one-more"}, token) == failed("10070")


def test_inroute_update_by_id_and_by_name(api: Api, token: str) -> None:
    body = {"id": "1", "name": "Welcome-IVR", "trunks": "SIP-Carrier,GSM1", "desttype": "queue",
            "dest": "6700"}  # fmt: skip
    assert api.call("inroute/update", body, token) == {"status": "Success"}
    [route] = inroutes(api, token, "Welcome-IVR")
    assert route == {"id": "1", "name": "Welcome-IVR", "did": "5503302", "caller_id": "",
                     "trunks": "SIP-Carrier,GSM1", "desttype": "queue", "dest": "6700"}  # fmt: skip
    by_name = {"name": "Support-Line", "caller_id": "06XXXXXXXX"}
    assert api.call("inroute/update", by_name, token)["status"] == "Success"
    assert inroutes(api, token, "Support-Line")[0]["caller_id"] == "06XXXXXXXX"


@pytest.mark.parametrize(
    ("body", "errno"),
    [
        ({"id": "99", "did": "1"}, "10072"),
        ({"id": "x1"}, "10072"),
        ({"name": "Nowhere", "did": "1"}, "10072"),
        ({"did": "1"}, "10004"),
        ({"id": "1", "name": "Default"}, "10064"),
        ({"id": "1", "desttype": "ringgroup"}, "10069"),
    ],
)
def test_inroute_update_refusals(api: Api, token: str, body: dict[str, Any], errno: str) -> None:
    before = inroutes(api, token)
    assert api.call("inroute/update", body, token) == failed(errno)
    assert inroutes(api, token) == before


def test_inroute_delete_several_all_and_unknown(api: Api, token: str) -> None:
    assert api.call("inroute/delete", {"name": "Main-IVR,Nowhere"}, token) == failed("10072")
    assert len(inroutes(api, token)) == 3
    assert api.call("inroute/delete", {"name": "Main-IVR,Default"}, token)["status"] == "Success"
    assert [r["name"] for r in inroutes(api, token)] == ["Support-Line"]
    assert api.call("inroute/delete", {"name": "all"}, token)["status"] == "Success"
    assert inroutes(api, token) == []


# Outbound routes.


def test_outroute_query_has_the_documented_shape(api: Api, token: str) -> None:
    routes = outroutes(api, token)
    assert [r["name"] for r in routes] == ["External", "Mobile-GSM"]
    assert routes[1] == {"id": "2", "name": "Mobile-GSM", "prefix": "9", "strip": "1",
                         "prepend": "", "trunks": "GSM1", "extensions": "1000,1001,1002",
                         "extensionsgroup": "Support"}  # fmt: skip


def test_outroute_add_example_then_query_then_delete(api: Api, token: str) -> None:
    assert api.call("outroute/add", OUTROUTE_EXAMPLE, token) == {"status": "Success"}
    [route] = outroutes(api, token, "national")
    assert route == {"id": "3", **OUTROUTE_EXAMPLE}
    assert api.call("outroute/delete", {"name": "national"}, token) == {"status": "Success"}
    assert [r["name"] for r in outroutes(api, token)] == ["External", "Mobile-GSM"]


@pytest.mark.parametrize(
    ("changes", "errno"),
    [
        ({"name": "bad/name"}, "10073"),
        ({"name": "External"}, "10074"),
        ({"prefix": "0a"}, "10075"),
        ({"strip": "21"}, "10076"),
        ({"strip": "one"}, "10076"),
        ({"prepend": "12a"}, "10077"),
        ({"trunks": "Nowhere"}, "10078"),
        ({"extensions": "1001,9999"}, "10079"),
        ({"extensionsgroup": "Nobody"}, "10080"),
        ({"prefix": ""}, "10004"),
        ({"extensions": ""}, "10004"),
    ],
)
def test_outroute_add_refusals(api: Api, token: str, changes: dict[str, str], errno: str) -> None:
    assert api.call("outroute/add", {**OUTROUTE_EXAMPLE, **changes}, token) == failed(errno)
    assert len(outroutes(api, token)) == 2


def test_outroute_limit_is_10081(api: Api, token: str) -> None:
    for index in range(98):
        body = {**OUTROUTE_EXAMPLE, "name": f"r{index}", "prefix": f"8{index}"}
        assert api.call("outroute/add", body, token)["status"] == "Success"
    assert api.call("outroute/add", {**OUTROUTE_EXAMPLE, "name": "x"}, token) == failed("10081")


def test_outroute_update_by_id_and_by_name(api: Api, token: str) -> None:
    body = {"id": "2", "name": "Mobile", "prefix": "9", "strip": "1", "trunks": "GSM1",
            "extensions": "1000,1001,1002,1003"}  # fmt: skip
    assert api.call("outroute/update", body, token) == {"status": "Success"}
    [route] = outroutes(api, token, "Mobile")
    assert route["extensions"] == "1000,1001,1002,1003"
    assert api.call("outroute/update", {"name": "External", "prepend": "+33"}, token)["status"] == (
        "Success"
    )
    assert outroutes(api, token, "External")[0]["prepend"] == "+33"


def test_renaming_an_outroute_moves_inbound_destinations(api: Api, token: str) -> None:
    body = {**INROUTE, "desttype": "outroute", "dest": "External"}
    assert api.call("inroute/add", body, token)["status"] == "Success"
    assert api.call("outroute/update", {"id": "1", "name": "World"}, token)["status"] == "Success"
    assert inroutes(api, token, "Sales-DID")[0]["dest"] == "World"


@pytest.mark.parametrize(
    ("body", "errno"),
    [
        ({"id": "99", "prefix": "1"}, "10073"),
        ({"name": "Nowhere", "prefix": "1"}, "10073"),
        ({"id": "1", "name": "Mobile-GSM"}, "10074"),
        ({"id": "1", "strip": "-1"}, "10076"),
        ({"id": "1", "trunks": "SIP-Carrier,Nowhere"}, "10078"),
    ],
)
def test_outroute_update_refusals(api: Api, token: str, body: dict[str, Any], errno: str) -> None:
    before = outroutes(api, token)
    assert api.call("outroute/update", body, token) == failed(errno)
    assert outroutes(api, token) == before


def test_outroute_delete_all_and_unknown(api: Api, token: str) -> None:
    assert api.call("outroute/delete", {"name": "Nowhere"}, token) == failed("10073")
    assert api.call("outroute/delete", {"name": "all"}, token)["status"] == "Success"
    assert outroutes(api, token) == []
