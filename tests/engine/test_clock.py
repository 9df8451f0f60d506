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


def test_a_frozen_clock_moves_only_by_jumps() -> None:
    wall = FrozenWall()
    clock = Clock(wall)
    assert clock.freeze() == 1_000_000.0
    assert clock.frozen
    wall.now += 50
    assert clock.now() == 1_000_000.0
    clock.advance(10)
    assert clock.now() == 1_000_010.0
    assert clock.advance_to(1_000_020.5) == 1_000_020.5
    # A time already passed leaves it where it is.
    assert clock.advance_to(1_000_001.0) == 1_000_020.5
    # Another process's offset moves it by the difference.
    clock.adopt_offset(clock.offset + 4)
    assert clock.now() == 1_000_024.5
    assert clock.offset == 24.5


def test_thawing_never_goes_back_and_keeps_a_lead() -> None:
    wall = FrozenWall()
    clock = Clock(wall)
    clock.freeze()
    wall.now += 100
    clock.advance(30)
    # Frozen, the wall went on: thawing goes on from wall + offset.
    assert clock.thaw() == 1_000_130.0
    assert not clock.frozen
    clock.freeze()
    clock.advance(500)
    wall.now += 10
    # The jumps stay in the offset, so thawing goes on from wall + offset, as every other
    # process of a fleet counts: the wall time the run took is not taken back.
    assert clock.thaw() == 1_000_640.0
    wall.now += 1
    assert clock.now() == 1_000_641.0


def test_jumps_of_a_frozen_clock_tell_the_listeners() -> None:
    clock = Clock(FrozenWall())
    heard: list[float] = []
    clock.on_jump(lambda: heard.append(clock.now()))
    clock.freeze()
    clock.advance_to(1_000_005.0)
    clock.thaw()
    assert heard == [1_000_005.0, 1_000_005.0]


async def test_next_due_skips_cancelled_timers() -> None:
    clock = Clock(FrozenWall())
    scheduler = Scheduler(clock)
    assert scheduler.next_due() is None
    first = scheduler.call_later(5, lambda: None)
    scheduler.call_later(9, lambda: None)
    assert scheduler.next_due() == 1_000_005.0
    first.cancel()
    assert scheduler.next_due() == 1_000_009.0
