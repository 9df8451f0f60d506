"""The in-process store: dicts, for tests and for a server that may forget everything on exit.

Every method completes without awaiting, so each one is atomic on the event loop.
"""

from __future__ import annotations

from dataclasses import replace

from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.base import BlockedIp, FailureOutcome, LockoutState

_CLEAN = LockoutState(0, None)


class MemorySessions:
    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}

    async def add(self, session: Session) -> None:
        self._sessions[session.token] = session

    async def get(self, token: str) -> Session | None:
        return self._sessions.get(token)

    async def extend(self, token: str, expires_at: float) -> None:
        session = self._sessions.get(token)
        if session is not None and session.expires_at < expires_at:
            session.expires_at = expires_at

    async def set_target(
        self, token: str, target: ReportTarget, expires_at: float
    ) -> Session | None:
        session = self._sessions.get(token)
        if session is None:
            return None
        session.target = replace(target)
        session.expires_at = max(session.expires_at, expires_at)
        return session

    async def remove(self, token: str) -> bool:
        return self._sessions.pop(token, None) is not None

    async def live(self, now: float) -> list[Session]:
        return [s for s in self._sessions.values() if s.expires_at > now]

    async def count_live(self, now: float) -> int:
        return sum(1 for s in self._sessions.values() if s.expires_at > now)

    async def purge(self, expired_before: float) -> int:
        stale = [t for t, s in self._sessions.items() if s.expires_at < expired_before]
        for token in stale:
            del self._sessions[token]
        return len(stale)

    async def clear(self) -> None:
        self._sessions.clear()


class MemoryLockouts:
    def __init__(self) -> None:
        self._entries: dict[str, LockoutState] = {}

    def _current(self, ip: str, now: float) -> LockoutState:
        entry = self._entries.get(ip, _CLEAN)
        if entry.blocked_until is not None and entry.blocked_until <= now:
            del self._entries[ip]
            return _CLEAN
        return entry

    async def state(self, ip: str, now: float) -> LockoutState:
        return self._current(ip, now)

    async def record_failure(
        self, ip: str, now: float, threshold: int, lock_seconds: float
    ) -> FailureOutcome:
        entry = self._current(ip, now)
        if entry.blocked_until is not None:
            return FailureOutcome(entry.failures, entry.blocked_until, False, True)
        failures = entry.failures + 1
        until = now + lock_seconds if failures >= threshold else None
        self._entries[ip] = LockoutState(failures, until)
        return FailureOutcome(failures, until, until is not None, False)

    async def forget(self, ip: str) -> bool:
        entry = self._entries.pop(ip, None)
        return entry is not None and entry.blocked_until is not None

    async def blocked(self, now: float) -> list[BlockedIp]:
        return [
            BlockedIp(ip, entry.blocked_until)
            for ip, entry in self._entries.items()
            if entry.blocked_until is not None and entry.blocked_until > now
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


class MemoryStore:
    def __init__(self, url: str = "memory://") -> None:
        self.url = url
        self.sessions = MemorySessions()
        self.lockouts = MemoryLockouts()
        self.state = MemoryState()

    async def close(self) -> None:
        return None
