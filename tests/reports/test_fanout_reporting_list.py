"""The fan-out reads only the sessions being reported to (issue 17, point 7), on every store.

Each store keeps a reporting list (:meth:`SessionStore.reporting`): live sessions that are not
parked. The first tests pin down how it follows logins, expiry, parking, ending and resets, seen
from a second connection to the same store too (another worker). The cost test counts, while
one event is fanned out, the lines of yspbx's own code that run (``sys.settrace``) and, on
SQLite, the virtual-machine steps of every statement (a progress handler called at each step):
with 10 parked and 10 expired sessions, then with 1,000 of each. A read of every session would
run its loop and its statement once more per session; the counts must not grow.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import cast

import pytest

from tests.support.line_count import LineCounter
from tests.support.stores import BACKENDS, forget_prefix, open_backend, unique_prefix
from yspbx.clock import Clock
from yspbx.pbx.events import ExtensionStatusChanged
from yspbx.reports.delivery import Deliverer
from yspbx.reports.fanout import ReportFanout
from yspbx.reports.outbox import Outbox
from yspbx.reports.subscriptions import takeover_reader
from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.base import ReportState, Store
from yspbx.store.sqlite import SqliteStore

T0 = float(int(time.time()) + 86400) + 0.5


@pytest.fixture(params=BACKENDS)
async def opened(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Callable[[], Store]]:
    """Opens the backend, as often as asked (a second connection is another process's)."""
    prefix = unique_prefix()
    stores: list[Store] = []
    memory: Store | None = None

    def open_one() -> Store:
        nonlocal memory
        if request.param == "memory":
            memory = memory or open_backend("memory", tmp_path, prefix)
            return memory
        store = open_backend(request.param, tmp_path, prefix)
        stores.append(store)
        return store

    yield open_one
    for store in stores:
        await store.close()
    if request.param == "redis":
        forget_prefix(prefix)


def session(n: int, expires_at: float = T0 + 1800, version: str = "1.0.2") -> Session:
    return Session(
        token=f"{n:032x}",
        client_ip="192.0.2.10",
        created_at=T0 + n * 1e-3,
        expires_at=expires_at,
        target=ReportTarget("192.0.2.10", 8260 + n, "reports"),
        version=version,
    )


async def listed(store: Store, now: float = T0) -> list[int]:
    return sorted(int(s.token, 16) for s in await store.sessions.reporting(now))


async def test_the_list_follows_logins_expiry_parking_ending_and_resets(
    opened: Callable[[], Store],
) -> None:
    store, other = opened(), opened()
    for n in range(1, 5):
        await store.sessions.add(session(n))
    await store.sessions.add(session(5, expires_at=T0 - 1))  # expired
    assert await listed(store) == [1, 2, 3, 4]
    await store.outbox.park(session(1).token, 0)
    await store.outbox.park(session(2).token, 0)
    assert await listed(other) == [3, 4]  # another worker sees it at once
    # Stored again under a parked token (a heartbeat's new version): still parked.
    await other.sessions.remove(session(2).token)
    await other.sessions.add(session(2, version="2.0.0"))
    assert await listed(store) == [3, 4]
    await store.outbox.unpark(session(1).token)
    await store.outbox.drop(session(2).token)
    assert await listed(other) == [1, 2, 3, 4]
    # An expiry moved forward brings an expired session back; the list reads live ones only.
    await store.sessions.extend(session(5).token, T0 + 10)
    assert await listed(store) == [1, 2, 3, 4, 5]
    assert await listed(store, T0 + 20) == [1, 2, 3, 4]
    await other.sessions.remove(session(3).token)
    assert await store.sessions.purge(T0 + 20) == 1
    assert await listed(store) == [1, 2, 4]
    # A reset (outbox and sessions cleared) leaves nobody parked.
    await store.outbox.park(session(4).token, 0)
    await store.outbox.clear()
    assert await listed(other) == [1, 2, 4]
    await store.sessions.clear()
    assert await listed(store) == []


class _Nudged:
    """Stands in for the deliverer: the fan-out only tells it which sessions got a report."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def nudge(self, token: str) -> None:
        self.tokens.append(token)


class _Counter(LineCounter):
    """Lines of yspbx's own code run, and SQLite VM steps, while a step runs."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.steps = 0
        self._conn: sqlite3.Connection | None = (
            store.conn if isinstance(store, SqliteStore) else None
        )

    def _step(self) -> int:
        self.steps += 1
        return 0

    async def cost(self, step: Callable[[], Awaitable[object]]) -> tuple[int, int]:
        self.steps = 0
        if self._conn is not None:
            self._conn.set_progress_handler(self._step, 1)
        try:
            _, lines = await self.run(step)
        finally:
            if self._conn is not None:
                self._conn.set_progress_handler(None, 1)
        return lines, self.steps


async def _fanout_cost(store: Store, quiet: int) -> tuple[int, int, int]:
    """One event's cost with one session reported to and ``quiet`` parked and ``quiet`` expired
    ones (each logged in as a client would be stored); the reports it queued too."""
    clock = Clock(wall=lambda: T0)
    outbox = Outbox(store.outbox, history=100, max_pending=1000)
    nudged = _Nudged()
    fanout = ReportFanout(
        store.sessions,
        clock,
        outbox,
        cast(Deliverer, nudged),
        lambda: "369300000001",
        lambda extension: True,
    )
    await store.sessions.add(session(0))

    async def quiet_ones(n: int) -> None:
        await store.sessions.add_unless_locked(session(n), T0)
        await store.outbox.park(session(n).token, 0)
        await store.sessions.add_unless_locked(session(100_000 + n, expires_at=T0 - 60), T0)

    for start in range(1, quiet + 1, 100):
        await asyncio.gather(*(quiet_ones(n) for n in range(start, min(start + 100, quiet + 1))))
    await outbox.load()  # the parked markers, as a seat reads them at its start
    event = ExtensionStatusChanged("1001", "Registered")
    await fanout.publish(event)  # the first event logs for the parked ones
    counter = _Counter(store)
    before = len(await store.outbox.reports())
    lines, steps = await counter.cost(lambda: fanout.publish(event))
    queued = len(await store.outbox.reports()) - before
    assert nudged.tokens[-1] == session(0).token
    return lines, steps, queued


async def test_an_event_costs_nothing_per_parked_or_expired_session(
    opened: Callable[[], Store],
) -> None:
    few = await _fanout_cost(opened(), 10)
    await opened().outbox.clear()
    await opened().sessions.clear()
    many = await _fanout_cost(opened(), 1000)
    assert few[2] == many[2] == 1  # one report: the reachable session's
    assert many[0] <= few[0], (few, many)  # Python lines
    # SQLite's steps: the log's B-trees are no deeper; a scan would add thousands.
    assert many[1] <= few[1] + 20, (few, many)


async def test_the_counter_sees_a_read_of_every_session(opened: Callable[[], Store]) -> None:
    """What the cost test would see if the fan-out read every live session."""
    store = opened()
    counter = _Counter(store)
    for n in range(10):
        await store.sessions.add(session(n))
    few = await counter.cost(lambda: store.sessions.live(T0))
    for n in range(10, 200):
        await store.sessions.add(session(n))
    many = await counter.cost(lambda: store.sessions.live(T0))
    assert many[0] + many[1] > 2 * (few[0] + few[1])


class _Now:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> float:
        return self.at


def _parts(store: Store) -> tuple[_Now, Outbox, ReportFanout]:
    """The outbox and fan-out as a seat wires them, on a clock the test moves."""
    now = _Now()
    clock = Clock(wall=now)
    outbox = Outbox(store.outbox, history=100, max_pending=1000)
    outbox.taken_over_at = takeover_reader(store.sessions, clock)
    fanout = ReportFanout(
        store.sessions,
        clock,
        outbox,
        cast(Deliverer, _Nudged()),
        lambda: "369300000001",
        lambda extension: True,
    )
    return now, outbox, fanout


def v2(n: int, created_at: float) -> Session:
    """A 2.0.0 session; every one of them reports to the same URL."""
    return Session(
        token=f"{n:032x}",
        client_ip="192.0.2.10",
        created_at=created_at,
        expires_at=T0 + 1800,
        target=ReportTarget("192.0.2.10", 8260, "events"),
        version="2.0.0",
    )


async def statuses(store: Store, token: str) -> list[str]:
    return [
        r.body.decode().split('"status":"')[1].split('"')[0]
        for r in await store.outbox.reports()
        if r.token == token
    ]


async def test_a_parked_2_0_0_session_leaves_a_newer_login_its_events(
    opened: Callable[[], Store],
) -> None:
    """docs/api-2.md: one subscription per target, the newest login's. The old session is
    parked (its receiver was down), then the client logs in again: the events from then on
    reach the target once, through the new session, and the old one catches up with the
    earlier ones only."""
    store = opened()
    now, outbox, fanout = _parts(store)
    old = v2(1, T0)
    await store.sessions.add(old)
    await outbox.park(old.token)
    now.at = T0 + 1
    await fanout.publish(ExtensionStatusChanged("1001", "Registered"))
    new = v2(2, T0 + 2)
    await store.sessions.add(new)
    now.at = T0 + 3
    await fanout.publish(ExtensionStatusChanged("1001", "Unregistered"))
    await outbox.catch_up(old)
    assert await statuses(store, old.token) == ["Registered"]
    assert await statuses(store, new.token) == ["Unregistered"]


async def test_a_newer_2_0_0_login_that_is_parked_leaves_the_reachable_one_the_events(
    opened: Callable[[], Store],
) -> None:
    """The newer login's receiver is down (parked) while an older session to the same URL is
    reported to: that one gets the events, and the newer one does not get them again when it
    catches up."""
    store = opened()
    now, outbox, fanout = _parts(store)
    old, new = v2(1, T0), v2(2, T0 + 1)
    await store.sessions.add(old)
    await store.sessions.add(new)
    await outbox.park(new.token)
    now.at = T0 + 2
    await fanout.publish(ExtensionStatusChanged("1001", "Registered"))
    await outbox.catch_up(new)
    assert await statuses(store, old.token) == ["Registered"]
    assert await statuses(store, new.token) == []


async def test_a_parked_session_that_ends_has_its_missed_reports_dropped_and_counted(
    opened: Callable[[], Store],
) -> None:
    store = opened()
    now, outbox, fanout = _parts(store)
    ended, gone = session(1), session(2)
    for one in (ended, gone):
        await store.sessions.add(one)
        await outbox.park(one.token)
    for status in ("Registered", "Unregistered", "Registered"):
        now.at += 1
        await fanout.publish(ExtensionStatusChanged("1001", status))
    assert await outbox.drop(ended.token, "logout", ended) == 3
    mine = [r for r in await store.outbox.reports() if r.token == ended.token]
    assert [r.state for r in mine] == [ReportState.DROPPED] * 3
    # Its token already forgotten: the reports cannot be written, they are counted.
    await store.sessions.remove(gone.token)
    assert await outbox.drop(gone.token, "gone") == 3
    assert await store.outbox.parked() == {}


async def test_reading_the_report_log_changes_nothing(opened: Callable[[], Store]) -> None:
    store = opened()
    now, outbox, fanout = _parts(store)
    down = session(1)
    await store.sessions.add(down)
    await outbox.park(down.token)
    for status in ("Registered", "Unregistered"):
        now.at += 1
        await fanout.publish(ExtensionStatusChanged("1001", status))
    before = (await store.outbox.reports(), await store.outbox.parked())
    for _ in range(2):
        listing = await outbox.listing(store.sessions.get)
        assert [(e["id"], e["state"]) for e in listing] == [(None, "pending")] * 2
    assert (await store.outbox.reports(), await store.outbox.parked()) == before
    # What the log listed is what the catch-up queues.
    await outbox.catch_up(down)
    assert [e["body"] for e in await outbox.listing(store.sessions.get)] == [
        e["body"] for e in listing
    ]


async def test_a_sqlite_file_from_before_the_list_has_its_parked_sessions_left_out(
    tmp_path: Path,
) -> None:
    """A file written before the ``muted`` column: opened again, its parked sessions are not
    on the list (the column is set from the markers), and the others are."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = SqliteStore(url)
    for n in (1, 2):
        await store.sessions.add(session(n))
    await store.outbox.park(session(1).token, 0)
    store.conn.execute("DROP INDEX sessions_reporting")
    for trigger in ("report_parked_mutes", "report_parked_unmutes"):
        store.conn.execute(f"DROP TRIGGER {trigger}")
    store.conn.execute("ALTER TABLE sessions DROP COLUMN muted")
    await store.close()
    store = SqliteStore(url)
    try:
        assert await listed(store) == [2]
        await store.outbox.unpark(session(1).token)
        assert await listed(store) == [1, 2]
    finally:
        await store.close()
