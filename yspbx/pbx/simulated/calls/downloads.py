"""One-time download randoms for recordings and CDR exports (docs/pbx-api/files.md).

``get_random`` issues a 32-hex random bound to what may be fetched (one recording, or one
extension list and time range) and to who may fetch it (the application server's IP, plus the
request's ``allowedip``). It is good for :data:`VALIDITY` seconds of the server clock and for
one download. Randoms are kept in the state store (``calls.ticket/<random>``), so a download
may reach another worker than the one that issued it. An attempt that does not match (other
file, other IP) leaves the random unspent.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets

from yspbx.clock import Clock
from yspbx.store.base import StateStore

PREFIX = "calls.ticket/"
VALIDITY = 30.0
_RANDOM = re.compile(r"[0-9a-f]{32}")


def valid_ip(text: str) -> str | None:
    """The address in canonical form, or None when ``text`` is not an IP address."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


class Tickets:
    def __init__(self, state: StateStore, clock: Clock) -> None:
        self._state = state
        self._clock = clock

    async def issue(self, kind: str, subject: str, ips: list[str]) -> str:
        now = self._clock.now()
        await self._forget_expired(now)
        random = secrets.token_hex(16)
        ticket = {"kind": kind, "subject": subject, "ips": ips, "expires_at": now + VALIDITY}
        await self._state.put(PREFIX + random, json.dumps(ticket).encode())
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
        for key, raw in await self._state.scan(PREFIX):
            if json.loads(raw)["expires_at"] < now:
                await self._state.delete(key)
