"""The server's process-wide parts, built once per process from the settings, and the engine seat.

:class:`Services` holds what a process keeps for its whole life: the settings, the clock, the
store, the sessions and lockout rules, the request journal, the report sender's connections and,
on a shareable store, its place in the fleet. The engine and what runs with it (report fan-out
and delivery, timers, the simulator's controls) form the *seat* (:mod:`yspbx.seat`), which a
factory builds: when the process starts, each time it takes the engine lease over, and on
``POST /sim/v1/reset`` (reset = rebuild). Nothing is a module-level global, so a test can run
several servers in one process and each has its own clock, store and engine.

On a store several processes can share (SQLite, Redis) the process joins a fleet
(:mod:`yspbx.fleet`): only the process holding the engine lease has a seat; it builds one from
what the store keeps when it takes the lease and stops it when it loses the lease. Every process
answers logins and token checks itself, from the shared store.
"""

from __future__ import annotations

import asyncio
import logging
import math
from contextvars import ContextVar, Token
from dataclasses import dataclass, field

from yspbx.clock import Clock
from yspbx.fleet.links import EngineUnavailable
from yspbx.fleet.messages import Message
from yspbx.fleet.node import Executor, FleetNode, link_for, node_name
from yspbx.hub import (
    EventHub,
    PublishedStore,
    PublishingSessions,
    live_tokens,
    masked_token,
)
from yspbx.journal import Journal, LocalJournal, PublishingJournal, SharedJournal
from yspbx.pbx.call_ops import CallOps
from yspbx.pbx.config_ops import ConfigOps
from yspbx.pbx.engine import DeviceInfo, Engine, EventListener
from yspbx.pbx.simulated import SimulatedEngine
from yspbx.reports.outbox import Outbox
from yspbx.reports.sender import ReportSender
from yspbx.reports.streams import EventStreams
from yspbx.seat import Seat, SeatContext, SeatFactory, factory_for, forget_stored
from yspbx.seat.feed import EngineFeed
from yspbx.sessions.lockout import LockoutPolicy
from yspbx.sessions.manager import Credentials, SessionManager
from yspbx.sessions.models import Session
from yspbx.settings import Settings
from yspbx.store import Store, open_store
from yspbx.store.base import SessionLimits

log = logging.getLogger(__name__)

CLOCK_OFFSET_KEY = "clock.offset"
# The default PBX's documents listing the PBXs hosted beside it (kept across its reset).
HOSTED_PREFIX = "hosted."


