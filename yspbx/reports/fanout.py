"""From one domain event to one queued report per live session that is reported to.

Every live session (logged in, token not expired) gets every report, in the format its login
chose: queued at once for the sessions on the store's reporting list
(:meth:`~yspbx.store.base.SessionStore.reporting`), logged once for the parked ones, which
catch up later (:mod:`yspbx.reports.outbox`). The fan-out reads only that list, so its cost per
event grows with the sessions being delivered to, not with those whose receiver is down. For
sessions in the 2.0.0 format one per target URL gets the event (:mod:`.subscriptions`).

The one exception is the PBX's status-monitoring switch: ``ExtensionStatus`` for an extension
that is not monitored is not reported, nor are ``RING``/``ALERT`` about one (the party the
report is about, listed first). The report is in the store before this returns, so
the engine's event order is the reports' order, and a crash after it loses nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from yspbx.clock import Clock
from yspbx.pbx.events import (
    CallAlerting,
    CallRinging,
    CallStatusChanged,
    DomainEvent,
    ExtensionStatusChanged,
    ExtParty,
)
from yspbx.reports.delivery import Deliverer
from yspbx.reports.formats import action_of, render
from yspbx.reports.formats_v2 import NAMES, V2_FORMAT, render_v2
from yspbx.reports.outbox import Outbox
from yspbx.reports.streams import EventStreams
from yspbx.reports.subscriptions import one_per_target
from yspbx.store.base import SessionStore

# Sessions queued per transaction when every session gets a report at start (``BootUp``).
BATCH = 500

# Whether an extension's status is monitored (an unknown number counts as monitored).
MonitoredCheck = Callable[[str], bool]


class ReportFanout:
    def __init__(
        self,
        session_store: SessionStore,
        clock: Clock,
        outbox: Outbox,
        deliverer: Deliverer,
        serial_number: Callable[[], str],
        monitored: MonitoredCheck,
    ) -> None:
        self._session_store = session_store
        self._clock = clock
        self._outbox = outbox
        self._deliverer = deliverer
        self._serial_number = serial_number
        self._monitored = monitored
        # False when the PBX's report method is TCP: nothing is posted to sessions then.
        self.http = True
        # The process's TCP event streams, when a listener runs (reports/streams.py).
        self.streams: EventStreams | None = None
        # Clear while a BootUp is to be queued: reports published meanwhile come after it.
        self._ready = asyncio.Event()
        self._ready.set()

    def hold(self) -> None:
        """An announcement is coming (:meth:`announce`): reports published until it is queued
        wait for it."""
        self._ready.clear()

    def release(self) -> None:
        """Let published reports through (the announcement is queued, or will never be)."""
        self._ready.set()

    async def publish(self, event: DomainEvent) -> None:
        """Queue ``event``'s report for every live session (the parked ones: once, in the event
        log) and wake the deliveries of those it was queued for."""
        if not self.reportable(event):
            return
        if not self._ready.is_set():
            await self._ready.wait()  # after the BootUp being queued, in every queue
        now = self._clock.now()
        streams = self.streams
        sessions = one_per_target(await self._session_store.reporting(now)) if self.http else []
        # The parked sessions' share: one row in the event log, whatever their number.
        logged = self.http and self._outbox.has_parked
        if not sessions and not logged and (streams is None or not streams.count()):
            return
        sn = self._serial_number()
        name = name_of(event)
        if sessions or logged:
            await self._outbox.enqueue(sessions, name, lambda fmt: render_for(event, sn, fmt), now)
            parked = self._outbox.is_parked
            for session in sessions:
                if not parked(session.token):
                    self._deliverer.nudge(session.token)
        if streams is not None:
            await streams.publish(name, lambda fmt: render_for(event, sn, fmt), now)

    async def announce(self, event: DomainEvent) -> int:
        """Queue ``event``'s report (``BootUp``) for every live session, in batches of
        :data:`BATCH` (one short transaction each, the event loop free in between); how many
        were queued.

        A session whose newest undelivered report is this very action already gets no second
        one: a take-over of the engine that follows another before the receiver was reached
        (the store stalled, the lease went back and forth) has nothing new to say, so lease
        losses in a row cannot pile reports up."""
        action = name_of(event)
        sn = self._serial_number()
        queued = 0
        now = self._clock.now()
        sessions = await self._session_store.reporting(now) if self.http else []
        body = lambda fmt: render_for(event, sn, fmt)  # noqa: E731
        if self.http:
            # Once in the log for the parked sessions; the batches queue it for the others.
            await self._outbox.enqueue([], action, body, now)
        for start in range(0, len(sessions), BATCH):
            batch = sessions[start : start + BATCH]
            newest = await self._outbox.store.newest_pending([s.token for s in batch])
            fresh = [s for s in batch if newest.get(s.token) != action]
            if fresh:
                ids = await self._outbox.enqueue(fresh, action, body, now, log=False)
                for session in fresh:
                    self._deliverer.wake(session.token)
                queued += len(ids)
            await asyncio.sleep(0)
        return queued

    def reportable(self, event: DomainEvent) -> bool:
        match event:
            case CallStatusChanged(members=members):
                # Reported while the call has a trunk member or a monitored extension.
                return any(m.kind != "ext" or self._monitored(m.number) for m in members)
            case ExtensionStatusChanged(extension=extension):
                return self._monitored(extension)
            case (
                CallRinging(parties=(ExtParty(extid=extid), *_))
                | CallAlerting(parties=(ExtParty(extid=extid), *_))
            ):
                return self._monitored(extid)
        return True


def name_of(event: DomainEvent) -> str:
    """The name the report log shows: the 1.1.0 ``action``, or 2.0.0's for its own events."""
    return NAMES[CallStatusChanged] if isinstance(event, CallStatusChanged) else action_of(event)


def render_for(event: DomainEvent, sn: str, fmt: str) -> bytes | None:
    """``event``'s body in report format ``fmt`` (legacy "", "1.0.2", "2.0.0"); None when that
    format has no report for it."""
    if fmt == V2_FORMAT:
        return render_v2(event, sn)
    if isinstance(event, CallStatusChanged):
        return None
    return render(event, sn, bool(fmt))
