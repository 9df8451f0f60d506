"""Logins decided from the SQLite store's view (yspbx/store/sqlite.py, ``_decide_now``): with the
request's deferred writes collected (as the API envelope does), a login reads no statement for
its lockout and counts, its session is queued and is on disk once the write handed back is done,
in the same transaction as the journal entry carried with it; a lockout set through another
connection (another worker) is honoured on the next turn, and near a cap the exact path decides."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import pytest

from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.base import (
    DEFERRED_WRITES,
    NO_LIMITS,
    Admission,
    DeferredWrites,
    JournalEntry,
    SessionLimits,
    StoreUnavailable,
)
from yspbx.store.sqlite import CAP_MARGIN, SqliteSessions, SqliteStore

IP = "10.0.0.7"
NOW = 1000.0


def session(n: int, ip: str = IP) -> Session:
    return Session(f"{n:032x}", ip, NOW, NOW + 600, ReportTarget(ip, 8260))


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[tuple[SqliteStore, SqliteStore, Path]]:
    path = tmp_path / "state.db"
    here, there = SqliteStore(f"sqlite:///{path}"), SqliteStore(f"sqlite:///{path}")
    yield here, there, path
    await here.close()
    await there.close()


async def login(
    store: SqliteStore, n: int, limits: SessionLimits = NO_LIMITS
) -> tuple[Admission, list[Awaitable[object]]]:
    collecting = DeferredWrites()
    token = DEFERRED_WRITES.set(collecting)
    try:
        admission = await store.sessions.add_unless_locked(session(n), NOW, limits)
    finally:
        DEFERRED_WRITES.reset(token)
    return admission, collecting.writes


def stored_tokens(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {str(row[0]) for row in conn.execute("SELECT token FROM sessions")}


async def test_a_login_reads_nothing_and_is_on_disk_with_its_journal_entry(
    pair: tuple[SqliteStore, SqliteStore, Path],
) -> None:
    here, _, path = pair
    await login(here, 1)  # the view learns the IP's lockout entry and counts
    await asyncio.sleep(0)
    seen: Counter[str] = Counter()
    here.conn.set_trace_callback(lambda sql: seen.update([sql.split()[0].upper()]))
    admission, deferred = await login(here, 2)
    assert admission is Admission.ADDED
    assert len(deferred) == 1
    entry = JournalEntry(NOW, IP, "POST", "/api/v1.1.0/login", b"", b"{}", 200, b"{}")
    journal_written = here.journal.carry(entry, 100)
    assert journal_written is not None
    assert f"{2:032x}" not in stored_tokens(path)  # queued, not yet committed
    await journal_written
    assert deferred[0].done()  # type: ignore[attr-defined]
    await deferred[0]
    assert f"{2:032x}" in stored_tokens(path)
    # No read for the lockout or the counts; one transaction for the session and the entry.
    assert seen["SELECT"] == 0
    assert seen["BEGIN"] == 1
    assert seen["COMMIT"] == 1
    assert [e.path for e in await here.journal.entries(100)] == ["/api/v1.1.0/login"]


async def test_a_lockout_set_by_another_process_is_honoured_on_the_next_turn(
    pair: tuple[SqliteStore, SqliteStore, Path],
) -> None:
    here, there, _ = pair
    admission, deferred = await login(here, 1)
    assert admission is Admission.ADDED
    await deferred[0]
    await there.lockouts.record_failure(IP, NOW, threshold=1, lock_seconds=60)
    await asyncio.sleep(0)
    admission, deferred = await login(here, 2)
    assert admission is Admission.LOCKED
    assert deferred == []


async def test_failures_are_reset_by_a_good_login_and_seen_again_after_a_local_failure(
    pair: tuple[SqliteStore, SqliteStore, Path],
) -> None:
    here, _, _ = pair
    await here.lockouts.record_failure(IP, NOW, threshold=3, lock_seconds=60)
    admission, deferred = await login(here, 1)
    assert admission is Admission.ADDED
    await deferred[0]
    assert (await here.lockouts.state(IP, NOW)).failures == 0
    # A lock counted by this process drops the view's entry at once.
    for _ in range(3):
        await here.lockouts.record_failure(IP, NOW, threshold=3, lock_seconds=60)
    admission, deferred = await login(here, 2)
    assert admission is Admission.LOCKED
    assert deferred == []


async def test_near_a_cap_the_count_is_exact(
    pair: tuple[SqliteStore, SqliteStore, Path],
) -> None:
    here, there, _ = pair
    cap = CAP_MARGIN + 3
    limits = SessionLimits(total=None, per_ip=cap)
    # Sessions stored by another process, then logins here: at the cap, refused.
    for n in range(2):
        await there.sessions.add(session(1000 + n))
    await asyncio.sleep(0)
    admitted = 0
    for n in range(cap + 5):
        admission, deferred = await login(here, n, limits)
        for write in deferred:
            await write
        admitted += admission is Admission.ADDED
    assert admitted == cap - 2
    with sqlite3.connect(here.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == cap


async def test_a_login_whose_commit_fails_is_refused_with_nothing_stored(
    pair: tuple[SqliteStore, SqliteStore, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    here, _, path = pair

    def disk_fails(conn: sqlite3.Connection, items: list[object]) -> None:
        error = sqlite3.OperationalError("disk I/O error")
        error.sqlite_errorcode = 10  # SQLITE_IOERR
        raise error

    monkeypatch.setattr(
        SqliteSessions, "write_carried", lambda self, conn, items: disk_fails(conn, items)
    )
    admission, deferred = await login(here, 1)
    assert admission is Admission.ADDED
    with pytest.raises(StoreUnavailable):
        await deferred[0]
    assert stored_tokens(path) == set()
    assert here.view.counts == {}  # what the view counted for the group is forgotten


async def test_an_expiry_refresh_is_left_to_the_request_and_committed_with_its_journal_entry(
    pair: tuple[SqliteStore, SqliteStore, Path],
) -> None:
    here, there, _ = pair
    await here.sessions.add(session(1))
    collecting = DeferredWrites()
    token = DEFERRED_WRITES.set(collecting)
    try:
        await here.sessions.extend(f"{1:032x}", NOW + 900)
    finally:
        DEFERRED_WRITES.reset(token)
    deferred = collecting.writes
    assert len(deferred) == 1
    entry = JournalEntry(NOW, IP, "POST", "/api/v1.1.0/extensionlist/query", b"", b"", 200, b"{}")
    journal_written = here.journal.carry(entry, 100)
    assert journal_written is not None
    await journal_written
    assert deferred[0].done()  # type: ignore[attr-defined]
    stored = await there.sessions.get(f"{1:032x}")
    assert stored is not None
    assert stored.expires_at == NOW + 900


async def test_a_context_no_longer_collecting_gets_writes_that_wait_for_themselves(
    pair: tuple[SqliteStore, SqliteStore, Path],
) -> None:
    # A timer or task started during a request runs in a copy of its context.
    here, _, path = pair
    collecting = DeferredWrites()
    collecting.open = False
    token = DEFERRED_WRITES.set(collecting)
    try:
        admission = await here.sessions.add_unless_locked(session(1), NOW, NO_LIMITS)
    finally:
        DEFERRED_WRITES.reset(token)
    assert admission is Admission.ADDED
    assert collecting.writes == []
    assert f"{1:032x}" in stored_tokens(path)


async def test_counts_are_not_read_while_a_login_of_this_process_waits_for_its_commit(
    pair: tuple[SqliteStore, SqliteStore, Path],
) -> None:
    here, _, path = pair
    first, carried = await login(here, 1)
    assert first is Admission.ADDED
    assert len(carried) == 1
    here.view.counts.clear()  # as a logout in the same turn would leave it
    # The file's counts lack the first login: the second is decided in the write transaction.
    second, deferred = await login(here, 2)
    assert second is Admission.ADDED
    assert deferred == []
    assert {f"{1:032x}", f"{2:032x}"} <= stored_tokens(path)
