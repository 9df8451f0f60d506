"""The process's view of what a request reads from SQLite: sessions and small state documents.

An authenticated request reads its session, and a process without the engine reads the clock
offset; on SQLite each read is a statement, dearer than the dict lookup of the memory store. The
view keeps what was read, and before answering from it asks SQLite, with ``PRAGMA data_version``,
whether another connection (another worker, another server on the file) committed anything
since the last look: if so, the whole view is dropped and read again. One cheap pragma per turn
of the event loop (:meth:`DataVersionView.revalidate`), and a token logged out or a clock
advanced through another process is seen on the very next request.

A connection's own commits do not change the number it sees, so this process's writes keep the
view right themselves: a write that changes a row the view holds drops it (or, for the sliding
expiry, moves it) in the same synchronous step as the statement, before anything else runs on
the event loop. A read adds what it found only if the view was not emptied while it read (its
``epoch``): a foreign commit seen meanwhile must not be undone by an older row. Tokens that
are unknown are not remembered (a guessing client must not fill memory); the view holds at
most :data:`VIEW_LIMIT` sessions and starts over when full.

A login reads the view too: its IP's lockout entry and the stored-session counts
(:meth:`SqliteSessions.add_unless_locked` decides a login from them at once when it is far
from the caps, and carries its session in the next group commit). The lockout store and the
session writes of this process move or drop those entries in the same synchronous step; a group
transaction that fails with logins carried in it empties the view.
"""

from __future__ import annotations

import asyncio
import sqlite3

from yspbx.sessions.models import ReportTarget, Session
from yspbx.store.base import NO_LIMITS, Admission, SessionLimits, SessionStore, StateStore
from yspbx.store.session_rows import SessionRow, row_session, session_row
from yspbx.store.sqlite_guard import FileGuard

# Sessions kept in the view at most; beyond this it is emptied and refilled by the next reads.
VIEW_LIMIT = 10_000
# State documents larger than this (configuration, recordings) are read from the file each time.
SMALL_VALUE = 1024


class DataVersionView:
    """What this process read, valid while ``PRAGMA data_version`` keeps its number."""

    def __init__(self, conn: sqlite3.Connection, guard: FileGuard | None = None) -> None:
        """``guard``: while it says the store fails, nothing is answered from memory (every read
        goes to the store, which refuses it): a file deleted or overwritten must not go on
        answering from what was read before."""
        self._conn = conn
        self._guard = guard
        self.sessions: dict[str, SessionRow] = {}
        self.values: dict[str, bytes | None] = {}
        # What a login checks, for logins decided at once (:meth:`SqliteSessions.
        # add_unless_locked`): per client IP its lockout entry, (failures, blocked_until) or
        # (None, None) when there is none; per client IP (and '' for all) the stored sessions,
        # those read plus those this process added since.
        self.lockouts: dict[str, tuple[int | None, float | None]] = {}
        self.counts: dict[str, int] = {}
        # Grows each time the view is emptied: a read that began before must not refill it.
        self.epoch = 0
        self._seen = self._version()
        self._looked = False

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def revalidate(self) -> None:
        """Forget everything if another connection committed since the last look.

        One look serves the rest of the event loop's turn: a request that could see a commit
        made after the look (sent once its client had the answer to a logout, say) arrives on a
        later turn, and the callback queued here, which runs before anything that arrives later
        (both loops run callbacks in order), makes that turn look again. Under load one pragma
        answers every request of a turn."""
        if self._guard is not None and self._guard.problem is not None:
            self.forget()
            return
        if self._looked:
            return
        try:
            version = self._version()
        except sqlite3.Error:
            # The file cannot be read: answer nothing from memory, so the read that follows
            # meets the store's own error and is answered as a store failure.
            self.forget()
            return
        if version != self._seen:
            self._seen = version
            self.forget()
        self._looked = True
        asyncio.get_running_loop().call_soon(self._look_again)

    def _look_again(self) -> None:
        self._looked = False

    @property
    def seen(self) -> int:
        """The ``data_version`` what the view holds was read under."""
        return self._seen

    def forget(self) -> None:
        self.epoch += 1
        self.sessions.clear()
        self.values.clear()
        self.lockouts.clear()
        self.counts.clear()


class ViewedSessions:
    """:class:`SqliteSessions` with reads answered from the view."""

    def __init__(self, inner: SessionStore, view: DataVersionView) -> None:
        self._inner = inner
        self._view = view

    async def add(self, session: Session) -> None:
        await self._inner.add(session)

    async def add_unless_locked(
        self, session: Session, now: float, limits: SessionLimits = NO_LIMITS
    ) -> Admission:
        return await self._inner.add_unless_locked(session, now, limits)

    async def get(self, token: str) -> Session | None:
        view = self._view
        view.revalidate()
        row = view.sessions.get(token)
        if row is not None:
            return row_session(row)
        epoch = view.epoch
        session = await self._inner.get(token)
        if session is not None and view.epoch == epoch:
            if len(view.sessions) >= VIEW_LIMIT:
                view.sessions.clear()
            view.sessions[token] = session_row(session)
        return session

    async def extend(self, token: str, expires_at: float) -> None:
        # The view moves at once, so the requests that read the session while the write waits
        # for its group commit do not each write the same expiry again.
        sessions = self._view.sessions
        row = sessions.get(token)
        if row is not None and row[3] < expires_at:
            sessions[token] = (*row[:3], expires_at, *row[4:])
        try:
            await self._inner.extend(token, expires_at)
        except BaseException:
            sessions.pop(token, None)
            raise

    async def set_target(
        self, token: str, target: ReportTarget, expires_at: float
    ) -> Session | None:
        try:
            return await self._inner.set_target(token, target, expires_at)
        finally:
            self._view.sessions.pop(token, None)

    async def remove(self, token: str) -> bool:
        try:
            return await self._inner.remove(token)
        finally:
            self._view.sessions.pop(token, None)
            self._view.counts.clear()

    async def live(self, now: float) -> list[Session]:
        return await self._inner.live(now)

    async def reporting(self, now: float) -> list[Session]:
        return await self._inner.reporting(now)

    async def count_live(self, now: float) -> int:
        return await self._inner.count_live(now)

    async def purge(self, expired_before: float) -> int:
        try:
            return await self._inner.purge(expired_before)
        finally:
            self._view.sessions.clear()
            self._view.counts.clear()

    async def clear(self) -> None:
        try:
            await self._inner.clear()
        finally:
            self._view.sessions.clear()
            self._view.counts.clear()


class ViewedState:
    """:class:`SqliteState` with small documents (the clock offset) answered from the view."""

    def __init__(self, inner: StateStore, view: DataVersionView) -> None:
        self._inner = inner
        self._view = view

    async def get(self, key: str) -> bytes | None:
        view = self._view
        view.revalidate()
        values = view.values
        if key in values:
            return values[key]
        epoch = view.epoch
        value = await self._inner.get(key)
        if view.epoch == epoch and (value is None or len(value) <= SMALL_VALUE):
            if len(values) >= VIEW_LIMIT:
                values.clear()
            values[key] = value
        return value

    async def put(self, key: str, value: bytes) -> None:
        try:
            await self._inner.put(key, value)
        finally:
            self._view.values.pop(key, None)

    async def delete(self, key: str) -> None:
        try:
            await self._inner.delete(key)
        finally:
            self._view.values.pop(key, None)

    async def scan(self, prefix: str) -> list[tuple[str, bytes]]:
        return await self._inner.scan(prefix)

    async def clear(self) -> None:
        try:
            await self._inner.clear()
        finally:
            self._view.values.clear()
