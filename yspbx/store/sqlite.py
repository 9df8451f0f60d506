"""The SQLite store: the default, so sessions, lockouts, reports and PBX state survive a restart.

Several processes may share one file (``--workers N``): the database runs in WAL mode, every
read-modify-write runs inside ``BEGIN IMMEDIATE`` (one writer at a time, across processes),
and a busy database is waited for rather than failed. Statements run on the event loop's
thread: each takes microseconds, far less than a thread hop would cost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.base import (
    NO_LIMITS,
    Admission,
    BlockedIp,
    FailureOutcome,
    LockoutState,
    SessionLimits,
    SessionStore,
    StateStore,
    StoreUnavailable,
    deferred_writes,
)
from yspbx.store.sqlite_checkpoint import Checkpointer
from yspbx.store.sqlite_commit import GroupCommit, immediate
from yspbx.store.sqlite_fleet import SCHEMA as FLEET_SCHEMA
from yspbx.store.sqlite_fleet import SqliteJournal, SqliteLeases, move_journal_rows
from yspbx.store.sqlite_guard import SQLITE_HEADER, FileGuard, guarded, open_error
from yspbx.store.sqlite_header import hold, read_header, release
from yspbx.store.sqlite_outbox import SCHEMA as OUTBOX_SCHEMA
from yspbx.store.sqlite_outbox import TABLES as OUTBOX_TABLES
from yspbx.store.sqlite_outbox import SqliteOutbox, hosted_only
from yspbx.store.sqlite_view import VIEW_LIMIT, DataVersionView, ViewedSessions, ViewedState

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    pbx TEXT NOT NULL DEFAULT '',
    client_ip TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    target_ip TEXT NOT NULL,
    target_port INTEGER NOT NULL,
    target_url TEXT NOT NULL,
    target_absolute INTEGER NOT NULL,
    target_host TEXT NOT NULL,
    target_host_port INTEGER NOT NULL,
    version TEXT NOT NULL,
    muted INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at);
CREATE INDEX IF NOT EXISTS sessions_by_ip ON sessions (client_ip, expires_at);
-- Stored sessions (live and expired) per PBX (ip = '') and per PBX and client IP, so that a
-- login checks the session caps with keyed reads instead of counting live sessions
-- (:meth:`SqliteSessions.add_unless_locked`). Logins add to the counts once per group
-- transaction (:class:`SessionCounts`); every removal, whatever removes the rows, takes them
-- off through the trigger in the removing transaction.
CREATE TABLE IF NOT EXISTS session_counts (
    pbx TEXT NOT NULL,
    ip TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (pbx, ip)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS sessions_uncounted AFTER DELETE ON sessions BEGIN
    UPDATE session_counts SET n = n - 1 WHERE pbx = OLD.pbx AND ip IN ('', OLD.client_ip);
    DELETE FROM session_counts WHERE pbx = OLD.pbx AND ip = OLD.client_ip AND n <= 0;
END;
CREATE TRIGGER IF NOT EXISTS sessions_recounted AFTER UPDATE OF pbx, client_ip ON sessions
BEGIN
    UPDATE session_counts SET n = n - 1 WHERE pbx = OLD.pbx AND ip IN ('', OLD.client_ip);
    DELETE FROM session_counts WHERE pbx = OLD.pbx AND ip = OLD.client_ip AND n <= 0;
    INSERT INTO session_counts (pbx, ip, n) VALUES (NEW.pbx, '', 1), (NEW.pbx, NEW.client_ip, 1)
    ON CONFLICT (pbx, ip) DO UPDATE SET n = n + 1;
END;
CREATE TABLE IF NOT EXISTS lockouts (
    pbx TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL,
    failures INTEGER NOT NULL,
    blocked_until REAL,
    PRIMARY KEY (pbx, ip)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state (
    pbx TEXT NOT NULL DEFAULT '',
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (pbx, key)
) WITHOUT ROWID;
"""

