"""The simulated engine's event bus: listeners awaited in order, one failure isolated."""

from __future__ import annotations

import logging

from yspbx.pbx.engine import EventListener
from yspbx.pbx.events import DomainEvent

log = logging.getLogger(__name__)


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[EventListener] = []

    def subscribe(self, listener: EventListener) -> None:
        self._listeners.append(listener)

    async def emit(self, event: DomainEvent) -> None:
        for listener in self._listeners:
            try:
                await listener(event)
            except Exception:
                log.exception("event listener failed on %r", event)
