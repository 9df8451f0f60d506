"""The process's event hub: what changes in the PBX, for ``GET /sim/v1/events`` to stream.

Publishers (the engine's events, the report outbox, sessions, lockouts, the clock, the journal)
call :meth:`EventHub.publish`; each listening connection has a bounded queue of its own. A
publisher never waits: a connection whose queue is full is dropped (its stream ends), so a slow
browser tab can never stall a call or a report. With nobody listening, publishing is one length
check, and publishers that would have to compute a payload ask :attr:`EventHub.listening` first.

An event never tells of what the store does not hold: a login an API request left to its
group commit (SQLite, :class:`~yspbx.store.base.DeferredWrites`) is held in the request until
the commit is done, and dropped if it fails; the request's journal entry is told after it.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from yspbx.clock import Clock
from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.base import (
    DEFERRED_WRITES,
    NO_LIMITS,
    Admission,
    AttemptOutcome,
    BlockedIp,
    Claim,
    FailureOutcome,
    JournalStore,
    LeaseStore,
    LockoutState,
    LockoutStore,
    LoggedEvent,
    NewReport,
    OutboxStore,
    SessionLimits,
    SessionStore,
    StateStore,
    Store,
    StoredReport,
)

# Events a connection may have waiting before it counts as too slow and is dropped.
QUEUE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class HubEvent:
    id: int
    name: str
    data: dict[str, Any]


@dataclass(eq=False)
class Listener:
    """One connection's queue; ``dropped`` once it fell behind (its stream then ends)."""

    queue: asyncio.Queue[HubEvent | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: bool = False


@dataclass(eq=False)
class ReportTally:
    """Reports queued, delivered and refused per report address, and dropped, counted while
    attached to the hub (a scenario run counts its reports this way, without turning on the
    event stream's payloads)."""

    queued: dict[str, int] = field(default_factory=dict)
    delivered: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    dropped: int = 0
    # Told after each report settled (delivered, refused or dropped): a run pacing itself on
    # delivery waits for this rather than polling.
    on_settled: Callable[[], None] | None = None

    def settled(self) -> None:
        if self.on_settled is not None:
            self.on_settled()

    @property
    def pending(self) -> int:
        """Queued and not settled yet (delivered, refused or dropped)."""
        settled = sum(self.delivered.values()) + sum(self.refused.values()) + self.dropped
        return sum(self.queued.values()) - settled


def _count(counts: dict[str, int], key: str, n: int = 1) -> None:
    counts[key] = counts.get(key, 0) + n


class EventHub:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._ids = itertools.count(1)
        self.dropped_total = 0
        # Counts the outbox's reports while set (None: nothing counts, nothing costs).
        self.tally: ReportTally | None = None

    @property
    def listening(self) -> bool:
        return bool(self._listeners)

    def listen(self) -> Listener:
        listener = Listener()
        self._listeners.append(listener)
        return listener

    def leave(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def publish(self, name: str, data: dict[str, Any]) -> HubEvent | None:
        """Hand the event to every listener now; never waits."""
        if not self._listeners:
            return None
        event = HubEvent(next(self._ids), name, data)
        for listener in list(self._listeners):
            try:
                listener.queue.put_nowait(event)
            except asyncio.QueueFull:
                self._drop(listener)
        return event

    def publish_when_written(self, name: str, data: dict[str, Any]) -> None:
        """Publish a change a store method just made, which the running API request may have
        left uncommitted (a SQLite login decided at once, :class:`DeferredWrites`): then the
        event is held until the request's deferred writes are committed, and dropped if they
        fail, so no listener hears of a session that never existed. Outside a request (or
        once it stopped collecting: the control plane, timers, tests) it goes out now."""
        collecting = DEFERRED_WRITES.get()
        if collecting is not None and collecting.open and collecting.writes:
            collecting.hold(functools.partial(self.publish, name, data), True)
        else:
            self.publish(name, data)

    def publish_in_turn(self, name: str, data: dict[str, Any]) -> None:
        """Publish a change that is already written, but after what the running request
        holds (its login before its journal entry): held behind it if it holds anything."""
        collecting = DEFERRED_WRITES.get()
        if collecting is not None and collecting.held is not None:
            collecting.hold(functools.partial(self.publish, name, data), False)
        else:
            self.publish(name, data)

    def _drop(self, listener: Listener) -> None:
        """The listener fell behind: forget it and end its stream once it reads what it has."""
        self.leave(listener)
        listener.dropped = True
        self.dropped_total += 1
        # What it had not read goes: the stream ends (the client reconnects and reads the state
        # again) rather than going on past a gap.
        while not listener.queue.empty():
            listener.queue.get_nowait()
        listener.queue.put_nowait(None)


def _outcome_change(outcome: AttemptOutcome) -> str:
    if outcome.delivered:
        return "delivered"
    if outcome.given_up:
        return "refused"
    return "attempted"


class PublishingOutbox:
    """The report outbox, telling the hub what happens to each report."""

    def __init__(self, inner: OutboxStore, hub: EventHub) -> None:
        self._inner = inner
        self._hub = hub
        # Attempts per report still pending, for the events (the store counts them too).
        self._attempts: dict[int, int] = {}
        self._actions: dict[int, str] = {}

    async def add(self, reports: Sequence[NewReport]) -> list[int]:
        ids = await self._inner.add(reports)
        tally = self._hub.tally
        if tally is not None:
            for report in reports:
                _count(tally.queued, report.target)
        if self._hub.listening:
            for report_id, report in zip(ids, reports, strict=False):
                self._actions[report_id] = report.action
                self._hub.publish(
                    "report",
                    {
                        "id": report_id,
                        "change": "queued",
                        "action": report.action,
                        "target": report.target,
                        "body": report.body.decode("utf-8", "replace"),
                        "attempts": 0,
                        "status": None,
                    },
                )
        return ids

    async def claim(self, token: str, owner: str, now: float, lease_until: float) -> Claim:
        return await self._inner.claim(token, owner, now, lease_until)

    async def finish(self, report_id: int, owner: str, outcome: AttemptOutcome) -> bool:
        pending = await self._inner.finish(report_id, owner, outcome)
        self._finished(report_id, outcome)
        return pending

    async def finish_and_claim(
        self, report_id: int, token: str, owner: str, outcome: AttemptOutcome, lease_until: float
    ) -> tuple[bool, Claim]:
        pending, claim = await self._inner.finish_and_claim(
            report_id, token, owner, outcome, lease_until
        )
        self._finished(report_id, outcome)
        return pending, claim

    def _finished(self, report_id: int, outcome: AttemptOutcome) -> None:
        attempts = self._attempts.get(report_id, 0) + 1
        change = _outcome_change(outcome)
        if change == "attempted":
            self._attempts[report_id] = attempts
        else:
            self._attempts.pop(report_id, None)
        action = self._actions.pop(report_id, None) if change != "attempted" else None
        tally = self._hub.tally
        if tally is not None and change != "attempted":
            _count(tally.delivered if change == "delivered" else tally.refused, outcome.target)
            tally.settled()
        if self._hub.listening:
            self._hub.publish(
                "report",
                {
                    "id": report_id,
                    "change": change,
                    "action": action or self._actions.get(report_id),
                    "target": outcome.target,
                    "status": outcome.status,
                    "attempts": attempts,
                },
            )

    async def release(self, owner: str) -> int:
        return await self._inner.release(owner)

    async def drop(self, token: str) -> int:
        dropped = await self._inner.drop(token)
        if dropped and self._hub.tally is not None:
            self._hub.tally.dropped += dropped
            self._hub.tally.settled()
        if dropped:
            self._hub.publish("report", {"change": "dropped", "count": dropped})
        return dropped

    async def shed(self, tokens: Sequence[str], keep: int) -> dict[str, int]:
        shed = await self._inner.shed(tokens, keep)
        if shed and self._hub.tally is not None:
            self._hub.tally.dropped += sum(shed.values())
            self._hub.tally.settled()
        return shed

    async def pending_tokens(self) -> list[str]:
        return await self._inner.pending_tokens()

    async def newest_pending(self, tokens: Sequence[str]) -> dict[str, str]:
        return await self._inner.newest_pending(tokens)

    async def reports(self, after_id: int = 0) -> list[StoredReport]:
        return await self._inner.reports(after_id)

    async def trim(self, keep: int) -> int:
        return await self._inner.trim(keep)

    # The event log and the parked sessions: no report changes state here (a parked session's
    # reports are queued, and told, when it catches up).

    async def log_event(self, action: str, bodies: Mapping[str, bytes], created_at: float) -> int:
        return await self._inner.log_event(action, bodies, created_at)

    async def events_after(self, seq: int, limit: int | None = None) -> list[LoggedEvent]:
        return await self._inner.events_after(seq, limit)

    async def count_events_after(self, seq: int) -> int:
        return await self._inner.count_events_after(seq)

    async def last_event_seq(self) -> int:
        return await self._inner.last_event_seq()

    async def forget_events(self, upto: int) -> int:
        return await self._inner.forget_events(upto)

    async def park(self, token: str, seq: int) -> None:
        await self._inner.park(token, seq)

    async def unpark(self, token: str) -> None:
        await self._inner.unpark(token)

    async def parked(self) -> dict[str, int]:
        return await self._inner.parked()

    async def clear(self) -> None:
        self._attempts.clear()
        self._actions.clear()
        await self._inner.clear()


class PublishingLockouts:
    """The lockout store, telling the hub when an IP fails, is blocked or unblocked."""

    def __init__(self, inner: LockoutStore, hub: EventHub) -> None:
        self._inner = inner
        self._hub = hub

    async def state(self, ip: str, now: float) -> LockoutState:
        return await self._inner.state(ip, now)

    async def record_failure(
        self, ip: str, now: float, threshold: int, lock_seconds: float
    ) -> FailureOutcome:
        outcome = await self._inner.record_failure(ip, now, threshold, lock_seconds)
        change = "blocked" if outcome.newly_blocked else "failed"
        self._hub.publish(
            "lockout",
            {
                "ip": ip,
                "change": change,
                "failures": outcome.failures,
                "until": outcome.blocked_until,
            },
        )
        return outcome

    async def forget(self, ip: str) -> bool:
        forgotten = await self._inner.forget(ip)
        if forgotten:
            self._hub.publish("lockout", {"ip": ip, "change": "unblocked"})
        return forgotten

    async def blocked(self, now: float) -> list[BlockedIp]:
        return await self._inner.blocked(now)

    async def clear(self) -> None:
        await self._inner.clear()


class PublishingSessions:
    """The session store, telling the hub of logins and logouts (expiries are found by the
    clock's advance, :func:`live_tokens`)."""

    def __init__(self, inner: SessionStore, hub: EventHub) -> None:
        self._inner = inner
        self._hub = hub

    async def add(self, session: Session) -> None:
        await self._inner.add(session)
        self._login(session)

    async def add_unless_locked(
        self, session: Session, now: float, limits: SessionLimits = NO_LIMITS
    ) -> Admission:
        admission = await self._inner.add_unless_locked(session, now, limits)
        if admission is Admission.ADDED:
            self._login(session)
        return admission

    def _login(self, session: Session) -> None:
        if not self._hub.listening:
            return
        self._hub.publish_when_written(
            "session",
            {
                "change": "login",
                "token": masked_token(session.token),
                "client_ip": session.client_ip,
                "target": session.target.address,
                "expires_at": session.expires_at,
            },
        )

    async def get(self, token: str) -> Session | None:
        return await self._inner.get(token)

    async def extend(self, token: str, expires_at: float) -> None:
        await self._inner.extend(token, expires_at)

    async def set_target(
        self, token: str, target: ReportTarget, expires_at: float
    ) -> Session | None:
        return await self._inner.set_target(token, target, expires_at)

    async def remove(self, token: str) -> bool:
        removed = await self._inner.remove(token)
        if removed:
            self._hub.publish("session", {"change": "logout", "token": masked_token(token)})
        return removed

    async def live(self, now: float) -> list[Session]:
        return await self._inner.live(now)

    async def reporting(self, now: float) -> list[Session]:
        return await self._inner.reporting(now)

    async def count_live(self, now: float) -> int:
        return await self._inner.count_live(now)

    async def purge(self, expired_before: float) -> int:
        return await self._inner.purge(expired_before)

    async def clear(self) -> None:
        await self._inner.clear()


class PublishedStore:
    """The store with its outbox and lockouts telling the hub; the rest as it is."""

    def __init__(self, inner: Store, hub: EventHub) -> None:
        self.inner = inner
        self._outbox = PublishingOutbox(inner.outbox, hub)
        self._lockouts = PublishingLockouts(inner.lockouts, hub)

    @property
    def url(self) -> str:
        return self.inner.url

    @property
    def shareable(self) -> bool:
        return self.inner.shareable

    @property
    def sessions(self) -> SessionStore:
        return self.inner.sessions

    @property
    def lockouts(self) -> LockoutStore:
        return self._lockouts

    @property
    def state(self) -> StateStore:
        return self.inner.state

    @property
    def outbox(self) -> OutboxStore:
        return self._outbox

    @property
    def leases(self) -> LeaseStore:
        return self.inner.leases

    @property
    def journal(self) -> JournalStore:
        return self.inner.journal

    def namespace(self, name: str) -> Store:
        """A hosted PBX's part of the store, unpublished (its own services publish it)."""
        return self.inner.namespace(name)

    async def forget_namespace(self, name: str) -> None:
        await self.inner.forget_namespace(name)

    async def ping(self) -> None:
        await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()


def masked_token(token: str) -> str:
    """A token as the console shows it: asterisks, then its last four characters."""
    return "*" * max(0, len(token) - 4) + token[-4:]


async def live_tokens(sessions: SessionStore, clock: Clock) -> set[str]:
    return {session.token for session in await sessions.live(clock.now())}
