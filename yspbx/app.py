"""The ASGI application: the S-Series API under ``/api/``, everything else on Starlette.

``/api/...`` requests go straight to the envelope (the hot path, no framework in between);
``/sim/v1`` (control plane), ``/openapi.json`` and ``/health`` are ordinary Starlette routes,
``/sim/v1`` only where the engine's seats carry the simulator's controls. The lifespan builds
the :class:`~yspbx.services.Services` (which build the engine seat) and tears them down. In a
fleet, the app also answers what other processes hand over to the engine's process
(:meth:`execute`).
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from yspbx.api import all_endpoints
from yspbx.api.envelope import ApiApp
from yspbx.api.handover import API, api_answer, read_api_message
from yspbx.api.openapi import build_openapi
from yspbx.api.registry import DIALECTS
from yspbx.console.routes import build_console_routes
from yspbx.fleet.commands import SIM, run_asgi, sim_scope, unavailable
from yspbx.fleet.links import EngineUnavailable
from yspbx.fleet.messages import Message
from yspbx.seat import SeatFactory, factory_for
from yspbx.services import Services, ServicesHolder
from yspbx.settings import Settings
from yspbx.sim.errors import SimError, error_response, sim_error_handler
from yspbx.sim.forward import EngineForward
from yspbx.sim.guard import SimGuard
from yspbx.sim.routes import build_routes
from yspbx.store import Store, StoreUnavailable

log = logging.getLogger(__name__)

# The 2.0.0 dialect's OpenAPI document (1.1.0's stays at /openapi.json).
OPENAPI_V2 = "/api/v2.0.0/openapi.json"


def package_version() -> str:
    try:
        return version("yspbx")
    except PackageNotFoundError:
        return "0+unknown"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail))


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    return error_response(503, "unavailable", str(exc) or type(exc).__name__)


class YspbxApp:
    def __init__(
        self, settings: Settings, store: Store | None = None, seats: SeatFactory | None = None
    ) -> None:
        """``seats``: the engine's seat factory, when not the one the settings ask for."""
        self.settings = settings
        self.holder = ServicesHolder()
        self._store = store
        self.seats = seats or factory_for(settings)
        endpoints = all_endpoints()
        self.api = ApiApp(self.holder, endpoints)
        openapi = build_openapi(endpoints, package_version())
        openapi_v2 = build_openapi(endpoints, package_version(), DIALECTS[1])

        async def openapi_json(request: Request) -> JSONResponse:
            return JSONResponse(openapi)

        async def openapi_v2_json(request: Request) -> JSONResponse:
            return JSONResponse(openapi_v2)

        async def health(request: Request) -> JSONResponse:
            """Whether this process can serve: its store answers. Says which process answered
            and whether it runs the engine."""
            services = self.holder.services
            about = {"pid": os.getpid(), "engine": services.seated}
            try:
                await services.store.ping()
            except StoreUnavailable as exc:
                return JSONResponse(
                    {"status": "unavailable", "detail": str(exc), **about}, status_code=503
                )
            return JSONResponse({"status": "ok", **about})

        routes: list[BaseRoute] = [
            Route("/openapi.json", openapi_json, methods=["GET"]),
            Route(OPENAPI_V2, openapi_v2_json, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
        ]
        if self.seats.simulated:
            routes.append(
                Mount(
                    "/sim/v1",
                    routes=build_routes(self.holder),
                    middleware=[
                        Middleware(SimGuard, holder=self.holder),
                        Middleware(EngineForward, holder=self.holder),
                    ],
                )
            )
            routes.extend(build_console_routes(self.holder))
        self.web = Starlette(
            routes=routes,
            lifespan=self._lifespan,
            exception_handlers={
                SimError: sim_error_handler,
                HTTPException: _http_error,
                StoreUnavailable: _unavailable,
                EngineUnavailable: _unavailable,
            },
        )

    @asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        services = Services.build(self.settings, self._store, seats=self.seats)
        self.holder.services = services
        try:
            await services.start(self.execute)
        except BaseException:
            self.holder.services = None
            await services.stop()
            raise
        # What exists now (modules, configuration, the engine) lives as long as the process:
        # keep it out of the garbage collector's full passes, which then stay short.
        gc.freeze()
        try:
            yield
        finally:
            self.holder.services = None
            await services.stop()

    async def execute(self, message: Message) -> Message:
        """Answer a request another process of the fleet handed to this one (the engine's)."""
        try:
            if message.kind == API:
                return api_answer(await self.api.execute(read_api_message(message)))
            if message.kind == SIM:
                return await run_asgi(self.web, sim_scope(message), message.payload)
            return unavailable(f"unknown request kind {message.kind!r}")
        except (StoreUnavailable, EngineUnavailable) as exc:
            return unavailable(str(exc))
        except Exception:
            log.exception("a request handed over by another process failed")
            return unavailable("the engine's process failed to answer")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] == "http"
            and scope["path"].startswith("/api/")
            and scope["path"] != OPENAPI_V2
        ):
            await self.api(scope, receive, send)
        else:
            await self.web(scope, receive, send)


def create_app(settings: Settings, store: Store | None = None) -> YspbxApp:
    return YspbxApp(settings, store)
