"""The SQLite store checks the session caps against stored-session counts (yspbx/store/sqlite.py,
``session_counts``), not by counting live sessions on every login: the counts must stay what
the table holds through every way sessions come and go, a group commit of many logins at once
must respect the caps as logins one by one would, and a group that fails stores nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.base import Admission, SessionLimits, StoreUnavailable
from yspbx.store.sqlite import SqliteStore

T0 = 1_000_000.0


def session(n: int, ip: str, expires_at: float = T0 + 1800) -> Session:
    return Session(f"{n:032x}", ip, T0, expires_at, ReportTarget(ip, 8260))


def counts(path: Path) -> dict[str, int]:
    """What the counts say next to what a count of the table finds: both must agree."""
    with closing(sqlite3.connect(path)) as conn:
        kept = dict(conn.execute("SELECT ip, n FROM session_counts WHERE pbx = ''").fetchall())
        found = dict(
            conn.execute(
                "SELECT '', COUNT(*) FROM sessions WHERE pbx = '' HAVING COUNT(*) > 0 UNION ALL "
                "SELECT client_ip, COUNT(*) FROM sessions WHERE pbx = '' GROUP BY client_ip"
            ).fetchall()
        )
    assert {k: v for k, v in kept.items() if v} == found
    return {str(k): int(v) for k, v in found.items()}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = SqliteStore(f"sqlite:///{tmp_path / 'state.db'}", timeout=0.2)
    yield opened
    await opened.close()


async def test_logins_of_one_group_commit_respect_the_caps_exactly(
    store: SqliteStore, tmp_path: Path
) -> None:
    limits = SessionLimits(total=6, per_ip=4)
    ips = ["192.0.2.1"] * 6 + ["192.0.2.2"] * 4
    # All queued in one turn of the event loop: one transaction holds them all.
    admissions = await asyncio.gather(
        *(store.sessions.add_unless_locked(session(n, ip), T0, limits) for n, ip in enumerate(ips))
    )
    assert (
        admissions
        == [Admission.ADDED] * 4
        + [Admission.IP_FULL] * 2
        + [Admission.ADDED] * 2
        + [Admission.FULL] * 2
    )
    assert counts(tmp_path / "state.db") == {"": 6, "192.0.2.1": 4, "192.0.2.2": 2}


async def test_counts_follow_logouts_version_changes_purges_and_clears(
    store: SqliteStore, tmp_path: Path
) -> None:
    path = tmp_path / "state.db"
    for n in range(5):
        ip = "192.0.2.1" if n < 3 else "192.0.2.2"
        await store.sessions.add_unless_locked(session(n, ip, T0 + 10 * n), T0, SessionLimits(9, 9))
    await store.sessions.remove(f"{0:032x}")
    assert counts(path) == {"": 4, "192.0.2.1": 2, "192.0.2.2": 2}
    # A version change stores the session again under its token (remove, then add).
    again = session(1, "192.0.2.1", T0 + 10)
    await store.sessions.remove(again.token)
    await store.sessions.add(again)
    assert counts(path) == {"": 4, "192.0.2.1": 2, "192.0.2.2": 2}
    assert await store.sessions.purge(T0 + 25) == 2
    assert counts(path) == {"": 2, "192.0.2.2": 2}
    hosted = store.namespace("pbx-a")
    await hosted.sessions.add(session(99, "192.0.2.1"))
    await store.forget_namespace("pbx-a")
    await store.sessions.clear()
    assert counts(path) == {}


async def test_expired_sessions_still_stored_do_not_fill_the_caps(store: SqliteStore) -> None:
    limits = SessionLimits(total=2, per_ip=2)
    for n in range(2):
        await store.sessions.add_unless_locked(session(n, "192.0.2.1", T0 + 5), T0, limits)
    # The two are stored (answering 20006 for a day) but no longer live.
    later = T0 + 10
    fresh = [session(n, "192.0.2.1", later + 1800) for n in (2, 3, 4)]
    admissions = [await store.sessions.add_unless_locked(s, later, limits) for s in fresh]
    assert admissions == [Admission.ADDED, Admission.ADDED, Admission.IP_FULL]


async def test_a_file_from_before_the_counts_is_counted_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    first = SqliteStore(f"sqlite:///{path}")
    for n in range(3):
        await first.sessions.add(session(n, f"192.0.2.{n % 2}"))
    await first.close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("DROP TABLE session_counts")
        conn.commit()
    again = SqliteStore(f"sqlite:///{path}")
    try:
        assert counts(path) == {"": 3, "192.0.2.0": 2, "192.0.2.1": 1}
        full = SessionLimits(total=3, per_ip=5)
        refused = await again.sessions.add_unless_locked(session(7, "192.0.2.9"), T0, full)
        assert refused is Admission.FULL
    finally:
        await again.close()


async def test_a_group_that_cannot_commit_fails_every_login_and_stores_none(
    store: SqliteStore, tmp_path: Path
) -> None:
    path = tmp_path / "state.db"
    await store.sessions.add(session(0, "192.0.2.1"))
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        answers = await asyncio.gather(
            *(
                store.sessions.add_unless_locked(session(n, "192.0.2.1"), T0, SessionLimits(9, 9))
                for n in range(1, 6)
            ),
            return_exceptions=True,
        )
        other.execute("ROLLBACK")
    assert all(isinstance(answer, StoreUnavailable) for answer in answers), answers
    assert counts(path) == {"": 1, "192.0.2.1": 1}
    assert store.counts.added == {}