# Indexes on the ``pbx`` columns, created once a file from before hosted PBXs has them. They
# hold the hosted PBXs' rows only: the default PBX's writes (a journal row per request) pay for
# no index of its own, and its reads use the indexes it always had. A hosted PBX's query says
# ``pbx != ''`` (:func:`hosted_only`) so that SQLite may use them.
INDEXES = """
CREATE INDEX IF NOT EXISTS sessions_of_hosted ON sessions (pbx, expires_at) WHERE pbx != '';
CREATE INDEX IF NOT EXISTS reports_of_hosted ON reports (pbx, id) WHERE pbx != '';
CREATE INDEX IF NOT EXISTS journal_of_hosted ON journal (pbx, id) WHERE pbx != '';
CREATE INDEX IF NOT EXISTS journal_batches_of_hosted ON journal_batches (pbx, id) WHERE pbx != '';
"""

# The sessions reports are queued for (:meth:`SqliteSessions.reporting`): a partial index on
# the sessions that are not parked (``muted`` = 0), by expiry, so the live ones are one range of
# it and the parked and expired ones are never read. ``muted`` follows ``report_parked`` through
# triggers, in the transaction that parks or unparks (whichever process does it).
REPORTING = """
CREATE INDEX IF NOT EXISTS sessions_reporting ON sessions (pbx, expires_at) WHERE muted = 0;
CREATE TRIGGER IF NOT EXISTS report_parked_mutes AFTER INSERT ON report_parked BEGIN
    UPDATE sessions SET muted = 1 WHERE token = NEW.token;
END;
CREATE TRIGGER IF NOT EXISTS report_parked_unmutes AFTER DELETE ON report_parked BEGIN
    UPDATE sessions SET muted = 0 WHERE token = OLD.token;
END;
"""

# A session stored again under its token (:meth:`SqliteSessions.add`, a heartbeat's new
# ``version``) is muted if that token is parked; a login's new token never is, so logins pay
# nothing for it.
_MUTE_IF_PARKED = (
    "UPDATE sessions SET muted = 1 WHERE token = ?1 "
    "AND EXISTS (SELECT 1 FROM report_parked WHERE token = ?1)"
)


_SESSION_COLUMNS = (
    "token, client_ip, created_at, expires_at, target_ip, target_port, target_url, "
    "target_absolute, target_host, target_host_port, version"
)


# Bytes the WAL file is cut back to when it is restarted (the checkpointer restarts it).
WAL_SIZE_LIMIT = 64 * 1024 * 1024


