"""From one domain event to one queued report per live session.

Every live session (logged in, token not expired) gets every report, in the format its login
chose. The one exception is the PBX's status-monitoring switch: ``ExtensionStatus`` for an
extension that is not monitored is not reported, nor are ``RING``/``ALERT`` about one (the
party the report is about, listed first). The report is in the store before this returns, so
the engine's event order is the reports' order, and a crash after it loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from yspbx.clock import Clock
from yspbx.pbx.events import (
    CallAlerting,
    CallRinging,
    DomainEvent,
    ExtensionStatusChanged,
    ExtParty,
)
from yspbx.reports.delivery import Deliverer
from yspbx.reports.formats import action_of, render
from yspbx.reports.outbox import Outbox
from yspbx.store.base import SessionStore

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

    async def publish(self, event: DomainEvent) -> None:
        """Queue ``event``'s report for every live session and wake their deliveries."""
        if not self.reportable(event):
            return
        now = self._clock.now()
        sessions = await self._session_store.live(now)
        if not sessions:
            return
        sn = self._serial_number()
        await self._outbox.enqueue(
            sessions,
            action_of(event),
            lambda well_formed: render(event, sn, well_formed),
            now,
        )
        for session in sessions:
            self._deliverer.nudge(session.token)

    def reportable(self, event: DomainEvent) -> bool:
        match event:
            case ExtensionStatusChanged(extension=extension):
                return self._monitored(extension)
            case (
                CallRinging(parties=(ExtParty(extid=extid), *_))
                | CallAlerting(parties=(ExtParty(extid=extid), *_))
            ):
                return self._monitored(extid)
        return True
