"""``/sim/v1`` views of the PBX's services: the SMS its GSM modules sent (and deciding how one
still being sent ends), and an extension's voicemail box."""

from __future__ import annotations

from typing import Literal

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from yspbx.pbx.simulated.calls import SimulatedCalls
from yspbx.pbx.simulated.calls.errors import NotFound, NotPossible
from yspbx.services import ServicesHolder
from yspbx.sim.bodies import json_object, optional_text
from yspbx.sim.errors import bad_request, conflict, not_found

_OUTCOMES: dict[str, Literal["Success", "Failed"]] = {"Success": "Success", "Failed": "Failed"}


def build_service_routes(holder: ServicesHolder) -> list[Route]:
    def calls() -> SimulatedCalls:
        return holder.services.simulator.calls

    async def sms_list(request: Request) -> JSONResponse:
        return JSONResponse(calls().sms_messages())

    async def sms_result(request: Request) -> JSONResponse:
        status = optional_text(await json_object(request), "status")
        outcome = _OUTCOMES.get(status or "")
        if outcome is None:
            raise bad_request('\'status\' must be "Success" or "Failed"')
        try:
            settled = await calls().settle_sms(request.path_params["smsid"], outcome)
        except NotFound as exc:
            raise not_found(str(exc)) from None
        except NotPossible as exc:
            raise conflict(str(exc)) from None
        return JSONResponse(settled)

    async def voicemail(request: Request) -> JSONResponse:
        number = request.path_params["number"]
        if holder.services.simulator.config.is_registered(number) is None:
            raise not_found(f"no extension {number}")
        return JSONResponse(await calls().voicemail(number))

    return [
        Route("/sms", sms_list, methods=["GET"]),
        Route("/sms/{smsid}/result", sms_result, methods=["POST"]),
        Route("/extensions/{number}/voicemail", voicemail, methods=["GET"]),
    ]
