"""The engine's effect queue: domain events and store writes, in the order they happened.

Call state changes synchronously (one operation never yields half-way), and each change puts
what must follow it here: events to emit, records to write. :meth:`EffectQueue.flush` then
works the queue off under one lock. Two operations on the same call that overlap on the event loop
therefore still report in the order their changes happened, and a record is in the store
before the event that announces it goes out.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from yspbx.pbx.events import DomainEvent
from yspbx.pbx.simulated.events import EventBus

log = logging.getLogger(__name__)

Action = Callable[[], Awaitable[None]]


class EffectQueue:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._items: deque[DomainEvent | Action] = deque()
        self._lock = asyncio.Lock()
        # Run before each event is queued: the 2.0.0 call-status tracker reports the changes it
        # collected first, so its CallStatus lands in order with everything else.
        self.before_emit: Callable[[DomainEvent | None], None] = _nothing

    def emit(self, event: DomainEvent) -> None:
        self.before_emit(event)
        self._items.append(event)

    def emit_now(self, event: DomainEvent) -> None:
        """Queue ``event`` without running :attr:`before_emit` first."""
        self._items.append(event)

    def then(self, action: Action) -> None:
        """Run ``action`` (a store write) in turn with the events around it."""
        self._items.append(action)

    async def flush(self) -> None:
        """Return once everything queued so far has been emitted or written."""
        self.before_emit(None)
        async with self._lock:
            while self._items:
                item = self._items.popleft()
                if callable(item):
                    try:
                        await item()
                    except Exception:
                        log.exception("call engine write failed")
                else:
                    await self._bus.emit(item)


def _nothing(event: DomainEvent | None) -> None:
    return None
