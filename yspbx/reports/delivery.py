"""Delivering each session's reports in order, one at a time, until the receiver answers 200.

Each session with pending reports gets one worker task in this process. The worker claims the
session's oldest pending report from the store (a lease, so two processes never send it at
once), posts it, and records the outcome:

* ``200``: delivered. The session's token is refreshed (a report is interaction) and the next
  report follows at once.
* no answer (refused connection, time-out, reset): the receiver is down; the report stays at
  the head of the session's queue and the next attempt waits
  :class:`~yspbx.reports.outbox.RetryPolicy` seconds on the server clock (a timer on the
  :class:`~yspbx.scheduler.Scheduler`, so ``clock/advance`` brings it forward), for as long as
  the session lives.
* another status: the receiver refused it; it is sent again on the same backoff, counted from
  its first refusal, and after the last refusal :class:`~yspbx.reports.refusals.RefusalPolicy`
  allows it is settled as ``refused`` and the next report follows at once.

Before each attempt the worker checks that the session still lives; if it has expired or gone,
its pending reports are dropped. Sessions never wait for one another except for a free slot:
at most ``reports.concurrency`` posts are in flight, each bounded by ``reports.timeout``.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import secrets

from yspbx.clock import Clock
from yspbx.journal import mask
from yspbx.reports.outbox import Outbox, RetryPolicy
from yspbx.reports.refusals import RefusalPolicy
from yspbx.reports.sender import ReportSender
from yspbx.scheduler import Scheduler, Timer
from yspbx.sessions.manager import SessionManager
from yspbx.store.base import AttemptOutcome, SessionStore, StoreUnavailable

log = logging.getLogger(__name__)

# A claimed report stays leased this long beyond the send deadline, should this process die.
LEASE_MARGIN = 30.0


class _Step(enum.Enum):
    SETTLED = "settled"  # the head was delivered or given up: look at the next one now
    WAITING = "waiting"  # nothing to send now (queue empty, backing off, or session gone)


class Deliverer:
    def __init__(
        self,
        outbox: Outbox,
        sessions: SessionManager,
        session_store: SessionStore,
        sender: ReportSender,
        scheduler: Scheduler,
        clock: Clock,
        retry: RetryPolicy,
        refusals: RefusalPolicy,
        concurrency: int,
        owner: str | None = None,
    ) -> None:
        self._outbox = outbox
        self._sessions = sessions
        self._session_store = session_store
        self._sender = sender
        self._scheduler = scheduler
        self._clock = clock
        self._retry = retry
        self._refusals = refusals
        self._slots = asyncio.Semaphore(concurrency)
        self._lease = sender.timeout + LEASE_MARGIN
        # Unique per process: the store's leases tell processes sharing a store apart.
        self.owner = owner or secrets.token_hex(8)
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._timers: dict[str, Timer] = {}
        self._stopped = False

    @property
    def active(self) -> int:
        """Sessions with a report being sent or due now (not those waiting on a retry timer):
        what a scenario played at full speed waits for before moving the clock on."""
        return len(self._workers)

    def wake(self, token: str) -> None:
        """Look at the session's queue soon: start its worker, or make the running one look
        again before it rests. Once stopped, reports stay in the store for the next start."""
        if self._stopped:
            return
        if token in self._workers:
            self._again.add(token)
            return
        self._workers[token] = asyncio.create_task(self._work(token), name="yspbx-report")

    def nudge(self, token: str) -> None:
        """A report was queued for the session: look at its queue, unless a retry timer is
        armed for it. Such a session's head is backing off (its receiver is unreachable, or
        refused it), and the new report can only go after it: the timer looks then. So a new
        event costs nothing here for sessions whose receiver is down, however many they are."""
        if token in self._timers:
            return
        self.wake(token)

    @property
    def backing_off(self) -> int:
        """Sessions with a retry timer armed (their head waits for its next attempt)."""
        return len(self._timers)

    def forget(self, token: str) -> None:
        """The session ended: no more timers for it (a worker in flight finishes its attempt)."""
        timer = self._timers.pop(token, None)
        if timer is not None:
            timer.cancel()

    async def stop(self) -> None:
        """Stop for good (the server is shutting down)."""
        self._stopped = True
        await self.cancel_all()

    async def cancel_all(self) -> None:
        """Cancel every worker and timer; what was in flight stays pending in the store."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._workers.clear()
        self._again.clear()
        await self._outbox.store.release(self.owner)

    async def _work(self, token: str) -> None:
        try:
            while True:
                self._again.discard(token)
                try:
                    step = await self._step(token)
                except StoreUnavailable:
                    # The store says so in the log itself, once: not once per session here.
                    self._arm(token, self._clock.now() + self._retry.initial)
                    step = _Step.WAITING
                except Exception:
                    log.exception("report delivery for session %s failed", mask(token))
                    self._arm(token, self._clock.now() + self._retry.maximum)
                    step = _Step.WAITING
                if step is _Step.WAITING and token not in self._again:
                    return
        finally:
            self._workers.pop(token, None)

    async def _step(self, token: str) -> _Step:
        async with self._slots:
            now = self._clock.now()
            session = await self._session_store.get(token)
            if session is None or session.expires_at <= now:
                await self._outbox.drop(token, "expired" if session else "gone", session)
                return _Step.WAITING
            claim = await self._outbox.store.claim(token, self.owner, now, now + self._lease)
            report = claim.report
            if self._outbox.is_parked(token) and (
                (report is None and claim.wait_until is None)
                or (report is not None and report.attempts == 0)
                or (report is not None and await self._outbox.overflowing(token))
            ):
                # Its failing head settled: the events it missed become its reports (after
                # everything it has queued), and it is no longer parked. Or it missed so many
                # that, queued one by one, they would have pushed its head out: caught up
                # before the head is tried again, so the head is dropped as it would have been.
                await self._outbox.catch_up(session)
                claim = await self._outbox.store.claim(token, self.owner, now, now + self._lease)
                report = claim.report
            if report is None:
                if claim.wait_until is not None:
                    self._arm(token, claim.wait_until)
                return _Step.WAITING
            target = session.target.address
            result = await self._sender.post(target, report.body)
        now = self._clock.now()
        delivered = result.status == 200
        refused = result.status is not None and not delivered
        given_up = refused and self._refusals.gives_up(report.refusals + 1)
        attempts = report.attempts + 1
        if delivered or given_up:
            next_at = now
        elif refused:
            # Counted from the first refusal: a receiver back from an outage is not
            # punished with the outage's long delays for its first answers.
            next_at = now + self._retry.delay(report.refusals + 1)
        else:
            next_at = now + self._retry.delay(attempts)
        pending = await self._outbox.store.finish(
            report.id,
            self.owner,
            AttemptOutcome(target, result.status, delivered, next_at, refused, given_up),
        )
        if delivered:
            if pending:
                await self._sessions.touch(session, now)
            await self._outbox.finished()
            return _Step.SETTLED
        if given_up:
            log.warning(
                "report %d (%s) to %s: refused %d times (last status %s); given up, the "
                "session's next report goes",
                report.id,
                report.action,
                target,
                report.refusals + 1,
                result.status,
            )
            await self._outbox.finished()
            return _Step.SETTLED if pending else _Step.WAITING
        log.info(
            "report %d (%s) to %s: attempt %d got %s; next in %.3g s",
            report.id,
            report.action,
            target,
            attempts,
            result.status if result.status is not None else result.error,
            next_at - now,
        )
        if pending:
            # Backing off: events queue nothing for it until its head settles (it is parked).
            await self._outbox.park(token)
            self._arm(token, next_at)
        return _Step.WAITING

    def _arm(self, token: str, when: float) -> None:
        previous = self._timers.pop(token, None)
        if previous is not None:
            previous.cancel()
        self._timers[token] = self._scheduler.call_at(
            when, lambda: self._fire(token), "report-retry"
        )

    def _fire(self, token: str) -> None:
        self._timers.pop(token, None)
        self.wake(token)
