"""The SQLite store's report outbox: its tables and :class:`SqliteOutbox`.

Apart from :mod:`yspbx.store.sqlite` (sessions, lockouts, documents) because the two change
for different reasons; the tables live in the same file and are created with the others.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from yspbx.store.base import (
    AttemptOutcome,
    Claim,
    LoggedEvent,
    NewReport,
    ReportState,
    StoredReport,
)
from yspbx.store.sqlite_commit import immediate
from yspbx.store.sqlite_guard import FileGuard, guarded

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pbx TEXT NOT NULL DEFAULT '',
    token TEXT NOT NULL,
    action TEXT NOT NULL,
    body BLOB NOT NULL,
    target TEXT NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER,
    state INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until REAL NOT NULL DEFAULT 0,
    refusals INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS reports_pending ON reports (token, id) WHERE state = 0;
-- Pending reports per session, kept by triggers, so the sessions over a bound are found
-- through an index instead of by counting every session's queue.
CREATE TABLE IF NOT EXISTS pending_counts (
    token TEXT PRIMARY KEY,
    n INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pending_counts_by_n ON pending_counts (n);
CREATE TRIGGER IF NOT EXISTS reports_pending_added AFTER INSERT ON reports
WHEN NEW.state = 0 BEGIN
    INSERT INTO pending_counts (token, n) VALUES (NEW.token, 1)
    ON CONFLICT (token) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS reports_pending_settled AFTER UPDATE OF state ON reports
WHEN OLD.state = 0 AND NEW.state != 0 BEGIN
    UPDATE pending_counts SET n = n - 1 WHERE token = OLD.token;
    DELETE FROM pending_counts WHERE token = OLD.token AND n <= 0;
END;
-- The event log: each event once, its body per report format, for the parked sessions
-- (sessions backing off get no report row per event; they catch up from here).
CREATE TABLE IF NOT EXISTS report_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    pbx TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    created_at REAL NOT NULL,
    bodies TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS report_events_by_pbx ON report_events (pbx, seq);
CREATE TABLE IF NOT EXISTS report_parked (
    token TEXT PRIMARY KEY,
    pbx TEXT NOT NULL DEFAULT '',
    seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS reports_pending_deleted AFTER DELETE ON reports
WHEN OLD.state = 0 BEGIN
    UPDATE pending_counts SET n = n - 1 WHERE token = OLD.token;
    DELETE FROM pending_counts WHERE token = OLD.token AND n <= 0;
END;
"""


# Tables beside ``reports`` that hold a PBX's outbox rows (forgotten with its namespace).
TABLES = ("report_events", "report_parked")


def hosted_only(pbx: str) -> str:
    """The condition that lets a hosted PBX's query use the partial indexes on ``pbx`` (created
    by :mod:`yspbx.store.sqlite` once a file has the column)."""
    return " AND pbx != ''" if pbx else ""


_REPORT_COLUMNS = (
    "id, token, action, body, target, created_at, attempts, last_status, state, next_attempt_at, "
    "refusals"
)


def _report(row: tuple[Any, ...]) -> StoredReport:
    (report_id, token, action, body, target, created, attempts, status, state, next_at) = row[:10]
    refusals = row[10]
    return StoredReport(
        id=int(report_id),
        token=str(token),
        action=str(action),
        body=bytes(body),
        target=str(target),
        created_at=float(created),
        attempts=int(attempts),
        last_status=None if status is None else int(status),
        state=ReportState(int(state)),
        next_attempt_at=float(next_at),
        refusals=int(refusals),
    )


