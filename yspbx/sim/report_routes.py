"""``GET /sim/v1/reports``: every event report produced, oldest first, as it went on the wire."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from yspbx.services import ServicesHolder


def build_report_routes(holder: ServicesHolder) -> list[Route]:
    async def reports(request: Request) -> JSONResponse:
        return JSONResponse(await holder.services.seat.reports.listing())

    return [Route("/reports", reports, methods=["GET"])]
