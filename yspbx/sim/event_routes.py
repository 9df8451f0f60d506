"""``GET /sim/v1/events``: what changes in the PBX, as Server-Sent Events (docs/control-plane.md).

Each connection listens on the process's :class:`~yspbx.hub.EventHub` through a bounded queue:
a client that does not keep up is dropped (its stream ends with an ``overflow`` event), never
waited for. A comment line every :data:`KEEPALIVE` seconds keeps proxies from closing an idle
stream and lets the server notice a client that went away.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from yspbx.hub import EventHub, HubEvent, masked_token
from yspbx.services import ServicesHolder

KEEPALIVE = 15.0


def frame(event: HubEvent) -> bytes:
    """One event as the stream carries it."""
    data = json.dumps(event.data, separators=(",", ":"), ensure_ascii=False)
    return f"id: {event.id}\nevent: {event.name}\ndata: {data}\n\n".encode()


async def stream(hub: EventHub, now: float) -> AsyncIterator[bytes]:
    listener = hub.listen()
    try:
        # The first event says the stream listens: whatever happens from now on is sent.
        yield frame(HubEvent(0, "hello", {"now": now}))
        while True:
            try:
                event = await asyncio.wait_for(listener.queue.get(), KEEPALIVE)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            if event is None:
                yield frame(HubEvent(0, "overflow", {"detail": "the client fell behind"}))
                return
            yield frame(event)
    finally:
        hub.leave(listener)


def build_event_routes(holder: ServicesHolder) -> list[Route]:
    async def events(request: Request) -> StreamingResponse:
        services = holder.services
        return StreamingResponse(
            stream(services.events, services.clock.now()),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def sessions(request: Request) -> JSONResponse:
        services = holder.services
        live = await services.store.sessions.live(services.clock.now())
        return JSONResponse(
            [
                {
                    "token": masked_token(s.token),
                    "client_ip": s.client_ip,
                    "target": s.target.address,
                    "created_at": s.created_at,
                    "expires_at": s.expires_at,
                    "version": s.version,
                }
                for s in live
            ]
        )

    return [
        Route("/events", events, methods=["GET"]),
        Route("/sessions", sessions, methods=["GET"]),
    ]