@dataclass
class Services:
    settings: Settings
    clock: Clock
    store: Store
    lockout: LockoutPolicy
    sessions: SessionManager
    journal: Journal
    node: str
    seats: SeatFactory
    report_sender: ReportSender
    events: EventHub = field(default_factory=EventHub)
    fleet: FleetNode | None = None
    # A hosted PBX's name ('' for the default PBX), and the default PBX's services, whose place
    # in the fleet (engine lease, link) it shares: the process that runs the default PBX's
    # engine runs every hosted PBX's.
    name: str = ""
    leader: Services | None = None
    _followers: dict[str, Services] = field(default_factory=dict)
    _seat_store: Store | None = None
    _seat: Seat | None = None
    # The TCP event listener and its streams (reports.tcp_port), when one runs.
    streams: EventStreams | None = None
    # One seat change at a time: a reset never races a lease take-over or loss.
    _seat_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def build(
        cls,
        settings: Settings,
        store: Store | None = None,
        seats: SeatFactory | None = None,
        *,
        hosted_by: Services | None = None,
        name: str = "",
    ) -> Services:
        """Build the process's parts (the seat comes at start); ``seats`` is the factory the
        settings ask for.

        ``hosted_by``: the default PBX's services, for a PBX ``name`` hosted beside it: its
        store is the default's namespace ``name``; the report sender, the process's name and
        the fleet are the default's."""
        server = settings.server
        clock = Clock()
        if hosted_by is not None:
            store = hosted_by.store.namespace(name)
        store = store or open_store(
            server.store,
            prefix=server.store_prefix,
            timeout=server.store_timeout,
            sync=server.store_sync,
        )
        api = settings.api
        # What changes, for GET /sim/v1/events: the seat's store reports its outbox's changes,
        # the lockout and session rules theirs.
        hub = EventHub()
        published = PublishedStore(store, hub)
        lockout = LockoutPolicy(
            published.lockouts, clock, api.lockout_threshold, api.lockout_seconds
        )
        sessions = SessionManager(
            store=PublishingSessions(store.sessions, hub),
            lockout=lockout,
            clock=clock,
            credentials=Credentials(
                api.username, SessionManager.hash_password(api.password.get_secret_value())
            ),
            token_ttl=api.token_ttl,
            refresh_interval=api.token_refresh_interval,
            allowed_report_hosts=settings.reports.allowed_hosts,
            report_transport=settings.reports.transport,
            limits=SessionLimits(total=api.max_sessions, per_ip=api.max_sessions_per_ip),
        )
        node = node_name() if hosted_by is None else hosted_by.node
        journal: Journal
        if store.shareable:
            journal = SharedJournal(store.journal, settings.sim.journal_size)
        else:
            journal = LocalJournal(settings.sim.journal_size)
        journal = PublishingJournal(journal, hub)
        reports = settings.reports
        if hosted_by is not None:
            sender = hosted_by.report_sender
        else:
            sender = ReportSender(reports.timeout, reports.concurrency, keepalive=reports.keepalive)
        services = cls(
            settings=settings,
            clock=clock,
            store=store,
            lockout=lockout,
            sessions=sessions,
            journal=journal,
            node=node,
            seats=seats or factory_for(settings),
            report_sender=sender,
            name=name,
            leader=hosted_by,
            events=hub,
            _seat_store=published,
        )
        sessions.on_end(services._session_ended)
        if hosted_by is not None:
            services.fleet = hosted_by.fleet
        elif store.shareable:
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

    @property
    def seat(self) -> Seat:
        """The seat this process runs (only while it runs the engine)."""
        if self._seat is None:
            raise EngineUnavailable("this process does not run the engine")
        return self._seat

    @property
    def engine(self) -> Engine:
        """The current seat's engine (a reset or a take-over replaces it); in a process
        without the engine, a stand-in that refuses every use: only the endpoints that need
        no engine (login, heartbeat, logout) run there."""
        seat = self._seat
        return seat.engine if seat is not None else NO_ENGINE

    @property
    def simulator(self) -> SimulatedEngine:
        """The current seat's simulator controls."""
        return self.seat.simulated()

    async def start(self, executor: Executor | None = None) -> None:
        """Start; in a fleet, ``executor`` answers the requests other processes hand over."""
        await self._adopt_stored_clock()
        reports = self.settings.reports
        if reports.tcp_port:
            streams = EventStreams(self.sessions, self.store.outbox, self.clock)
            await streams.start(reports.tcp_host or self.settings.server.host, reports.tcp_port)
            self.streams = streams
        if self.leader is not None:
            # A hosted PBX: its seat runs where the default PBX's does, from now on.
            self.leader._followers[self.name] = self
            if self.seated:
                async with self._seat_lock:
                    if self._seat is None:
                        await self._open_seat()
        elif self.fleet is None:
            await self._open_seat()
        else:
            await self.fleet.start(executor)

    async def stop(self) -> None:
        if self.streams is not None:
            await self.streams.stop()
        if self.leader is not None:
            self.leader._followers.pop(self.name, None)
            await self._leave_seat("the PBX is removed")
            await self.journal.close()
            return
        if self.fleet is None:
            await self._leave_seat("the server is stopping")
        else:
            await self.fleet.stop()
        await self.report_sender.aclose()
        await self.journal.close()
        await self.store.close()

    async def hand_over(self, message: Message) -> Message:
        """Send a request to the process that runs the engine, saying which PBX it is for."""
        assert self.fleet is not None
        if self.name:
            message.header["pbx"] = self.name
        return await self.fleet.request(message)

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
        watching = self.events.listening
        before = await live_tokens(self.store.sessions, self.clock) if watching else set()
        self.clock.adopt_offset(offset)
        fired = 0
        if self._seat is not None:
            fired = await self._seat.run_due()
        if watching:
            expired = before - await live_tokens(self.store.sessions, self.clock)
            for token in sorted(expired):
                self.events.publish("session", {"change": "expired", "token": masked_token(token)})
            self.events.publish(
                "clock",
                {
                    "now": self.clock.now(),
                    "advanced": seconds,
                    "timers": fired,
                    "expired_sessions": len(expired),
                },
            )
        return self.clock.now()

    async def reset(self) -> None:
        """Back to the loaded configuration: a new seat, and nothing the PBX stored (no calls,
        sessions, lockouts, reports, records or logs). The clock and the call ids go on."""
        self.events.publish("reset", {"now": self.clock.now()})
        async with self._seat_lock:
            old = self.seat
            await old.stop()
            try:
                hosted = [key for key, _ in await self.store.state.scan(HOSTED_PREFIX)]
                kept = {CLOCK_OFFSET_KEY, *hosted, *self.seats.kept_on_reset}
                await forget_stored(self.store, kept)
                await self.journal.clear()
            finally:
                # Even when the store failed half-way, the engine runs again (as after a
                # restart on what the store kept).
                await self._open_seat(booted_at=old.booted_at, announce=False)

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
        if self._seat is not None:
            await self._seat.session_ended(session, reason)
        else:
            # Another process runs the engine: the session's undelivered reports go all the same.
            await Outbox(self.store.outbox, self.settings.reports.history).drop(
                session.token, reason
            )

    # -- the seat: the engine and what runs with it -----------------------------------------

    def _seat_context(self) -> SeatContext:
        return SeatContext(
            settings=self.settings,
            clock=self.clock,
            store=self._seat_store or self.store,
            sessions=self.sessions,
            sender=self.report_sender,
            node=self.node,
        )

    async def _open_seat(
        self,
        *,
        taking_over_from: str | None = None,
        booted_at: float | None = None,
        announce: bool = True,
    ) -> None:
        """Build a seat and start it; it becomes the current one once it runs."""
        seat = self.seats.build(self._seat_context(), booted_at)
        seat.engine.subscribe(EngineFeed(self.events, seat.simulator))
        seat.reports.attach_streams(self.streams)
        try:
            await seat.start(taking_over_from=taking_over_from, announce=announce)
        except BaseException:
            await seat.stop()
            raise
        self._seat = seat

    async def _take_seat(self, previous: str | None) -> None:
        """This process took the engine lease: build the seat from the store and run it."""
        stored = await self._adopt_stored_clock()
        if stored is None or stored < self.clock.offset:
            # The store lost the offset (a Redis without persistence came back empty): keep the
            # clock where this process had it, for every process to read.
            await self.store.state.put(CLOCK_OFFSET_KEY, repr(self.clock.offset).encode())
        if previous == self.node:
            previous = None
        async with self._seat_lock:
            # A hosted PBX started meanwhile may have opened its seat already.
            if self._seat is None:
                await self._open_seat(taking_over_from=previous)
        for follower in list(self._followers.values()):
            try:
                await follower._take_seat(previous)
            except Exception:
                log.exception("PBX %s could not start its engine", follower.name)

    async def _leave_seat(self, reason: str) -> None:
        """Stop the engine and everything that runs with it (live calls are lost)."""
        for follower in list(self._followers.values()):
            await follower._leave_seat(reason)
        async with self._seat_lock:
            seat, self._seat = self._seat, None
            if seat is not None:
                await seat.stop()


