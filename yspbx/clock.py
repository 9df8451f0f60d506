"""The one source of time for the whole server.

Every timer, expiry and timestamp reads :meth:`Clock.now`, which is wall time plus an offset
that only grows. Moving the offset forward (``POST /sim/v1/clock/advance``) makes every rule
behave as if that much time had passed, so tests never sleep to see a token expire. Nothing
else in yspbx reads the time for the PBX's rules; the fleet's leases (:mod:`yspbx.fleet.lease`)
use wall time on purpose, so moving this clock never hands the engine to another process.

In a fleet every process has a ``Clock``; the engine's process moves it and stores the offset,
and every other process adopts the stored offset before answering a request.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class Clock:
    def __init__(self, wall: Callable[[], float] = time.time, offset: float = 0.0) -> None:
        self._wall = wall
        self._offset = offset
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> float:
        return self._wall() + self._offset

    @property
    def offset(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> float:
        """Jump forward by ``seconds`` (finite, not negative) and tell every listener."""
        self._offset = self.offset_after(seconds)
        self._notify()
        return self.now()

    def offset_after(self, seconds: float) -> float:
        """The offset an advance by ``seconds`` would give (to store it before adopting it)."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("the clock only moves forward by a finite number of seconds")
        return self._offset + seconds

    def adopt_offset(self, offset: float) -> None:
        """Take an offset learnt from elsewhere (the store, another process); never go back."""
        if offset > self._offset:
            self._offset = offset
            self._notify()

    def on_jump(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after every jump; returns what stops it (a scheduler that stops
        must not stay listening to a clock that outlives it)."""
        self._listeners.append(listener)

        def stop_listening() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return stop_listening

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()
