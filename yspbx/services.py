"""The server's parts, built once per process from the settings, and their life cycle.

The API envelope, the control plane and the timers all reach the same objects through
:class:`Services`; nothing is a module-level global, so a test can run several servers in one
process and each has its own clock, store and engine.

On a store several processes can share (SQLite, Redis) the process joins a fleet
(:mod:`yspbx.fleet`): the engine and what hangs off it (its timers, the report fan-out and
delivery, the session purge) run only in the process holding the engine lease. The *seat* is
that set of parts; a process builds a fresh one each time it takes the lease over, from what
the store keeps, and stops it when it loses the lease. Every process answers logins and
token checks itself, from the shared store.
"""

from __future__ import annotations

import contextlib
import logging
import math
from dataclasses import dataclass, field

import httpx

from yspbx.clock import Clock
from yspbx.fleet.node import Executor, FleetNode, link_for, node_name
from yspbx.journal import Journal, LocalJournal, SharedJournal
from yspbx.pbx.engine import Engine
from yspbx.pbx.simulated import SimulatedEngine
from yspbx.reports.fanout import MonitoredCheck
from yspbx.reports.service import ReportService
from yspbx.scheduler import Scheduler, Timer
from yspbx.sessions.lockout import LockoutPolicy
from yspbx.sessions.manager import Credentials, SessionManager
from yspbx.sessions.models import Session
from yspbx.settings import Settings
from yspbx.store import Store, StoreUnavailable, open_store

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
    journal: Journal
    node: str
    engine: Engine
    simulator: SimulatedEngine
    reports: ReportService
    fleet: FleetNode | None = None
    report_transport: httpx.AsyncBaseTransport | None = None
    _purge_timer: Timer | None = None
    _seat_used: bool = field(default=False)

    @classmethod
    def build(
        cls,
        settings: Settings,
        store: Store | None = None,
        report_transport: httpx.AsyncBaseTransport | None = None,
    ) -> Services:
        """Build every part; ``report_transport`` replaces the network under report delivery."""
        server = settings.server
        clock = Clock()
        scheduler = Scheduler(clock)
        store = store or open_store(
            server.store, prefix=server.store_prefix, timeout=server.store_timeout
        )
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
        node = node_name()
        journal: Journal
        if store.shareable:
            journal = SharedJournal(store.journal, settings.sim.journal_size)
        else:
            journal = LocalJournal(settings.sim.journal_size)
        engine, reports = _new_seat(
            settings, clock, scheduler, store, sessions, node, report_transport
        )
        services = cls(
            settings=settings,
            clock=clock,
            scheduler=scheduler,
            store=store,
            lockout=lockout,
            sessions=sessions,
            journal=journal,
            node=node,
            engine=engine,
            simulator=engine,
            reports=reports,
            report_transport=report_transport,
        )
        sessions.on_end(services._session_ended)
        if store.shareable:
            services.fleet = FleetNode(
                store.leases,
                link_for(store, node, server.store_timeout),
                node,
                lease_seconds=server.engine_lease,
                timeout=server.engine_timeout,
                on_gain=services._take_seat,
                on_loss=services._leave_seat,
            )
        return services

    @property
    def seated(self) -> bool:
        """Whether this process runs the engine (always, outside a fleet)."""
        return self.fleet is None or self.fleet.seated

    async def start(self, executor: Executor | None = None) -> None:
        """Start; in a fleet, ``executor`` answers the requests other processes hand over."""
        await self._adopt_stored_clock()
        self.scheduler.start()
        if self.fleet is None:
            await self._run_seat()
        else:
            await self.fleet.start(executor)

    async def stop(self) -> None:
        if self.fleet is None:
            await self._leave_seat("the server is stopping")
        else:
            await self.fleet.stop()
            if not self.fleet.seated:
                # The seat this process built and never ran (or already stopped).
                await self.reports.sender.aclose()
        await self.scheduler.stop()
        await self.journal.close()
        await self.store.close()

    async def sync_clock(self) -> None:
        """Adopt the engine's clock before answering (a process without the engine)."""
        if self.fleet is not None and not self.fleet.seated:
            await self._adopt_stored_clock()

    async def advance_clock(self, seconds: float) -> float:
        """Move the clock and fire every timer that became due before answering.

        The new offset is stored first, so every process of a fleet sees it from its next
        request on, and a store that cannot take it leaves the clock where it was.
        """
        offset = self.clock.offset_after(seconds)
        await self.store.state.put(CLOCK_OFFSET_KEY, repr(offset).encode())
        self.clock.adopt_offset(offset)
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
        await self.journal.clear()
        self._arm_timers()

    async def _adopt_stored_clock(self) -> float | None:
        """Take the stored clock offset if it is ahead; the stored offset (None: none)."""
        saved = await self.store.state.get(CLOCK_OFFSET_KEY)
        if saved is None:
            return None
        try:
            offset = float(saved)
        except ValueError:
            offset = math.nan
        if not math.isfinite(offset):
            log.error("ignoring an unreadable stored clock offset %r", saved[:40])
            return None
        self.clock.adopt_offset(offset)
        return offset

    async def _session_ended(self, session: Session, reason: str) -> None:
        await self.reports.session_ended(session, reason)

    # -- the seat: the engine and what runs with it -----------------------------------------

    async def _run_seat(self) -> None:
        await self.engine.start()
        await self.reports.start()
        self._arm_timers()

    async def _take_seat(self, previous: str | None) -> None:
        """This process took the engine lease: build the engine from the store and run it."""
        stored = await self._adopt_stored_clock()
        if stored is None or stored < self.clock.offset:
            # The store lost the offset (a Redis without persistence came back empty): keep the
            # clock where this process had it, for every process to read.
            await self.store.state.put(CLOCK_OFFSET_KEY, repr(self.clock.offset).encode())
        if self._seat_used:
            engine, reports = _new_seat(
                self.settings,
                self.clock,
                self.scheduler,
                self.store,
                self.sessions,
                self.node,
                self.report_transport,
            )
            self.engine, self.simulator, self.reports = engine, engine, reports
        self._seat_used = True
        if previous is not None and previous != self.node:
            # Reports the previous holder was sending when it died go out again from here.
            released = await self.store.outbox.release(previous)
            if released:
                log.warning("took over %d report(s) %s was delivering", released, previous)
        try:
            await self._run_seat()
        except BaseException:
            await self._leave_seat("the engine could not start")
            raise

    async def _leave_seat(self, reason: str) -> None:
        """Stop the engine and everything that runs with it (live calls are lost)."""
        if self._purge_timer is not None:
            self._purge_timer.cancel()
            self._purge_timer = None
        with contextlib.suppress(StoreUnavailable):
            await self.reports.stop()
        await self.engine.stop()
        self.scheduler.clear()

    def _arm_timers(self) -> None:
        self._purge_timer = self.scheduler.call_later(PURGE_INTERVAL, self._purge, "purge")

    async def _purge(self) -> None:
        forgotten = await self.sessions.purge_stale()
        if forgotten:
            log.info("forgot %d long-expired tokens", forgotten)
        self._arm_timers()


def _new_seat(
    settings: Settings,
    clock: Clock,
    scheduler: Scheduler,
    store: Store,
    sessions: SessionManager,
    node: str,
    report_transport: httpx.AsyncBaseTransport | None,
) -> tuple[SimulatedEngine, ReportService]:
    engine = SimulatedEngine(settings, clock, scheduler, store.state)
    reports = ReportService(
        settings.reports,
        clock,
        scheduler,
        store,
        sessions,
        serial_number=lambda: engine.serial_number,
        monitored=_status_monitor(engine),
        transport=report_transport,
        owner=node,
    )
    engine.subscribe(reports.publish)
    return engine, reports


def _status_monitor(engine: SimulatedEngine) -> MonitoredCheck:
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