@guarded
class SqliteOutbox:
    """The outbox as one table; a claim is a single conditional UPDATE, atomic across processes."""

    def __init__(self, conn: sqlite3.Connection, guard: FileGuard, pbx: str = "") -> None:
        self._conn = conn
        self._guard = guard
        self._pbx = pbx
        self._only = hosted_only(pbx)

    async def add(self, reports: Sequence[NewReport]) -> list[int]:
        ids: list[int] = []
        if not reports:
            return ids
        with immediate(self._conn) as conn:
            for new in reports:
                cursor = conn.execute(
                    "INSERT INTO reports (pbx, token, action, body, target, created_at, "
                    "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        self._pbx,
                        new.token,
                        new.action,
                        new.body,
                        new.target,
                        new.created_at,
                        new.created_at,
                    ),
                )
                assert cursor.lastrowid is not None
                ids.append(cursor.lastrowid)
        return ids

    async def claim(self, token: str, owner: str, now: float, lease_until: float) -> Claim:
        return self._claim(token, owner, now, lease_until)

    def _claim(self, token: str, owner: str, now: float, lease_until: float) -> Claim:
        rows = self._conn.execute(
            "UPDATE reports SET lease_owner = ?, lease_until = ? "
            "WHERE id = (SELECT MIN(id) FROM reports WHERE token = ? AND state = 0) "
            "AND next_attempt_at <= ? AND (lease_owner IN ('', ?) OR lease_until <= ?) "
            f"RETURNING {_REPORT_COLUMNS}",
            (owner, lease_until, token, now, owner, now),
        ).fetchall()  # all rows: a RETURNING statement commits only once stepped to its end
        if rows:
            return Claim(_report(rows[0]))
        head = self._conn.execute(
            "SELECT next_attempt_at, lease_owner, lease_until FROM reports "
            "WHERE token = ? AND state = 0 ORDER BY id LIMIT 1",
            (token,),
        ).fetchone()
        if head is None:
            return Claim(None)
        next_at, lease_owner, leased_until = head
        if lease_owner not in ("", owner) and leased_until > now:
            return Claim(None, float(leased_until))
        return Claim(None, float(next_at))

    async def finish(self, report_id: int, owner: str, outcome: AttemptOutcome) -> bool:
        with immediate(self._conn):
            return self._finish(report_id, owner, outcome)

    async def finish_and_claim(
        self, report_id: int, token: str, owner: str, outcome: AttemptOutcome, lease_until: float
    ) -> tuple[bool, Claim]:
        # One transaction, one commit, for the attempt's outcome and the next head's lease.
        with immediate(self._conn):
            pending = self._finish(report_id, owner, outcome)
            return pending, self._claim(token, owner, outcome.next_attempt_at, lease_until)

    def _finish(self, report_id: int, owner: str, outcome: AttemptOutcome) -> bool:
        conn = self._conn
        row = conn.execute(
            "SELECT state FROM reports WHERE id = ? AND pbx = ?", (report_id, self._pbx)
        ).fetchone()
        if row is None:
            return False
        pending = int(row[0]) == ReportState.PENDING
        state = ReportState(row[0])
        # A report dropped while its attempt was in flight (the session ended) that still
        # got its 200 was delivered, and the log says so.
        if outcome.delivered and state is not ReportState.DELIVERED:
            state = ReportState.DELIVERED
        elif pending and outcome.given_up:
            state = ReportState.REFUSED
        conn.execute(
            "UPDATE reports SET target = ?, attempts = attempts + 1, "
            "last_status = COALESCE(?, last_status), refusals = refusals + ?, "
            "state = ?, next_attempt_at = ?, "
            "lease_until = CASE WHEN lease_owner = ? THEN 0 ELSE lease_until END, "
            "lease_owner = CASE WHEN lease_owner = ? THEN '' ELSE lease_owner END "
            "WHERE id = ?",
            (
                outcome.target,
                outcome.status,
                int(outcome.refused),
                int(state),
                outcome.next_attempt_at,
                owner,
                owner,
                report_id,
            ),
        )
        return pending

    async def release(self, owner: str) -> int:
        cursor = self._conn.execute(
            "UPDATE reports SET lease_owner = '', lease_until = 0 "
            f"WHERE pbx = ?{self._only} AND lease_owner = ?",
            (self._pbx, owner),
        )
        return cursor.rowcount

    async def drop(self, token: str) -> int:
        with immediate(self._conn) as conn:
            conn.execute("DELETE FROM report_parked WHERE token = ?", (token,))
            cursor = conn.execute(
                "UPDATE reports SET state = ? WHERE token = ? AND state = 0",
                (int(ReportState.DROPPED), token),
            )
            return cursor.rowcount

    async def shed(self, tokens: Sequence[str], keep: int) -> dict[str, int]:
        wanted = set(tokens)
        shed: dict[str, int] = {}
        # Mostly nobody is over the bound: a read says so without taking the write lock.
        if not any(
            token in wanted
            for (token,) in self._conn.execute(
                "SELECT token FROM pending_counts WHERE n > ?", (keep,)
            )
        ):
            return shed
        with immediate(self._conn) as conn:
            over = conn.execute(
                "SELECT token, n FROM pending_counts WHERE n > ?", (keep,)
            ).fetchall()
            for token, count in over:
                if token not in wanted:
                    continue
                excess = int(count) - keep
                conn.execute(
                    "UPDATE reports SET state = ? WHERE id IN (SELECT id FROM reports "
                    "WHERE token = ? AND state = 0 ORDER BY id LIMIT ?)",
                    (int(ReportState.DROPPED), token, excess),
                )
                shed[str(token)] = excess
        return shed

    async def pending_tokens(self) -> list[str]:
        rows = self._conn.execute(
            f"SELECT token FROM reports WHERE pbx = ?{self._only} AND state = 0 "
            "GROUP BY token ORDER BY MIN(id)",
            (self._pbx,),
        ).fetchall()
        return [str(token) for (token,) in rows]

    async def newest_pending(self, tokens: Sequence[str]) -> dict[str, str]:
        if not tokens:
            return {}
        marks = ",".join("?" * len(tokens))
        rows = self._conn.execute(
            "SELECT token, action FROM reports WHERE id IN (SELECT MAX(id) FROM reports "
            f"WHERE state = 0 AND token IN ({marks}) GROUP BY token)",
            tuple(tokens),
        ).fetchall()
        return {str(token): str(action) for token, action in rows}

    async def reports(self, after_id: int = 0) -> list[StoredReport]:
        rows = self._conn.execute(
            f"SELECT {_REPORT_COLUMNS} FROM reports WHERE pbx = ?{self._only} AND id > ? "
            "ORDER BY id",
            (self._pbx, after_id),
        ).fetchall()
        return [_report(row) for row in rows]

    async def trim(self, keep: int) -> int:
        cursor = self._conn.execute(
            f"DELETE FROM reports WHERE pbx = ?{self._only} AND state != 0 AND id <= ("
            f"SELECT id FROM reports WHERE pbx = ?{self._only} AND state != 0 "
            "ORDER BY id DESC LIMIT 1 OFFSET ?)",
            (self._pbx, self._pbx, keep),
        )
        return cursor.rowcount

    async def log_event(self, action: str, bodies: Mapping[str, bytes], created_at: float) -> int:
        cursor = self._conn.execute(
            "INSERT INTO report_events (pbx, action, created_at, bodies) VALUES (?, ?, ?, ?)",
            (self._pbx, action, created_at, _encode_bodies(bodies)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def events_after(self, seq: int, limit: int | None = None) -> list[LoggedEvent]:
        rows = self._conn.execute(
            "SELECT seq, action, created_at, bodies FROM report_events "
            "WHERE pbx = ? AND seq > ? ORDER BY seq DESC LIMIT ?",
            (self._pbx, seq, -1 if limit is None else limit),
        ).fetchall()
        return [
            LoggedEvent(int(n), str(action), float(created), _decode_bodies(str(bodies)))
            for n, action, created, bodies in reversed(rows)
        ]

    async def count_events_after(self, seq: int) -> int:
        row = self._conn.execute(
            "SELECT COUNT(*) FROM report_events WHERE pbx = ? AND seq > ?", (self._pbx, seq)
        ).fetchone()
        return int(row[0])

    async def last_event_seq(self) -> int:
        row = self._conn.execute(
            "SELECT MAX(seq) FROM report_events WHERE pbx = ?", (self._pbx,)
        ).fetchone()
        if row[0] is not None:
            return int(row[0])
        # The log may have been trimmed empty: the counter still knows the last number.
        counter = self._conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'report_events'"
        ).fetchone()
        return 0 if counter is None else int(counter[0])

    async def forget_events(self, upto: int) -> int:
        cursor = self._conn.execute(
            "DELETE FROM report_events WHERE pbx = ? AND seq <= ?", (self._pbx, upto)
        )
        return cursor.rowcount

    async def park(self, token: str, seq: int) -> None:
        self._conn.execute(
            "INSERT INTO report_parked (token, pbx, seq) VALUES (?, ?, ?) "
            "ON CONFLICT (token) DO UPDATE SET seq = excluded.seq",
            (token, self._pbx, seq),
        )

    async def unpark(self, token: str) -> None:
        self._conn.execute("DELETE FROM report_parked WHERE token = ?", (token,))

    async def parked(self) -> dict[str, int]:
        rows = self._conn.execute(
            "SELECT token, seq FROM report_parked WHERE pbx = ?", (self._pbx,)
        ).fetchall()
        return {str(token): int(seq) for token, seq in rows}

    async def clear(self) -> None:
        with immediate(self._conn) as conn:
            conn.execute(f"DELETE FROM reports WHERE pbx = ?{self._only}", (self._pbx,))
            conn.execute("DELETE FROM report_events WHERE pbx = ?", (self._pbx,))
            conn.execute("DELETE FROM report_parked WHERE pbx = ?", (self._pbx,))


def _encode_bodies(bodies: Mapping[str, bytes]) -> str:
    # Bodies are the JSON text the formats write (UTF-8); surrogateescape keeps any byte.
    return json.dumps(
        {fmt: body.decode("utf-8", "surrogateescape") for fmt, body in bodies.items()}
    )


def _decode_bodies(text: str) -> dict[str, bytes]:
    loaded: dict[str, str] = json.loads(text)
    return {fmt: body.encode("utf-8", "surrogateescape") for fmt, body in loaded.items()}
