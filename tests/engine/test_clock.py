"""The clock and the timers that run on it."""

from __future__ import annotations

import asyncio

import pytest

from yspbx.clock import Clock
from yspbx.scheduler import Scheduler


class FrozenWall:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_clock_is_wall_time_plus_offset() -> None:
    wall = FrozenWall()
    clock = Clock(wall)
    assert clock.now() == 1_000_000.0
    clock.advance(30)
    assert clock.now() == 1_000_030.0
    wall.now += 5
    assert clock.now() == 1_000_035.0


@pytest.mark.parametrize("bad", [-1.0, float("inf"), float("nan")])
def test_clock_never_goes_back(bad: float) -> None:
    clock = Clock(FrozenWall())
    with pytest.raises(ValueError, match="forward"):
        clock.advance(bad)


def test_adopted_offsets_only_move_forward() -> None:
    clock = Clock(FrozenWall())
    clock.adopt_offset(100)
    clock.adopt_offset(50)
    assert clock.offset == 100


async def test_timers_fire_in_deadline_order_when_the_clock_jumps() -> None:
    clock = Clock(FrozenWall())
    scheduler = Scheduler(clock)
    fired: list[str] = []
    scheduler.call_later(30, lambda: fired.append("thirty"))
    scheduler.call_later(10, lambda: fired.append("ten"))

    async def later() -> None:
        fired.append("twenty")
        scheduler.call_later(0, lambda: fired.append("chained"))

    scheduler.call_later(20, later)
    scheduler.call_later(100, lambda: fired.append("hundred")).cancel()
    clock.advance(25)
    assert await scheduler.run_due() == 3
    assert fired == ["ten", "twenty", "chained"]
    clock.advance(100)
    await scheduler.run_due()
    assert fired == ["ten", "twenty", "chained", "thirty"]
    assert scheduler.pending() == []


async def test_a_failing_timer_does_not_stop_the_others() -> None:
    clock = Clock(FrozenWall())
    scheduler = Scheduler(clock)
    fired: list[int] = []

    def boom() -> None:
        raise RuntimeError("boom")

    scheduler.call_later(1, boom)
    scheduler.call_later(2, lambda: fired.append(2))
    clock.advance(5)
    await scheduler.run_due()
    assert fired == [2]


async def test_the_background_loop_fires_on_wall_time_and_on_jumps() -> None:
    clock = Clock()
    scheduler = Scheduler(clock)
    done = asyncio.Event()
    jumped = asyncio.Event()
    scheduler.call_later(0.01, done.set)
    scheduler.call_later(3600, jumped.set)
    scheduler.start()
    try:
        await asyncio.wait_for(done.wait(), 5)
        clock.advance(3600)
        await asyncio.wait_for(jumped.wait(), 5)
    finally:
        await scheduler.stop()
