"""trunklist/query and siptrunk/query|add|update|delete (docs/pbx-api/trunks-routes.md)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.helpers import Api, failed

PEER_EXAMPLE = {
    "trunkname": "peer-office",
    "trunktype": "peer",
    "host": "203.0.113.9",
    "port": "5060",
    "domain": "203.0.113.9",
}
REGISTER = {
    "trunkname": "ITSP-2",
    "trunktype": "register",
    "host": "sip.itsp.example",
    "port": "5060",
    "domain": "sip.itsp.example",
    "username": "4420001",
    "authname": "4420001",
    "password": "s3cret",
}


def sip_trunks(api: Api, token: str, names: str = "all") -> list[dict[str, str]]:
    answer = api.call("siptrunk/query", {"trunkname": names}, token)
    assert answer["status"] == "Success", answer
    trunks: list[dict[str, str]] = answer["trunks"]
    return trunks


def trunk_names(api: Api, token: str) -> list[str]:
    return [t["trunkname"] for t in api.call("trunklist/query", None, token)["trunklist"]]


def test_trunk_list_has_the_documented_shape_and_the_units_words(api: Api, token: str) -> None:
    """The shape of the vendor's example; the status words as units write them (lower case,
    as a real S300 answers ``"status":"registered"``; docs/fidelity.md)."""
    answer = api.call("trunklist/query", None, token)
    assert answer == {
        "status": "Success",
        "trunklist": [
            {"trunkname": "SIP-Carrier", "status": "registered", "type": "SIP"},
            {"trunkname": "SIP-Screened", "status": "registered", "type": "SIP"},
            {"trunkname": "SIP-Directed", "status": "registered", "type": "SIP"},
            {"trunkname": "GSM1", "status": "idle", "type": "GSM", "port": "Span2-Port1"},
        ],
    }


def test_sip_trunk_query_all_matches_the_documented_example(api: Api, token: str) -> None:
    carrier, peer, account = sip_trunks(api, token)
    assert carrier == {
        "id": "1",
        "trunkname": "SIP-Carrier",
        "trunktype": "register",
        "host": "sip.example.net",
        "port": "5060",
        "domain": "sip.example.net",
        "username": "5503301",
        "authname": "5503301",
        "fromuser": "",
        "password": "carrier-secret",
        "extensionsdod": "5503301-main-1000",
        "extensionsgroupdod": "",
    }
    # Each type shows the connection fields that apply to it.
    assert set(peer) == {"id", "trunkname", "trunktype", "host", "port", "domain",
                         "extensionsdod", "extensionsgroupdod"}  # fmt: skip
    assert set(account) == {"id", "trunkname", "trunktype", "username", "authname", "password",
                            "extensionsdod", "extensionsgroupdod"}  # fmt: skip


def test_sip_trunk_query_by_names(api: Api, token: str) -> None:
    names = [t["trunkname"] for t in sip_trunks(api, token, "SIP-Directed,SIP-Carrier")]
    assert names == ["SIP-Directed", "SIP-Carrier"]


@pytest.mark.parametrize("names", ["Nowhere", "SIP-Carrier,Nowhere", "GSM1"])
def test_sip_trunk_query_unknown_is_10062(api: Api, token: str, names: str) -> None:
    assert api.call("siptrunk/query", {"trunkname": names}, token) == failed("10062")


def test_sip_trunk_query_needs_a_name(api: Api, token: str) -> None:
    assert api.call("siptrunk/query", {}, token) == failed("10004")


def test_add_the_documented_peer_then_delete_it(api: Api, token: str) -> None:
    assert api.call("siptrunk/add", PEER_EXAMPLE, token) == {"status": "Success"}
    [added] = sip_trunks(api, token, "peer-office")
    assert added == {
        "id": "5",
        "trunkname": "peer-office",
        "trunktype": "peer",
        "host": "203.0.113.9",
        "port": "5060",
        "domain": "203.0.113.9",
        "extensionsdod": "",
        "extensionsgroupdod": "",
    }
    assert "peer-office" in trunk_names(api, token)
    assert api.call("siptrunk/delete", {"trunkname": "peer-office"}, token) == {"status": "Success"}
    assert "peer-office" not in trunk_names(api, token)
    # Ids are never handed out twice.
    assert api.call("siptrunk/add", PEER_EXAMPLE, token)["status"] == "Success"
    assert sip_trunks(api, token, "peer-office")[0]["id"] == "6"


def test_add_a_register_trunk_with_dods(api: Api, token: str) -> None:
    body = {**REGISTER, "extensionsdod": "4420001-desk-1001,4420002-lab-1002",
            "extensionsgroupdod": "4420009-sales-Sales", "fromuser": "4420001"}  # fmt: skip
    assert api.call("siptrunk/add", body, token)["status"] == "Success"
    [trunk] = sip_trunks(api, token, "ITSP-2")
    assert trunk["extensionsdod"] == "4420001-desk-1001,4420002-lab-1002"
    assert trunk["extensionsgroupdod"] == "4420009-sales-Sales"
    assert trunk["fromuser"] == "4420001"


@pytest.mark.parametrize(
    ("changes", "errno"),
    [
        ({"trunkname": "has space"}, "10042"),
        ({"trunkname": "x" * 32}, "10042"),
        ({"trunkname": "all"}, "10042"),
        ({"trunkname": "SIP-Carrier"}, "10043"),
        ({"trunktype": "friend"}, "10044"),
        ({"host": ""}, "10045"),
        ({"host": "bad host"}, "10045"),
        ({"port": "70000"}, "10046"),
        ({"port": "sip"}, "10046"),
        ({"domain": "bad..domain"}, "10047"),
        ({"username": ""}, "10048"),
        ({"username": "has space"}, "10048"),
        ({"authname": "a'b"}, "10050"),
        ({"fromuser": "a<b"}, "10051"),
        ({"password": 'quo"te'}, "10052"),
        ({"password": ""}, "10052"),
        ({"extensionsdod": "4420001-desk-9999"}, "10053"),
        ({"extensionsgroupdod": "4420001-desk-Nobody"}, "10054"),
        ({"extensionsdod": "44a0001-desk-1001"}, "10055"),
        ({"extensionsdod": "1" * 33 + "-desk-1001"}, "10056"),
        ({"extensionsdod": "4420001-de$k-1001"}, "10057"),
        ({"extensionsdod": "4420001-" + "d" * 32 + "-1001"}, "10058"),
        ({"extensionsdod": "4420001"}, "10059"),
    ],
)
def test_add_refuses_invalid_values(
    api: Api, token: str, changes: dict[str, str], errno: str
) -> None:
    assert api.call("siptrunk/add", {**REGISTER, **changes}, token) == failed(errno)
    assert "ITSP-2" not in trunk_names(api, token)


def test_account_trunk_user_names_are_unique(api: Api, token: str) -> None:
    body = {"trunkname": "office-c", "trunktype": "account", "username": "office-b",
            "authname": "office-b", "password": "x"}  # fmt: skip
    assert api.call("siptrunk/add", body, token) == failed("10049")
    assert api.call("siptrunk/add", {**body, "username": "office-c"}, token)["status"] == "Success"


def test_add_requires_name_and_type(api: Api, token: str) -> None:
    for missing in ("trunkname", "trunktype"):
        body = {k: v for k, v in PEER_EXAMPLE.items() if k != missing}
        assert api.call("siptrunk/add", body, token) == failed("10004")


def test_sip_trunk_limit_is_10060(api: Api, token: str) -> None:
    # The S100 takes 30 SIP trunks; the default PBX has 3.
    for index in range(27):
        body = {**PEER_EXAMPLE, "trunkname": f"peer-{index}"}
        assert api.call("siptrunk/add", body, token)["status"] == "Success"
    assert api.call("siptrunk/add", {**PEER_EXAMPLE, "trunkname": "one-too-many"}, token) == (
        failed("10060")
    )


def test_update_by_id_then_query_shows_it(api: Api, token: str) -> None:
    body = {"id": "1", "trunktype": "register", "password": "n3w-secret", "fromuser": "5503301",
            "port": "5080"}  # fmt: skip
    assert api.call("siptrunk/update", body, token) == {"status": "Success"}
    [carrier] = sip_trunks(api, token, "SIP-Carrier")
    assert (carrier["password"], carrier["fromuser"], carrier["port"]) == (
        "n3w-secret",
        "5503301",
        "5080",
    )


def test_update_can_change_the_type(api: Api, token: str) -> None:
    # A peer trunk turned into a register trunk needs an account.
    assert api.call("siptrunk/update", {"id": "2", "trunktype": "register"}, token) == (
        failed("10048")
    )
    body = {"id": "2", "trunktype": "register", "username": "u1", "authname": "u1",
            "password": "p1"}  # fmt: skip
    assert api.call("siptrunk/update", body, token)["status"] == "Success"
    [trunk] = sip_trunks(api, token, "SIP-Screened")
    assert (trunk["trunktype"], trunk["username"], trunk["host"]) == (
        "register",
        "u1",
        "203.0.113.10",
    )


def test_renaming_a_trunk_moves_it_in_every_route(api: Api, token: str) -> None:
    body = {"id": "1", "trunktype": "register", "trunkname": "Carrier-A"}
    assert api.call("siptrunk/update", body, token)["status"] == "Success"
    assert trunk_names(api, token)[0] == "Carrier-A"
    inroute = api.call("inroute/query", {"name": "Main-IVR"}, token)["inroutes"][0]
    assert inroute["trunks"] == "Carrier-A"
    outroute = api.call("outroute/query", {"name": "External"}, token)["outroutes"][0]
    assert outroute["trunks"] == "Carrier-A"


@pytest.mark.parametrize(
    ("body", "errno"),
    [
        ({"id": "99", "trunktype": "peer", "password": "x"}, "10062"),
        ({"id": "4", "trunktype": "peer", "password": "x"}, "10062"),  # GSM1 is no SIP trunk
        ({"id": "abc", "trunktype": "peer"}, "10062"),
        ({"trunktype": "register", "password": "x"}, "10004"),
        ({"id": "1", "password": "x"}, "10004"),  # every edit names the type (docs/pbx-api/)
        ({"id": "1", "trunktype": "", "password": "x"}, "10004"),
        ({"id": "1", "trunktype": "register", "port": "0"}, "10046"),
        ({"id": "1", "trunktype": "register", "trunkname": "SIP-Directed"}, "10043"),
        ({"id": "1", "trunktype": "register", "host": ""}, "10045"),
    ],
)
def test_update_refusals(api: Api, token: str, body: dict[str, Any], errno: str) -> None:
    before = sip_trunks(api, token)
    assert api.call("siptrunk/update", body, token) == failed(errno)
    assert sip_trunks(api, token) == before


def test_delete_detaches_the_trunk_from_routes(api: Api, token: str) -> None:
    assert api.call("siptrunk/delete", {"trunkname": "SIP-Screened,SIP-Directed"}, token) == {
        "status": "Success"
    }
    assert trunk_names(api, token) == ["SIP-Carrier", "GSM1"]
    default = api.call("inroute/query", {"name": "Default"}, token)["inroutes"][0]
    assert default["trunks"] == "SIP-Carrier,GSM1"


def test_delete_all_keeps_the_hardware_trunks(api: Api, token: str) -> None:
    assert api.call("siptrunk/delete", {"trunkname": "all"}, token)["status"] == "Success"
    assert trunk_names(api, token) == ["GSM1"]
    assert api.call("siptrunk/query", {"trunkname": "all"}, token) == {
        "status": "Success",
        "trunks": [],
    }


@pytest.mark.parametrize("names", ["Nowhere", "SIP-Carrier,Nowhere", "GSM1"])
def test_delete_unknown_is_10062_and_deletes_nothing(api: Api, token: str, names: str) -> None:
    assert api.call("siptrunk/delete", {"trunkname": names}, token) == failed("10062")
    assert trunk_names(api, token) == ["SIP-Carrier", "SIP-Screened", "SIP-Directed", "GSM1"]
