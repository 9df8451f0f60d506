"""Which session owns a report target's subscription, for the sessions in the 2.0.0 format.

2.0.0 clients log in again without logging out (after a failed heartbeat, on every page load);
each login would otherwise add one more copy of every event to the same receiver. So among
2.0.0 sessions to one target URL, an event goes to one session: the newest login among those
being delivered to (on the store's reporting list, :meth:`SessionStore.reporting`). A parked
session (its receiver down) is not on that list: while another 2.0.0 session to its target is,
that one gets the events, and the parked one, when it catches up, leaves out the events logged
from the moment that session existed (:func:`taken_over_at`). So each event reaches a target
once, whichever of its sessions was reachable. The older tokens still work for requests until
they idle out. Sessions in the 1.1.0 formats keep one subscription each.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable

from yspbx.clock import Clock
from yspbx.sessions.models import V2_FORMAT, Session, format_of
from yspbx.store.base import SessionStore

# A session's report format from its version, remembered: the fan-out asks it of every session
# it reports to for every event, and there are a handful of versions.
_format_of = functools.lru_cache(maxsize=64)(format_of)


def is_v2(session: Session) -> bool:
    return _format_of(session.version) == V2_FORMAT


def one_per_target(sessions: list[Session]) -> list[Session]:
    """``sessions`` (those being reported to) with, per target URL, only the newest 2.0.0 one."""
    newest: dict[str, Session] = {}
    kept: list[Session] = []
    for session in sessions:
        if _format_of(session.version) != V2_FORMAT:
            kept.append(session)
            continue
        address = session.target.address
        current = newest.get(address)
        if current is None or session.created_at >= current.created_at:
            newest[address] = session
    return kept + list(newest.values())


def taken_over_at(session: Session, reporting: Iterable[Session]) -> float | None:
    """From when the events for ``session`` (a parked 2.0.0 one) went to another 2.0.0 session
    to its target instead: the oldest login time among those being reported to (``reporting``),
    or None when there is none (the session catches up with every logged event)."""
    if not is_v2(session):
        return None
    address = session.target.address
    found = [
        other.created_at
        for other in reporting
        if other.token != session.token and is_v2(other) and other.target.address == address
    ]
    return min(found, default=None)


def takeover_reader(
    sessions: SessionStore, clock: Clock
) -> Callable[[Session], Awaitable[float | None]]:
    """:func:`taken_over_at` against the store's reporting list now (read only for a 2.0.0
    session: the others keep their subscription whatever else is logged in)."""

    async def read(session: Session) -> float | None:
        if not is_v2(session):
            return None
        return taken_over_at(session, await sessions.reporting(clock.now()))

    return read
