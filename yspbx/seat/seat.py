"""The seat: one PBX's engine and everything that runs with it, built together, stopped together.

A seat holds the engine, its report fan-out and delivery (:class:`ReportService`), its timers
(a :class:`~yspbx.scheduler.Scheduler` of its own, with the session purge) and, when the engine
is the simulated one, the simulator's controls for ``/sim/v1``. A :class:`SeatFactory` builds
it from a :class:`SeatContext`, the parts outside it that it uses; the server builds a new seat
when it starts, when its process takes the engine lease over, and on ``POST /sim/v1/reset``. A
seat is never restarted or cleared: it is stopped and a new one built, so whatever state a
feature keeps in memory goes with it.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Protocol

from yspbx.clock import Clock
from yspbx.pbx.engine import Engine
from yspbx.pbx.simulated import SimulatedEngine
from yspbx.reports.sender import ReportSender
from yspbx.reports.service import ReportService
from yspbx.scheduler import Scheduler, Timer
from yspbx.sessions.manager import SessionManager
from yspbx.sessions.models import Session
from yspbx.settings import Settings
from yspbx.store.base import Store, StoreUnavailable

log = logging.getLogger(__name__)

# How often (server-clock seconds) long-expired tokens are forgotten.
PURGE_INTERVAL = 3600.0


@dataclass(frozen=True, slots=True)
class SeatContext:
    """What a seat is built on: the parts that outlive it, as this PBX sees them.

    ``store`` is the store as far as this PBX's data goes (the whole store while a server has
    one PBX); ``sender`` posts the reports (the process's connection pool, shared by seats);
    ``node`` names this process in the outbox's delivery leases.
    """

    settings: Settings
    clock: Clock
    store: Store
    sessions: SessionManager
    sender: ReportSender
    node: str


class Seat:
    def __init__(
        self,
        *,
        engine: Engine,
        reports: ReportService,
        scheduler: Scheduler,
        sessions: SessionManager,
        booted_at: float,
        simulator: SimulatedEngine | None = None,
    ) -> None:
        self.engine = engine
        self.reports = reports
        self.scheduler = scheduler
        # The simulated engine's controls (phones, the outside world, registration) for the
        # control plane; None for an engine that is not simulated.
        self.simulator = simulator
        # Since when the PBX runs: a seat rebuilt by a reset keeps its predecessor's.
        self.booted_at = booted_at
        self._sessions = sessions
        self._purge_timer: Timer | None = None

    def simulated(self) -> SimulatedEngine:
        """The simulator's controls; ``/sim/v1`` is mounted only where seats have them."""
        if self.simulator is None:
            raise RuntimeError("this PBX's engine is not simulated")
        return self.simulator

    async def start(self, *, taking_over_from: str | None = None, announce: bool = True) -> None:
        """Run the engine and what runs with it.

        ``taking_over_from``: the process that ran the engine before this one, whose reports in
        flight go out again from here. ``announce``: report ``BootUp`` to every live session
        (a reset is no reboot, and says nothing).
        """
        self.scheduler.start()
        if taking_over_from is not None:
            await self.reports.take_over_from(taking_over_from)
        await self.engine.start()
        await self.reports.start(announce=announce)
        self._arm_purge()

    async def stop(self) -> None:
        """Stop everything that runs with the engine (live calls are lost); for good."""
        if self._purge_timer is not None:
            self._purge_timer.cancel()
            self._purge_timer = None
        with contextlib.suppress(StoreUnavailable):
            await self.reports.stop()
        await self.engine.stop()
        self.scheduler.clear()
        await self.scheduler.stop()

    async def run_due(self) -> int:
        """Fire every timer the clock made due (``clock/advance`` answers after them); how
        many fired."""
        return await self.scheduler.run_due()

    async def session_ended(self, session: Session, reason: str) -> None:
        await self.reports.session_ended(session, reason)

    def _arm_purge(self) -> None:
        self._purge_timer = self.scheduler.call_later(PURGE_INTERVAL, self._purge, "purge")

    async def _purge(self) -> None:
        forgotten = await self._sessions.purge_stale()
        if forgotten:
            log.info("forgot %d long-expired tokens", forgotten)
        self._arm_purge()


class SeatFactory(Protocol):
    """Builds the seats of one engine kind (the simulated PBX today; a real PBX's later)."""

    @property
    def simulated(self) -> bool:
        """Whether its seats carry the simulator's controls (and the server mounts
        ``/sim/v1``)."""

    @property
    def kept_on_reset(self) -> frozenset[str]:
        """The state-store keys a reset keeps (the rest of the PBX's stored data goes)."""

    def build(self, context: SeatContext, booted_at: float | None = None) -> Seat:
        """A new seat, not yet started; ``booted_at`` carries a predecessor's boot time."""