def path_from_url(url: str) -> str:
    """``sqlite:///relative.db`` or ``sqlite:////absolute/path.db``, as SQLAlchemy spells it."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a sqlite URL: {url!r}")
    path = url[len("sqlite:///") :]
    if not path:
        raise ValueError("the sqlite URL names no file")
    return path


def connect(path: str, busy_timeout: float = 2.0, sync: str = "normal") -> sqlite3.Connection:
    """Open (or create) the file with yspbx's tables; a file that exists but is no usable SQLite
    database raises :class:`StoreFileError`, which says what to do: it is never started over.

    ``busy_timeout``: how long a statement waits for a file another connection holds locked
    before it fails (and the store is marked failing, :mod:`yspbx.store.sqlite_guard`).
    ``sync``: ``PRAGMA synchronous`` under WAL. "normal": a commit is in the log file when it
    returns, so it survives the process being killed, and the log is synced to disk at each
    checkpoint; "full": synced at every commit, so it survives a crash of the machine too."""
    if sync not in _SYNC_LEVELS:
        raise ValueError(f"store sync must be one of {sorted(_SYNC_LEVELS)}, not {sync!r}")
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        _check_header(path)
    try:
        return _open(path, busy_timeout, _SYNC_LEVELS[sync])
    except sqlite3.DatabaseError as exc:
        raise open_error(path, exc) from None


def _check_header(path: str) -> None:
    try:
        header = read_header(path, len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise open_error(path, exc) from None
    # An empty file is a new database to SQLite, and holds nothing to lose.
    if header and header != SQLITE_HEADER:
        raise open_error(path, sqlite3.DatabaseError("file is not a database"))


_SYNC_LEVELS = {"normal": "NORMAL", "full": "FULL"}


def _open(path: str, busy_timeout: float, sync: str = "NORMAL") -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, isolation_level=None, timeout=busy_timeout, check_same_thread=False
    )
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={sync}")
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    if path != ":memory:":
        # Checkpoints run on a thread (:mod:`yspbx.store.sqlite_checkpoint`), not in commits.
        conn.execute("PRAGMA wal_autocheckpoint=0")
        # After the checkpointer restarts the log, the file is cut back to this size.
        conn.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
    conn.executescript(SCHEMA + OUTBOX_SCHEMA + FLEET_SCHEMA)
    _add_missing_columns(conn)
    _key_tables_by_pbx(conn)
    conn.executescript(INDEXES)
    conn.executescript(REPORTING)
    _mute_parked(conn)
    _count_pending(conn)
    _count_sessions(conn)
    move_journal_rows(conn)
    return conn


def _count_pending(conn: sqlite3.Connection) -> None:
    """Count the pending reports afresh: a file written before the counts existed has none."""
    with immediate(conn) as tx:
        tx.execute("DELETE FROM pending_counts")
        tx.execute(
            "INSERT INTO pending_counts (token, n) "
            "SELECT token, COUNT(*) FROM reports WHERE state = 0 GROUP BY token"
        )


def _mute_parked(conn: sqlite3.Connection) -> None:
    """Set ``muted`` from the parked markers: a file from before the column has every session
    unmuted."""
    with immediate(conn) as tx:
        tx.execute(
            "UPDATE sessions SET muted = 1 WHERE muted = 0 "
            "AND token IN (SELECT token FROM report_parked)"
        )
        tx.execute(
            "UPDATE sessions SET muted = 0 WHERE muted != 0 "
            "AND token NOT IN (SELECT token FROM report_parked)"
        )


def _count_sessions(conn: sqlite3.Connection) -> None:
    """Count the stored sessions afresh at every start: a file written before the counts
    existed has none. From then on the writes of this version keep them."""
    with immediate(conn) as tx:
        tx.execute("DELETE FROM session_counts")
        tx.execute(
            "INSERT INTO session_counts (pbx, ip, n) "
            "SELECT pbx, '', COUNT(*) FROM sessions GROUP BY pbx "
            "UNION ALL SELECT pbx, client_ip, COUNT(*) FROM sessions GROUP BY pbx, client_ip"
        )


class SessionCounts:
    """The sessions the running group transaction added, per (PBX, client IP) and per (PBX,
    ''): added to ``session_counts`` once, just before the transaction commits, and read
    together with the stored counts by each login of the group (one transaction may hold
    dozens of logins, and a row updated once costs what a row updated dozens of times does
    not). A transaction rolled back forgets them (:class:`GroupCommit` calls both)."""

    def __init__(self) -> None:
        self.added: dict[tuple[str, str], int] = {}

    def add(self, pbx: str, ip: str) -> None:
        added = self.added
        added[pbx, ""] = added.get((pbx, ""), 0) + 1
        added[pbx, ip] = added.get((pbx, ip), 0) + 1

    def flush(self, conn: sqlite3.Connection) -> None:
        if self.added:
            rows = [(pbx, ip, n) for (pbx, ip), n in self.added.items()]
            self.added = {}
            conn.executemany(
                "INSERT INTO session_counts (pbx, ip, n) VALUES (?, ?, ?) "
                "ON CONFLICT (pbx, ip) DO UPDATE SET n = n + excluded.n",
                rows,
            )

    def discard(self) -> None:
        self.added = {}


# Columns added to a table after its first release: a file written by an older version gains
# them (with their default) when it is opened.
# The ``pbx`` column says which hosted PBX a row belongs to ('' for the default PBX, so a file
# written before hosted PBXs existed holds the default PBX's data unchanged).
_ADDED_COLUMNS = (
    ("reports", "refusals", "INTEGER NOT NULL DEFAULT 0"),
    ("sessions", "pbx", "TEXT NOT NULL DEFAULT ''"),
    ("reports", "pbx", "TEXT NOT NULL DEFAULT ''"),
    ("journal", "pbx", "TEXT NOT NULL DEFAULT ''"),
    # 1 while the session is parked (``report_parked``), kept by triggers (:data:`REPORTING`).
    ("sessions", "muted", "INTEGER NOT NULL DEFAULT 0"),
)

# Tables whose key gains the PBX: (table, the new declaration, the columns copied over).
_REKEYED = (
    (
        "lockouts",
        "pbx TEXT NOT NULL DEFAULT '', ip TEXT NOT NULL, failures INTEGER NOT NULL, "
        "blocked_until REAL, PRIMARY KEY (pbx, ip)",
        "ip, failures, blocked_until",
    ),
    (
        "state",
        "pbx TEXT NOT NULL DEFAULT '', key TEXT NOT NULL, value BLOB NOT NULL, "
        "PRIMARY KEY (pbx, key)",
        "key, value",
    ),
)


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")}


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    for table, column, declaration in _ADDED_COLUMNS:
        if column not in _columns(conn, table):
            with immediate(conn):
                # Checked again under the write lock: another process may have just added it.
                if column not in _columns(conn, table):
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def _key_tables_by_pbx(conn: sqlite3.Connection) -> None:
    """A file from before hosted PBXs keys lockouts by IP and documents by key alone: rebuild
    those tables keyed by (PBX, ...), every old row the default PBX's."""
    for table, declaration, copied in _REKEYED:
        if "pbx" in _columns(conn, table):
            continue
        with immediate(conn):
            if "pbx" in _columns(conn, table):
                continue
            conn.execute(f"ALTER TABLE {table} RENAME TO {table}_before_pbxs")
            conn.execute(f"CREATE TABLE {table} ({declaration}) WITHOUT ROWID")
            conn.execute(f"INSERT INTO {table} ({copied}) SELECT {copied} FROM {table}_before_pbxs")
            conn.execute(f"DROP TABLE {table}_before_pbxs")


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


