"""The in-process store: dicts, for tests and for a server that may forget everything on exit.

Every method completes without awaiting, so each one is atomic on the event loop.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.base import (
    NO_LIMITS,
    Admission,
    AttemptOutcome,
    BlockedIp,
    Claim,
    FailureOutcome,
    JournalEntry,
    LeaseGrant,
    LockoutState,
    LoggedEvent,
    NewReport,
    ReportState,
    SessionLimits,
    StoredReport,
)
from yspbx.store.session_rows import SessionRow, row_session, session_row

_CLEAN = LockoutState(0, None)


class MemorySessions:
    def __init__(self, lockouts: MemoryLockouts) -> None:
        self._rows: dict[str, SessionRow] = {}
        # Tokens per client IP (expired ones too, until purged), for the per-IP bound.
        self._by_ip: dict[str, set[str]] = {}
        self._lockouts = lockouts
        # The sessions reports are queued for (:meth:`reporting`): not parked, and not seen
        # expired by a read of the list (a later expiry, :meth:`extend`, brings one back).
        self._reporting: dict[str, None] = {}
        # The parked tokens (the outbox's markers, :meth:`mute`).
        self._muted: set[str] = set()

    def _put(self, session: Session) -> None:
        self._rows[session.token] = session_row(session)
        self._by_ip.setdefault(session.client_ip, set()).add(session.token)
        if session.token not in self._muted:
            self._reporting[session.token] = None

    def mute(self, token: str) -> None:
        """The session is parked: off the reporting list (the outbox calls it)."""
        self._muted.add(token)
        self._reporting.pop(token, None)

    def unmute(self, token: str) -> None:
        """The session is no longer parked: back on the list if it is stored."""
        self._muted.discard(token)
        if token in self._rows:
            self._reporting[token] = None

    def unmute_all(self) -> None:
        self._muted.clear()
        self._reporting = dict.fromkeys(self._rows)

    def _forget(self, token: str) -> bool:
        row = self._rows.pop(token, None)
        if row is None:
            return False
        self._reporting.pop(token, None)
        tokens = self._by_ip.get(row[1])
        if tokens is not None:
            tokens.discard(token)
            if not tokens:
                del self._by_ip[row[1]]
        return True

    async def add(self, session: Session) -> None:
        self._put(session)

    async def add_unless_locked(
        self, session: Session, now: float, limits: SessionLimits = NO_LIMITS
    ) -> Admission:
        ip = session.client_ip
        if self._lockouts.locked(ip, now):
            return Admission.LOCKED
        # Counting live rows is linear, so it is done only when the rows kept (expired ones
        # included) could reach the bound.
        mine = self._by_ip.get(ip, ())
        per_ip, total = limits.per_ip, limits.total
        if (
            per_ip is not None
            and len(mine) >= per_ip
            and sum(1 for t in mine if self._rows[t][3] > now) >= per_ip
        ):
            return Admission.IP_FULL
        if (
            total is not None
            and len(self._rows) >= total
            and sum(1 for row in self._rows.values() if row[3] > now) >= total
        ):
            return Admission.FULL
        self._lockouts.admit(ip, now)
        self._put(session)
        return Admission.ADDED

    async def get(self, token: str) -> Session | None:
        row = self._rows.get(token)
        return None if row is None else row_session(row)

    async def extend(self, token: str, expires_at: float) -> None:
        row = self._rows.get(token)
        if row is not None and row[3] < expires_at:
            self._rows[token] = (*row[:3], expires_at, *row[4:])
            if token not in self._muted:
                self._reporting[token] = None

    async def set_target(
        self, token: str, target: ReportTarget, expires_at: float
    ) -> Session | None:
        row = self._rows.get(token)
        if row is None:
            return None
        session = row_session(row)
        session.target = replace(target)
        session.expires_at = max(session.expires_at, expires_at)
        self._rows[token] = session_row(session)
        if token not in self._muted:
            self._reporting[token] = None
        return session

    async def remove(self, token: str) -> bool:
        return self._forget(token)

    async def live(self, now: float) -> list[Session]:
        return [row_session(row) for row in self._rows.values() if row[3] > now]

    async def reporting(self, now: float) -> list[Session]:
        rows, found, expired = self._rows, [], []
        for token in self._reporting:
            row = rows[token]
            if row[3] > now:
                found.append(row_session(row))
            else:
                expired.append(token)
        # Seen expired: left out from now on, so the next events do not look at it again.
        for token in expired:
            del self._reporting[token]
        return found

    async def count_live(self, now: float) -> int:
        return sum(1 for row in self._rows.values() if row[3] > now)

    async def purge(self, expired_before: float) -> int:
        stale = [token for token, row in self._rows.items() if row[3] < expired_before]
        for token in stale:
            self._forget(token)
        return len(stale)

    async def clear(self) -> None:
        self._rows.clear()
        self._by_ip.clear()
        self._reporting.clear()


class MemoryLockouts:
    """Failure counts and locks per IP, as ``(failures, blocked_until)`` tuples (untracked by
    the garbage collector, like the sessions)."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[int, float | None]] = {}

    def _current(self, ip: str, now: float) -> LockoutState:
        entry = self._entries.get(ip)
        if entry is None:
            return _CLEAN
        failures, until = entry
        if until is not None and until <= now:
            del self._entries[ip]
            return _CLEAN
        return LockoutState(failures, until)

    async def state(self, ip: str, now: float) -> LockoutState:
        return self._current(ip, now)

    def locked(self, ip: str, now: float) -> bool:
        return self._current(ip, now).blocked_until is not None

    def admit(self, ip: str, now: float) -> bool:
        """False while ``ip`` is locked; otherwise its failure count starts over."""
        if self._current(ip, now).blocked_until is not None:
            return False
        self._entries.pop(ip, None)
        return True

    async def record_failure(
        self, ip: str, now: float, threshold: int, lock_seconds: float
    ) -> FailureOutcome:
        entry = self._current(ip, now)
        if entry.blocked_until is not None:
            return FailureOutcome(entry.failures, entry.blocked_until, False, True)
        failures = entry.failures + 1
        until = now + lock_seconds if failures >= threshold else None
        self._entries[ip] = (failures, until)
        return FailureOutcome(failures, until, until is not None, False)

    async def forget(self, ip: str) -> bool:
        entry = self._entries.pop(ip, None)
        return entry is not None and entry[1] is not None

    async def blocked(self, now: float) -> list[BlockedIp]:
        return [
            BlockedIp(ip, until)
            for ip, (_, until) in self._entries.items()
            if until is not None and until > now
        ]

    async def clear(self) -> None:
        self._entries.clear()


