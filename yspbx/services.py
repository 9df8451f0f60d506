"""The server's parts, built once per process from the settings, and their life cycle.

The API envelope, the control plane and the timers all reach the same objects through
:class:`Services`; nothing is a module-level global, so a test can run several servers in one
process and each has its own clock, store and engine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from yspbx.clock import Clock
from yspbx.config import Settings
from yspbx.journal import Journal
from yspbx.pbx.engine import Engine
from yspbx.pbx.simulated import SimulatedPbx
from yspbx.reports.fanout import MonitoredCheck
from yspbx.reports.service import ReportService
from yspbx.scheduler import Scheduler, Timer
from yspbx.sessions.lockout import LockoutPolicy
from yspbx.sessions.manager import Credentials, SessionManager
from yspbx.store import Store, open_store

log = logging.getLogger(__name__)

# How often (server-clock seconds) long-expired tokens are forgotten.
PURGE_INTERVAL = 3600.0
CLOCK_OFFSET_KEY = "clock.offset"


@dataclass
class Services:
    settings: Settings
    clock: Clock
    scheduler: Scheduler
    store: Store
    lockout: LockoutPolicy
    sessions: SessionManager
    engine: Engine
    simulator: SimulatedPbx
    journal: Journal
    reports: ReportService
    _purge_timer: Timer | None = None

    @classmethod
    def build(
        cls,
        settings: Settings,
        store: Store | None = None,
        report_transport: httpx.AsyncBaseTransport | None = None,
    ) -> Services:
        """Build every part; ``report_transport`` replaces the network under report delivery."""
        clock = Clock()
        scheduler = Scheduler(clock)
        store = store or open_store(settings.server.store)
        api = settings.api
        lockout = LockoutPolicy(store.lockouts, clock, api.lockout_threshold, api.lockout_seconds)
        sessions = SessionManager(
            store=store.sessions,
            lockout=lockout,
            clock=clock,
            credentials=Credentials(
                api.username, SessionManager.hash_password(api.password.get_secret_value())
            ),
            token_ttl=api.token_ttl,
            refresh_interval=api.token_refresh_interval,
            allowed_report_hosts=settings.reports.allowed_hosts,
        )
        engine = SimulatedPbx(settings, clock, scheduler, store.state)
        reports = ReportService(
            settings.reports,
            clock,
            scheduler,
            store,
            sessions,
            serial_number=lambda: engine.serial_number,
            monitored=_status_monitor(engine),
            transport=report_transport,
        )
        engine.subscribe(reports.publish)
        return cls(
            settings=settings,
            clock=clock,
            scheduler=scheduler,
            store=store,
            lockout=lockout,
            sessions=sessions,
            engine=engine,
            simulator=engine,
            journal=Journal(settings.sim.journal_size),
            reports=reports,
        )

    async def start(self) -> None:
        saved = await self.store.state.get(CLOCK_OFFSET_KEY)
        if saved is not None:
            self.clock.adopt_offset(float(saved))
        await self.engine.start()
        await self.reports.start()
        self._arm_timers()
        self.scheduler.start()

    async def stop(self) -> None:
        await self.scheduler.stop()
        await self.reports.stop()
        await self.engine.stop()
        await self.store.close()

    async def advance_clock(self, seconds: float) -> float:
        """Move the clock and fire every timer that became due before answering."""
        self.clock.advance(seconds)
        await self.store.state.put(CLOCK_OFFSET_KEY, repr(self.clock.offset).encode())
        await self.scheduler.run_due()
        return self.clock.now()

    async def reset(self) -> None:
        """Back to the loaded configuration: no calls, sessions, lockouts, reports or logs."""
        if self._purge_timer is not None:
            self._purge_timer.cancel()
        await self.reports.reset()
        await self.store.sessions.clear()
        await self.store.lockouts.clear()
        await self.engine.reset()
        self.journal.clear()
        self._arm_timers()

    def _arm_timers(self) -> None:
        self._purge_timer = self.scheduler.call_later(PURGE_INTERVAL, self._purge, "purge")

    async def _purge(self) -> None:
        forgotten = await self.sessions.purge_stale()
        if forgotten:
            log.info("forgot %d long-expired tokens", forgotten)
        self._arm_timers()


def _status_monitor(engine: SimulatedPbx) -> MonitoredCheck:
    """The PBX's "status monitor" switch per extension, as the report fan-out asks for it."""

    def monitored(number: str) -> bool:
        extension = engine.config.extensions.get(number)
        return extension is None or extension.status_monitor

    return monitored


class ServicesHolder:
    """Filled in by the app's lifespan; the ASGI parts read ``services`` per request."""

    def __init__(self) -> None:
        self._services: Services | None = None

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("the server has not started")
        return self._services

    @services.setter
    def services(self, value: Services | None) -> None:
        self._services = value