_INSERT_SESSION = f"INSERT INTO sessions (pbx, {_SESSION_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"


_EXTEND = "UPDATE sessions SET expires_at = ? WHERE token = ? AND pbx = ? AND expires_at < ?"


def _session_values(pbx: str, session: Session) -> tuple[object, ...]:
    return (
        pbx,
        session.token,
        session.client_ip,
        session.created_at,
        session.expires_at,
        *_target_values(session.target),
        session.version,
    )


# What a login checks before its session is stored: the IP's lockout entry (failures is NULL
# when there is none) and the stored sessions of the IP and of the PBX.
_ADMISSION = (
    "SELECT (SELECT failures FROM lockouts WHERE pbx = ?1 AND ip = ?2), "
    "(SELECT blocked_until FROM lockouts WHERE pbx = ?1 AND ip = ?2), "
    "(SELECT n FROM session_counts WHERE pbx = ?1 AND ip = ?2), "
    "(SELECT n FROM session_counts WHERE pbx = ?1 AND ip = '')"
)


# The stored sessions of a client IP and of the PBX, read into the view.
_COUNTS = (
    "SELECT (SELECT n FROM session_counts WHERE pbx = ?1 AND ip = ?2), "
    "(SELECT n FROM session_counts WHERE pbx = ?1 AND ip = '')"
)

# A login is decided from the view only while the stored sessions stay this far below each cap.
# Exact within one process; processes deciding at the same instant each see the counts before
# the others' logins, so together they could pass a cap only by more than this many logins
# decided in the same few microseconds (and the counts include expired sessions, so the live
# count is lower still). Nearer a cap, the count is read in the write transaction.
CAP_MARGIN = 64


def _at_least(conn: sqlite3.Connection, query: str, args: tuple[object, ...], count: int) -> bool:
    """Whether ``query`` has at least ``count`` rows, reading no more than that many (an index
    range walked ``count`` steps at most, whatever the table holds)."""
    found = conn.execute(
        f"SELECT COUNT(*) FROM ({query} LIMIT ?)",
        (*args, count),
    ).fetchone()
    return int(found[0]) >= count


