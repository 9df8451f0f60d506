"""In a fleet, a control-plane request that reaches a process without the engine is passed on,
whole, to the process that runs it; the answer comes back as that process gave it.

The guard (:mod:`yspbx.sim.guard`) has already let the request in where it arrived; the engine's
process runs it through the same routes, marked as forwarded so it is not guarded twice.
"""

from __future__ import annotations

from typing import Any

from yspbx.asgi_body import BodyTooLarge, ClientGone, read_body
from yspbx.fleet.commands import FORWARDED, read_http_answer, sim_message
from yspbx.fleet.links import EngineUnavailable
from yspbx.services import ServicesHolder
from yspbx.sim.bodies import MAX_BODY
from yspbx.sim.errors import error_response
from yspbx.store.base import StoreUnavailable


class EngineForward:
    def __init__(self, app: Any, holder: ServicesHolder) -> None:
        self._app = app
        self._holder = holder

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        services = self._holder.services
        if scope["type"] != "http" or scope.get(FORWARDED) or services.fleet is None:
            await self._app(scope, receive, send)
            return
        if services.fleet.seated or scope["path"].endswith("/sim/v1/events"):
            # A stream cannot be handed over whole: it carries what this process sees.
            await self._app(scope, receive, send)
            return
        try:
            body = await read_body(scope, receive, MAX_BODY)
        except ClientGone:
            return
        except BodyTooLarge:
            response = error_response(413, "too_large", f"bodies are limited to {MAX_BODY} bytes")
            await response(scope, receive, send)
            return
        try:
            answer = await services.fleet.request(sim_message(scope, body))
            status, headers, content = read_http_answer(answer)
        except (StoreUnavailable, EngineUnavailable) as exc:
            await error_response(503, "unavailable", str(exc))(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})
