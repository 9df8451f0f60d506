"""The outbox rules: a report is stored before anyone tries to send it, retried on a capped
exponential backoff, dropped when its session ends, and forgotten only once finished and old.

**Parked sessions.** A session whose head report is backing off (its receiver unreachable, or
refusing) is *parked*: an event queues no report for it, however many such sessions there are.
The event goes once into the store's event log instead (its body rendered once per report
format), and the parked session keeps one marker, the last logged event it has reports for.
When its head settles (delivered, or given up) it *catches up*: the logged events after its
marker become its reports, in order, the oldest beyond ``reports.max_pending`` dropped and
counted as they would have been, and it is unparked. So an event costs one stored report per
session that is being delivered to, and nothing per session that is not. The log is written
only while some session is parked, and forgotten up to the oldest marker.

The data lives in an :class:`~yspbx.store.base.OutboxStore` (memory, SQLite, ...); this module
decides what goes in and when the next attempt is due. Delivery itself is
:mod:`yspbx.reports.delivery`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from yspbx.journal import mask
from yspbx.sessions.models import LEGACY_FORMAT, V2_FORMAT, WELL_FORMED_FORMAT, Session
from yspbx.settings import ReportSettings
from yspbx.store.base import NewReport, OutboxStore, ReportState, StoredReport

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``initial * factor**(n-1)`` seconds after the n-th failed attempt, never above ``maximum``.

    No jitter: each session has exactly one sender, so there is no herd to spread out, and a
    predictable schedule is what a test advancing the clock needs.
    """

    initial: float
    factor: float
    maximum: float

    @classmethod
    def from_settings(cls, settings: ReportSettings) -> RetryPolicy:
        return cls(settings.retry_initial, settings.retry_factor, settings.retry_max)

    def delay(self, failed_attempts: int) -> float:
        try:
            delay = self.initial * self.factor ** max(0, failed_attempts - 1)
        except OverflowError:
            return self.maximum
        return min(self.maximum, delay)


# The warning about reports dropped for reports.max_pending is written at most this often
# (wall seconds): under a flood of events it would otherwise be one line per event.
_SHED_LOG_INTERVAL = 10.0