@guarded
class SqliteSessions:
    """A token is unique across PBXs; ``pbx`` keeps each PBX's listing, purge and clear its own."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        writes: GroupCommit,
        guard: FileGuard,
        pbx: str = "",
        counts: SessionCounts | None = None,
        view: DataVersionView | None = None,
    ) -> None:
        """``counts``: the sessions added by ``writes``' running transaction (the hook
        registered with it); every session inserted is noted there. ``view``: the process's
        view of the file, from which a login is decided at once when it can be."""
        self._conn = conn
        self._view = view
        self._guard = guard
        self._writes = writes
        self._pbx = pbx
        self._only = hosted_only(pbx)
        if counts is None:
            counts = SessionCounts()
            writes.add_hook(counts)
        self._counts = counts

    async def add(self, session: Session) -> None:
        values = _session_values(self._pbx, session)
        pbx, counts = self._pbx, self._counts

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(_INSERT_SESSION, values)
            conn.execute(_MUTE_IF_PARKED, (session.token,))
            counts.add(pbx, session.client_ip)

        await self._writes.run(insert)
        if self._view is not None:
            self._view.counts.clear()

    async def add_unless_locked(
        self, session: Session, now: float, limits: SessionLimits = NO_LIMITS
    ) -> Admission:
        deferred = deferred_writes()
        if deferred is not None and self._view is not None:
            decided = self._decide_now(session, now, limits, self._view, deferred)
            if decided is not None:
                return decided
        values = _session_values(self._pbx, session)
        pbx, only, counts, view = self._pbx, self._only, self._counts, self._view

        def admit(conn: sqlite3.Connection) -> Admission:
            # Inside the group's write transaction: no read transaction of its own, and no
            # lockout can be counted, nor session added, between the checks and the insert.
            # One statement reads the IP's lockout entry and the stored-session counts, to
            # which the sessions added earlier in this transaction are added.
            ip = session.client_ip
            failures, blocked_until, stored_by_ip, stored = conn.execute(
                _ADMISSION, (pbx, ip)
            ).fetchone()
            if blocked_until is not None and blocked_until > now:
                return Admission.LOCKED
            added = counts.added
            stored_by_ip = (stored_by_ip or 0) + added.get((pbx, ip), 0)
            stored = (stored or 0) + added.get((pbx, ""), 0)
            # The counts include expired sessions not yet purged: live ones are counted (an
            # index range walked ``limit`` steps at most) only when the stored ones reach the
            # bound, as the memory store does.
            per_ip, total = limits.per_ip, limits.total
            if (
                per_ip is not None
                and stored_by_ip >= per_ip
                and _at_least(
                    conn,
                    "SELECT 1 FROM sessions WHERE client_ip = ? AND expires_at > ? AND pbx = ?",
                    (ip, now, pbx),
                    per_ip,
                )
            ):
                return Admission.IP_FULL
            if (
                total is not None
                and stored >= total
                and _at_least(
                    conn,
                    f"SELECT 1 FROM sessions WHERE pbx = ?{only} AND expires_at > ?",
                    (pbx, now),
                    total,
                )
            ):
                return Admission.FULL
            if failures is not None:
                conn.execute("DELETE FROM lockouts WHERE pbx = ? AND ip = ?", (pbx, ip))
            conn.execute(_INSERT_SESSION, values)
            counts.add(pbx, ip)
            if view is not None:
                # What the view holds for this IP is read again (after the commit: a count is
                # read into the view only while no write is queued).
                view.lockouts.pop(ip, None)
                view.counts.clear()
            return Admission.ADDED

        return await self._writes.run(admit)

    def _decide_now(
        self,
        session: Session,
        now: float,
        limits: SessionLimits,
        view: DataVersionView,
        deferred: list[Awaitable[object]],
    ) -> Admission | None:
        """A login decided from the process's view, its session queued for the next group
        commit and left in ``deferred`` for the request to await; None when the view cannot
        decide it (the exact path in the write transaction does).

        The view holds the IP's lockout entry and the stored-session counts, read once and
        moved by this process's own writes; ``PRAGMA data_version`` empties it when another
        process commits (checked once per turn of the event loop, before this), so a lockout
        set elsewhere before the login was sent is honoured. A lockout counted elsewhere while
        the session waits for its commit is ordered after the login, as if it came later: a
        login only ever deletes the entry it saw. Within :data:`CAP_MARGIN` of a cap the exact
        path decides."""
        view.revalidate()
        if self._guard.problem is not None:
            return None
        ip, pbx, conn = session.client_ip, self._pbx, self._conn
        lockout = view.lockouts.get(ip)
        if lockout is None:
            epoch = view.epoch
            row = conn.execute(
                "SELECT failures, blocked_until FROM lockouts WHERE pbx = ? AND ip = ?", (pbx, ip)
            ).fetchone()
            lockout = (None, None) if row is None else (int(row[0]), row[1])
            if view.epoch == epoch:
                if len(view.lockouts) >= VIEW_LIMIT:
                    view.lockouts.clear()
                view.lockouts[ip] = lockout
        failures, blocked_until = lockout
        if blocked_until is not None and blocked_until > now:
            return Admission.LOCKED
        known = view.counts
        by_ip, total = known.get(ip), known.get("")
        if by_ip is None or total is None:
            if self._writes.pending(self):
                # Sessions queued but not committed would be missing from what is read.
                return None
            epoch = view.epoch
            stored_by_ip, stored = conn.execute(_COUNTS, (pbx, ip)).fetchone()
            by_ip, total = stored_by_ip or 0, stored or 0
            if view.epoch == epoch:
                if len(known) >= VIEW_LIMIT:
                    known.clear()
                known[ip], known[""] = by_ip, total
        if (limits.per_ip is not None and by_ip + CAP_MARGIN >= limits.per_ip) or (
            limits.total is not None and total + CAP_MARGIN >= limits.total
        ):
            return None
        known[ip], known[""] = by_ip + 1, total + 1
        if failures is not None:
            # A good login resets the IP's failures.
            view.lockouts[ip] = (None, None)
        # Carried in the next group transaction with the other logins of the moment (and the
        # journal's entries): one future for the whole group.
        deferred.append(
            self._writes.carry(self, (_session_values(pbx, session), failures is not None))
        )
        return Admission.ADDED

    def discard_carried(self) -> None:
        """The group's transaction failed: what the view counted for its logins is wrong."""
        if self._view is not None:
            self._view.forget()

    def write_carried(self, conn: sqlite3.Connection, items: list[Any]) -> None:
        """The sessions of the logins decided at once, in one ``executemany``, each
        resetting its IP's failures first when it had some."""
        pbx, counts = self._pbx, self._counts
        logins: list[tuple[tuple[object, ...], bool]] = items
        resets = [(pbx, values[2]) for values, reset in logins if reset]
        if resets:
            conn.executemany("DELETE FROM lockouts WHERE pbx = ? AND ip = ?", resets)
        conn.executemany(_INSERT_SESSION, [values for values, _ in logins])
        for values, _ in logins:
            counts.add(pbx, str(values[2]))

    async def get(self, token: str) -> Session | None:
        row = self._conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE token = ? AND pbx = ?",
            (token, self._pbx),
        ).fetchone()
        return None if row is None else _session(row)

    async def extend(self, token: str, expires_at: float) -> None:
        params = (expires_at, token, self._pbx, expires_at)
        deferred = deferred_writes()
        if deferred is not None:
            # Left for the request to await with its journal entry, in the same group commit.
            deferred.append(self._writes.queue(lambda conn: conn.execute(_EXTEND, params)))
            return
        await self._writes.execute(_EXTEND, params)

    async def set_target(
        self, token: str, target: ReportTarget, expires_at: float
    ) -> Session | None:
        with immediate(self._conn) as conn:
            conn.execute(
                "UPDATE sessions SET target_ip = ?, target_port = ?, target_url = ?, "
                "target_absolute = ?, target_host = ?, target_host_port = ?, "
                "expires_at = MAX(expires_at, ?) WHERE token = ? AND pbx = ?",
                (*_target_values(target), expires_at, token, self._pbx),
            )
        return await self.get(token)

    async def remove(self, token: str) -> bool:
        cursor = self._conn.execute(
            "DELETE FROM sessions WHERE token = ? AND pbx = ?", (token, self._pbx)
        )
        return cursor.rowcount > 0

    async def live(self, now: float) -> list[Session]:
        rows = self._conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE pbx = ?{self._only} "
            "AND expires_at > ? ORDER BY created_at",
            (self._pbx, now),
        ).fetchall()
        return [_session(row) for row in rows]

    async def reporting(self, now: float) -> list[Session]:
        rows = self._conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions INDEXED BY sessions_reporting "
            "WHERE pbx = ? AND muted = 0 AND expires_at > ?",
            (self._pbx, now),
        ).fetchall()
        return [_session(row) for row in rows]

    async def count_live(self, now: float) -> int:
        row = self._conn.execute(
            f"SELECT COUNT(*) FROM sessions WHERE pbx = ?{self._only} AND expires_at > ?",
            (self._pbx, now),
        ).fetchone()
        return int(row[0])

    async def purge(self, expired_before: float) -> int:
        cursor = self._conn.execute(
            f"DELETE FROM sessions WHERE pbx = ?{self._only} AND expires_at < ?",
            (self._pbx, expired_before),
        )
        return cursor.rowcount

    async def clear(self) -> None:
        self._conn.execute(f"DELETE FROM sessions WHERE pbx = ?{self._only}", (self._pbx,))


