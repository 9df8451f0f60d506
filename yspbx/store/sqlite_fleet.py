"""What processes sharing one SQLite file need besides the PBX's data: leases and the journal.

Leases are timed by wall time (``time.time()``), not by the server clock: every process on the
machine reads the same wall clock, and a ``clock/advance`` of a day must not make a living
holder's lease look expired. The journal is one table the processes append to in batches.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Awaitable, Sequence
from typing import Any

from yspbx.store.base import JournalEntry, LeaseGrant
from yspbx.store.sqlite_commit import GroupCommit, immediate, rollback
from yspbx.store.sqlite_guard import FileGuard, guarded
from yspbx.store.sqlite_journal_rows import pack, unpack

SCHEMA = """
CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    address TEXT NOT NULL,
    expires_at REAL NOT NULL,
    last_owner TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pbx TEXT NOT NULL DEFAULT '',
    time REAL NOT NULL,
    client_ip TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query BLOB NOT NULL,
    body BLOB NOT NULL,
    http_status INTEGER NOT NULL,
    response BLOB NOT NULL
);
-- The journal as written now: a row per batch of entries (:mod:`sqlite_journal_rows`). The
-- table above keeps rows written by earlier versions until the first start moves them here.
CREATE TABLE IF NOT EXISTS journal_batches (
    id INTEGER PRIMARY KEY,
    pbx TEXT NOT NULL DEFAULT '',
    entries INTEGER NOT NULL,
    packed BLOB NOT NULL
);
"""


def move_journal_rows(conn: sqlite3.Connection) -> None:
    """Pack the rows of the journal's earlier layout, a row per entry, into batches, oldest
    first, so the journal reads as it did; afterwards that table stays empty."""
    if conn.execute("SELECT 1 FROM journal LIMIT 1").fetchone() is None:
        return
    with immediate(conn):
        rows = conn.execute(
            "SELECT pbx, time, client_ip, method, path, query, body, http_status, response "
            "FROM journal ORDER BY id"
        ).fetchall()
        by_pbx: dict[str, list[JournalEntry]] = {}
        for pbx, t, ip, m, p, q, b, st, r in rows:
            by_pbx.setdefault(str(pbx), []).append(
                JournalEntry(
                    float(t), str(ip), str(m), str(p), bytes(q), bytes(b), int(st), bytes(r)
                )
            )
        for pbx, entries in by_pbx.items():
            for start in range(0, len(entries), 500):
                chunk = entries[start : start + 500]
                conn.execute(
                    "INSERT INTO journal_batches (pbx, entries, packed) VALUES (?, ?, ?)",
                    (pbx, len(chunk), pack(chunk)),
                )
        conn.execute("DELETE FROM journal")


# The journal is cut back to its size every this many appends, not on every one.
_TRIM_EVERY = 64


@guarded
class SqliteLeases:
    """``scope`` starts the name of every lease (a hosted PBX's leases are its own)."""

    def __init__(self, conn: sqlite3.Connection, guard: FileGuard, scope: str = "") -> None:
        self._conn = conn
        self._guard = guard
        self._scope = scope

    async def acquire(
        self, name: str, owner: str, address: str, ttl: float, steal_from: str | None = None
    ) -> LeaseGrant:
        name = self._scope + name
        now = time.time()
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            row = self._conn.execute(
                "SELECT owner, address, expires_at, last_owner FROM leases WHERE name = ?",
                (name,),
            ).fetchone()
            if row is not None:
                holder, held_at, until = str(row[0]), str(row[1]), float(row[2])
                if holder not in ("", owner, steal_from) and until > now:
                    self._conn.execute("COMMIT")
                    return LeaseGrant(False, holder, held_at)
            self._conn.execute(
                "INSERT INTO leases (name, owner, address, expires_at, last_owner) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "owner = excluded.owner, address = excluded.address, "
                "expires_at = excluded.expires_at, last_owner = excluded.last_owner",
                (name, owner, address, now + ttl, owner),
            )
            self._conn.execute("COMMIT")
        except BaseException:
            rollback(self._conn)
            raise
        previous = None if row is None or row[3] == owner else str(row[3])
        return LeaseGrant(True, owner, address, previous)

    async def renew(self, name: str, owner: str, ttl: float) -> bool:
        name = self._scope + name
        cursor = self._conn.execute(
            "UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ?",
            (time.time() + ttl, name, owner),
        )
        return cursor.rowcount > 0

    async def release(self, name: str, owner: str) -> bool:
        name = self._scope + name
        # The row stays, so the next holder learns who held the lease before it.
        cursor = self._conn.execute(
            "UPDATE leases SET owner = '', expires_at = 0 WHERE name = ? AND owner = ?",
            (name, owner),
        )
        return cursor.rowcount > 0

    async def holder(self, name: str) -> LeaseGrant | None:
        name = self._scope + name
        row = self._conn.execute(
            "SELECT owner, address FROM leases WHERE name = ? AND expires_at > ?",
            (name, time.time()),
        ).fetchone()
        return None if row is None else LeaseGrant(True, str(row[0]), str(row[1]))


@guarded
class SqliteJournal:
    def __init__(
        self, conn: sqlite3.Connection, writes: GroupCommit, guard: FileGuard, pbx: str = ""
    ) -> None:
        self._conn = conn
        self._guard = guard
        self._writes = writes
        self._pbx = pbx
        # Lets a hosted PBX's reads use its partial index (``sqlite.INDEXES``).
        self._only = " AND pbx != ''" if pbx else ""
        self._appends = 0
        self._keep = 0

    async def append(self, entries: Sequence[JournalEntry], keep: int) -> None:
        if not entries:
            return
        self._keep = keep
        await self._writes.run(lambda conn: self.write_carried(conn, list(entries)))

    def carry(self, entry: JournalEntry, keep: int) -> Awaitable[None] | None:
        """Write ``entry`` in the next group transaction: the one that holds the writes this
        turn of the event loop queued, so a request that wrote (a login's session) waits once,
        for one commit, and its journal entry is on disk when its answer leaves. The entries
        of a group are one row. None when the store fails (nothing is written)."""
        if self._guard.problem is not None:
            return None
        self._keep = keep
        return self._writes.carry(self, entry)

    def discard_carried(self) -> None:
        """Nothing is kept of a failed group's entries but the entries themselves."""

    def write_carried(self, conn: sqlite3.Connection, items: list[Any]) -> None:
        """One row for the group's entries, in its transaction (:class:`GroupCommit`)."""
        entries: list[JournalEntry] = items
        conn.execute(
            "INSERT INTO journal_batches (pbx, entries, packed) VALUES (?, ?, ?)",
            (self._pbx, len(entries), pack(entries)),
        )
        self._appends += 1
        keep = self._keep
        # The batches older than the one that completes the newest ``keep`` entries go; done
        # once per eighth of ``keep`` appends, it costs each append little; reads take the
        # newest ``keep``.
        if self._appends % max(_TRIM_EVERY, keep // 8) == 0:
            conn.execute(
                f"DELETE FROM journal_batches WHERE pbx = ?{self._only} AND id < ("
                "SELECT id FROM (SELECT id, SUM(entries) OVER (ORDER BY id DESC) AS newer "
                f"FROM journal_batches WHERE pbx = ?{self._only}) "
                "WHERE newer >= ? ORDER BY id DESC LIMIT 1)",
                (self._pbx, self._pbx, keep),
            )

    async def entries(self, keep: int) -> list[JournalEntry]:
        if keep <= 0:
            return []
        cursor = self._conn.execute(
            f"SELECT entries, packed FROM journal_batches WHERE pbx = ?{self._only} "
            "ORDER BY id DESC",
            (self._pbx,),
        )
        newest_first: list[bytes] = []
        found = 0
        for count, packed in cursor:
            newest_first.append(bytes(packed))
            found += int(count)
            if found >= keep:
                break
        cursor.close()
        kept: list[JournalEntry] = []
        for packed in reversed(newest_first):
            kept += unpack(packed)
        return kept[-keep:]

    async def clear(self) -> None:
        self._conn.execute(f"DELETE FROM journal WHERE pbx = ?{self._only}", (self._pbx,))
        self._conn.execute(f"DELETE FROM journal_batches WHERE pbx = ?{self._only}", (self._pbx,))
