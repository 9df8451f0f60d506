"""The SQLite store's per-process view (yspbx/store/sqlite_view.py): reads that change nothing
cost no statement but ``PRAGMA data_version`` (one per turn of the event loop), and a commit
through another connection (here, a second store on the same file, as another worker would open
it) is seen by the next read on a later turn, as a request sent after the commit would be."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.sqlite import SqliteStore
from yspbx.store.sqlite_view import VIEW_LIMIT, DataVersionView, ViewedSessions

TOKEN = "0" * 31 + "1"


async def next_turn() -> None:
    """Let the event loop go round once: a request arrives on a turn of its own."""
    await asyncio.sleep(0)


def session(token: str = TOKEN, expires_at: float = 2000.0) -> Session:
    return Session(token, "127.0.0.1", 1000.0, expires_at, ReportTarget("127.0.0.1", 8260))


class Statements:
    """Counts the statements a store's connection runs, by their first word."""

    def __init__(self, store: SqliteStore) -> None:
        self.seen: Counter[str] = Counter()
        store.conn.set_trace_callback(lambda sql: self.seen.update([sql.split()[0].upper()]))

    def reads(self) -> int:
        return self.seen["SELECT"]


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[tuple[SqliteStore, SqliteStore]]:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    here, there = SqliteStore(url), SqliteStore(url)
    yield here, there
    await here.close()
    await there.close()


async def test_a_session_read_again_costs_no_select(
    pair: tuple[SqliteStore, SqliteStore],
) -> None:
    here, _ = pair
    await here.sessions.add(session())
    statements = Statements(here)
    for _ in range(5):
        await next_turn()
        got = await here.sessions.get(TOKEN)
        assert got is not None
        assert got.expires_at == 2000.0
    assert statements.reads() == 1
    assert statements.seen["PRAGMA"] == 5
    # Every reader gets its own objects: changing one changes nothing in the view.
    first = await here.sessions.get(TOKEN)
    assert first is not None
    first.expires_at = 1.0
    second = await here.sessions.get(TOKEN)
    assert second is not None
    assert second.expires_at == 2000.0


async def test_another_connections_logout_is_seen_on_the_next_read(
    pair: tuple[SqliteStore, SqliteStore],
) -> None:
    here, there = pair
    await there.sessions.add(session())
    assert await here.sessions.get(TOKEN) is not None
    assert await there.sessions.remove(TOKEN)
    await next_turn()
    assert await here.sessions.get(TOKEN) is None


async def test_one_look_serves_a_turn_of_the_event_loop(
    pair: tuple[SqliteStore, SqliteStore],
) -> None:
    here, there = pair
    await here.sessions.add(session())
    statements = Statements(here)
    reads = await asyncio.gather(*(here.sessions.get(TOKEN) for _ in range(64)))
    assert all(read is not None for read in reads)
    assert statements.seen["PRAGMA"] == 1
    assert statements.reads() == 1
    assert await there.sessions.remove(TOKEN)
    await next_turn()
    assert await here.sessions.get(TOKEN) is None
    assert statements.seen["PRAGMA"] == 2


async def test_another_connections_expiry_and_target_are_seen(
    pair: tuple[SqliteStore, SqliteStore],
) -> None:
    here, there = pair
    await here.sessions.add(session())
    assert (await here.sessions.get(TOKEN)) is not None
    await there.sessions.extend(TOKEN, 5000.0)
    await next_turn()
    got = await here.sessions.get(TOKEN)
    assert got is not None
    assert got.expires_at == 5000.0
    await there.sessions.set_target(TOKEN, ReportTarget("10.0.0.9", 9000, "events"), 0.0)
    await next_turn()
    got = await here.sessions.get(TOKEN)
    assert got is not None
    assert got.target.address == "http://10.0.0.9:9000/events"
    await there.sessions.clear()
    await next_turn()
    assert await here.sessions.get(TOKEN) is None


async def test_another_connections_clock_offset_is_seen(
    pair: tuple[SqliteStore, SqliteStore],
) -> None:
    here, there = pair
    assert await here.state.get("clock.offset") is None
    await there.state.put("clock.offset", b"60.0")
    await next_turn()
    assert await here.state.get("clock.offset") == b"60.0"
    statements = Statements(here)
    assert await here.state.get("clock.offset") == b"60.0"
    assert statements.reads() == 0
    await there.state.put("clock.offset", b"3660.0")
    await next_turn()
    assert await here.state.get("clock.offset") == b"3660.0"
    await there.state.delete("clock.offset")
    await next_turn()
    assert await here.state.get("clock.offset") is None


