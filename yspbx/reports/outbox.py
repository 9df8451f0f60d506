"""The outbox rules: a report is stored before anyone tries to send it, retried on a capped
exponential backoff, dropped when its session ends, and forgotten only once finished and old.

The data lives in an :class:`~yspbx.store.base.OutboxStore` (memory, SQLite, ...); this module
decides what goes in and when the next attempt is due. Delivery itself is
:mod:`yspbx.reports.delivery`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from yspbx.journal import mask
from yspbx.sessions.models import Session
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

    async def enqueue(
        self,
        sessions: Sequence[Session],
        action: str,
        body_for: Callable[[str], bytes | None],
        now: float,
    ) -> list[int]:
        """Queue one report per session, each in the format its login asked for (none for a
        session whose format has no report for the event)."""
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

    async def drop(self, token: str, reason: str) -> int:
        """The session ended: its undelivered reports will never be sent; say how many."""
        dropped = await self.store.drop(token)
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

    async def listing(self) -> list[dict[str, Any]]:
        """``GET /sim/v1/reports``: every report kept, oldest first, body as the bytes sent."""
        return [_entry(report) for report in await self.store.reports()]

    async def clear(self) -> None:
        self._finished_since_trim = 0
        await self.store.clear()


# How the report log names each state.
STATE_NAMES = {
    ReportState.PENDING: "pending",
    ReportState.DELIVERED: "delivered",
    ReportState.REFUSED: "refused",
    ReportState.DROPPED: "dropped",
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