@guarded
class SqliteLockouts:
    def __init__(
        self,
        conn: sqlite3.Connection,
        guard: FileGuard,
        pbx: str = "",
        view: DataVersionView | None = None,
    ) -> None:
        """``view``: the view logins are decided from; every write here drops what it holds of
        the IP, in the same synchronous step."""
        self._conn = conn
        self._guard = guard
        self._pbx = pbx
        self._view = view

    def _changed(self, ip: str | None = None) -> None:
        if self._view is not None:
            if ip is None:
                self._view.lockouts.clear()
            else:
                self._view.lockouts.pop(ip, None)

    def _read(self, ip: str, now: float) -> LockoutState:
        row = self._conn.execute(
            "SELECT failures, blocked_until FROM lockouts WHERE pbx = ? AND ip = ?",
            (self._pbx, ip),
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
                "INSERT INTO lockouts (pbx, ip, failures, blocked_until) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (pbx, ip) DO UPDATE SET failures = excluded.failures, "
                "blocked_until = excluded.blocked_until",
                (self._pbx, ip, failures, until),
            )
        self._changed(ip)
        return FailureOutcome(failures, until, until is not None, False)

    async def forget(self, ip: str) -> bool:
        with immediate(self._conn) as conn:
            key = (self._pbx, ip)
            row = conn.execute(
                "SELECT blocked_until FROM lockouts WHERE pbx = ? AND ip = ?", key
            ).fetchone()
            conn.execute("DELETE FROM lockouts WHERE pbx = ? AND ip = ?", key)
        self._changed(ip)
        return row is not None and row[0] is not None

    async def blocked(self, now: float) -> list[BlockedIp]:
        rows = self._conn.execute(
            "SELECT ip, blocked_until FROM lockouts WHERE pbx = ? AND blocked_until > ? "
            "ORDER BY blocked_until",
            (self._pbx, now),
        ).fetchall()
        return [BlockedIp(str(ip), float(until)) for ip, until in rows]

    async def clear(self) -> None:
        self._conn.execute("DELETE FROM lockouts WHERE pbx = ?", (self._pbx,))
        self._changed()