class _NoEngine:
    """The engine of a process that does not run it: any use is a bug, answered 30001."""

    def _absent(self) -> RuntimeError:
        return RuntimeError("this process does not run the engine")

    @property
    def config(self) -> ConfigOps:
        raise self._absent()

    @property
    def calls(self) -> CallOps:
        raise self._absent()

    @property
    def serial_number(self) -> str:
        raise self._absent()

    def subscribe(self, listener: EventListener) -> None:
        raise self._absent()

    async def start(self) -> None:
        raise self._absent()

    async def stop(self) -> None:
        raise self._absent()

    async def device_info(self) -> DeviceInfo:
        raise self._absent()

    def status_monitored(self, number: str) -> bool:
        raise self._absent()


NO_ENGINE: Engine = _NoEngine()


class ServicesHolder:
    """Filled in by the app's lifespan; the ASGI parts read ``services`` per request.

    ``services`` is the services of the PBX the request is for: the default PBX's, unless the
    app chose a hosted PBX for this request (:meth:`enter`, by port or path prefix). The choice
    is a context variable, so it follows the request into every task it starts and no further.
    """

    def __init__(self) -> None:
        self._services: Services | None = None
        self._chosen: ContextVar[Services | None] = ContextVar(
            f"yspbx_pbx_{id(self)}", default=None
        )

    @property
    def services(self) -> Services:
        chosen = self._chosen.get()
        if chosen is not None:
            return chosen
        if self._services is None:
            raise RuntimeError("the server has not started")
        return self._services

    @services.setter
    def services(self, value: Services | None) -> None:
        self._services = value

    @property
    def default(self) -> Services:
        """The default PBX's services (the process-wide parts are theirs)."""
        if self._services is None:
            raise RuntimeError("the server has not started")
        return self._services

    def enter(self, services: Services) -> Token[Services | None]:
        """Serve what follows (in this context) for ``services``' PBX."""
        return self._chosen.set(services)

    def leave(self, token: Token[Services | None]) -> None:
        self._chosen.reset(token)