async def test_the_processs_own_writes_keep_its_view_right(
    pair: tuple[SqliteStore, SqliteStore],
) -> None:
    """Its own commits do not change the number its connection sees: the view follows them."""
    here, _ = pair
    await here.sessions.add(session())
    assert await here.sessions.get(TOKEN) is not None
    await here.sessions.extend(TOKEN, 3000.0)
    got = await here.sessions.get(TOKEN)
    assert got is not None
    assert got.expires_at == 3000.0
    updated = await here.sessions.set_target(TOKEN, ReportTarget("10.0.0.8", 9001), 0.0)
    assert updated is not None
    got = await here.sessions.get(TOKEN)
    assert got is not None
    assert got.target.ip == "10.0.0.8"
    assert await here.sessions.remove(TOKEN)
    assert await here.sessions.get(TOKEN) is None

    await here.sessions.add(session(expires_at=10.0))
    assert await here.sessions.get(TOKEN) is not None
    assert await here.sessions.purge(expired_before=20.0) == 1
    assert await here.sessions.get(TOKEN) is None

    await here.state.put("clock.offset", b"1.0")
    assert await here.state.get("clock.offset") == b"1.0"
    await here.state.put("clock.offset", b"2.0")
    assert await here.state.get("clock.offset") == b"2.0"
    await here.state.clear()
    assert await here.state.get("clock.offset") is None


async def test_requests_that_read_a_session_at_once_slide_its_expiry_with_one_write(
    pair: tuple[SqliteStore, SqliteStore],
) -> None:
    """64 requests reading the token in one moment used to write the same expiry 64 times."""
    here, there = pair
    await here.sessions.add(session())
    statements = Statements(here)

    async def request() -> None:
        got = await here.sessions.get(TOKEN)
        assert got is not None
        if got.expires_at < 2600.0:
            await here.sessions.extend(TOKEN, 2600.0)

    await asyncio.gather(*(request() for _ in range(64)))
    assert statements.seen["UPDATE"] == 1
    stored = await there.sessions.get(TOKEN)
    assert stored is not None
    assert stored.expires_at == 2600.0


async def test_unknown_tokens_and_large_documents_are_not_kept(
    pair: tuple[SqliteStore, SqliteStore],
) -> None:
    here, _ = pair
    for n in range(50):
        assert await here.sessions.get(f"{n:032x}") is None
    assert here.view.sessions == {}
    await here.state.put("recording", b"x" * 100_000)
    assert await here.state.get("recording") == b"x" * 100_000
    assert "recording" not in here.view.values


async def test_the_view_stays_bounded(pair: tuple[SqliteStore, SqliteStore]) -> None:
    here, _ = pair
    for n in range(VIEW_LIMIT + 5):
        await here.sessions.add(session(f"{n:032x}"))
        assert await here.sessions.get(f"{n:032x}") is not None
    assert 0 < len(here.view.sessions) <= VIEW_LIMIT


async def test_a_read_under_way_when_the_view_is_dropped_does_not_refill_it(
    pair: tuple[SqliteStore, SqliteStore],
) -> None:
    """A backend read that awaits (a future store) must not put back what a foreign commit
    seen meanwhile made stale."""
    here, _ = pair
    release = asyncio.Event()

    class SlowSessions:
        async def get(self, token: str) -> Session | None:
            await release.wait()
            return session(token)

    view = DataVersionView(here.conn)
    viewed = ViewedSessions(SlowSessions(), view)  # type: ignore[arg-type]
    reading = asyncio.create_task(viewed.get(TOKEN))
    await asyncio.sleep(0)
    view.forget()
    release.set()
    assert await reading is not None
    assert view.sessions == {}


async def test_a_view_that_cannot_look_answers_nothing_from_memory(
    pair: tuple[SqliteStore, SqliteStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the pragma fails, reads go to the store, whose error handling answers them."""
    here, _ = pair
    await here.sessions.add(session())
    assert await here.sessions.get(TOKEN) is not None
    await next_turn()

    def broken() -> int:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(here.view, "_version", broken)
    statements = Statements(here)
    assert await here.sessions.get(TOKEN) is not None
    assert statements.reads() == 1
