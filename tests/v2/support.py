"""The 2.0.0 API as an application server speaks it, beside the 1.1.0 helpers."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.support.helpers import PASSWORD_MD5, Sim, client

API2 = "/api/v2.0.0/"


class Api2:
    def __init__(self, base_url: str, local_address: str = "127.0.0.1") -> None:
        self.http = client(base_url, local_address)

    def post(self, endpoint: str, body: Any = None, token: str | None = None) -> httpx.Response:
        params = {"token": token} if token is not None else None
        content = json.dumps(body).encode() if body is not None else None
        return self.http.post(API2 + endpoint, params=params, content=content)

    def call(self, endpoint: str, body: Any = None, token: str | None = None) -> dict[str, Any]:
        response = self.post(endpoint, body, token)
        assert response.status_code == 200, response.text
        data = response.json()
        assert isinstance(data, dict)
        return data

    def login(self, **fields: Any) -> dict[str, Any]:
        return self.call("login", {"username": "api", "password": PASSWORD_MD5, **fields})

    def token(self, **fields: Any) -> str:
        answer = self.login(**fields)
        assert answer["status"] == "Success", answer
        return str(answer["token"])

    def close(self) -> None:
        self.http.close()


class Pbx2:
    """A 2.0.0 token, the API and the control plane, for one test."""

    def __init__(self, api: Api2, sim: Sim) -> None:
        self.api = api
        self.sim = sim
        self.token = api.token(version="2.0.0")

    def __call__(self, endpoint: str, **body: Any) -> dict[str, Any]:
        return self.api.call(endpoint, body, self.token)

    def place(self, caller: str, to: str, trunk: str | None = None) -> str:
        body = {"from": caller, "to": to} | ({"trunk": trunk} if trunk else {})
        return str(self.sim.post("/calls", body)["callid"])

    def answer(self, callid: str, party: str | None = None) -> None:
        self.sim.post(f"/calls/{callid}/answer", {"party": party} if party else {})

    def members(self, callid: str) -> list[dict[str, dict[str, str]]]:
        answer = self("call/query", callid=callid)
        assert answer["status"] == "Success", answer
        (call,) = answer["calls"]
        members: list[dict[str, dict[str, str]]] = call["members"]
        return members

    def channel(self, callid: str, number: str) -> str:
        for member in self.members(callid):
            (party,) = member.values()
            if number in (party.get("number"), party.get("from"), party.get("to")):
                return party["channelid"]
        raise AssertionError(f"{number} not in {callid}")
