"""Every ``client.v2`` method of both twins, against a fake PBX: path, body, answer."""

from __future__ import annotations

import inspect
import json

import httpx
import pytest

from tests.v2.sdk_v2_cases import V2_CASES, V2Case
from yspbx.client import AsyncClient, Client

TOKEN = "0123456789abcdef0123456789abcdef"


class FakePbx:
    def __init__(self, case: V2Case) -> None:
        self.case = case
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/login"):
            body = {"status": "Success", "token": TOKEN, "transport": "HTTP"}
            return httpx.Response(200, json=body)
        return httpx.Response(200, json={"status": "Success", **self.case.answer})

    def check(self, login_path: str) -> None:
        login, request, *_ = self.requests  # then the logout of close()
        assert login.url.path == login_path
        assert request.url.path == "/api/v2.0.0/" + self.case.path
        assert dict(request.url.params) == {"token": TOKEN}
        sent = json.loads(request.content) if request.content else None
        assert sent == self.case.sent


@pytest.mark.parametrize("name", sorted(V2_CASES))
def test_sync(name: str) -> None:
    fake = FakePbx(V2_CASES[name])
    transport = httpx.MockTransport(fake)
    with Client(
        "http://pbx.test", username="api", password="x", transport=transport, api_version="2.0.0"
    ) as client:
        assert V2_CASES[name].expected(V2_CASES[name].call(client))
        assert client.transport == "HTTP"
    fake.check("/api/v2.0.0/login")


@pytest.mark.parametrize("name", sorted(V2_CASES))
async def test_async(name: str) -> None:
    fake = FakePbx(V2_CASES[name])
    transport = httpx.MockTransport(fake)
    async with AsyncClient(
        "http://pbx.test", username="api", password="x", transport=transport
    ) as client:
        assert V2_CASES[name].expected(await V2_CASES[name].call(client))
    fake.check("/api/v1.1.0/login")  # a 1.1.0 client's token serves the 2.0.0 path too


def test_every_v2_method_has_a_case() -> None:
    with Client("http://pbx.test", username="api", password="x") as client:
        methods = {
            f"v2.{name}"
            for name, _ in inspect.getmembers(type(client.v2), inspect.isfunction)
            if not name.startswith("_")
        }
    assert methods == set(V2_CASES)
