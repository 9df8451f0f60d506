"""The storage protocols. Stores keep data atomically; every rule lives above them.

A backend (memory, SQLite, Redis) implements each protocol; :class:`Store` bundles one backend's
parts. Methods are async so a networked backend can implement them without blocking; the
SQLite backend answers from the calling thread (its statements take microseconds). A backend
that cannot answer (Redis down, a time-out) raises :class:`StoreUnavailable`, never hangs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum, IntEnum
from typing import Protocol

from yspbx.sessions.models import ReportTarget, Session


class StoreUnavailable(Exception):
    """The store did not answer in time or could not be reached; nothing was decided.

    The API answers it with errno 20010 and the control plane with 503; the request may be
    sent again once the store is back (redis-py reconnects by itself).
    """


class StoreFileError(StoreUnavailable):
    """The store's file cannot be used (damaged, not a database, unreadable): the message names
    the file and says what to do; ``yspbx serve`` prints it as its one line and stops."""


class DeferredWrites:
    """Writes a store left uncommitted when its method returned, for the request to await
    before it answers (a SQLite login decided from the process's view, an expiry refresh): the
    request then waits once, for the group commit that also carries its journal entry.

    ``open`` turns False once the request stops collecting: a timer or task started during
    the request runs in a copy of its context, and must get stores that wait for their own
    writes, not leave them to a request that has answered.

    ``held``: announcements (the event hub's publications) that must not be made before the
    writes are committed, in the order they were held; the request makes them, or drops them,
    with :meth:`release` once its writes settled. None until one is held: a request with
    nobody listening holds nothing and allocates nothing for it."""

    __slots__ = ("held", "open", "writes")

    def __init__(self) -> None:
        self.writes: list[Awaitable[object]] = []
        self.open = True
        self.held: list[tuple[Callable[[], object], bool]] | None = None

    def hold(self, announce: Callable[[], object], needs_writes: bool) -> None:
        """Keep ``announce`` until :meth:`release`. ``needs_writes``: it tells of what the
        deferred writes carry (dropped if they fail); otherwise it is held only to keep its
        place after those that do."""
        if self.held is None:
            self.held = []
        self.held.append((announce, needs_writes))

    def release(self, written: bool) -> None:
        """The writes settled (``written``: all were committed): make the held announcements
        in order, but none that needed the writes when they failed. Later announcements of
        the request's context are no longer held."""
        held, self.held = self.held, None
        if held is None:
            return
        for announce, needs_writes in held:
            if written or not needs_writes:
                announce()


# Set by the API envelope for each request. Whoever did not set it (a test, the control plane)
# gets stores that return only once their writes are committed.
DEFERRED_WRITES: ContextVar[DeferredWrites | None] = ContextVar(
    "yspbx_deferred_writes", default=None
)


def deferred_writes() -> list[Awaitable[object]] | None:
    """Where the running request collects writes left to it (None: wait for them here)."""
    collecting = DEFERRED_WRITES.get()
    return collecting.writes if collecting is not None and collecting.open else None


@dataclass(frozen=True, slots=True)
class LockoutState:
    failures: int
    blocked_until: float | None


@dataclass(frozen=True, slots=True)
class FailureOutcome:
    """The result of counting one failed login, decided atomically by the store."""

    failures: int
    blocked_until: float | None
    newly_blocked: bool
    already_blocked: bool


@dataclass(frozen=True, slots=True)
class BlockedIp:
    ip: str
    until: float


class Admission(Enum):
    """What :meth:`SessionStore.add_unless_locked` did with a login."""

    ADDED = "added"
    LOCKED = "locked"  # the client IP is locked out
    IP_FULL = "ip_full"  # the client IP already has SessionLimits.per_ip live sessions
    FULL = "full"  # SessionLimits.total sessions are live


@dataclass(frozen=True, slots=True)
class SessionLimits:
    """The most live sessions at once, in all and per client IP (None: no bound)."""

    total: int | None = None
    per_ip: int | None = None


NO_LIMITS = SessionLimits()


class SessionStore(Protocol):
    async def add(self, session: Session) -> None: ...

    async def add_unless_locked(
        self, session: Session, now: float, limits: SessionLimits = NO_LIMITS
    ) -> Admission:
        """A successful login's one step: unless the session's client IP is locked out at
        ``now`` or a bound of ``limits`` is reached, forget the IP's failed logins and store
        the session. Nothing is written unless the answer is ``ADDED``.

        One step, so a lockout counted, or a session added, by another process in between
        cannot be missed."""

    async def get(self, token: str) -> Session | None: ...

    async def extend(self, token: str, expires_at: float) -> None:
        """Move the expiry to ``expires_at`` unless it is already later."""

    async def set_target(
        self, token: str, target: ReportTarget, expires_at: float
    ) -> Session | None: ...

    async def remove(self, token: str) -> bool: ...

    async def live(self, now: float) -> list[Session]: ...

    async def reporting(self, now: float) -> list[Session]:
        """The live sessions that reports are queued for: every live session except the parked
        ones (:meth:`OutboxStore.park` takes a session out of this list, :meth:`OutboxStore.unpark`,
        :meth:`OutboxStore.drop` and :meth:`OutboxStore.clear` put it back), in no set order.

        The store keeps the list as sessions and markers change (login, expiry moved, logout,
        purge, park), in the same step as the change, so it is right for every process that
        shares the store, and reading it costs per session in it: a PBX with thousands of
        parked or expired sessions pays nothing per event for them."""

    async def count_live(self, now: float) -> int: ...

    async def purge(self, expired_before: float) -> int:
        """Forget sessions that expired before the given time (their tokens become unknown)."""

    async def clear(self) -> None: ...


class LockoutStore(Protocol):
    async def state(self, ip: str, now: float) -> LockoutState:
        """The IP's failure count and lock; a lock that has run out reads as a clean slate."""

    async def record_failure(
        self, ip: str, now: float, threshold: int, lock_seconds: float
    ) -> FailureOutcome:
        """Count one failure and lock the IP when the count reaches ``threshold``, atomically."""

    async def forget(self, ip: str) -> bool:
        """Clear the IP's count and lock; True when it was locked."""

    async def blocked(self, now: float) -> list[BlockedIp]: ...

    async def clear(self) -> None: ...


class StateStore(Protocol):
    """Small documents the PBX keeps across restarts (configuration changes, CDRs, clock)."""

    async def get(self, key: str) -> bytes | None: ...

    async def put(self, key: str, value: bytes) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def scan(self, prefix: str) -> list[tuple[str, bytes]]: ...

    async def clear(self) -> None: ...


class ReportState(IntEnum):
    PENDING = 0
    DELIVERED = 1
    DROPPED = 2
    # The receiver answered, but never 200, as many times as the refusal policy allows.
    REFUSED = 3


@dataclass(frozen=True, slots=True)
class NewReport:
    """A report to queue for one session: its body is final, its target is where it goes now."""

    token: str
    action: str
    body: bytes
    target: str
    created_at: float


@dataclass(frozen=True, slots=True)
class StoredReport:
    id: int
    token: str
    action: str
    body: bytes
    target: str
    created_at: float
    attempts: int
    last_status: int | None
    state: ReportState
    next_attempt_at: float
    # Attempts the receiver answered with a status other than 200.
    refusals: int = 0


@dataclass(frozen=True, slots=True)
class Claim:
    """What :meth:`OutboxStore.claim` found for a session.

    ``report`` is the session's oldest undelivered report, now leased to the caller; when it is
    None, ``wait_until`` says when to look again (the head is backing off or leased elsewhere),
    or is None too when the session has nothing pending.
    """

    report: StoredReport | None
    wait_until: float | None = None


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """The result of one delivery attempt, written by :meth:`OutboxStore.finish`."""

    target: str
    status: int | None
    delivered: bool
    next_attempt_at: float
    # The receiver answered with a status other than 200 (counted in ``refusals``)...
    refused: bool = False
    # ... for the last time the refusal policy allows: the report is settled as REFUSED.
    given_up: bool = False


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An event as the outbox's event log keeps it, once for every session: its report body in
    each report format that has one (keyed by format: legacy "", "1.0.2", "2.0.0")."""

    seq: int
    action: str
    created_at: float
    bodies: Mapping[str, bytes]


class OutboxStore(Protocol):
    """Reports waiting for, and reports done with, delivery.

    Per session, reports go out in id order and only the oldest pending one (the head) may be
    attempted. The store decides atomically, across processes, who attempts it: a claim leases
    the head until ``lease_until`` and nobody else gets it meanwhile.
    """

    async def add(self, reports: Sequence[NewReport]) -> list[int]:
        """Queue the reports at once (ids grow in the given order) and return their ids."""

    async def claim(self, token: str, owner: str, now: float, lease_until: float) -> Claim:
        """Lease the session's head report to ``owner`` if it is due and not leased elsewhere."""

    async def finish(self, report_id: int, owner: str, outcome: AttemptOutcome) -> bool:
        """Record an attempt and release the lease; False when the report was no longer
        pending (dropped meanwhile): its attempt is counted but it stays dropped. A status of
        None (no answer) keeps the last status received. A refused attempt counts in
        ``refusals``; one that is ``given_up`` settles a pending report as REFUSED, so the
        session's next report becomes its head."""

    async def finish_and_claim(
        self, report_id: int, token: str, owner: str, outcome: AttemptOutcome, lease_until: float
    ) -> tuple[bool, Claim]:
        """:meth:`finish`, then :meth:`claim` of the session ``token``'s (the report's) next
        head at ``outcome.next_attempt_at``, in one step: a delivered report's successor goes
        at once, and a store that pays per round trip (SQLite's commit) pays once."""

    async def release(self, owner: str) -> int:
        """Give up every lease ``owner`` holds (a process stopping mid-attempt)."""

    async def drop(self, token: str) -> int:
        """Mark every pending report of the session dropped, and unpark it; return how many
        reports there were."""

    async def shed(self, tokens: Sequence[str], keep: int) -> dict[str, int]:
        """For each of these sessions that has more than ``keep`` pending reports, mark the
        oldest ones dropped so that ``keep`` remain; say how many, per session that lost any.
        Its cost grows with the sessions that lose reports, not with the reports kept."""

    async def pending_tokens(self) -> list[str]:
        """Sessions that have pending reports, in the order of their oldest pending report."""

    async def newest_pending(self, tokens: Sequence[str]) -> dict[str, str]:
        """The action of each given session's newest pending report (sessions with none are
        left out)."""

    async def reports(self, after_id: int = 0) -> list[StoredReport]:
        """Every report kept (pending, delivered or dropped), oldest first."""

    async def log_event(self, action: str, bodies: Mapping[str, bytes], created_at: float) -> int:
        """Keep the event once in the event log (for the parked sessions, below); its sequence
        number, growing."""

    async def events_after(self, seq: int, limit: int | None = None) -> list[LoggedEvent]:
        """The logged events after ``seq``, oldest first; with ``limit``, only the newest
        ``limit`` of them."""

    async def count_events_after(self, seq: int) -> int:
        """How many logged events there are after ``seq``."""

    async def last_event_seq(self) -> int:
        """The newest logged event's sequence number (0: none yet)."""

    async def forget_events(self, upto: int) -> int:
        """Forget the logged events up to ``upto`` (nobody parked needs them)."""

    async def park(self, token: str, seq: int) -> None:
        """Mark the session parked: it has reports for the logged events up to ``seq`` and
        gets no more until it catches up from the log (:class:`~yspbx.reports.outbox.Outbox`)."""

    async def unpark(self, token: str) -> None: ...

    async def parked(self) -> dict[str, int]:
        """Parked sessions and the sequence number each caught up to."""

    async def trim(self, keep: int) -> int:
        """Forget the oldest finished reports beyond the newest ``keep``; pending ones stay."""

    async def clear(self) -> None: ...


@dataclass(frozen=True, slots=True)
class LeaseGrant:
    """The outcome of :meth:`LeaseStore.acquire`.

    ``acquired`` says whether the caller holds the lease now. ``owner`` and ``address`` name the
    holder either way. ``previous`` is who held it before the caller took it over (None when
    the caller already held it, or nobody ever did): the new holder cleans up after it.
    """

    acquired: bool
    owner: str
    address: str
    previous: str | None = None


class LeaseStore(Protocol):
    """Named leases across processes, timed by the store's own clock (wall time), never by the
    server clock: ``clock/advance`` must not make a living holder's lease run out."""

    async def acquire(
        self, name: str, owner: str, address: str, ttl: float, steal_from: str | None = None
    ) -> LeaseGrant:
        """Take the lease for ``ttl`` seconds if it is free, has run out, is the caller's
        already, or is still held by ``steal_from`` (a holder known to be dead)."""

    async def renew(self, name: str, owner: str, ttl: float) -> bool:
        """Extend the caller's lease by ``ttl`` from now; False when another process took it
        over or the caller released it. A lease that ran out but that nobody took is still
        the caller's: a holder that was slow to renew keeps its engine."""

    async def release(self, name: str, owner: str) -> bool:
        """Give the lease up at once if the caller holds it."""

    async def holder(self, name: str) -> LeaseGrant | None:
        """The current holder (``acquired`` True), or None when nobody holds the lease."""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One API request as the journal keeps it (masking happens when it is read)."""

    time: float
    client_ip: str
    method: str
    path: str
    query: bytes
    body: bytes
    http_status: int
    response: bytes


class JournalStore(Protocol):
    """The request journal shared by every process of a fleet, newest ``keep`` entries."""

    async def append(self, entries: Sequence[JournalEntry], keep: int) -> None:
        """Add the entries (in order) and forget the oldest beyond ``keep``."""

    async def entries(self, keep: int) -> list[JournalEntry]:
        """The newest ``keep`` entries, oldest first."""

    async def clear(self) -> None: ...


class Store(Protocol):
    @property
    def url(self) -> str: ...

    @property
    def shareable(self) -> bool:
        """Whether several processes can use this store at once (SQLite, Redis; not memory)."""

    @property
    def sessions(self) -> SessionStore: ...

    @property
    def lockouts(self) -> LockoutStore: ...

    @property
    def state(self) -> StateStore: ...

    @property
    def outbox(self) -> OutboxStore: ...

    @property
    def leases(self) -> LeaseStore: ...

    @property
    def journal(self) -> JournalStore: ...

    def namespace(self, name: str) -> Store:
        """The store as far as the hosted PBX ``name`` goes: the same backend (and connection),
        with every key or row of that PBX apart from the others'. The default PBX is the store
        itself (its keys and rows are those of a server with one PBX); closing a namespace's
        store closes nothing."""

    async def forget_namespace(self, name: str) -> None:
        """Forget everything the PBX ``name`` stored (its sessions, lockouts, reports,
        documents, journal and leases)."""

    async def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the store answers."""

    async def close(self) -> None: ...