class MemoryState:
    def __init__(self) -> None:
        self._values: dict[str, bytes] = {}

    async def get(self, key: str) -> bytes | None:
        return self._values.get(key)

    async def put(self, key: str, value: bytes) -> None:
        self._values[key] = value

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    async def scan(self, prefix: str) -> list[tuple[str, bytes]]:
        return sorted((k, v) for k, v in self._values.items() if k.startswith(prefix))

    async def clear(self) -> None:
        self._values.clear()


@dataclass(slots=True)
class _Row:
    report: StoredReport
    lease_owner: str = ""
    lease_until: float = 0.0


class MemoryOutbox:
    def __init__(self, sessions: MemorySessions | None = None) -> None:
        """``sessions``: the store's sessions, whose reporting list the parked markers change
        (:meth:`MemorySessions.mute`)."""
        self._sessions = sessions if sessions is not None else MemorySessions(MemoryLockouts())
        self._rows: dict[int, _Row] = {}  # insertion order = id order
        self._pending: dict[str, list[int]] = {}  # per session, ids of pending reports in order
        self._ids = itertools.count(1)
        self._events: dict[int, LoggedEvent] = {}  # insertion order = sequence order
        self._seqs = itertools.count(1)
        self._last_seq = 0
        self._parked: dict[str, int] = {}

    async def add(self, reports: Sequence[NewReport]) -> list[int]:
        ids = []
        for new in reports:
            report_id = next(self._ids)
            self._rows[report_id] = _Row(
                StoredReport(
                    id=report_id,
                    token=new.token,
                    action=new.action,
                    body=new.body,
                    target=new.target,
                    created_at=new.created_at,
                    attempts=0,
                    last_status=None,
                    state=ReportState.PENDING,
                    next_attempt_at=new.created_at,
                )
            )
            self._pending.setdefault(new.token, []).append(report_id)
            ids.append(report_id)
        return ids

    async def claim(self, token: str, owner: str, now: float, lease_until: float) -> Claim:
        queue = self._pending.get(token)
        if not queue:
            return Claim(None)
        row = self._rows[queue[0]]
        if row.lease_owner and row.lease_owner != owner and row.lease_until > now:
            return Claim(None, row.lease_until)
        if row.report.next_attempt_at > now:
            return Claim(None, row.report.next_attempt_at)
        row.lease_owner, row.lease_until = owner, lease_until
        return Claim(row.report)

    async def finish(self, report_id: int, owner: str, outcome: AttemptOutcome) -> bool:
        row = self._rows.get(report_id)
        if row is None:
            return False
        report = row.report
        pending = report.state is ReportState.PENDING
        state = report.state
        if pending and (outcome.delivered or outcome.given_up):
            state = ReportState.DELIVERED if outcome.delivered else ReportState.REFUSED
            self._pending[report.token].remove(report_id)
            if not self._pending[report.token]:
                del self._pending[report.token]
        elif outcome.delivered:
            # Dropped while its attempt was in flight (the session ended), yet the 200 came.
            state = ReportState.DELIVERED
        row.report = replace(
            report,
            target=outcome.target,
            attempts=report.attempts + 1,
            last_status=report.last_status if outcome.status is None else outcome.status,
            state=state,
            next_attempt_at=outcome.next_attempt_at,
            refusals=report.refusals + int(outcome.refused),
        )
        if row.lease_owner == owner:
            row.lease_owner, row.lease_until = "", 0.0
        return pending

    async def release(self, owner: str) -> int:
        released = 0
        for row in self._rows.values():
            if row.lease_owner == owner:
                row.lease_owner, row.lease_until = "", 0.0
                released += 1
        return released

    async def drop(self, token: str) -> int:
        if self._parked.pop(token, None) is not None:
            self._sessions.unmute(token)
        ids = self._pending.pop(token, [])
        for report_id in ids:
            row = self._rows[report_id]
            row.report = replace(row.report, state=ReportState.DROPPED)
        return len(ids)

    async def shed(self, tokens: Sequence[str], keep: int) -> dict[str, int]:
        shed: dict[str, int] = {}
        for token in tokens:
            queue = self._pending.get(token)
            if queue is None or len(queue) <= keep:
                continue
            excess = len(queue) - keep
            for report_id in queue[:excess]:
                row = self._rows[report_id]
                row.report = replace(row.report, state=ReportState.DROPPED)
            del queue[:excess]
            shed[token] = excess
        return shed

    async def pending_tokens(self) -> list[str]:
        return sorted(self._pending, key=lambda token: self._pending[token][0])

    async def newest_pending(self, tokens: Sequence[str]) -> dict[str, str]:
        newest = {}
        for token in tokens:
            queue = self._pending.get(token)
            if queue:
                newest[token] = self._rows[queue[-1]].report.action
        return newest

    async def reports(self, after_id: int = 0) -> list[StoredReport]:
        return [row.report for report_id, row in self._rows.items() if report_id > after_id]

    async def trim(self, keep: int) -> int:
        finished = [i for i, row in self._rows.items() if row.report.state != ReportState.PENDING]
        excess = finished[: max(0, len(finished) - keep)]
        for report_id in excess:
            del self._rows[report_id]
        return len(excess)

    async def log_event(self, action: str, bodies: Mapping[str, bytes], created_at: float) -> int:
        seq = self._last_seq = next(self._seqs)
        self._events[seq] = LoggedEvent(seq, action, created_at, dict(bodies))
        return seq

    async def events_after(self, seq: int, limit: int | None = None) -> list[LoggedEvent]:
        found: list[LoggedEvent] = []
        # Newest first, so a catch-up reads what it keeps, not the whole log.
        for event in reversed(self._events.values()):
            if event.seq <= seq or (limit is not None and len(found) >= limit):
                break
            found.append(event)
        found.reverse()
        return found

    async def count_events_after(self, seq: int) -> int:
        count = 0
        for event in reversed(self._events.values()):
            if event.seq <= seq:
                break
            count += 1
        return count

    async def last_event_seq(self) -> int:
        return self._last_seq

    async def forget_events(self, upto: int) -> int:
        old = list(itertools.takewhile(lambda seq: seq <= upto, self._events))
        for seq in old:
            del self._events[seq]
        return len(old)

    async def park(self, token: str, seq: int) -> None:
        self._parked[token] = seq
        self._sessions.mute(token)

    async def unpark(self, token: str) -> None:
        self._parked.pop(token, None)
        self._sessions.unmute(token)

    async def parked(self) -> dict[str, int]:
        return dict(self._parked)

    async def clear(self) -> None:
        self._rows.clear()
        self._pending.clear()
        self._events.clear()
        self._parked.clear()
        self._sessions.unmute_all()


