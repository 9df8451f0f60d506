"""Hostile input to the call-service endpoints: every answer is the PBX's envelope with a
documented errno, never an internal error, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.calls_http import Pbx
from tests.support.helpers import Api, Sim

ENDPOINTS = (
    "inbound/accept",
    "inbound/refuse",
    "extension/playprompt",
    "outbound/playprompt",
    "sms/send",
    "wakeupcall/create",
    "wakeupcall/query",
    "wakeupcall/update",
    "wakeupcall/delete",
    "hotel/checkout",
)

ODD_VALUES: tuple[Any, ...] = (
    None,
    True,
    -1,
    1e308,
    "",
    " ",
    "all",
    "1009,",
    ",,,",
    "x" * 5000,
    "%",
    "../../etc",
    "\u0000",
    "😀",
    [],
    [{}],
    [[]],
    {"a": 1},
)
FIELDS = (
    "inboundid",
    "extid",
    "prompt",
    "outto",
    "fromext",
    "trunk",
    "phonenumber",
    "message",
    "wakeup",
    "wakeupid",
    "time",
)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_odd_values_get_an_errno(api: Api, sim: Sim, endpoint: str) -> None:
    pbx = Pbx(api, sim)
    for value in ODD_VALUES:
        for field in FIELDS:
            body = {"extid": "1009", "wakeup": [{"time": "06:00", "type": "onetime"}]}
            body[field] = value
            response = api.post(endpoint, body, pbx.token)
            assert response.status_code == 200, (endpoint, field, value)
            answer = response.json()
            assert answer.get("errno") != "30001", (endpoint, field, value, answer)
    # Whatever succeeded, nothing odd is left behind: only alarms at 06:00 for real extensions.
    for extension in pbx("wakeupcall/query").get("wakeups", []):
        assert extension["extid"] == "1009"
        assert {alarm["time"] for alarm in extension["wakeup"]} == {"06:00"}
