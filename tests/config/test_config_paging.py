"""paginggrouplist/query and paginggroup/* (docs/pbx-api/ivrs-queues-paging.md)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.helpers import Api, failed

ADD_EXAMPLE = {
    "number": "6401",
    "name": "Workshop",
    "duplex": "intercom",
    "allowexten": "1001,1002",
    "allowextengroup": "",
    "enablekeyhanup": "no",
}


def groups(api: Api, token: str, numbers: str = "all") -> list[dict[str, str]]:
    answer = api.call("paginggroup/query", {"number": numbers}, token)
    assert answer["status"] == "Success", answer
    result: list[dict[str, str]] = answer["paginggroup"]
    return result


def test_paging_group_list_matches_the_documented_example(api: Api, token: str) -> None:
    assert api.call("paginggrouplist/query", None, token) == {
        "status": "Success",
        "paginggrouplist": [{"id": "1", "number": "6400", "name": "Floor-1"}],
    }


def test_paging_group_query(api: Api, token: str) -> None:
    assert groups(api, token) == [
        {"id": "1", "number": "6400", "name": "Floor-1", "duplex": "paging",
         "allowexten": "1000,1001,1002", "allowextengroup": "", "enablekeyhanup": "no"}
    ]  # fmt: skip
    assert groups(api, token, "6400") == groups(api, token)


@pytest.mark.parametrize("numbers", ["6401", "6400,6401"])
def test_paging_group_query_unknown_is_10011(api: Api, token: str, numbers: str) -> None:
    assert api.call("paginggroup/query", {"number": numbers}, token) == failed("10011")


def test_add_the_documented_example_then_delete_it(api: Api, token: str) -> None:
    assert api.call("paginggroup/add", ADD_EXAMPLE, token) == {"status": "Success"}
    assert groups(api, token, "6401") == [{"id": "2", **ADD_EXAMPLE}]
    listed = api.call("paginggrouplist/query", None, token)["paginggrouplist"]
    assert {"id": "2", "number": "6401", "name": "Workshop"} in listed
    assert api.call("paginggroup/delete", {"number": "6401"}, token) == {"status": "Success"}
    assert api.call("paginggroup/query", {"number": "6401"}, token) == failed("10011")


def test_add_a_multicast_group_and_a_group_of_groups(api: Api, token: str) -> None:
    multicast = {"number": "6402", "name": "Yard", "duplex": "multicast",
                 "multicastip": "224.0.1.75:10000", "enablekeyhanup": "yes"}  # fmt: skip
    assert api.call("paginggroup/add", multicast, token)["status"] == "Success"
    [shown] = groups(api, token, "6402")
    assert (shown["multicastip"], shown["enablekeyhanup"]) == ("224.0.1.75:10000", "yes")
    by_group = {**ADD_EXAMPLE, "allowexten": "", "allowextengroup": "Sales,Support"}
    assert api.call("paginggroup/add", by_group, token)["status"] == "Success"
    assert groups(api, token, "6401")[0]["allowextengroup"] == "Sales,Support"


@pytest.mark.parametrize(
    ("changes", "errno"),
    [
        ({"number": "1000"}, "10004"),
        ({"number": "6400"}, "10004"),
        ({"number": "64a1"}, "10004"),
        ({"name": "has space"}, "10004"),
        ({"duplex": "radio"}, "10004"),
        ({"enablekeyhanup": "maybe"}, "10004"),
        ({"allowexten": "", "allowextengroup": ""}, "10004"),
        ({"allowextengroup": "Nobody"}, "10004"),
        ({"allowexten": "1001,9999"}, "10006"),
        ({"duplex": "multicast"}, "10004"),
        ({"duplex": "multicast", "multicastip": "10.0.0.1"}, "10004"),
        ({"duplex": "multicast", "multicastip": "224.0.1.75:99999"}, "10004"),
        ({"name": ""}, "10004"),
    ],
)
def test_add_refusals(api: Api, token: str, changes: dict[str, str], errno: str) -> None:
    assert api.call("paginggroup/add", {**ADD_EXAMPLE, **changes}, token) == failed(errno)
    assert len(groups(api, token)) == 1


def test_update_by_id_then_query_shows_it(api: Api, token: str) -> None:
    body = {"id": "1", "number": "6410", "name": "Floor-2", "duplex": "intercom",
            "allowexten": "1003,1004", "enablekeyhanup": "yes"}  # fmt: skip
    assert api.call("paginggroup/update", body, token) == {"status": "Success"}
    assert groups(api, token) == [
        {"id": "1", "number": "6410", "name": "Floor-2", "duplex": "intercom",
         "allowexten": "1003,1004", "allowextengroup": "", "enablekeyhanup": "yes"}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "errno"),
    [
        ({"id": "7", "name": "x"}, "10011"),
        ({"id": "one"}, "10011"),
        ({"name": "x"}, "10004"),
        ({"id": "1", "duplex": "multicast"}, "10004"),
        ({"id": "1", "allowexten": "9999"}, "10006"),
        ({"id": "1", "enablekeyhanup": "on"}, "10004"),
    ],
)
def test_update_refusals(api: Api, token: str, body: dict[str, Any], errno: str) -> None:
    before = groups(api, token)
    assert api.call("paginggroup/update", body, token) == failed(errno)
    assert groups(api, token) == before


def test_delete_all_and_unknown(api: Api, token: str) -> None:
    assert api.call("paginggroup/add", ADD_EXAMPLE, token)["status"] == "Success"
    assert api.call("paginggroup/delete", {"number": "6400,6499"}, token) == failed("10011")
    assert len(groups(api, token)) == 2
    assert api.call("paginggroup/delete", {"number": "all"}, token) == {"status": "Success"}
    assert api.call("paginggrouplist/query", None, token) == {
        "status": "Success",
        "paginggrouplist": [],
    }