class Outbox:
    def __init__(self, store: OutboxStore, history: int, max_pending: int | None = None) -> None:
        self.store = store
        self._history = history
        self._max_pending = max_pending
        self._finished_since_trim = 0
        # Reports dropped for the per-session bound since the last warning, and in all.
        self._shed_unlogged: dict[str, int] = {}
        self.shed_total = 0
        self._shed_logged_at = -_SHED_LOG_INTERVAL
        # Parked sessions and the last logged event each has reports for (mirrors the store's
        # markers: only the engine's process parks, under this lock, which also keeps a
        # catch-up and an event's queueing from interleaving).
        self._parked: dict[str, int] = {}
        self._last_seq = 0
        self._lock = asyncio.Lock()
        self._loaded = False
        # When a parked 2.0.0 session's events went to another session to its target instead
        # (:func:`~yspbx.reports.subscriptions.taken_over_at`); set by the report service.
        self.taken_over_at: Callable[[Session], Awaitable[float | None]] = _never

    async def load(self) -> None:
        """Read the parked sessions and the log's last number from the store (a seat starts:
        after a restart or a take-over the parked sessions stay parked)."""
        async with self._lock:
            await self._load()

    async def _load(self) -> None:
        self._parked = await self.store.parked()
        self._last_seq = await self.store.last_event_seq()
        self._loaded = True

    def is_parked(self, token: str) -> bool:
        return token in self._parked

    @property
    def has_parked(self) -> bool:
        """Whether an event must go into the log (some session is parked, or the markers are
        not read yet)."""
        return bool(self._parked) or not self._loaded

    async def enqueue(
        self,
        sessions: Sequence[Session],
        action: str,
        body_for: Callable[[str], bytes | None],
        now: float,
        log: bool = True,
    ) -> list[int]:
        """Queue one report per session that is not parked, each in the format its login
        asked for (none for a session whose format has no report for the event); with parked
        sessions, log the event once for them (unless ``log`` is False: a caller queueing one
        event in batches logs it once)."""
        async with self._lock:
            if not self._loaded:
                await self._load()  # an event before the seat's start: the markers count
            parked = self._parked
            if parked:
                if log:
                    bodies = {}
                    for fmt in ALL_FORMATS:
                        body = body_for(fmt)
                        if body is not None:
                            bodies[fmt] = body
                    self._last_seq = await self.store.log_event(action, bodies, now)
                sessions = [s for s in sessions if s.token not in parked]
            return await self._queue(sessions, action, body_for, now)

    async def _queue(
        self,
        sessions: Sequence[Session],
        action: str,
        body_for: Callable[[str], bytes | None],
        now: float,
    ) -> list[int]:
        bodies: dict[str, bytes | None] = {}
        reports = []
        for session in sessions:
            fmt = session.report_format
            if fmt not in bodies:
                bodies[fmt] = body_for(fmt)
            body = bodies[fmt]
            if body is None:
                continue
            reports.append(
                NewReport(
                    token=session.token,
                    action=action,
                    body=body,
                    target=session.target.address,
                    created_at=now,
                )
            )
        ids = await self.store.add(reports)
        if self._max_pending is not None and sessions:
            shed = await self.store.shed([s.token for s in sessions], self._max_pending)
            if shed:
                self._count_shed(shed)
        return ids

    def _count_shed(self, shed: dict[str, int]) -> None:
        """Count reports dropped for the bound, and say so in the log now and then."""
        for token, count in shed.items():
            self._shed_unlogged[token] = self._shed_unlogged.get(token, 0) + count
            self.shed_total += count
        moment = time.monotonic()
        if moment - self._shed_logged_at < _SHED_LOG_INTERVAL:
            return
        self._shed_logged_at = moment
        pending, self._shed_unlogged = self._shed_unlogged, {}
        worst = max(pending, key=pending.__getitem__)
        log.warning(
            "reports.max_pending (%d) reached: dropped the %d oldest undelivered reports of %d "
            "session%s (most: %d for session %s); %d so dropped since start",
            self._max_pending,
            sum(pending.values()),
            len(pending),
            "" if len(pending) == 1 else "s",
            pending[worst],
            mask(worst),
            self.shed_total,
        )

    async def park(self, token: str) -> None:
        """The session's head is backing off: events queue nothing for it from now on."""
        async with self._lock:
            if not self._loaded:
                await self._load()
            if token in self._parked:
                return
            self._parked[token] = self._last_seq
            await self.store.park(token, self._last_seq)

    async def catch_up(self, session: Session) -> list[int]:
        """Queue the session's reports for the events logged since its marker (the newest
        ``reports.max_pending`` of its pending ones kept, as if they had been queued one by
        one) and unpark it. The ids queued."""
        async with self._lock:
            token = session.token
            marker = self._parked.get(token)
            if marker is None:
                return []
            reports, skipped = await self._owed(session, marker)
            ids = await self.store.add(reports)
            del self._parked[token]
            await self.store.unpark(token)
            shed = await self.store.shed([token], self._max_pending) if self._max_pending else {}
            if skipped:
                shed[token] = shed.get(token, 0) + skipped
            if shed:
                self._count_shed(shed)
            return ids

    async def _owed(self, session: Session, marker: int) -> tuple[list[NewReport], int]:
        """The reports a parked session would have had for the events logged after ``marker``,
        oldest first, and how many more events were too old to write (beyond the window)."""
        # More than the bound plus the history would be dropped and forgotten at once: such
        # events are counted, not written.
        window = self._window()
        events = await self.store.events_after(marker, window)
        skipped = 0
        if window is not None and len(events) == window:
            skipped = await self.store.count_events_after(marker) - window
        token = session.token
        fmt = session.report_format
        target = session.target.address
        # Events from then on went to another 2.0.0 session to the same target.
        cutoff = await self.taken_over_at(session)
        reports: list[NewReport] = []
        for event in events:
            if fmt not in event.bodies or event.created_at < session.created_at:
                continue
            if cutoff is not None and event.created_at >= cutoff:
                continue
            if event.action == BOOT_UP and reports and reports[-1].action == BOOT_UP:
                continue  # take-overs in a row: one BootUp says it (as for the others)
            body = event.bodies[fmt]
            reports.append(NewReport(token, event.action, body, target, event.created_at))
        return reports, skipped

    async def forget_log(self) -> None:
        """Forget the logged events every parked session has caught up to; reread the markers
        (a session that ended in another process was unparked there)."""
        async with self._lock:
            self._parked = await self.store.parked()
            upto = min(self._parked.values(), default=self._last_seq)
            window = self._window()
            if window is not None:
                # A catch-up writes no more than the window: older events are only counted,
                # and a log that grew past it would be memory for a count.
                upto = max(upto, self._last_seq - window)
            await self.store.forget_events(upto)

    async def overflowing(self, token: str) -> bool:
        """Whether the parked session missed at least ``reports.max_pending`` logged events:
        queued one by one, they would have pushed out what it has pending (its head too). A
        count over the log, asked once per retry of its head; some of the events may have no
        report in its format, so it may say so early (a catch-up then drops nothing)."""
        marker = self._parked.get(token)
        if marker is None or self._max_pending is None:
            return False
        return await self.store.count_events_after(marker) >= self._max_pending

    async def _missed(self, token: str) -> int:
        """How many logged events the parked session has no report for."""
        async with self._lock:
            marker = self._parked.get(token)
            if marker is None:
                return 0
            return await self.store.count_events_after(marker)

    def _window(self) -> int | None:
        """The most logged events a catch-up writes (the bound plus the kept history)."""
        return None if self._max_pending is None else self._max_pending + self._history

    async def drop(self, token: str, reason: str, session: Session | None = None) -> int:
        """The session ended: its undelivered reports will never be sent; say how many.

        A parked session's reports for the events it missed are written first (as a catch-up
        would), so they are dropped and counted with the rest, as they would have been had
        they been queued one by one. Without the ``session`` (its token already forgotten)
        they cannot be written: they are counted in the warning only."""
        missed = 0
        if token in self._parked:
            if session is not None:
                await self.catch_up(session)
            else:
                missed = await self._missed(token)
        self._parked.pop(token, None)
        dropped = await self.store.drop(token) + missed
        if dropped:
            log.warning(
                "session %s ended (%s): dropped %d undelivered report%s",
                mask(token),
                reason,
                dropped,
                "" if dropped == 1 else "s",
            )
        return dropped

    async def finished(self) -> None:
        """Count a finished report; trim the history now and then, not on every delivery."""
        self._finished_since_trim += 1
        if self._finished_since_trim >= max(1, self._history // 10):
            await self.trim()

    async def trim(self) -> None:
        self._finished_since_trim = 0
        await self.store.trim(self._history)
        await self.forget_log()

    async def listing(
        self, session_of: Callable[[str], Awaitable[Session | None]]
    ) -> list[dict[str, Any]]:
        """``GET /sim/v1/reports``: every report kept, oldest first, body as the bytes sent;
        then each parked session's reports for the events it missed, as they will be queued
        when it catches up (``id`` null: none is stored yet; the newest
        ``reports.max_pending`` of them). Reading changes nothing."""
        entries = [_entry(report) for report in await self.store.reports()]
        entries.extend(_owed_entry(report) for report in await self.owed(session_of))
        return entries

    async def owed(self, session_of: Callable[[str], Awaitable[Session | None]]) -> list[NewReport]:
        """The reports the parked sessions will have queued when they catch up, as a catch-up
        would write them (the newest ``reports.max_pending`` of each), session after session;
        read only, nothing is stored."""
        parked = self._parked if self._loaded else await self.store.parked()
        found: list[NewReport] = []
        for token, marker in list(parked.items()):
            session = await session_of(token)
            if session is None:
                continue
            owed, _ = await self._owed(session, marker)
            if self._max_pending is not None:
                owed = owed[-self._max_pending :] if self._max_pending else []
            found.extend(owed)
        return found

    async def clear(self) -> None:
        self._finished_since_trim = 0
        self._parked.clear()
        self._loaded = False
        await self.store.clear()


BOOT_UP = "BootUp"


async def _never(session: Session) -> float | None:
    return None


# Every report format a logged event is rendered in, once.
ALL_FORMATS = (LEGACY_FORMAT, WELL_FORMED_FORMAT, V2_FORMAT)

# How the report log names each state.
STATE_NAMES = {
    ReportState.PENDING: "pending",
    ReportState.DELIVERED: "delivered",
    ReportState.REFUSED: "refused",
    ReportState.DROPPED: "dropped",
}


def _owed_entry(report: NewReport) -> dict[str, Any]:
    return {
        "id": None,
        "action": report.action,
        "target": report.target,
        "body": report.body.decode("utf-8", errors="replace"),
        "attempts": 0,
        "delivered": False,
        "last_status": None,
        "dropped": False,
        "state": STATE_NAMES[ReportState.PENDING],
    }


def _entry(report: StoredReport) -> dict[str, Any]:
    return {
        "id": report.id,
        "action": report.action,
        "target": report.target,
        "body": report.body.decode("utf-8", errors="replace"),
        "attempts": report.attempts,
        "delivered": report.state is ReportState.DELIVERED,
        "last_status": report.last_status,
        "dropped": report.state is ReportState.DROPPED,
        "state": STATE_NAMES[report.state],
    }
