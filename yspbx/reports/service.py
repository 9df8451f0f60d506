"""The reports part of the server: outbox, delivery and fan-out, and their life cycle.

At start it resumes every session that still has pending reports (a restart loses nothing)
and then reports ``BootUp`` to every live session. A periodic sweep on the server clock drops
the reports of sessions that expired, picks up sessions whose head another process let go,
and trims the delivered history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from yspbx.clock import Clock
from yspbx.config import ReportSettings
from yspbx.pbx.events import DomainEvent, SystemStarted
from yspbx.reports.delivery import Deliverer
from yspbx.reports.fanout import MonitoredCheck, ReportFanout
from yspbx.reports.outbox import Outbox, RetryPolicy
from yspbx.reports.refusals import RefusalPolicy
from yspbx.reports.sender import ReportSender
from yspbx.scheduler import Scheduler, Timer
from yspbx.sessions.manager import SessionManager
from yspbx.sessions.models import Session
from yspbx.store.base import Store

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
        transport: httpx.AsyncBaseTransport | None = None,
        owner: str | None = None,
    ) -> None:
        """``owner`` names this process in the outbox's leases (random when not given).

        Whoever builds the service calls :meth:`session_ended` when a session ends by logout
        (``SessionManager.on_end``): a server rebuilds this service when its process takes the
        engine over, and the hook must follow the current one."""
        self._scheduler = scheduler
        self._store = store
        self.outbox = Outbox(store.outbox, settings.history)
        self.sender = ReportSender(
            settings.timeout, settings.concurrency, transport, keepalive=settings.keepalive
        )
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
        self._sweep_timer: Timer | None = None

    async def publish(self, event: DomainEvent) -> None:
        await self.fanout.publish(event)

    async def start(self) -> None:
        await self._resume()
        self._arm_sweep()
        await self.publish(SystemStarted())

    async def stop(self) -> None:
        if self._sweep_timer is not None:
            self._sweep_timer.cancel()
        await self.deliverer.stop()
        await self.sender.aclose()

    async def reset(self) -> None:
        """Forget every report, pending or not (``POST /sim/v1/reset``)."""
        if self._sweep_timer is not None:
            self._sweep_timer.cancel()
        await self.deliverer.cancel_all()
        await self.outbox.clear()
        self._arm_sweep()

    async def session_ended(self, session: Session, reason: str) -> None:
        self.deliverer.forget(session.token)
        await self.outbox.drop(session.token, reason)

    async def listing(self) -> list[dict[str, Any]]:
        return await self.outbox.listing()

    async def _resume(self) -> None:
        for token in await self._store.outbox.pending_tokens():
            self.deliverer.wake(token)

    def _arm_sweep(self) -> None:
        self._sweep_timer = self._scheduler.call_later(SWEEP_INTERVAL, self._sweep, "report-sweep")

    async def _sweep(self) -> None:
        await self._resume()
        await self.outbox.trim()
        self._arm_sweep()
