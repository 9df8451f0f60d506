"""The one source of time for the whole server.

Every timer, expiry and timestamp reads :meth:`Clock.now`, which is wall time plus an offset
that only grows. Moving the offset forward (``POST /sim/v1/clock/advance``) makes every rule
behave as if that much time had passed, so tests never sleep to see a token expire. Nothing
else in yspbx calls ``time.time()``.
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
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("the clock only moves forward by a finite number of seconds")
        self._offset += seconds
        self._notify()
        return self.now()

    def adopt_offset(self, offset: float) -> None:
        """Take an offset learnt from elsewhere (the store, another process); never go back."""
        if offset > self._offset:
            self._offset = offset
            self._notify()

    def on_jump(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()
