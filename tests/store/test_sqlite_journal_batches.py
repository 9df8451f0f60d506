"""The SQLite journal keeps a row per batch of entries (yspbx/store/sqlite_journal_rows.py):
reads still return exactly the newest entries in order, trims keep them, and the rows of the
earlier layout (a row per entry) are moved over when a file from before is opened."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from yspbx.store.base import JournalEntry
from yspbx.store.sqlite import SqliteStore
from yspbx.store.sqlite_journal_rows import pack, unpack


def entry(n: int, pbx_tag: str = "") -> JournalEntry:
    return JournalEntry(
        1000.0 + n,
        "192.0.2.7",
        "POST",
        f"/api/v1.1.0/{pbx_tag}{n}",
        b"token=x" if n % 2 else b"",
        b'{"n":"%d"}' % n,
        200,
        '{"status":"Success","name":"\u00e9"}'.encode(),
    )


def test_a_batch_reads_back_as_written() -> None:
    written = [entry(n) for n in range(5)] + [
        JournalEntry(1.5, "::1", "GET", "/x", b"", b"", 413, b"")
    ]
    assert unpack(pack(written)) == written


async def test_trims_keep_exactly_the_newest_entries(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = SqliteStore(f"sqlite:///{path}")
    try:
        for n in range(0, 140, 2):
            await store.journal.append([entry(n), entry(n + 1)], keep=5)
        kept = await store.journal.entries(keep=5)
        assert [e.path for e in kept] == [f"/api/v1.1.0/{n}" for n in range(135, 140)]
        with closing(sqlite3.connect(path)) as conn:
            batches = conn.execute("SELECT COUNT(*) FROM journal_batches").fetchone()[0]
        assert batches < 70  # the older batches went at the trim
    finally:
        await store.close()


async def test_rows_of_the_earlier_layout_are_moved_in_order(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    await SqliteStore(f"sqlite:///{path}").close()
    with closing(sqlite3.connect(path)) as conn:
        for n in range(3):
            for pbx in ("", "pbx-a"):
                e = entry(n, pbx)
                conn.execute(
                    "INSERT INTO journal (pbx, time, client_ip, method, path, query, body, "
                    "http_status, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (pbx, e.time, e.client_ip, e.method, e.path, e.query, e.body, 200, e.response),
                )
        conn.commit()
    store = SqliteStore(f"sqlite:///{path}")
    try:
        await store.journal.append([entry(3)], keep=10)
        assert await store.journal.entries(keep=10) == [entry(n) for n in range(4)]
        hosted = store.namespace("pbx-a")
        assert await hosted.journal.entries(keep=2) == [entry(1, "pbx-a"), entry(2, "pbx-a")]
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("SELECT COUNT(*) FROM journal").fetchone() == (0,)
    finally:
        await store.close()
