"""The SQLite store: the default, so sessions, lockouts and PBX state survive a restart.

Several processes may share one file (``--workers N``): the database runs in WAL mode, every
read-modify-write runs inside ``BEGIN IMMEDIATE`` (one writer at a time, across processes),
and a busy database is waited for rather than failed. Statements run on the event loop's
thread: each takes microseconds, far less than a thread hop would cost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.base import BlockedIp, FailureOutcome, LockoutState

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    client_ip TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    target_ip TEXT NOT NULL,
    target_port INTEGER NOT NULL,
    target_url TEXT NOT NULL,
    target_absolute INTEGER NOT NULL,
    target_host TEXT NOT NULL,
    target_host_port INTEGER NOT NULL,
    version TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS lockouts (
    ip TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    blocked_until REAL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
"""

_SESSION_COLUMNS = (
    "token, client_ip, created_at, expires_at, target_ip, target_port, target_url, "
    "target_absolute, target_host, target_host_port, version"
)


def path_from_url(url: str) -> str:
    """``sqlite:///relative.db`` or ``sqlite:////absolute/path.db``, as SQLAlchemy spells it."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a sqlite URL: {url!r}")
    path = url[len("sqlite:///") :]
    if not path:
        raise ValueError("the sqlite URL names no file")
    return path


def connect(path: str) -> sqlite3.Connection:
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, timeout=10.0, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.executescript(SCHEMA)
    return conn


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the database's write lock up front."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _session(row: tuple[object, ...]) -> Session:
    (token, client_ip, created, expires, ip, port, url, absolute, host, host_port, version) = row
    return Session(
        token=str(token),
        client_ip=str(client_ip),
        created_at=float(created),  # type: ignore[arg-type]
        expires_at=float(expires),  # type: ignore[arg-type]
        target=ReportTarget(
            ip=str(ip),
            port=int(port),  # type: ignore[call-overload]
            url=str(url),
            absolute=bool(absolute),
            absolute_host=str(host),
            absolute_port=int(host_port),  # type: ignore[call-overload]
        ),
        version=str(version),
    )


def _target_values(target: ReportTarget) -> tuple[object, ...]:
    return (
        target.ip,
        target.port,
        target.url,
        int(target.absolute),
        target.absolute_host,
        target.absolute_port,
    )


class SqliteSessions:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def add(self, session: Session) -> None:
        self._conn.execute(
            f"INSERT INTO sessions ({_SESSION_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                session.token,
                session.client_ip,
                session.created_at,
                session.expires_at,
                *_target_values(session.target),
                session.version,
            ),
        )

    async def get(self, token: str) -> Session | None:
        row = self._conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE token = ?", (token,)
        ).fetchone()
        return None if row is None else _session(row)

    async def extend(self, token: str, expires_at: float) -> None:
        self._conn.execute(
            "UPDATE sessions SET expires_at = ? WHERE token = ? AND expires_at < ?",
            (expires_at, token, expires_at),
        )

    async def set_target(
        self, token: str, target: ReportTarget, expires_at: float
    ) -> Session | None:
        with immediate(self._conn) as conn:
            conn.execute(
                "UPDATE sessions SET target_ip = ?, target_port = ?, target_url = ?, "
                "target_absolute = ?, target_host = ?, target_host_port = ?, "
                "expires_at = MAX(expires_at, ?) WHERE token = ?",
                (*_target_values(target), expires_at, token),
            )
        return await self.get(token)

    async def remove(self, token: str) -> bool:
        return self._conn.execute("DELETE FROM sessions WHERE token = ?", (token,)).rowcount > 0

    async def live(self, now: float) -> list[Session]:
        rows = self._conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE expires_at > ? ORDER BY created_at",
            (now,),
        ).fetchall()
        return [_session(row) for row in rows]

    async def count_live(self, now: float) -> int:
        row = self._conn.execute(
            "SELECT COUNT(*) FROM sessions WHERE expires_at > ?", (now,)
        ).fetchone()
        return int(row[0])

    async def purge(self, expired_before: float) -> int:
        cursor = self._conn.execute("DELETE FROM sessions WHERE expires_at < ?", (expired_before,))
        return cursor.rowcount

    async def clear(self) -> None:
        self._conn.execute("DELETE FROM sessions")


class SqliteLockouts:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _read(self, ip: str, now: float) -> LockoutState:
        row = self._conn.execute(
            "SELECT failures, blocked_until FROM lockouts WHERE ip = ?", (ip,)
        ).fetchone()
        if row is None or (row[1] is not None and row[1] <= now):
            return LockoutState(0, None)
        return LockoutState(int(row[0]), row[1])

    async def state(self, ip: str, now: float) -> LockoutState:
        return self._read(ip, now)

    async def record_failure(
        self, ip: str, now: float, threshold: int, lock_seconds: float
    ) -> FailureOutcome:
        with immediate(self._conn) as conn:
            entry = self._read(ip, now)
            if entry.blocked_until is not None:
                return FailureOutcome(entry.failures, entry.blocked_until, False, True)
            failures = entry.failures + 1
            until = now + lock_seconds if failures >= threshold else None
            conn.execute(
                "INSERT INTO lockouts (ip, failures, blocked_until) VALUES (?, ?, ?) "
                "ON CONFLICT (ip) DO UPDATE SET failures = excluded.failures, "
                "blocked_until = excluded.blocked_until",
                (ip, failures, until),
            )
        return FailureOutcome(failures, until, until is not None, False)

    async def forget(self, ip: str) -> bool:
        with immediate(self._conn) as conn:
            row = conn.execute("SELECT blocked_until FROM lockouts WHERE ip = ?", (ip,)).fetchone()
            conn.execute("DELETE FROM lockouts WHERE ip = ?", (ip,))
        return row is not None and row[0] is not None

    async def blocked(self, now: float) -> list[BlockedIp]:
        rows = self._conn.execute(
            "SELECT ip, blocked_until FROM lockouts WHERE blocked_until > ? ORDER BY blocked_until",
            (now,),
        ).fetchall()
        return [BlockedIp(str(ip), float(until)) for ip, until in rows]

    async def clear(self) -> None:
        self._conn.execute("DELETE FROM lockouts")


class SqliteState:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def get(self, key: str) -> bytes | None:
        row = self._conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    async def put(self, key: str, value: bytes) -> None:
        self._conn.execute(
            "INSERT INTO state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def delete(self, key: str) -> None:
        self._conn.execute("DELETE FROM state WHERE key = ?", (key,))

    async def scan(self, prefix: str) -> list[tuple[str, bytes]]:
        rows = self._conn.execute(
            "SELECT key, value FROM state WHERE substr(key, 1, ?) = ? ORDER BY key",
            (len(prefix), prefix),
        ).fetchall()
        return [(str(k), bytes(v)) for k, v in rows]

    async def clear(self) -> None:
        self._conn.execute("DELETE FROM state")


class SqliteStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.path = path_from_url(url)
        self.conn = connect(self.path)
        self.sessions = SqliteSessions(self.conn)
        self.lockouts = SqliteLockouts(self.conn)
        self.state = SqliteState(self.conn)

    async def close(self) -> None:
        self.conn.close()
