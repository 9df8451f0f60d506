"""extensionlist/query, extension/query, extension/update (docs/pbx-api/system-extensions.md)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.support.helpers import Api, Sim, failed

# The vendor's extension/query example, key for key (its values describe another PBX).
QUERY_EXAMPLE_KEYS = [
    "extnumber", "username", "status", "type", "callerid", "registername",
    "registerpassword", "maxregistrations", "loginpassword", "email", "moblie", "language",
    "hasvoicemail", "enablevmtoemail", "vmsecret", "alwaysforward", "noanswerforward",
    "ntransferto", "ntransferprefix", "busyforward", "btransferto", "btransferprefix",
    "ringsimultaneous", "mobileprefix", "enablemobile", "allowbeingmonitored", "monitormode",
    "ringtimeout", "maxduration", "dnd", "callrestriction", "agentid",
]  # fmt: skip


def query(api: Api, token: str, extid: str | None = None) -> dict[str, Any]:
    return api.call("extension/query", {"extid": extid} if extid else None, token)


def info(api: Api, token: str, number: str) -> dict[str, str]:
    answer = query(api, token, number)
    assert answer["status"] == "Success", answer
    result: dict[str, str] = answer["extinfos"][0]
    return result


def test_extension_list_has_the_documented_shape(api: Api, token: str) -> None:
    answer = api.call("extensionlist/query", None, token)
    assert answer["status"] == "Success"
    extlist = {item["extnumber"]: item for item in answer["extlist"]}
    assert list(extlist) == [str(n) for n in range(1000, 1012)]
    assert extlist["1001"] == {
        "extnumber": "1001",
        "username": "Ana Lopez",
        "status": "Registered",
        "type": "SIP",
        "agentid": "11",
    }
    assert extlist["1007"]["status"] == "Unavailable"
    assert extlist["1008"] == {
        "extnumber": "1008",
        "username": "Lobby Phone",
        "status": "Idle",
        "type": "FXS",
        "port": "Span1_Port1",
        "agentid": "",
    }
    assert all(isinstance(v, str) for item in answer["extlist"] for v in item.values())


def test_extension_query_matches_the_documented_example(api: Api, token: str) -> None:
    answer = query(api, token, "1001")
    assert answer["status"] == "Success"
    [ext] = answer["extinfos"]
    assert list(ext) == QUERY_EXAMPLE_KEYS
    assert ext["moblie"] == "0611223344"
    assert ext["loginpassword"] == hashlib.md5(b"analopez1001").hexdigest()
    assert ext["registerpassword"] == "Xy7pQ2rT1001"
    assert ext["maxregistrations"] == "1"
    assert ext["hasvoicemail"] == "on"
    assert ext["monitormode"] == "Listen"
    assert ext["ringtimeout"] == "30"
    assert all(isinstance(v, str) for v in ext.values())


def test_extension_query_shows_only_the_forward_fields_that_apply(api: Api, token: str) -> None:
    always = info(api, token, "1005")
    assert always["alwaysforward"] == "on"
    assert always["atransferto"] == "Extension"
    assert always["atransferext"] == "1001"
    assert "atransfernum" not in always
    mobile = info(api, token, "1011")
    assert (mobile["ntransferto"], mobile["ntransferprefix"]) == ("Mobile Number", "0")
    assert "ntransferext" not in mobile
    analog = info(api, token, "1008")
    assert analog["port"] == "Span1_Port1"
    assert analog["hasvoicemail"] == "off"


@pytest.mark.parametrize("extid", [None, "", "all"])
def test_extension_query_without_a_number_answers_all(
    api: Api, token: str, extid: str | None
) -> None:
    answer = api.call("extension/query", {} if extid is None else {"extid": extid}, token)
    assert [e["extnumber"] for e in answer["extinfos"]] == [str(n) for n in range(1000, 1012)]


def test_extension_query_several_numbers_in_the_order_asked(api: Api, token: str) -> None:
    answer = query(api, token, "1008, 1001,1008")
    assert [e["extnumber"] for e in answer["extinfos"]] == ["1008", "1001"]


@pytest.mark.parametrize("extid", ["9999", "1001,9999", "abc"])
def test_extension_query_unknown_is_10006(api: Api, token: str, extid: str) -> None:
    assert query(api, token, extid) == failed("10006")


def test_extension_update_example_then_query_shows_it(api: Api, token: str) -> None:
    body = {"extid": "1001", "username": "Ana Lopez", "dnd": "on"}
    assert api.call("extension/update", body, token) == {"status": "Success"}
    ext = info(api, token, "1001")
    assert (ext["username"], ext["dnd"]) == ("Ana Lopez", "on")


def test_extension_update_round_trip_of_many_fields(api: Api, token: str) -> None:
    changes = {
        "username": "Ana Maria",
        "callerid": "5550001",
        "registername": "ana1001",
        "registerpassword": "N3wPass",
        "maxregistrations": "5",
        "loginpassword": "longer-secret",
        "email": "ana.maria@example.com",
        "mobile": "0622334455",
        "hasvoicemail": "off",
        "vmsecret": "4321",
        "enablevmtoemail": "on",
        "alwaysforward": "on",
        "atransferto": "Custom Number",
        "atransferprefix": "9",
        "atransfernum": "0698000000",
        "busyforward": "off",
        "enablemobile": "on",
        "ringsimultaneous": "on",
        "mobileprefix": "0",
        "allowbeingmonitored": "off",
        "monitormode": "Barge-in",
        "ringtimeout": "120",
        "maxduration": "600",
        "callrestriction": "on",
        "agentid": "77",
    }
    assert api.call("extension/update", {"extid": "1001", **changes}, token)["status"] == "Success"
    ext = info(api, token, "1001")
    expected = {k: v for k, v in changes.items() if k not in ("mobile", "loginpassword")}
    assert {k: ext[k] for k in expected} == expected
    assert ext["moblie"] == "0622334455"
    assert ext["loginpassword"] == hashlib.md5(b"longer-secret").hexdigest()
    assert "btransferto" not in ext
    # Numbers sent as JSON numbers are read as their digits.
    assert api.call("extension/update", {"extid": 1001, "ringtimeout": 60}, token)["status"] == (
        "Success"
    )
    assert info(api, token, "1001")["ringtimeout"] == "60"


def test_extension_update_reads_the_query_spelling_moblie(api: Api, token: str) -> None:
    assert api.call("extension/update", {"extid": "1002", "moblie": "0633"}, token)["status"] == (
        "Success"
    )
    assert info(api, token, "1002")["moblie"] == "0633"


@pytest.mark.parametrize(
    "changes",
    [
        {"maxregistrations": "6"},
        {"maxregistrations": "0"},
        {"maxregistrations": "two"},
        {"ringtimeout": "45"},
        {"maxduration": "100"},
        {"monitormode": "Spy"},
        {"dnd": "yes"},
        {"hasvoicemail": "ON!"},
        {"registerpassword": "has space"},
        {"registerpassword": "semi;colon"},
        {"registerpassword": ""},
        {"registername": ""},
        {"registername": "name-with-dash"},
        {"loginpassword": "short"},
        {"username": "x" * 32},
        {"username": "<script>"},
        {"callerid": "not an id"},
        {"mobile": "06-11"},
        {"vmsecret": "12a4"},
        {"mobileprefix": "12345678"},
        {"email": "not-an-address"},
        {"atransferto": "Fax"},
        {"alwaysforward": "on", "atransferto": "Custom Number", "atransfernum": ""},
        {"alwaysforward": "on", "atransferto": "Extension", "atransferext": "9999"},
        {"alwaysforward": "on", "atransferto": "Extension", "atransferext": "1001"},
        {"noanswerforward": "on", "ntransferto": "Mobile Number", "mobile": ""},
        {"enablemobile": "on", "mobile": ""},
        {"extnumber": "abc"},
        {"extnumber": "1002"},
        {"extnumber": "6200"},
        {"agentid": "A7"},
        {"username": {"first": "Ana"}},
        {"dnd": ["on"]},
    ],
)
def test_extension_update_refuses_invalid_values_with_10017(
    api: Api, token: str, changes: dict[str, Any]
) -> None:
    before = info(api, token, "1001")
    assert api.call("extension/update", {"extid": "1001", **changes}, token) == failed("10017")
    assert info(api, token, "1001") == before


def test_extension_update_changes_nothing_when_one_field_is_refused(api: Api, token: str) -> None:
    body = {"extid": "1003", "username": "Chen", "dnd": "on", "ringtimeout": "45"}
    assert api.call("extension/update", body, token) == failed("10017")
    ext = info(api, token, "1003")
    assert (ext["username"], ext["dnd"], ext["ringtimeout"]) == ("Chen Wei", "off", "60")


def test_extension_update_unknown_or_missing_extension(api: Api, token: str) -> None:
    assert api.call("extension/update", {"extid": "9999", "dnd": "on"}, token) == failed("10006")
    assert api.call("extension/update", {"dnd": "on"}, token) == failed("10004")
    assert api.call("extension/update", {"extid": ""}, token) == failed("10004")


def test_renumbering_an_extension_moves_every_reference(api: Api, sim: Sim, token: str) -> None:
    assert (
        api.call(
            "queue/add_dynamicagent",
            {"queueid": "6700", "extid": "1003", "password": "1234"},
            token,
        )["status"]
        == "Success"
    )
    assert api.call("queue/pause_agent", {"queueid": "6700", "extid": "1003"}, token)["status"] == (
        "Success"
    )
    for old, new in (("1001", "1101"), ("1003", "1103")):
        assert api.call("extension/update", {"extid": old, "extnumber": new}, token)["status"] == (
            "Success"
        )
        assert query(api, token, old) == failed("10006")
    assert info(api, token, "1101")["username"] == "Ana Lopez"
    numbers = [e["extnumber"] for e in api.call("extensionlist/query", None, token)["extlist"]]
    assert numbers == sorted(numbers, key=int)
    assert "1101" in numbers
    queue = api.call("queue/query", {"queueid": "6700"}, token)["queues"][0]
    assert (queue["agents"], queue["dynamicagents"]) == ("1101,1002,", "1103")
    status = api.call("queuestatus/query", {"queueid": "6700"}, token)["queues"][0]
    members = status["queuestatus"][0]["members"]
    assert {"agent": "1103", "agentstatus": "9"} in members
    assert info(api, token, "1005")["atransferext"] == "1101"
    outroute = api.call("outroute/query", {"name": "External"}, token)["outroutes"][0]
    assert "1101" in outroute["extensions"].split(",")
    paging = api.call("paginggroup/query", {"number": "6400"}, token)["paginggroup"][0]
    assert paging["allowexten"] == "1000,1101,1002"
    # The phone stays registered under its new number.
    assert {"number": "1101", "status": "Registered"} in sim.get("/state")["extensions"]
