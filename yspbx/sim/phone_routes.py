"""``/sim/v1`` views and buttons the console needs beside the calls: the trunks, and a phone's
hold key (the same hold the API's ``extension/hold`` asks for)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from yspbx.errors import PbxError, meaning_of
from yspbx.services import ServicesHolder
from yspbx.sim.call_routes import _acting
from yspbx.sim.errors import conflict, not_found


def build_phone_routes(holder: ServicesHolder) -> list[Route]:
    async def trunks(request: Request) -> JSONResponse:
        listed = await holder.services.simulator.config.list_trunks()
        return JSONResponse(
            [{"name": t.name, "type": t.type, "status": t.status or "Idle"} for t in listed]
        )

    async def hold(request: Request) -> JSONResponse:
        return await _holding(request, True)

    async def unhold(request: Request) -> JSONResponse:
        return await _holding(request, False)

    async def _holding(request: Request, held: bool) -> JSONResponse:
        number = request.path_params["number"]
        simulator = holder.services.simulator
        if simulator.config.is_registered(number) is None:
            raise not_found(f"no extension {number}")
        calls = simulator.calls
        try:
            await _acting(calls.hold(number) if held else calls.unhold(number))
        except PbxError as exc:
            # Not in a call, or not talking: the PBX's reason, as a conflict.
            raise conflict(f"{exc.errno}: {meaning_of(exc.errno)}") from None
        return JSONResponse({"number": number, "held": held})

    return [
        Route("/trunks", trunks, methods=["GET"]),
        Route("/extensions/{number}/hold", hold, methods=["POST"]),
        Route("/extensions/{number}/unhold", unhold, methods=["POST"]),
    ]
