"""Cancelled timers do not pile up: they let go of what they would have run at once, and the
heap drops them once it has doubled, without changing the order timers fire in."""

from __future__ import annotations

import functools
import gc
import random
import weakref

from yspbx.clock import Clock
from yspbx.scheduler import Scheduler


class FrozenWall:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Payload:
    """Stands for what a call's timer holds on to (the call, its legs)."""

    def fire(self) -> None:
        raise AssertionError("a cancelled timer fired")


def test_a_cancelled_timer_lets_go_of_its_callback() -> None:
    scheduler = Scheduler(Clock(FrozenWall()))
    payload = Payload()
    held = weakref.ref(payload)
    timer = scheduler.call_later(1800, payload.fire)
    del payload
    gc.collect()
    assert held() is not None
    timer.cancel()
    gc.collect()
    assert held() is None


async def test_cancelled_timers_are_dropped_and_the_rest_fire_in_order() -> None:
    clock = Clock(FrozenWall())
    scheduler = Scheduler(clock)
    rng = random.Random(19)
    fired: list[int] = []
    kept: list[tuple[int, int]] = []  # (deadline, n) of the timers left running
    for n in range(20_000):
        deadline = rng.randrange(1, 500)  # many share a deadline: creation order breaks ties
        timer = scheduler.call_later(deadline, functools.partial(fired.append, n))
        if rng.random() < 0.9:
            timer.cancel()  # as most calls' far timers are, well before they are due
        else:
            kept.append((deadline, n))
    assert len(scheduler.pending()) == len(kept)
    # Without dropping, the heap would keep all 20,000 until they come due.
    assert scheduler.held() < 4 * len(kept) + 1024
    clock.advance(500)
    await scheduler.run_due()
    assert fired == [n for _, n in sorted(kept)]
    assert scheduler.held() == 0
