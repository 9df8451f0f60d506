"""Control-plane errors: 4xx with ``{"error": "<code>", "detail": "<text>"}``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse


class SimError(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


def not_found(detail: str) -> SimError:
    return SimError(404, "not_found", detail)


def bad_request(detail: str) -> SimError:
    return SimError(400, "bad_request", detail)


def conflict(detail: str) -> SimError:
    return SimError(409, "conflict", detail)


def error_response(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


async def sim_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SimError)
    return error_response(exc.status, exc.code, exc.detail)
