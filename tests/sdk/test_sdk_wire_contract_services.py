"""The SDK's call-service models and the server's declarations of call-services.md name the
same wire fields: every key the server answers has a model field, every field the server reads
the SDK can send (but the old guide's ``time`` for finding an alarm: the SDK speaks v1.1.0's
``wakeupid``), every field it requires the SDK's methods send, and every errno it declares
raises the exception ``docs/sdk.md`` promises. (``test_sdk_wire_contract*.py`` does the same
for the other areas.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from tests.support.sdk_cases_calls import CALL_CASES
from tests.support.wire_contract import ENDPOINTS, answered_keys, wire_names
from yspbx import api
from yspbx.api.hotel import _FIELDS as ALARM_FIELDS
from yspbx.client import (
    ApiError,
    BusyError,
    InvalidValueError,
    NotFoundError,
    NotPermittedError,
)
from yspbx.client._endpoint import Endpoint
from yspbx.client._exceptions import api_error
from yspbx.client._models import calls, hotel, messages
from yspbx.pbx.simulated.calls.alarm_rules import ALARM_TYPES

ROUTERS = (api.inbound_control.router, api.prompts.router, api.sms.router, api.hotel.router)
SERVED = {endpoint.path for router in ROUTERS for endpoint in router.endpoints}

# The SDK's endpoint declarations, and the one key a single-value answer is read from.
TEXT: dict[str, tuple[Endpoint[Any], str]] = {
    "extension/playprompt": (messages.PLAY_TO_EXTENSION, "callid"),
    "outbound/playprompt": (messages.PLAY_TO_NUMBER, "callid"),
    "sms/send": (messages.SMS_SEND, "smsid"),
}
NOTHING: dict[str, Endpoint[Any]] = {
    "inbound/accept": calls.INBOUND_ACCEPT,
    "inbound/refuse": calls.INBOUND_REFUSE,
    "wakeupcall/create": hotel.ALARM_CREATE,
    "wakeupcall/update": hotel.ALARM_UPDATE,
    "wakeupcall/delete": hotel.ALARM_DELETE,
    "hotel/checkout": hotel.CHECK_OUT,
}
REQUESTS: dict[str, type[BaseModel]] = {
    "inbound/accept": calls.InboundRef,
    "inbound/refuse": calls.InboundRef,
    "extension/playprompt": messages.ExtensionPrompt,
    "outbound/playprompt": messages.NumberPrompt,
    "sms/send": messages.SmsSend,
    "wakeupcall/create": hotel.AlarmCreate,
    "wakeupcall/query": hotel.AlarmQuery,
    "wakeupcall/update": hotel.AlarmUpdate,
    "wakeupcall/delete": hotel.AlarmDelete,
    "hotel/checkout": hotel.CheckOut,
}
# Fields the server reads for clients of the old guide, which the SDK does not send.
OLD_GUIDE = {"wakeupcall/update": {"time"}, "wakeupcall/delete": {"time"}}

# What each errno the server declares raises (the live tests provoke each one).
RAISES: dict[str, dict[str, type[ApiError]]] = {
    "inbound/accept": {"10007": NotFoundError, "10016": ApiError},
    "inbound/refuse": {"10007": NotFoundError, "10016": ApiError},
    "extension/playprompt": {"10006": NotFoundError, "10023": NotFoundError, "10008": BusyError},
    "outbound/playprompt": {
        "10006": NotFoundError,
        "10023": NotFoundError,
        "10024": NotPermittedError,
        "10015": NotPermittedError,  # an analog trunk: not "try later"
    },
    "sms/send": {
        "10026": NotFoundError,
        "10027": BusyError,
        "10028": InvalidValueError,
        "10029": InvalidValueError,
        "10030": InvalidValueError,
        "10031": InvalidValueError,
    },
    "wakeupcall/create": {
        "10006": NotFoundError,
        "10020": InvalidValueError,
        "10022": InvalidValueError,
    },
    "wakeupcall/query": {"10006": NotFoundError},
    "wakeupcall/update": {
        "10006": NotFoundError,
        "10020": InvalidValueError,
        "10021": NotFoundError,
        "10022": InvalidValueError,
    },
    "wakeupcall/delete": {"10006": NotFoundError, "10021": NotFoundError},
    "hotel/checkout": {"10006": NotFoundError},
}


def test_every_served_service_endpoint_is_compared() -> None:
    assert {"wakeupcall/query"} | set(TEXT) | set(NOTHING) == SERVED
    assert set(REQUESTS) == set(RAISES) == SERVED


def test_alarms_are_read_whole() -> None:
    """``{"wakeups": [{"extid", "wakeup": [<alarm>]}]}``: both levels have a field per key."""
    endpoint = ENDPOINTS["wakeupcall/query"]
    assert set(endpoint.response) == {"wakeups"}
    assert answered_keys(endpoint, "wakeups") == wire_names(hotel.ExtensionAlarms)
    rooms = endpoint.response["wakeups"]["items"]["properties"]
    assert set(rooms["wakeup"]["items"]["properties"]) == wire_names(hotel.Alarm)
    assert hotel.ALARM_QUERY.query


@pytest.mark.parametrize("path", sorted(TEXT))
def test_single_value_answers(path: str) -> None:
    sdk_endpoint, key = TEXT[path]
    assert sdk_endpoint.path == path
    assert set(ENDPOINTS[path].response) == {key}
    assert sdk_endpoint.parse({key: "1709284000.90"}) == "1709284000.90"


@pytest.mark.parametrize("path", sorted(NOTHING))
def test_actions_answer_nothing_more(path: str) -> None:
    assert NOTHING[path].path == path
    assert not ENDPOINTS[path].response
    assert not NOTHING[path].query  # never retried: it may have reached the PBX


@pytest.mark.parametrize("path", sorted(REQUESTS))
def test_the_sdk_sends_what_the_server_reads(path: str) -> None:
    read = {field.name for field in ENDPOINTS[path].fields}
    assert wire_names(REQUESTS[path]) == read - OLD_GUIDE.get(path, set())


def test_an_alarm_is_sent_with_the_fields_the_server_reads() -> None:
    """The object inside ``wakeup`` (the server reads its keys in any case; the SDK writes them
    in lower case, as the examples do), and the schedules it knows."""
    assert wire_names(hotel.AlarmSpec) == set(ALARM_FIELDS)
    assert set(get_args(hotel.AlarmSchedule)) == set(ALARM_TYPES)


@pytest.mark.parametrize("name", sorted(n for n, c in CALL_CASES.items() if c.path in SERVED))
def test_the_sdk_always_sends_what_the_server_requires(name: str) -> None:
    case = CALL_CASES[name]
    sent: dict[str, Any] = case.sent or {}
    assert set(ENDPOINTS[case.path].required) <= set(sent)
    if "wakeup" in sent:  # v1.1.0: an array of one object
        (alarm,) = sent["wakeup"]
        assert {"time", "type"} <= set(alarm)


@pytest.mark.parametrize("path", sorted(RAISES))
def test_every_declared_errno_raises_the_documented_exception(path: str) -> None:
    assert set(ENDPOINTS[path].errors) == set(RAISES[path])
    for errno, kind in RAISES[path].items():
        assert type(api_error(errno, path)) is kind, errno


def test_the_docs_name_every_answer_field_with_its_wire_name() -> None:
    text = (Path(__file__).parents[2] / "docs" / "sdk.md").read_text(encoding="utf-8")
    section = text.split("### What the service methods answer", 1)[1].split("\n##", 1)[0]
    rows = {line.split("`")[1]: line for line in section.splitlines() if line.startswith("| `")}
    models: list[type[BaseModel]] = [hotel.ExtensionAlarms, hotel.Alarm]
    assert set(rows) == {model.__name__ for model in models}
    for model in models:
        row = rows[model.__name__]
        for name, info in model.model_fields.items():
            if info.alias and info.alias != name:
                assert f"`{name}` (`{info.alias}`)" in row, (model.__name__, name)
            else:
                assert f"`{name}`" in row, (model.__name__, name)
                assert f"`{name}` (`" not in row, (model.__name__, name)
