"""The login lockout rule: N consecutive failures from one IP lock it for a while.

The store decides each failure atomically (count, and lock exactly when the count reaches the
threshold), so 20 concurrent bad logins from one IP, through any number of processes, lock it
once and let none of them through.
"""

from __future__ import annotations

import logging

from yspbx.addresses import canonical_ip
from yspbx.clock import Clock
from yspbx.errors import Errno, PbxError
from yspbx.store.base import BlockedIp, LockoutStore

log = logging.getLogger(__name__)


class LockoutPolicy:
    def __init__(
        self, store: LockoutStore, clock: Clock, threshold: int, lock_seconds: float
    ) -> None:
        self._store = store
        self._clock = clock
        self.threshold = threshold
        self.lock_seconds = lock_seconds

    async def check(self, ip: str) -> int:
        """Raise 20002 while ``ip`` is locked; otherwise return its current failure count."""
        state = await self._store.state(ip, self._clock.now())
        if state.blocked_until is not None:
            raise PbxError(Errno.LOCKED_OUT, f"{ip} is locked until {state.blocked_until:.0f}")
        return state.failures

    async def failed(self, ip: str) -> PbxError:
        """Count a failed login and return the error to answer it with."""
        outcome = await self._store.record_failure(
            ip, self._clock.now(), self.threshold, self.lock_seconds
        )
        if outcome.already_blocked:
            return PbxError(Errno.LOCKED_OUT, f"{ip} is locked")
        if outcome.newly_blocked:
            log.warning(
                "login lockout: %s locked after %d failed logins, until %.0f",
                ip,
                outcome.failures,
                outcome.blocked_until or 0.0,
            )
        return PbxError(Errno.BAD_CREDENTIALS, f"failure {outcome.failures} from {ip}")

    async def unblock(self, ip: str) -> bool:
        """Lift the lock on ``ip``, whichever way it is spelt (a lock stored under the
        IPv4-mapped spelling by an older version goes too)."""
        ip = canonical_ip(ip)
        unblocked = await self._store.forget(ip)
        if "." in ip and ":" not in ip:
            unblocked = await self._store.forget("::ffff:" + ip) or unblocked
        if unblocked:
            log.info("login lockout: %s unblocked by the administrator", ip)
        return unblocked

    async def blocked(self) -> list[BlockedIp]:
        return await self._store.blocked(self._clock.now())
