"""One-time download randoms for recordings and CDR exports (docs/pbx-api/files.md).

``get_random`` issues a 32-hex random bound to what may be fetched (one recording, or one
extension list and time range) and to who may fetch it (the application server's IP, plus the
request's ``allowedip``). It is good for :data:`VALIDITY` seconds of the server clock and for
one download. Randoms are kept in the state store (``calls.ticket/<random>``), so a download
may reach another worker than the one that issued it. An attempt that does not match (other
file, other IP) leaves the random unspent.

Expired randoms are forgotten as new ones are issued. Which ones have expired is read from an
index kept beside them in this process (a heap by expiry time, seeded by one scan of the store
when this process starts issuing), so issuing costs the same with 4,000 randoms outstanding as
with none, instead of reading every outstanding random each time.
"""

from __future__ import annotations

import heapq
import json
import re
import secrets

from yspbx.addresses import ip_of
from yspbx.clock import Clock
from yspbx.store.base import StateStore

PREFIX = "calls.ticket/"
VALIDITY = 30.0
_RANDOM = re.compile(r"[0-9a-f]{32}")


def valid_ip(text: str) -> str | None:
    """The address in canonical form, or None when ``text`` is not an IP address."""
    address = ip_of(text)
    return None if address is None else str(address)


class Tickets:
    def __init__(self, state: StateStore, clock: Clock) -> None:
        self._state = state
        self._clock = clock
        # (expires_at, key) of every random issued and maybe not yet forgotten; None until the
        # store's randoms (left by another process or an earlier run) have been read once.
        self._expiries: list[tuple[float, str]] | None = None

    async def issue(self, kind: str, subject: str, ips: list[str]) -> str:
        now = self._clock.now()
        await self._forget_expired(now)
        random = secrets.token_hex(16)
        expires_at = now + VALIDITY
        ticket = {"kind": kind, "subject": subject, "ips": ips, "expires_at": expires_at}
        await self._state.put(PREFIX + random, json.dumps(ticket).encode())
        if self._expiries is not None:  # else the first scan will find it
            heapq.heappush(self._expiries, (expires_at, PREFIX + random))
        return random

    async def redeem(self, kind: str, subject: str, random: str, client_ip: str) -> bool:
        """Spend ``random`` if it was issued for this download and this client, in time."""
        if not _RANDOM.fullmatch(random):
            return False
        key = PREFIX + random
        raw = await self._state.get(key)
        if raw is None:
            return False
        ticket = json.loads(raw)
        if ticket["expires_at"] < self._clock.now():
            await self._state.delete(key)
            return False
        ip = valid_ip(client_ip) or client_ip
        if ticket["kind"] != kind or ticket["subject"] != subject or ip not in ticket["ips"]:
            return False
        await self._state.delete(key)
        return True

    async def _forget_expired(self, now: float) -> None:
        """Delete the randoms that expired (a spent one is deleted again, harmlessly)."""
        if self._expiries is None:
            stored = await self._state.scan(PREFIX)
            found = [(float(json.loads(raw)["expires_at"]), key) for key, raw in stored]
            heapq.heapify(found)
            self._expiries = found
        expiries = self._expiries
        while expiries and expiries[0][0] < now:
            _, key = heapq.heappop(expiries)
            await self._state.delete(key)