@guarded
class SqliteState:
    def __init__(self, conn: sqlite3.Connection, guard: FileGuard, pbx: str = "") -> None:
        self._conn = conn
        self._guard = guard
        self._pbx = pbx

    async def get(self, key: str) -> bytes | None:
        row = self._conn.execute(
            "SELECT value FROM state WHERE pbx = ? AND key = ?", (self._pbx, key)
        ).fetchone()
        return None if row is None else bytes(row[0])

    async def put(self, key: str, value: bytes) -> None:
        self._conn.execute(
            "INSERT INTO state (pbx, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (pbx, key) DO UPDATE SET value = excluded.value",
            (self._pbx, key, value),
        )

    async def delete(self, key: str) -> None:
        self._conn.execute("DELETE FROM state WHERE pbx = ? AND key = ?", (self._pbx, key))

    async def scan(self, prefix: str) -> list[tuple[str, bytes]]:
        rows = self._conn.execute(
            "SELECT key, value FROM state WHERE pbx = ? AND substr(key, 1, ?) = ? ORDER BY key",
            (self._pbx, len(prefix), prefix),
        ).fetchall()
        return [(str(k), bytes(v)) for k, v in rows]

    async def clear(self) -> None:
        self._conn.execute("DELETE FROM state WHERE pbx = ?", (self._pbx,))


