"""The ``/sim/v1`` endpoints (docs/control-plane.md): state, reset, clock, journal, lockouts, phones
(calls: :mod:`yspbx.sim.call_routes`; SMS and voicemail: :mod:`yspbx.sim.service_routes`)."""

from __future__ import annotations

import os
import socket

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from yspbx.addresses import ip_of
from yspbx.services import Services, ServicesHolder
from yspbx.sim.board import extension_settings, queues
from yspbx.sim.bodies import json_object, number
from yspbx.sim.call_routes import build_call_routes
from yspbx.sim.errors import bad_request, conflict, not_found
from yspbx.sim.event_routes import build_event_routes
from yspbx.sim.phone_routes import build_phone_routes
from yspbx.sim.report_routes import build_report_routes
from yspbx.sim.scenario_routes import ScenarioBoard, build_scenario_routes
from yspbx.sim.service_routes import build_service_routes

# One jump may move the clock by at most ten years.
MAX_ADVANCE = 10 * 365 * 86400.0


def build_routes(holder: ServicesHolder) -> list[Route]:
    scenarios = ScenarioBoard(holder)

    def services() -> Services:
        return holder.services

    async def state(request: Request) -> JSONResponse:
        s = services()
        blocked = await s.lockout.blocked()
        return JSONResponse(
            {
                "now": s.clock.now(),
                "extensions": [
                    {"number": number, "status": status}
                    for number, status in await s.simulator.extension_states()
                ],
                # Kept apart from "extensions", whose items outside tests compare whole.
                "extension_settings": extension_settings(s.simulator),
                "calls": s.simulator.calls.live_calls(),
                "sessions": await s.sessions.live_count(),
                "blocked_ips": [{"ip": b.ip, "until": b.until} for b in blocked],
                # Which process runs the engine (in a fleet, this answer comes from it).
                "engine": {"host": socket.gethostname(), "pid": os.getpid(), "node": s.node},
            }
        )

    async def queue_list(request: Request) -> JSONResponse:
        return JSONResponse(await queues(services().simulator))

    async def reset(request: Request) -> JSONResponse:
        # A scenario run drives the clock and the phones: it stops before the PBX is rebuilt.
        await scenarios.stop(services())
        await services().reset()
        return JSONResponse({"reset": True, "now": services().clock.now()})

    async def clock(request: Request) -> JSONResponse:
        return JSONResponse({"now": services().clock.now()})

    async def advance(request: Request) -> JSONResponse:
        seconds = number(await json_object(request), "seconds")
        if not 0 <= seconds <= MAX_ADVANCE:
            raise bad_request(f"'seconds' must be between 0 and {MAX_ADVANCE:.0f}")
        return JSONResponse({"now": await services().advance_clock(seconds)})

    async def journal(request: Request) -> JSONResponse:
        return JSONResponse(await services().journal.entries())

    async def blocked_ips(request: Request) -> JSONResponse:
        blocked = await services().lockout.blocked()
        return JSONResponse([{"ip": b.ip, "until": b.until} for b in blocked])

    async def unblock_ip(request: Request) -> JSONResponse:
        raw = request.path_params["ip"]
        address = ip_of(raw)
        if address is None:
            raise bad_request(f"{raw[:64]!r} is not an IP address")
        ip = str(address)
        if not await services().lockout.unblock(ip):
            raise not_found(f"{ip} is not blocked")
        return JSONResponse({"ip": ip, "unblocked": True})

    async def register(request: Request) -> JSONResponse:
        return await _registration(request, True)

    async def unregister(request: Request) -> JSONResponse:
        return await _registration(request, False)

    async def _registration(request: Request, registered: bool) -> JSONResponse:
        number = request.path_params["number"]
        simulator = services().simulator
        current = simulator.config.is_registered(number)
        if current is None:
            raise not_found(f"no extension {number}")
        if current == registered:
            word = "registered" if registered else "unregistered"
            raise conflict(f"extension {number} is already {word}")
        await simulator.config.set_registered(number, registered)
        return JSONResponse(
            {"number": number, "status": "Registered" if registered else "Unregistered"}
        )

    return [
        Route("/state", state, methods=["GET"]),
        Route("/queues", queue_list, methods=["GET"]),
        Route("/reset", reset, methods=["POST"]),
        Route("/clock", clock, methods=["GET"]),
        Route("/clock/advance", advance, methods=["POST"]),
        Route("/journal", journal, methods=["GET"]),
        Route("/blocked-ips", blocked_ips, methods=["GET"]),
        Route("/blocked-ips/{ip}", unblock_ip, methods=["DELETE"]),
        Route("/extensions/{number}/register", register, methods=["POST"]),
        Route("/extensions/{number}/unregister", unregister, methods=["POST"]),
        *build_event_routes(holder),
        *build_phone_routes(holder),
        *build_call_routes(holder),
        *build_report_routes(holder),
        *build_service_routes(holder),
        *build_scenario_routes(scenarios),
    ]
