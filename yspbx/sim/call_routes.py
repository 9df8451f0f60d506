"""``/sim/v1/calls``: the outside world and the phones act on the simulated PBX's calls.

A call arrives on a trunk, or a phone dials; a ringing party answers; a party hangs up; the
caller presses keys. The same engine serves the API, so what these do shows in
``inbound/query``, ``extensionlist/query`` and the reports at once. Unknown calls, parties,
extensions and trunks answer 404; an action the call's state does not allow (answering a
party that is not ringing, dialling from a phone already in a call) 409; a malformed body 400.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from yspbx.pbx.simulated.calls import SimulatedCalls
from yspbx.pbx.simulated.calls.errors import Invalid, NotFound, NotPossible
from yspbx.pbx.simulated.calls.phones import NUMBER
from yspbx.services import ServicesHolder
from yspbx.sim.bodies import json_object, optional_text
from yspbx.sim.errors import bad_request, conflict, not_found

T = TypeVar("T")


async def _acting(action: Awaitable[T]) -> T:
    """Run a simulator action, turning its refusals into the control plane's 4xx answers."""
    try:
        return await action
    except NotFound as exc:
        raise not_found(str(exc)) from None
    except NotPossible as exc:
        raise conflict(str(exc)) from None
    except Invalid as exc:
        raise bad_request(str(exc)) from None


def _required(data: dict[str, Any], key: str) -> str:
    value = optional_text(data, key)
    if value is None or not value.strip():
        raise bad_request(f"{key!r} is required")
    return value.strip()


def _optional(data: dict[str, Any], key: str) -> str | None:
    value = optional_text(data, key)
    return None if value is None or not value.strip() else value.strip()


def build_call_routes(holder: ServicesHolder) -> list[Route]:
    def calls() -> SimulatedCalls:
        return holder.services.simulator.calls

    def outcome(callid: str, **extra: Any) -> JSONResponse:
        state = calls().call_state(callid) or "ended"
        return JSONResponse({"callid": callid, "state": state, **extra})

    async def place(request: Request) -> JSONResponse:
        data = await json_object(request)
        caller, dialled = _required(data, "from"), _required(data, "to")
        trunk = _optional(data, "trunk")
        callid = await _acting(calls().place_call(caller, dialled, trunk))
        return outcome(callid)

    async def listing(request: Request) -> JSONResponse:
        return JSONResponse(calls().live_calls())

    async def one(request: Request) -> JSONResponse:
        callid = request.path_params["callid"]
        try:
            return JSONResponse(calls().live_call(callid))
        except NotFound as exc:
            raise not_found(str(exc)) from None

    async def answer(request: Request) -> JSONResponse:
        callid = request.path_params["callid"]
        party = _optional(await json_object(request), "party")
        answered = await _acting(calls().answer(callid, party))
        return outcome(callid, party=answered)

    async def hangup(request: Request) -> JSONResponse:
        callid = request.path_params["callid"]
        party = _optional(await json_object(request), "party")
        released = await _acting(calls().hangup(callid, party))
        return outcome(callid, party=released)

    async def transfer(request: Request) -> JSONResponse:
        callid = request.path_params["callid"]
        data = await json_object(request)
        party, number = _required(data, "party"), _required(data, "to")
        if not NUMBER.fullmatch(number):
            raise bad_request(f"{number!r} is not a dialable number")
        await _acting(calls().transfer_from_phone(callid, party, number))
        return outcome(callid, party=party, to=number)

    async def dtmf(request: Request) -> JSONResponse:
        callid = request.path_params["callid"]
        digits = _required(await json_object(request), "digits")
        await _acting(calls().press_keys(callid, digits))
        return outcome(callid, digits=digits)

    return [
        Route("/calls", place, methods=["POST"]),
        Route("/calls", listing, methods=["GET"]),
        Route("/calls/{callid}", one, methods=["GET"]),
        Route("/calls/{callid}/answer", answer, methods=["POST"]),
        Route("/calls/{callid}/hangup", hangup, methods=["POST"]),
        Route("/calls/{callid}/dtmf", dtmf, methods=["POST"]),
        Route("/calls/{callid}/transfer", transfer, methods=["POST"]),
    ]
