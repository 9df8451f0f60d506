"""The ASGI application: the S-Series API under ``/api/``, everything else on Starlette.

``/api/...`` requests go straight to the envelope (the hot path, no framework in between);
``/sim/v1`` (control plane), ``/openapi.json`` and ``/health`` are ordinary Starlette routes.
The lifespan builds the :class:`~yspbx.services.Services` and tears them down.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from yspbx.api import all_endpoints
from yspbx.api.envelope import ApiApp
from yspbx.api.openapi import build_openapi
from yspbx.config import Settings
from yspbx.services import Services, ServicesHolder
from yspbx.sim.errors import SimError, error_response, sim_error_handler
from yspbx.sim.guard import SimGuard
from yspbx.sim.routes import build_routes
from yspbx.store import Store


def package_version() -> str:
    try:
        return version("yspbx")
    except PackageNotFoundError:
        return "0+unknown"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail))


class YspbxApp:
    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.holder = ServicesHolder()
        self._store = store
        endpoints = all_endpoints()
        self.api = ApiApp(self.holder, endpoints)
        openapi = build_openapi(endpoints, package_version())

        async def openapi_json(request: Request) -> JSONResponse:
            return JSONResponse(openapi)

        async def health(request: Request) -> JSONResponse:
            return JSONResponse({"status": "ok"})

        self.web = Starlette(
            routes=[
                Route("/openapi.json", openapi_json, methods=["GET"]),
                Route("/health", health, methods=["GET"]),
                Mount(
                    "/sim/v1",
                    routes=build_routes(self.holder),
                    middleware=[Middleware(SimGuard, holder=self.holder)],
                ),
            ],
            lifespan=self._lifespan,
            exception_handlers={SimError: sim_error_handler, HTTPException: _http_error},
        )

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        services = Services.build(self.settings, self._store)
        await services.start()
        self.holder.services = services
        try:
            yield
        finally:
            self.holder.services = None
            await services.stop()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            await self.api(scope, receive, send)
        else:
            await self.web(scope, receive, send)


def create_app(settings: Settings, store: Store | None = None) -> YspbxApp:
    return YspbxApp(settings, store)