@dataclass(slots=True)
class _Lease:
    owner: str
    address: str
    until: float


class MemoryLeases:
    """Leases within one process (the memory store is never shared); monotonic time."""

    def __init__(self) -> None:
        self._leases: dict[str, _Lease] = {}
        self._last: dict[str, str] = {}

    async def acquire(
        self, name: str, owner: str, address: str, ttl: float, steal_from: str | None = None
    ) -> LeaseGrant:
        now = time.monotonic()
        lease = self._leases.get(name)
        if lease and lease.owner not in (owner, steal_from) and lease.until > now:
            return LeaseGrant(False, lease.owner, lease.address)
        previous = self._last.get(name)
        self._leases[name] = _Lease(owner, address, now + ttl)
        self._last[name] = owner
        return LeaseGrant(True, owner, address, previous if previous != owner else None)

    async def renew(self, name: str, owner: str, ttl: float) -> bool:
        lease = self._leases.get(name)
        if lease is None or lease.owner != owner:
            return False
        lease.until = time.monotonic() + ttl
        return True

    async def release(self, name: str, owner: str) -> bool:
        lease = self._leases.get(name)
        if lease is None or lease.owner != owner:
            return False
        del self._leases[name]
        return True

    async def holder(self, name: str) -> LeaseGrant | None:
        lease = self._leases.get(name)
        if lease is None or lease.until <= time.monotonic():
            return None
        return LeaseGrant(True, lease.owner, lease.address)


class MemoryJournal:
    def __init__(self) -> None:
        self._entries: deque[JournalEntry] = deque()

    async def append(self, entries: Sequence[JournalEntry], keep: int) -> None:
        self._entries.extend(entries)
        while len(self._entries) > keep:
            self._entries.popleft()

    async def entries(self, keep: int) -> list[JournalEntry]:
        return list(self._entries)[-keep:]

    async def clear(self) -> None:
        self._entries.clear()


class MemoryStore:
    shareable = False

    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        # The other PBXs' stores (:meth:`namespace`): each its own set of tables.
        self._spaces: dict[str, MemoryStore] = {}
        self.lockouts = MemoryLockouts()
        self.sessions = MemorySessions(self.lockouts)
        self.state = MemoryState()
        self.outbox = MemoryOutbox(self.sessions)
        self.leases = MemoryLeases()
        self.journal = MemoryJournal()

    def namespace(self, name: str) -> MemoryStore:
        space = self._spaces.get(name)
        if space is None:
            space = self._spaces[name] = MemoryStore(self.url)
        return space

    async def forget_namespace(self, name: str) -> None:
        self._spaces.pop(name, None)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None
