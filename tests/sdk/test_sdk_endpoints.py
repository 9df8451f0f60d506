"""Every SDK method, both twins: the request it sends and how it reads the answer.

The answers are the vendor's examples (or, where it has none, built from the field tables of
``docs/pbx-api/``), served by an injected ``httpx.MockTransport`` (cases in ``sdk_cases_*.py``).
The same methods are tested live against the real server: the session in
``test_sdk_session.py``, the configuration endpoints in ``test_sdk_live_*.py``,
and the wire names both sides use in ``test_sdk_wire_contract.py``.
"""

from __future__ import annotations

import inspect
import json

import httpx
import pytest

from tests.support.sdk_cases import CSV, RANDOM, RECORDING, TOKEN, WAV, Case
from tests.support.sdk_cases_calls import CALL_CASES
from tests.support.sdk_cases_config import CONFIG_CASES
from tests.v2.sdk_v2_cases import V2_CASES
from yspbx.client import AsyncClient, Client, RecordingTicket

CASES: dict[str, Case] = {**CONFIG_CASES, **CALL_CASES}


class FakePbx:
    """Answers ``login`` with a token and everything else from ``answers``; keeps requests."""

    def __init__(self, answers: dict[str, httpx.Response]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/api/v1.1.0/")
        if path == "login":
            return httpx.Response(200, json={"status": "Success", "token": TOKEN})
        if path == "logout":
            return httpx.Response(200, json={"status": "Success"})
        return self.answers[path]

    def sent(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == "/api/v1.1.0/" + path]


def _fake(case: Case) -> FakePbx:
    if case.content is not None:
        answer = httpx.Response(200, content=case.content, headers={"Content-Type": "audio/wav"})
    else:
        answer = httpx.Response(200, json={"status": "Success", **case.answer})
    return FakePbx({case.path: answer})


def _check_request(fake: FakePbx, case: Case) -> None:
    (request,) = fake.sent(case.path)
    assert request.method == case.method
    params = dict(request.url.params)
    assert params.pop("token") == TOKEN
    if case.method == "GET":
        assert params == case.params
        return
    assert params == {}
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    if case.sent is None:
        assert request.content == b""
    else:
        assert json.loads(request.content) == case.sent


@pytest.mark.parametrize("name", sorted(CASES))
def test_sync_method(name: str) -> None:
    case = CASES[name]
    fake = _fake(case)
    with Client(
        "http://pbx.test", username="api", password="x", transport=httpx.MockTransport(fake)
    ) as client:
        case.check(case.call(client))
    _check_request(fake, case)


@pytest.mark.parametrize("name", sorted(CASES))
async def test_async_method(name: str) -> None:
    case = CASES[name]
    fake = _fake(case)
    async with AsyncClient(
        "http://pbx.test", username="api", password="x", transport=httpx.MockTransport(fake)
    ) as client:
        case.check(await case.call(client))
    _check_request(fake, case)


def _area_methods(client: Client | AsyncClient) -> set[str]:
    names = set()
    for area_name, area in vars(client).items():
        if area_name.startswith("_") or not hasattr(area, "_client"):
            continue
        for method, _ in inspect.getmembers(type(area), inspect.isfunction):
            if not method.startswith("_"):
                names.add(f"{area_name}.{method}")
    return names


async def test_every_area_method_of_both_twins_is_covered() -> None:
    helpers = {"recordings.fetch", "cdr.fetch"}  # ticket + download, tested below
    async with AsyncClient("http://pbx.test", username="api", password="x") as asynchronous:
        with Client("http://pbx.test", username="api", password="x") as sync:
            # client.v2 (API 2.0.0) has its own cases: tests/v2/sdk_v2_cases.py.
            assert _area_methods(sync) == _area_methods(asynchronous)
            assert _area_methods(sync) == set(CASES) | helpers | set(V2_CASES)


# Every endpoint of docs/pbx-api/ (not the old guide's transfers, which yspbx does not serve).
SPEC_ENDPOINTS = [
    "deviceinfo/query",
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
    "inbound/query",
    "outbound/query",
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
    "recording/get_random",
    "recording/download",
    "cdr/get_random",
    "cdr/download",
]


def test_every_endpoint_of_the_spec_has_a_method() -> None:
    assert len(SPEC_ENDPOINTS) == len(set(SPEC_ENDPOINTS)) == 68
    assert sorted(case.path for case in CASES.values()) == sorted(SPEC_ENDPOINTS)


def _fetch_fake() -> FakePbx:
    return FakePbx(
        {
            "recording/get_random": httpx.Response(
                200, json={"status": "Success", "recording": RECORDING, "random": RANDOM}
            ),
            "recording/download": httpx.Response(
                200, content=WAV, headers={"Content-Type": "audio/wav"}
            ),
            "cdr/get_random": httpx.Response(200, json={"status": "Success", "random": RANDOM}),
            "cdr/download": httpx.Response(200, content=CSV, headers={"Content-Type": "text/csv"}),
        }
    )


def _check_fetch(fake: FakePbx) -> None:
    """Both fetches asked for a ticket with the request's fields, then downloaded with the
    ticket and those fields again (the ticket answers carry only the random)."""
    (recording_ticket,) = fake.sent("recording/get_random")
    assert recording_ticket.method == "POST"
    assert json.loads(recording_ticket.content) == {"recording": RECORDING}
    (download,) = fake.sent("recording/download")
    assert download.method == "GET"
    assert dict(download.url.params) == {"recording": RECORDING, "random": RANDOM, "token": TOKEN}
    (cdr_ticket,) = fake.sent("cdr/get_random")
    assert json.loads(cdr_ticket.content) == {
        "extid": "2001",
        "starttime": "2024-03-01 00:00:00",
        "endtime": "2024-03-01 23:59:59",
    }
    (cdr,) = fake.sent("cdr/download")
    assert cdr.method == "GET"
    assert dict(cdr.url.params) == {
        "extid": "2001",
        "starttime": "2024-03-01 00:00:00",
        "endtime": "2024-03-01 23:59:59",
        "random": RANDOM,
        "token": TOKEN,
    }


def test_fetch_takes_a_ticket_then_downloads() -> None:
    fake = _fetch_fake()
    with Client(
        "http://pbx.test", username="api", password="x", transport=httpx.MockTransport(fake)
    ) as client:
        assert client.recordings.fetch(RECORDING) == WAV
        assert (
            client.cdr.fetch("2024-03-01 00:00:00", "2024-03-01 23:59:59", extensions=["2001"])
            == CSV
        )
    _check_fetch(fake)


async def test_async_fetch_takes_a_ticket_then_downloads() -> None:
    fake = _fetch_fake()
    async with AsyncClient(
        "http://pbx.test", username="api", password="x", transport=httpx.MockTransport(fake)
    ) as client:
        assert await client.recordings.fetch(RECORDING) == WAV
        assert (
            await client.cdr.fetch(
                "2024-03-01 00:00:00", "2024-03-01 23:59:59", extensions=["2001"]
            )
            == CSV
        )
    _check_fetch(fake)


def test_download_refusal_is_an_api_error() -> None:
    from yspbx.client import NotFoundError

    fake = FakePbx(
        {"recording/download": httpx.Response(200, json={"status": "Failed", "errno": "20014"})}
    )
    with (
        Client(
            "http://pbx.test", username="api", password="x", transport=httpx.MockTransport(fake)
        ) as client,
        pytest.raises(NotFoundError) as caught,
    ):
        client.recordings.download(RecordingTicket(recording=RECORDING, random=RANDOM))
    assert caught.value.errno == "20014"


def test_unknown_update_fields_are_refused_before_sending() -> None:
    from pydantic import ValidationError

    fake = FakePbx({})
    with (
        Client(
            "http://pbx.test", username="api", password="x", transport=httpx.MockTransport(fake)
        ) as client,
        pytest.raises(ValidationError),
    ):
        client.extensions.update("2001", dnd_mode=True)  # type: ignore[call-arg]
    assert fake.requests == []


def test_unknown_answer_fields_are_kept() -> None:
    fake = FakePbx(
        {
            "extensionlist/query": httpx.Response(
                200,
                json={"status": "Success", "extlist": [{"extnumber": "2001", "newfield": "x"}]},
            )
        }
    )
    with Client(
        "http://pbx.test", username="api", password="x", transport=httpx.MockTransport(fake)
    ) as client:
        (ext,) = client.extensions.list()
    assert ext.number == "2001"
    assert ext.model_extra == {"newfield": "x"}


def test_agent_status_codes_read_as_the_enum_unknown_ones_as_numbers() -> None:
    from yspbx.client import AgentStatus, QueueMember

    known = QueueMember.model_validate({"agent": "2001", "agentstatus": "10"})
    assert known.status is AgentStatus.WRAP_UP
    unknown = QueueMember.model_validate({"agent": "2001", "agentstatus": "42"})
    assert (type(unknown.status), unknown.status) == (int, 42)
