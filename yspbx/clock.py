"""The one source of time for the whole server.

Every timer, expiry and timestamp reads :meth:`Clock.now`, which is wall time plus an offset
that only grows. Moving the offset forward (``POST /sim/v1/clock/advance``) makes every rule
behave as if that much time had passed, so tests never sleep to see a token expire. Nothing
else in yspbx reads the time for the PBX's rules; the fleet's leases (:mod:`yspbx.fleet.lease`)
use wall time on purpose, so moving this clock never hands the engine to another process.

In a fleet every process has a ``Clock``; the engine's process moves it and stores the offset,
and every other process adopts the stored offset before answering a request.

A running scenario (:mod:`yspbx.play`) *freezes* the clock: while frozen, :meth:`Clock.now`
stands still and moves only when the run moves it (:meth:`Clock.advance`,
:meth:`Clock.advance_to`), so what the run produces does not depend on how fast the machine is.
The offset keeps growing by every jump; thawing goes on from ``wall + offset`` (never earlier
than the frozen time), so the stored offset other processes adopt is right before, during and
after the run, and time never goes back.
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
        # The time while frozen (None: the clock follows the wall).
        self._frozen: float | None = None

    def now(self) -> float:
        frozen = self._frozen
        return self._wall() + self._offset if frozen is None else frozen

    def wall(self) -> float:
        """Wall time, for what paces itself on it (a scenario played at ``realtime``)."""
        return self._wall()

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def freeze(self) -> float:
        """Stop the clock where it is; only jumps move it until :meth:`thaw`."""
        if self._frozen is None:
            self._frozen = self.now()
        return self._frozen

    def thaw(self) -> float:
        """Follow the wall again, from ``wall + offset`` (at least the frozen time: a run
        that went slower than the wall loses nothing, one that went faster keeps its lead)."""
        frozen, self._frozen = self._frozen, None
        if frozen is not None:
            behind = frozen - self.now()
            if behind > 0:
                self._offset += behind
            self._notify()
        return self.now()

    def advance_to(self, when: float) -> float:
        """Jump forward to exactly ``when`` (frozen) or by ``when - now`` (following the wall);
        a time already passed leaves the clock where it is."""
        if not math.isfinite(when):
            raise ValueError("the clock only moves to a finite time")
        now = self.now()
        if when <= now:
            return now
        self._offset += when - now
        if self._frozen is not None:
            self._frozen = when
        self._notify()
        return self.now()

    @property
    def offset(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> float:
        """Jump forward by ``seconds`` (finite, not negative) and tell every listener."""
        self._offset = self.offset_after(seconds)
        if self._frozen is not None:
            self._frozen += seconds
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
            if self._frozen is not None:
                self._frozen += offset - self._offset
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
