"""The storage protocols. Stores keep data atomically; every rule lives above them.

A backend (memory, SQLite, Redis) implements each protocol; :class:`Store` bundles one backend's
parts. Methods are async so a networked backend can implement them without blocking; the
SQLite backend answers from the calling thread (its statements take microseconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from yspbx.sessions.models import ReportTarget, Session


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


class SessionStore(Protocol):
    async def add(self, session: Session) -> None: ...

    async def get(self, token: str) -> Session | None: ...

    async def extend(self, token: str, expires_at: float) -> None:
        """Move the expiry to ``expires_at`` unless it is already later."""

    async def set_target(
        self, token: str, target: ReportTarget, expires_at: float
    ) -> Session | None: ...

    async def remove(self, token: str) -> bool: ...

    async def live(self, now: float) -> list[Session]: ...

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


class Store(Protocol):
    @property
    def url(self) -> str: ...

    @property
    def sessions(self) -> SessionStore: ...

    @property
    def lockouts(self) -> LockoutStore: ...

    @property
    def state(self) -> StateStore: ...

    async def close(self) -> None: ...
