"""One run of a scenario on one PBX's seat: the clock, the arrivals, pacing and the end.

The run freezes the PBX's clock (:meth:`yspbx.clock.Clock.freeze`) and moves it itself: first
to the scenario's start time of day (in the PBX's time zone), then from event to event, an
event being whatever is due next on the seat's scheduler: the next arrival (the run keeps one
timer for it), an engine timer (a ring time-out, a queue's wait), an actor's timer (a phone
answering, a caller giving up), a report retry. At ``max`` it jumps straight to each; at
``realtime`` or ``<N>x`` it waits for the wall to catch up, moving the clock along meanwhile.
Every timer due fires (``Scheduler.run_due``) before the clock moves again.

Pacing: before each jump, while more than :data:`PACE_BOUND` reports are waiting and some
session's reports are due now (not backing off after a failure), the run waits for delivery:
a receiver slower than the engine sets the pace, and no report is shed for
``reports.max_pending``. Reports backing off do not hold the run; their retry timers are events
like any other.

After the scenario's duration no call arrives; the calls still going run to their end (at most
:data:`DRAIN` PBX seconds more, then they are hung up). Stopping a run (or a reset) hangs up its
calls. Either way the clock thaws and goes on from there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any, Literal

from yspbx.clock import Clock
from yspbx.fleet.links import EngineUnavailable
from yspbx.pbx.timefmt import parse_zone
from yspbx.play.actors import Actors, next_time_of_day
from yspbx.play.speed import Speed
from yspbx.play.summary import Summary
from yspbx.scenarios import Arrival, Scenario, arrivals
from yspbx.seat import Seat
from yspbx.services import CLOCK_OFFSET_KEY, Services

log = logging.getLogger(__name__)

RunState = Literal["starting", "running", "completed", "stopped", "failed"]

# Reports waiting (in all) beyond which the run waits for delivery before moving the clock
# (at most half of reports.max_pending), until no more than a quarter of that wait (a gap, so
# the engine and delivery each work in batches).
PACE_BOUND = 400
# While pacing, how often (wall seconds) the run looks again whether delivery is still busy.
PACE_LOOK = 0.05
# How long (PBX seconds) the calls still going at the end may take to finish.
DRAIN = 3600.0
# At realtime / <N>x the clock is moved along at least this often (wall seconds).
REALTIME_STEP = 0.25
# Sessions are kept alive every third of the token lifetime (PBX time) while a run plays.
# The clock offset is stored for the other processes at most this often (wall seconds).
STORE_OFFSET_EVERY = 0.5


class Stopped(Exception):
    """The run was asked to stop, or its seat went (a reset, the engine lease lost)."""


class Run:
    def __init__(
        self,
        run_id: str,
        services: Services,
        scenario: Scenario,
        *,
        seed: int,
        speed: Speed,
        duration: float,
        source: str,
    ) -> None:
        self.id = run_id
        self.scenario = scenario
        self.seed = seed
        self.speed = speed
        self.duration = duration
        self.source = source
        self.state: RunState = "starting"
        self.error: str | None = None
        self.summary = Summary()
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self._services = services
        self._seat: Seat = services.seat
        self._clock: Clock = services.clock
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._wall_started = time.monotonic()
        self._wall_seconds: float | None = None
        self._offset_stored_at = 0.0
        self._wall_base = 0.0
        # Never let a session's queue reach reports.max_pending, where reports are shed.
        max_pending = services.settings.reports.max_pending
        self._pace_bound = max(1, min(PACE_BOUND, max_pending // 2))
        self._actors: Actors | None = None
        self.done = asyncio.Event()

    # -- control ---------------------------------------------------------------------------

    async def add_objects(self) -> None:
        """Add the scenario's ``[pbx]`` objects the PBX lacks (before the run starts, so a
        refusal answers the request that started it); ``ObjectsRefused`` says why not."""
        objects = self.scenario.pbx_objects()
        if objects:
            await self._seat.simulated().config.add_objects(objects)

    def start(self) -> None:
        self._task = asyncio.create_task(self._main(), name=f"yspbx-scenario-{self.id}")

    async def stop(self) -> None:
        """Stop the run (its calls are hung up) and wait until it has."""
        self._stop.set()
        await self.done.wait()

    @property
    def running(self) -> bool:
        return self.state in ("starting", "running")

    def progress(self) -> float:
        """PBX seconds played so far."""
        if self.started_at is None:
            return 0.0
        end = self.ended_at if self.ended_at is not None else self._clock.now()
        return max(0.0, min(self.duration, end - self.started_at))

    def describe(self) -> dict[str, Any]:
        done = self.progress()
        return {
            "id": self.id,
            "scenario": self.scenario.name,
            "source": self.source,
            "state": self.state,
            "error": self.error,
            "seed": self.seed,
            "speed": self.speed.text,
            "duration": self.duration,
            "progress": {
                "done": done,
                "total": self.duration,
                "fraction": done / self.duration if self.duration else 1.0,
            },
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "wall_seconds": (
                self._wall_seconds
                if self._wall_seconds is not None
                else time.monotonic() - self._wall_started
            ),
            "live_calls": self._actors.live if self._actors is not None else 0,
            "summary": self.summary.to_json(),
        }

    # -- the run ---------------------------------------------------------------------------

    async def _main(self) -> None:
        hub = self._services.events
        hub.tally = self.summary.reports
        clock = self._clock
        try:
            clock.freeze()
            await self._prepare()
            self.state = "running"
            await self._play()
            self.state = "completed"
        except Stopped:
            self.state = "stopped"
        except Exception as exc:
            log.exception("scenario run %s failed", self.id)
            self.state = "failed"
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            if self._actors is not None:
                self._actors.stop()
                if self.state != "completed" and self._seat_alive():
                    with contextlib.suppress(Exception):
                        await self._actors.hang_up_all()
            self.ended_at = clock.now()
            clock.thaw()
            with contextlib.suppress(Exception):
                await self._store_offset(force=True)
            if hub.tally is self.summary.reports:
                with contextlib.suppress(Exception):
                    await self._count_owed()
                hub.tally = None
            self._wall_seconds = time.monotonic() - self._wall_started
            self.done.set()

    async def _prepare(self) -> None:
        simulator = self._seat.simulated()
        simulator.calls.seed(self.seed)
        zone = parse_zone(self._services.settings.device.timezone)
        start_at = next_time_of_day(self._clock.now(), self.scenario.start_of_day, zone)
        live = await self._services.store.sessions.live(self._clock.now())
        self._clock.advance_to(start_at)
        for session in live:
            await self._services.sessions.touch(session)
        await self._seat.run_due()
        self.started_at = self._clock.now()
        self._wall_base = self._clock.wall()
        end_at = self.started_at + self.duration
        actors = Actors(
            self.scenario,
            self.seed,
            simulator,
            self._seat.scheduler,
            self._clock,
            self.summary,
            zone,
            self.started_at,
            end_at,
        )
        self._actors = actors
        simulator.subscribe(_Forward(self))
        actors.plan_agents()
        actors.plan_sweep()
        self._keep_sessions()
        self._feed(arrivals(self.scenario, self.seed, self.duration))

    def _keep_sessions(self) -> None:
        """Keep the live sessions alive in PBX time while the run plays: their clients
        heartbeat on the wall, which cannot keep up with a clock running at 600x."""
        sessions = self._services.sessions
        every = max(1.0, sessions.token_ttl / 3)

        async def keep() -> None:
            if not self.running:
                return
            now = self._clock.now()
            for session in await self._services.store.sessions.live(now):
                await sessions.touch(session, now)
            self._seat.scheduler.call_at(now + every, keep, "scenario-sessions")

        self._seat.scheduler.call_at(self._clock.now() + every, keep, "scenario-sessions")

    def _feed(self, upcoming: Iterator[Arrival]) -> None:
        """Keep one timer for the next arrival; each arrival arms the one after it."""
        assert self.started_at is not None
        assert self._actors is not None
        actors = self._actors
        arrival = next(upcoming, None)
        if arrival is None:
            return

        async def arrive() -> None:
            if not actors.active:
                return
            self._feed(upcoming)
            await actors.arrive(arrival)

        self._seat.scheduler.call_at(self.started_at + arrival.at, arrive, "scenario-arrival")

    async def _play(self) -> None:
        assert self.started_at is not None
        assert self._actors is not None
        end_at = self.started_at + self.duration
        scheduler = self._seat.scheduler
        while True:
            self._check()
            due = scheduler.next_due()
            now = self._clock.now()
            if due is None or due > end_at:
                if now < end_at:
                    await self._move(end_at)
                    continue
                if self._actors.live == 0:
                    break
                if due is None or due > end_at + DRAIN:
                    await self._move(end_at + DRAIN)
                    await self._actors.hang_up_all()
                    break
            assert due is not None
            await self._move(due)
        self._actors.stop()
        await self._settle()

    async def _move(self, when: float) -> None:
        """Move the clock to ``when`` (pacing on delivery, and on the wall unless at max) and
        fire everything due."""
        factor = self.speed.factor
        if factor is not None and self.started_at is not None:
            while True:
                self._check()
                wall_due = self._wall_base + (when - self.started_at) / factor
                left = wall_due - self._clock.wall()
                if left <= 0:
                    break
                await self._wait_stop(min(left, REALTIME_STEP))
                along = self.started_at + (self._clock.wall() - self._wall_base) * factor
                if along < when:
                    self._clock.advance_to(along)
                    await self._seat.run_due()
                    # An outside request may have set an earlier timer meanwhile.
                    due = self._seat.scheduler.next_due()
                    if due is not None and due < when:
                        when = max(due, self._clock.now())
        await self._pace()
        self._clock.advance_to(when)
        await self._seat.run_due()
        await self._store_offset()
        # Let the event loop serve requests and deliveries between jumps.
        await asyncio.sleep(0)

    async def _pace(self) -> None:
        if self.summary.reports.pending > self._pace_bound:
            await self._drain_to(self._pace_bound // 4)

    async def _settle(self) -> None:
        """Wait until every report due now went out (those backing off stay behind)."""
        await self._drain_to(0)

    async def _drain_to(self, level: int) -> None:
        """Wait while more than ``level`` reports wait and some session's are due now."""
        tally = self.summary.reports
        deliverer = self._seat.reports.deliverer
        drained = asyncio.Event()

        def settled() -> None:
            if tally.pending <= level:
                drained.set()

        tally.on_settled = settled
        try:
            while tally.pending > level and deliverer.active > 0:
                self._check()
                drained.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(drained.wait(), timeout=PACE_LOOK)
        finally:
            tally.on_settled = None

    async def _wait_stop(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)

    async def _count_owed(self) -> None:
        """Count as queued the run's reports that parked sessions (receiver down) have in the
        event log only: they are written when each session catches up, after the run, when
        nothing counts them any more (docs/reports.md, parked sessions)."""
        if self.started_at is None or not self._seat_alive():
            return
        tally = self.summary.reports
        for target, count in (await self._seat.reports.owed(self.started_at)).items():
            tally.queued[target] = tally.queued.get(target, 0) + count

    def _check(self) -> None:
        if self._stop.is_set() or not self._seat_alive():
            raise Stopped

    def _seat_alive(self) -> bool:
        try:
            return self._services.seat is self._seat
        except EngineUnavailable:
            return False

    async def _store_offset(self, force: bool = False) -> None:
        """Store the clock's offset now and then, for the other processes of a fleet."""
        moment = time.monotonic()
        if not force and moment - self._offset_stored_at < STORE_OFFSET_EVERY:
            return
        self._offset_stored_at = moment
        await self._services.store.state.put(CLOCK_OFFSET_KEY, repr(self._clock.offset).encode())


class _Forward:
    """The run's listener on the engine's bus (a bus has no unsubscribe: once the run ends,
    this forwards nothing)."""

    def __init__(self, run: Run) -> None:
        self._run = run

    async def __call__(self, event: Any) -> None:
        actors = self._run._actors
        if actors is not None and actors.active:
            await actors(event)
