"""The SDK's call, recording and CDR models and the server's declarations (docs/pbx-api/calls.md,
files.md) name the same wire fields: every key the server answers has a model field, every
field the server reads the SDK can send, and every field it requires the SDK's methods send.
(``test_sdk_wire_contract.py`` does the same for the configuration.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from tests.support.sdk_cases_calls import CALL_CASES
from tests.support.wire_contract import ENDPOINTS, answered_keys, wire_names
from yspbx import api
from yspbx.client._models import calls, files

ROUTERS = (
    api.calls_query.router,
    api.calls_control.router,
    api.calls_dial.router,
    api.transfer.router,
    api.downloads.router,
)
SERVED = {endpoint.path for router in ROUTERS for endpoint in router.endpoints}

LISTS: dict[str, tuple[str, type[BaseModel]]] = {
    "inbound/query": ("inbound", calls.InboundCall),
    "outbound/query": ("outbound", calls.OutboundCall),
}
# Answers read whole, beside ``status``.
WHOLE: dict[str, type[BaseModel]] = {
    "recording/get_random": files.RecordingTicket,
    "cdr/get_random": files.CdrTicket,
}
CALLID = {
    "extension/dial_extension",
    "extension/dial_outbound",
    "outbound/dial_outbound",
    "ivr/dial_extension",
    "ivr/dial_outbound",
    "queue/dial_outbound",
    "ringgroup/dial_outbound",
    "calltransfer",
    "inbound/transfer_number",
    "outbound/transfer_number",
}
NOTHING = {
    "extension/hangup",
    "inbound/hangup",
    "outbound/hangup",
    "extension/hold",
    "extension/unhold",
    "extension/mute",
    "extension/unmute",
    "extension/listen",
    "extension/whisper",
    "extension/barge",
}
# The file links: their fields travel in the query string (tests/sdk/test_sdk_live_files.py).
FILES = {"recording/download", "cdr/download"}

REQUESTS: dict[str, type[BaseModel]] = {
    "inbound/query": calls.InboundQuery,
    "outbound/query": calls.OutboundQuery,
    "extension/hangup": calls.ExtensionRef,
    "extension/hold": calls.ExtensionRef,
    "extension/unhold": calls.ExtensionRef,
    "extension/mute": calls.ExtensionRef,
    "extension/unmute": calls.ExtensionRef,
    "inbound/hangup": calls.InboundRef,
    "outbound/hangup": calls.OutboundRef,
    "extension/listen": calls.Listen,
    "extension/whisper": calls.Whisper,
    "extension/barge": calls.Barge,
    "extension/dial_extension": calls.DialExtension,
    "extension/dial_outbound": calls.DialOutbound,
    "outbound/dial_outbound": calls.Callback,
    "ivr/dial_extension": calls.IvrDialExtension,
    "ivr/dial_outbound": calls.IvrDialOutbound,
    "queue/dial_outbound": calls.QueueDialOutbound,
    "ringgroup/dial_outbound": calls.RingGroupDialOutbound,
    "calltransfer": calls.CallTransfer,
    "inbound/transfer_number": calls.InboundTransfer,
    "outbound/transfer_number": calls.OutboundTransfer,
    "recording/get_random": files.RecordingTicketRequest,
    "cdr/get_random": files.CdrTicketRequest,
}


def test_every_served_call_endpoint_is_compared() -> None:
    assert set(LISTS) | set(WHOLE) | CALLID | NOTHING | FILES == SERVED
    assert set(REQUESTS) == SERVED - FILES


@pytest.mark.parametrize("path", sorted(LISTS))
def test_every_listed_key_has_a_model_field(path: str) -> None:
    key, model = LISTS[path]
    assert set(ENDPOINTS[path].response) == {key}
    assert answered_keys(ENDPOINTS[path], key) == wire_names(model)


@pytest.mark.parametrize("path", sorted(WHOLE))
def test_every_ticket_key_has_a_model_field(path: str) -> None:
    assert set(ENDPOINTS[path].response) == wire_names(WHOLE[path])


@pytest.mark.parametrize("path", sorted(CALLID))
def test_calls_started_or_moved_answer_their_callid(path: str) -> None:
    assert set(ENDPOINTS[path].response) == {"callid"}


@pytest.mark.parametrize("path", sorted(NOTHING))
def test_call_actions_answer_nothing_more(path: str) -> None:
    assert not ENDPOINTS[path].response


@pytest.mark.parametrize("path", sorted(REQUESTS))
def test_the_sdk_sends_what_the_server_reads(path: str) -> None:
    read = {field.name for field in ENDPOINTS[path].fields}
    assert wire_names(REQUESTS[path]) == read


@pytest.mark.parametrize(
    "name", sorted(name for name, case in CALL_CASES.items() if case.path in SERVED - FILES)
)
def test_the_sdk_always_sends_what_the_server_requires(name: str) -> None:
    """Each method's call in ``sdk_cases_calls.py`` (whose body ``test_sdk_endpoints.py``
    checks byte for byte) carries every field the server requires."""
    case = CALL_CASES[name]
    sent: dict[str, Any] = case.sent or {}
    assert set(ENDPOINTS[case.path].required) <= set(sent)


def test_each_served_endpoint_has_a_case() -> None:
    assert {case.path for case in CALL_CASES.values()} >= SERVED


def test_the_docs_name_every_answer_field_with_its_wire_name() -> None:
    text = (Path(__file__).parents[2] / "docs" / "sdk.md").read_text(encoding="utf-8")
    section = text.split("### What the call methods answer", 1)[1].split("\n##", 1)[0]
    rows = {line.split("`")[1]: line for line in section.splitlines() if line.startswith("| `")}
    models: list[type[BaseModel]] = [
        calls.InboundCall,
        calls.CallParty,
        calls.OutboundCall,
        *WHOLE.values(),
    ]
    assert set(rows) == {model.__name__ for model in models}
    for model in models:
        row = rows[model.__name__]
        for name, info in model.model_fields.items():
            if info.alias and info.alias != name:
                assert f"`{name}` (`{info.alias}`)" in row, (model.__name__, name)
            else:
                assert f"`{name}`" in row, (model.__name__, name)
                assert f"`{name}` (`" not in row, (model.__name__, name)