class SqliteStore:
    shareable = True

    def __init__(
        self,
        url: str,
        timeout: float = 2.0,
        *,
        sync: str = "normal",
        pbx: str = "",
        shared: SqliteStore | None = None,
    ) -> None:
        """``timeout``: how long a statement waits for a file locked by another connection;
        ``sync``: SQLite's ``synchronous`` level, "normal" or "full" (:func:`connect`);
        ``pbx`` names the hosted PBX whose rows this store reads and writes ('' for the default
        PBX); ``shared``: the store whose connection it uses (and does not close)."""
        self.url = url
        self.pbx = pbx
        self._checkpointer: Checkpointer | None = None
        self.path: str
        self.conn: sqlite3.Connection
        self.guard: FileGuard
        self.writes: GroupCommit
        self.counts: SessionCounts
        if shared is not None:
            self.path = shared.path
            self.conn = shared.conn
            self.guard = shared.guard
            self.writes = shared.writes
            self.counts = shared.counts
        else:
            self.path = path_from_url(url)
            # Held until close: the header checks must not drop this process's locks on it.
            hold(self.path)
            try:
                self.conn = connect(self.path, timeout, sync)
            except BaseException:
                release(self.path)
                raise
            self.guard = FileGuard(self.path)
            # One group commit per connection: the writes of one moment share a transaction.
            self.writes = GroupCommit(self.conn, on_fault=self.guard.trip)
            # What the group's transaction adds to the session counts, written as it commits.
            self.counts = SessionCounts()
            self.writes.add_hook(self.counts)
            if self.path != ":memory:":
                self._checkpointer = Checkpointer(self.path, timeout, watch=self.guard.watch)
                self._checkpointer.start()
        self._owner = shared is None
        guard = self.guard
        # What requests read (sessions, the clock offset) is answered from a per-process view
        # that another process's commit invalidates (:mod:`yspbx.store.sqlite_view`); while the
        # store fails, the view answers nothing. Each PBX has a view of its own: what one PBX
        # read is never an answer for another.
        self.view = DataVersionView(self.conn, guard)
        self.sessions: SessionStore = ViewedSessions(
            SqliteSessions(self.conn, self.writes, guard, pbx, self.counts, self.view), self.view
        )
        self.lockouts = SqliteLockouts(self.conn, guard, pbx, self.view)
        self.state: StateStore = ViewedState(SqliteState(self.conn, guard, pbx), self.view)
        self.outbox = SqliteOutbox(self.conn, guard, pbx)
        self.leases = SqliteLeases(self.conn, guard, f"{pbx}/" if pbx else "")
        self.journal = SqliteJournal(self.conn, self.writes, guard, pbx)

    def namespace(self, name: str) -> SqliteStore:
        """A hosted PBX's rows carry its name in their ``pbx`` column (the default PBX's: '')."""
        return SqliteStore(self.url, pbx=name, shared=self)

    async def forget_namespace(self, name: str) -> None:
        with immediate(self.conn) as conn:
            tables = ("sessions", "lockouts", "state", "reports", "journal", "journal_batches")
            for table in (*tables, *OUTBOX_TABLES):
                conn.execute(f"DELETE FROM {table} WHERE pbx = ?{hosted_only(name)}", (name,))
            scope = f"{name}/"
            conn.execute("DELETE FROM leases WHERE substr(name, 1, ?) = ?", (len(scope), scope))
        self.view.forget()

    async def ping(self) -> None:
        """Answer unless the store fails, or the file was deleted, replaced or overwritten."""
        problem = self.guard.problem or self.guard.inspect()
        if problem is not None:
            raise StoreUnavailable(problem)
        try:
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise self.guard.trip(exc) from exc

    async def verify(self) -> None:
        """Read every page once (``PRAGMA quick_check``): a file damaged behind a sound header
        is refused before the server starts on it, with what to do, not found by a request.
        Costs one read of the file per start (0.09 s for 110 MB in the page cache)."""
        try:
            rows = self.conn.execute("PRAGMA quick_check(1)").fetchall()
        except sqlite3.DatabaseError as exc:
            raise open_error(self.path, exc) from None
        # SQLite's report spans lines; the message is one.
        found = " ".join(" ".join(str(row[0]) for row in rows).split())
        if found != "ok":
            raise open_error(self.path, sqlite3.DatabaseError(found))

    async def close(self) -> None:
        if not self._owner:
            return
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.conn.close()
        release(self.path)
