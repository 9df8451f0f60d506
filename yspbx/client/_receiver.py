"""``ReportReceiver``: the ASGI app that takes the PBX's event reports.

The PBX POSTs each report to the application server and sends it again when it does not get
``200 OK``. So the receiver answers 200 only once every handler for the report has returned:
a handler that raises gets the same report again later (handlers should therefore be
idempotent; the ``callid`` and ``action`` identify a report), a few times: a PBX gives a
refused report up after some resends and goes on with the next. A report with an action
nobody registered for is logged and acknowledged, never refused: refusing it would only make
the PBX resend it, then drop it.

Run it with any ASGI server (``uvicorn.run(receiver, port=8260)``), mount it in an existing
app, or use ``yspbx listen``.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, overload

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from yspbx.client._events import EVENT_TYPES, Event, ReportFormatError, UnknownEvent, parse_report

log = logging.getLogger("yspbx.client.reports")

E = TypeVar("E", bound=Event)
Handler = Callable[[E], Awaitable[None] | None]
AnyHandler = Callable[[Any], Awaitable[None] | None]

# Reports are small JSON objects; anything this large is not one.
MAX_BODY_BYTES = 1024 * 1024


def _key(action: str | type[Event]) -> str:
    """Handlers are filed under the first spelling of an action (``Tranfer`` for both)."""
    if isinstance(action, type):
        if not action.ACTIONS:
            raise ValueError(f"{action.__name__} is not tied to an action; use on_any()")
        return action.ACTIONS[0]
    known = EVENT_TYPES.get(action)
    return known.ACTIONS[0] if known is not None else action


class ReportReceiver:
    """An ASGI app that turns each report into a typed event and hands it to the handlers
    registered for its action, then to those registered with :meth:`on_any`.

    ``path``: answer only there (``None``, the default: any path, since the PBX posts to the
    ``url`` given at login, or to ``/``). Handlers may be plain or ``async`` functions; plain
    ones run in a worker thread so they cannot stall the server.
    """

    def __init__(self, *, path: str | None = None) -> None:
        self.path = path
        self._handlers: dict[str, list[AnyHandler]] = {}
        self._any: list[AnyHandler] = []

    @overload
    def on(self, action: type[E]) -> Callable[[Handler[E]], Handler[E]]: ...

    @overload
    def on(self, action: str) -> Callable[[Handler[Event]], Handler[Event]]: ...

    def on(self, action: str | type[Event]) -> Callable[[AnyHandler], AnyHandler]:
        """Decorator: ``@receiver.on(Ring)`` or ``@receiver.on("RING")``."""

        def register(handler: AnyHandler) -> AnyHandler:
            self.add_handler(action, handler)
            return handler

        return register

    def add_handler(self, action: str | type[Event], handler: AnyHandler) -> None:
        self._handlers.setdefault(_key(action), []).append(handler)

    def on_any(self, handler: Handler[Event]) -> Handler[Event]:
        """Decorator: called for every report, after the action's own handlers."""
        self._any.append(handler)
        return handler

    async def dispatch(self, event: Event) -> None:
        """Run the handlers for ``event``; an exception from one stops and propagates."""
        handlers = self._handlers.get(_key(event.action), [])
        if isinstance(event, UnknownEvent) and event.action not in EVENT_TYPES:
            log.warning("report with unknown action %r received: %r", event.action, event.body)
        elif not handlers and not self._any:
            log.info("no handler for report %s", event.action)
        for handler in (*handlers, *self._any):
            if inspect.iscoroutinefunction(handler):
                await handler(event)
            else:
                result = await anyio.to_thread.run_sync(handler, event)
                if inspect.isawaitable(result):
                    await result

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        response = await self._answer(Request(scope, receive))
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> PlainTextResponse:
        if self.path is not None and request.url.path != self.path:
            return PlainTextResponse("not found", status_code=404)
        if request.method != "POST":
            return PlainTextResponse("reports are POSTed", 405, headers={"Allow": "POST"})
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return PlainTextResponse("report too large", status_code=413)
        try:
            event = parse_report(bytes(body))
        except ReportFormatError as exc:
            log.warning("refused a body that is not a report (%s): %r", exc, bytes(body[:512]))
            return PlainTextResponse(f"not a report: {exc}", status_code=400)
        try:
            await self.dispatch(event)
        except Exception:
            log.exception("handler failed for report %s; the PBX will send it again", event.action)
            return PlainTextResponse("handler failed", status_code=500)
        return PlainTextResponse("OK")


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
