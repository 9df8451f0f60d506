"""Timers that fire on the server's :class:`~yspbx.clock.Clock`, not on wall time.

A single asyncio task sleeps until the earliest deadline. When the clock jumps, the task wakes
and fires everything now due, in deadline order; :meth:`Scheduler.run_due` lets the control
plane do that synchronously, so ``clock/advance`` answers only after the timers it made due
have fired (a test that advances the clock then looks sees the consequences).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import inspect
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from yspbx.clock import Clock

log = logging.getLogger(__name__)

TimerCallback = Callable[[], Awaitable[None] | None]

# Wall-clock sleeps are capped so a timer set far ahead is re-evaluated now and then.
_MAX_SLEEP = 60.0
# Below this many timers the heap is never compacted (cancelled timers cost little).
_COMPACT_MIN = 1024


def _never() -> None:
    """What a cancelled timer runs instead of its callback (it never runs at all)."""


@dataclass(order=True)
class Timer:
    when: float
    seq: int
    callback: TimerCallback = field(compare=False)
    name: str = field(default="", compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        """Never fire. The timer may stay in the scheduler's heap until it is due; what it
        would have run (a closure over a call, its legs, its record) is let go now."""
        self.cancelled = True
        self.callback = _never


class Scheduler:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._heap: list[Timer] = []
        self._seq = itertools.count()
        self._wakeup = asyncio.Event()
        self._running: asyncio.Task[None] | None = None
        self._firing = asyncio.Lock()
        self._stop_listening: Callable[[], None] | None = None
        # The heap size at which cancelled timers are next dropped (see _compact_if_grown).
        self._compact_at = _COMPACT_MIN

    def call_at(self, when: float, callback: TimerCallback, name: str = "") -> Timer:
        timer = Timer(when, next(self._seq), callback, name)
        self._compact_if_grown()
        heapq.heappush(self._heap, timer)
        if self._heap[0] is timer:
            self._wakeup.set()
        return timer

    def call_later(self, delay: float, callback: TimerCallback, name: str = "") -> Timer:
        return self.call_at(self._clock.now() + delay, callback, name)

    def pending(self) -> list[Timer]:
        return sorted(t for t in self._heap if not t.cancelled)

    def held(self) -> int:
        """How many timers the heap keeps, cancelled ones not yet dropped included."""
        return len(self._heap)

    async def run_due(self) -> int:
        """Fire every timer whose deadline has passed, including ones those timers set."""
        fired = 0
        async with self._firing:
            while self._heap:
                head = self._heap[0]
                if head.cancelled:
                    heapq.heappop(self._heap)
                    continue
                if head.when > self._clock.now():
                    break
                heapq.heappop(self._heap)
                fired += 1
                try:
                    result = head.callback()
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    log.exception("timer %s failed", head.name or head.callback)
        return fired

    def start(self) -> None:
        if self._running is None:
            self._stop_listening = self._clock.on_jump(self._wakeup.set)
            self._running = asyncio.create_task(self._loop(), name="yspbx-scheduler")

    async def stop(self) -> None:
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None
        task, self._running = self._running, None
        if task is not None:
            # On Python 3.11, asyncio.wait_for swallows a cancellation that arrives just as the
            # event it waits for is set (a timer was added): cancel until the task has ended.
            while not task.done():
                task.cancel()
                await asyncio.wait({task}, timeout=0.05)
            await asyncio.gather(task, return_exceptions=True)

    def clear(self) -> None:
        for timer in self._heap:
            timer.cancel()
        self._heap.clear()

    def _compact_if_grown(self) -> None:
        """Drop cancelled timers once the heap has doubled since they were last dropped.

        A cancelled timer is only popped when it comes due, so timers set far ahead and
        cancelled early (a queue's maximum wait, once an agent answers) would pile up for as
        long as they are set ahead: a day of calls keeps tens of thousands. Rebuilding costs
        the heap's size and happens after as many pushes, so a push stays O(log n) on
        average; the order timers fire in (deadline, then creation) does not change."""
        if len(self._heap) < self._compact_at:
            return
        self._heap[:] = [timer for timer in self._heap if not timer.cancelled]
        heapq.heapify(self._heap)
        self._compact_at = max(_COMPACT_MIN, 2 * len(self._heap))

    async def _loop(self) -> None:
        while True:
            await self.run_due()
            self._wakeup.clear()
            delay = _MAX_SLEEP
            while self._heap and self._heap[0].cancelled:
                heapq.heappop(self._heap)
            if self._heap:
                delay = min(_MAX_SLEEP, max(0.0, self._heap[0].when - self._clock.now()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=delay)
