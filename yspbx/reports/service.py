"""The reports part of an engine seat: outbox, delivery and fan-out, and their life cycle.

At start it resumes every session that still has pending reports (a restart loses nothing)
and then reports ``BootUp`` to every live session. A periodic sweep on the server clock drops
the reports of sessions that expired, picks up sessions whose head another process let go,
and trims the delivered history. The HTTP client that posts the reports
(:class:`~yspbx.reports.sender.ReportSender`) is the process's, lent to each seat in turn:
building a seat opens no connection pool.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from yspbx.clock import Clock
from yspbx.pbx.events import DomainEvent, SystemStarted
from yspbx.reports.delivery import Deliverer
from yspbx.reports.fanout import BATCH, MonitoredCheck, ReportFanout
from yspbx.reports.outbox import Outbox, RetryPolicy
from yspbx.reports.refusals import RefusalPolicy
from yspbx.reports.sender import ReportSender
from yspbx.reports.streams import STREAM_PREFIX, EventStreams
from yspbx.reports.subscriptions import takeover_reader
from yspbx.scheduler import Scheduler, Timer
from yspbx.sessions.manager import SessionManager
from yspbx.sessions.models import Session
from yspbx.settings import ReportSettings
from yspbx.store.base import Store, StoreUnavailable

log = logging.getLogger(__name__)

# How often (server-clock seconds) the outbox is swept for ended sessions and orphaned queues.
SWEEP_INTERVAL = 30.0


class ReportService:
    def __init__(
        self,
        settings: ReportSettings,
        clock: Clock,
        scheduler: Scheduler,
        store: Store,
        sessions: SessionManager,
        serial_number: Callable[[], str],
        monitored: MonitoredCheck,
        sender: ReportSender,
        owner: str | None = None,
    ) -> None:
        """``owner`` names this process in the outbox's leases (random when not given).

        Whoever builds the service calls :meth:`session_ended` when a session ends by logout
        (``SessionManager.on_end``): a server rebuilds this service with every seat, and the
        hook must follow the current one. ``sender`` outlives the service: its owner closes it."""
        self._scheduler = scheduler
        self._store = store
        self.outbox = Outbox(store.outbox, settings.history, settings.max_pending)
        self.sender = sender
        self.deliverer = Deliverer(
            outbox=self.outbox,
            sessions=sessions,
            session_store=store.sessions,
            sender=self.sender,
            scheduler=scheduler,
            clock=clock,
            retry=RetryPolicy.from_settings(settings),
            concurrency=settings.concurrency,
            owner=owner,
            refusals=RefusalPolicy.from_settings(settings),
        )
        self.fanout = ReportFanout(
            store.sessions, clock, self.outbox, self.deliverer, serial_number, monitored
        )
        self.fanout.http = settings.transport == "http"
        self.outbox.taken_over_at = takeover_reader(store.sessions, clock)
        self._sweep_timer: Timer | None = None
        self._starting: asyncio.Task[None] | None = None
        self._streams: EventStreams | None = None

    def attach_streams(self, streams: EventStreams | None) -> None:
        """Feed the process's TCP event streams too (before :meth:`start`)."""
        self._streams = streams
        self.fanout.streams = streams

    async def publish(self, event: DomainEvent) -> None:
        await self.fanout.publish(event)

    async def start(self, announce: bool = True) -> None:
        """Sweep from now on; resume what is pending and, with ``announce``, report ``BootUp``
        to every live session (not after a reset, which is no reboot).

        Resuming and announcing grow with the sessions (90,000 sessions are 90,000 reports to
        queue): they run after the start, in batches that leave the event loop free between
        them, so a take-over of the engine lease completes (and the lease is renewed) however
        many sessions there are. A report the engine publishes meanwhile waits for the
        announcement, so ``BootUp`` still comes first."""
        self._arm_sweep()
        try:
            await self.outbox.load()
        except StoreUnavailable as exc:
            log.warning("parked report sessions not read: the store did not answer (%s)", exc)
        if announce:
            self.fanout.hold()
        self._starting = asyncio.create_task(self._after_start(announce), name="yspbx-boot")

    async def _after_start(self, announce: bool) -> None:
        try:
            await self._resume()
            if announce:
                queued = await self.fanout.announce(SystemStarted())
                log.info("BootUp queued for %d session(s)", queued)
        except StoreUnavailable as exc:
            # The sweep resumes the deliveries later; the announcement is the lost part.
            log.warning("BootUp not reported: the store did not answer (%s)", exc)
        finally:
            self.fanout.release()

    async def take_over_from(self, owner: str) -> None:
        """Reports the process ``owner`` was delivering when it stopped go out again from
        here (at least once, in order)."""
        released = await self._store.outbox.release(owner)
        if released:
            log.warning("took over %d report(s) %s was delivering", released, owner)

    async def stop(self) -> None:
        if self._sweep_timer is not None:
            self._sweep_timer.cancel()
        starting, self._starting = self._starting, None
        if starting is not None:
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
        self.fanout.release()
        await self.deliverer.stop()

    async def session_ended(self, session: Session, reason: str) -> None:
        self.deliverer.forget(session.token)
        await self.outbox.drop(session.token, reason, session)

    async def listing(self) -> list[dict[str, Any]]:
        # A read changes nothing: a parked session's reports for the events it missed are
        # listed from the event log, not queued (docs/reports.md).
        return await self.outbox.listing(self._store.sessions.get)

    async def owed(self, since: float) -> dict[str, int]:
        """Per report address, the reports for events from ``since`` on that the parked
        sessions have not queued yet (they are in the event log until each catches up): what
        a count of queued reports adds to be complete while sessions are parked."""
        counts: dict[str, int] = {}
        for report in await self.outbox.owed(self._store.sessions.get):
            if report.created_at >= since:
                counts[report.target] = counts.get(report.target, 0) + 1
        return counts

    async def _resume(self) -> None:
        for count, token in enumerate(await self._store.outbox.pending_tokens(), 1):
            if token.startswith(STREAM_PREFIX):
                # A TCP stream's queue: its connection writes it; one of a connection that is
                # gone (another process, before a restart) can never be written.
                if self._streams is None or not self._streams.owns(token):
                    await self.outbox.drop(token, "TCP client gone")
                continue
            self.deliverer.wake(token)
            if count % BATCH == 0:
                await asyncio.sleep(0)

    def _arm_sweep(self) -> None:
        self._sweep_timer = self._scheduler.call_later(SWEEP_INTERVAL, self._sweep, "report-sweep")

    async def _sweep(self) -> None:
        await self._resume()
        await self.outbox.trim()
        self._arm_sweep()
