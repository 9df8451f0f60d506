"""Hosted PBXs in one store: each namespace sees only its own sessions, lockouts, documents,
reports, journal and leases, in every backend; forgetting one leaves the others whole; a SQLite
file written before hosted PBXs existed opens with its data as the default PBX's."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.stores import BACKENDS, forget_prefix, open_backend, unique_prefix
from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.base import JournalEntry, NewReport, Store
from yspbx.store.sqlite import SqliteStore

T0 = float(int(time.time()) + 86400)


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    prefix = unique_prefix()
    opened = open_backend(request.param, tmp_path, prefix)
    yield opened
    await opened.close()
    if request.param == "redis":
        forget_prefix(prefix)


def session(token: str) -> Session:
    return Session(
        token=token,
        client_ip="192.0.2.10",
        created_at=T0,
        expires_at=T0 + 1800,
        target=ReportTarget("192.0.2.10", 8260, "reports", False, "", 0),
        version="1.0.2",
    )


async def fill(store: Store, tag: str) -> None:
    await store.sessions.add(session(tag * 32))
    await store.lockouts.record_failure("192.0.2.10", T0, 1, 600)
    await store.state.put("config.overlay", tag.encode())
    await store.outbox.add([NewReport(tag * 32, "NewCdr", tag.encode(), "http://x/", T0)])
    entry = JournalEntry(T0, "192.0.2.10", "POST", f"/{tag}", b"", b"", 200, b"{}")
    await store.journal.append([entry], 100)
    await store.leases.acquire("engine", f"node-{tag}", "addr", 30)


async def contents(store: Store) -> tuple[object, ...]:
    lease = await store.leases.holder("engine")
    return (
        [s.token for s in await store.sessions.live(T0)],
        [b.ip for b in await store.lockouts.blocked(T0)],
        await store.state.scan(""),
        [r.body for r in await store.outbox.reports()],
        await store.outbox.pending_tokens(),
        [e.path for e in await store.journal.entries(100)],
        None if lease is None else lease.owner,
    )


async def test_namespaces_keep_every_part_apart(store: Store) -> None:
    alpha, beta = store.namespace("alpha"), store.namespace("beta")
    await fill(store, "d")
    await fill(alpha, "a")
    await fill(beta, "b")
    assert await contents(alpha) == (
        ["a" * 32],
        ["192.0.2.10"],
        [("config.overlay", b"a")],
        [b"a"],
        ["a" * 32],
        ["/a"],
        "node-a",
    )
    assert (await contents(store))[2] == [("config.overlay", b"d")]
    assert await alpha.sessions.get("b" * 32) is None
    # One PBX's lockout is not another's.
    await beta.lockouts.forget("192.0.2.10")
    assert [b.ip for b in await alpha.lockouts.blocked(T0)] == ["192.0.2.10"]
    # Clearing one PBX (a reset) leaves the others.
    await alpha.sessions.clear()
    await alpha.state.clear()
    await alpha.outbox.clear()
    await alpha.journal.clear()
    assert (await contents(beta))[0] == ["b" * 32]
    assert (await contents(store))[5] == ["/d"]


async def test_forgetting_a_namespace_removes_all_it_stored(store: Store) -> None:
    await fill(store, "d")
    await fill(store.namespace("gone"), "g")
    await fill(store.namespace("kept"), "k")
    await store.forget_namespace("gone")
    again = store.namespace("gone")
    assert await contents(again) == ([], [], [], [], [], [], None)
    assert (await contents(store.namespace("kept")))[0] == ["k" * 32]
    assert (await contents(store))[2] == [("config.overlay", b"d")]


async def test_sqlite_file_from_before_hosted_pbxs_is_the_default_pbx(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE lockouts (ip TEXT PRIMARY KEY, failures INTEGER NOT NULL,
            blocked_until REAL) WITHOUT ROWID;
        CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
        INSERT INTO state VALUES ('config.overlay', x'6f6c64');
        INSERT INTO lockouts VALUES ('192.0.2.9', 5, 1e12);
        """
    )
    conn.commit()
    conn.close()
    store = SqliteStore(f"sqlite:///{path}")
    try:
        assert await store.state.get("config.overlay") == b"old"
        assert [b.ip for b in await store.lockouts.blocked(T0)] == ["192.0.2.9"]
        hosted = store.namespace("x")
        assert await hosted.state.get("config.overlay") is None
        await hosted.state.put("config.overlay", b"new")
        assert await store.state.get("config.overlay") == b"old"
    finally:
        await store.close()
