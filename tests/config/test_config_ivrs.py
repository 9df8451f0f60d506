"""ivr/query and ivr/update (docs/pbx-api/ivrs-queues-paging.md)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.helpers import Api, failed


def ivr(api: Api, token: str, number: str = "6200") -> dict[str, str]:
    answer = api.call("ivr/query", {"ivrid": number}, token)
    assert answer["status"] == "Success", answer
    result: dict[str, str] = answer["ivr"][0]
    return result


def test_ivr_query_matches_the_documented_example(api: Api, token: str) -> None:
    answer = api.call("ivr/query", None, token)
    assert answer == {
        "status": "Success",
        "ivr": [
            {
                "ivrnumber": "6200",
                "ivrname": "Welcome",
                "prompt": "welcome",
                "promptrepeat": "3",
                "responsetimeout": "3",
                "digittimeout": "3",
                "dialext": "on",
                "dialoutboundroutes": "off",
                "dialtocheckvoicemail": "off",
            }
        ],
    }


@pytest.mark.parametrize("ivrid", ["6201", "6200,6201", "1000"])
def test_ivr_query_unknown_is_10012(api: Api, token: str, ivrid: str) -> None:
    assert api.call("ivr/query", {"ivrid": ivrid}, token) == failed("10012")


def test_ivr_update_round_trip(api: Api, token: str) -> None:
    body = {"ivrid": "6200", "ivrname": "Main-Menu", "promptrepeat": "5", "responsetimeout": "10",
            "digittimeout": "1", "dialext": "off", "dialtocheckvoicemail": "on"}  # fmt: skip
    assert api.call("ivr/update", body, token) == {"status": "Success"}
    shown = ivr(api, token)
    assert {k: shown[k] for k in body if k != "ivrid"} == {
        k: v for k, v in body.items() if k != "ivrid"
    }


def test_ivr_renumber_moves_route_destinations(api: Api, token: str) -> None:
    # The old guide's example sends only ivrid and ivrnumber.
    assert api.call("ivr/update", {"ivrid": "6200", "ivrnumber": "6201"}, token) == {
        "status": "Success"
    }
    assert api.call("ivr/query", {"ivrid": "6200"}, token) == failed("10012")
    assert ivr(api, token, "6201")["ivrname"] == "Welcome"
    route = api.call("inroute/query", {"name": "Main-IVR"}, token)["inroutes"][0]
    assert route["dest"] == "6201"


@pytest.mark.parametrize(
    "changes",
    [
        {"promptrepeat": "0"},
        {"promptrepeat": "6"},
        {"responsetimeout": "11"},
        {"digittimeout": "0"},
        {"digittimeout": "fast"},
        {"ivrname": "has space"},
        {"ivrname": "semi;colon"},
        {"ivrname": ""},
        {"dialext": "yes"},
        {"ivrnumber": "6700"},
        {"ivrnumber": "62a0"},
        {"dialtocheckvoicemail": {"on": True}},
    ],
)
def test_ivr_update_refuses_invalid_values_with_10018(
    api: Api, token: str, changes: dict[str, Any]
) -> None:
    before = ivr(api, token)
    assert api.call("ivr/update", {"ivrid": "6200", **changes}, token) == failed("10018")
    assert ivr(api, token) == before


def test_ivr_update_unknown_or_missing(api: Api, token: str) -> None:
    assert api.call("ivr/update", {"ivrid": "6299", "dialext": "on"}, token) == failed("10012")
    assert api.call("ivr/update", {"dialext": "on"}, token) == failed("10004")
