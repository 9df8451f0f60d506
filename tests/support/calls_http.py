"""Helpers for the call tests over HTTP: the API with a token and the control plane together,
and CDR downloads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from tests.support.helpers import API, Api, Sim


def cdr_window(sim: Sim, margin: float = 3600) -> tuple[str, str]:
    """A ``starttime``/``endtime`` pair around the server's now, in the PBX's form (UTC+0)."""
    now = sim.get("/clock")["now"]
    start, end = (datetime.fromtimestamp(now + d, UTC) for d in (-margin, margin))
    return f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}"


def download_cdrs(api: Api, sim: Sim, token: str, extid: str = "all") -> httpx.Response:
    """``cdr/get_random`` then ``cdr/download`` for the hour around now."""
    start, end = cdr_window(sim)
    body = {"extid": extid, "starttime": start, "endtime": end}
    answer = api.call("cdr/get_random", body, token)
    assert answer["status"] == "Success", answer
    params = body | {"random": answer["random"], "token": token}
    return api.http.get(API + "cdr/download", params=params)


class Pbx:
    """The API with a token, and the control plane, for one test."""

    def __init__(self, api: Api, sim: Sim) -> None:
        self.api = api
        self.sim = sim
        self.token = api.token()

    def __call__(self, endpoint: str, **body: Any) -> dict[str, Any]:
        return self.api.call(endpoint, body, self.token)

    def place(self, caller: str, to: str, trunk: str | None = None) -> str:
        body = {"from": caller, "to": to} | ({"trunk": trunk} if trunk else {})
        return str(self.sim.post("/calls", body)["callid"])

    def answer(self, callid: str, party: str | None = None) -> None:
        self.sim.post(f"/calls/{callid}/answer", {"party": party} if party else {})

    def hangup(self, callid: str, party: str | None = None) -> None:
        self.sim.post(f"/calls/{callid}/hangup", {"party": party} if party else {})

    def calls(self) -> dict[str, dict[str, Any]]:
        return {call["callid"]: call for call in self.sim.get("/calls")}

    def status(self, number: str) -> str:
        extensions = {e["number"]: e["status"] for e in self.sim.get("/state")["extensions"]}
        return str(extensions[number])

    def talking(self, caller: str, callee: str) -> str:
        callid = self.place(caller, callee)
        self.answer(callid)
        return callid
