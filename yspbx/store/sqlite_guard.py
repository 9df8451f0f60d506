"""When the SQLite file cannot be used: errors as StoreUnavailable, fail fast, say it once.

A locked file (another program holding a write transaction), a full disk, an I/O error, a file
deleted or overwritten while the server runs: SQLite raises ``OperationalError`` or
``DatabaseError`` from whichever statement meets it. Every store method is wrapped
(:func:`guarded`) so the API answers 20010 and the control plane 503, as for a Redis that does
not answer, instead of a 500.

Statements run on the event loop's thread, so a statement waiting for a locked file stalls every
request for as long as it waits. The wait is bounded (``server.store_timeout``) and, once one
statement failed that way, the store is *failing*: every call is refused at once, without
touching the file, until the watcher (on the checkpoint thread, off the event loop) finds the
file writable again. So a fault costs one bounded wait, not one per request, and a server that
is told to stop stops.

The log says when the store starts failing, how many calls were refused while it lasts (at most
once a minute) and when it answers again: a fault that lasts an hour writes a few dozen lines.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from yspbx.store.base import StoreFileError, StoreUnavailable

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
C = TypeVar("C", bound=type)

# The first bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"
# The row the watcher writes (and deletes) to learn whether the file takes writes again.
_PROBE = ("store.probe", b"\x00" * 512)
# How often (seconds) the log repeats that the store still fails, with the count refused.
_REPEAT_EVERY = 60.0

# SQLite's primary result codes that say the file cannot be used now (busy or locked, read-only,
# out of memory, I/O error, damaged, full, cannot be opened, not a database), as opposed to a
# wrong statement or a broken constraint, which are bugs in yspbx and keep their traceback.
_FAULTS = frozenset({3, 5, 6, 7, 8, 10, 11, 13, 14, 15, 26})


def is_fault(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        # Raised by the sqlite3 module itself, without a code: only "not a database" matters.
        return not isinstance(exc, sqlite3.OperationalError | sqlite3.ProgrammingError)
    return (code & 0xFF) in _FAULTS


class FileGuard:
    """The state of one SQLite file as this process sees it: usable, or failing and why."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._identity = _identity(path)
        self._problem: str | None = None
        self._lasting = False  # the problem stays until a restart (file deleted or replaced)
        self._refused = 0
        self._since = 0.0
        self._said_at = 0.0
        self._lock = threading.Lock()

    @property
    def problem(self) -> str | None:
        """Why the store fails now (None: it answers)."""
        return self._problem

    def check(self) -> None:
        """Refuse at once while the store is failing."""
        problem = self._problem
        if problem is not None:
            self._refused += 1
            now = time.monotonic()
            if now - self._said_at >= _REPEAT_EVERY:
                with self._lock:
                    refused, self._refused, self._said_at = self._refused, 0, now
                log.warning(
                    "the store still fails (%s): %d call(s) refused in the last %.0f s",
                    problem,
                    refused,
                    _REPEAT_EVERY,
                )
            raise StoreUnavailable(problem)

    def trip(self, exc: BaseException) -> StoreUnavailable:
        """A statement met a fault: the store fails from now on; what to raise instead."""
        problem = self.inspect()
        if problem is not None:
            return StoreUnavailable(problem)
        if not isinstance(exc, sqlite3.OperationalError):
            # Damaged pages do not heal: refuse until someone looks (a restart names it).
            problem = (
                f"the state file {self.path} is damaged ({exc}): stop the server, move the "
                "file aside (or restore a backup) and start again"
            )
            self._fail(problem, lasting=True)
        else:
            problem = f"SQLite {self.path}: {exc}"
            self._fail(problem, lasting=False)
        return StoreUnavailable(problem)

    def inspect(self) -> str | None:
        """What is wrong with the file itself (deleted, replaced, not a database), if anything;
        such a problem lasts: the store fails from now on, until a restart.

        Cheap (a ``stat`` and a 16-byte read), so ``/health`` asks it every time."""
        problem = self._look()
        if problem is not None:
            self._fail(problem, lasting=True)
        return problem

    def _look(self) -> str | None:
        if self._identity is None:
            return None
        try:
            now = _identity(self.path)
            with open(self.path, "rb") as file:
                header = file.read(len(SQLITE_HEADER))
        except FileNotFoundError:
            now, header = None, SQLITE_HEADER
        except OSError as exc:
            return f"the state file {self.path} cannot be read: {exc}"
        if now != self._identity:
            return (
                f"the state file {self.path} was deleted or replaced while the server ran: "
                "nothing is written any more; restart the server (changes since the file went "
                "are not kept)"
            )
        if header != SQLITE_HEADER and header:
            return (
                f"the state file {self.path} was overwritten: it is no SQLite database any more; "
                "stop the server, move the file aside (or restore a backup) and start again"
            )
        return None

    def watch(self, conn: sqlite3.Connection) -> None:
        """One look, off the event loop: notice a file gone or overwritten; once the store
        fails, try a write, and let the store answer again when it works."""
        if self.inspect() is not None or self._problem is None or self._lasting:
            return
        try:
            # A real write, committed (a full disk refuses it), that leaves nothing behind.
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", _PROBE)
                conn.execute("DELETE FROM state WHERE key = ?", _PROBE[:1])
                conn.execute("SELECT count(*) FROM sessions").fetchone()
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            log.debug("the store still fails: %s", exc)
            return
        with self._lock:
            problem, self._problem = self._problem, None
            refused, self._refused = self._refused, 0
            lasted = time.monotonic() - self._since
        log.warning(
            "the store answers again after %.1f s (%s); %d call(s) were refused meanwhile",
            lasted,
            problem,
            refused,
        )

    def _fail(self, problem: str, *, lasting: bool) -> None:
        with self._lock:
            if self._problem is not None:
                if lasting and not self._lasting:
                    self._lasting = True
                    self._problem = problem
                    log.error("the store fails: %s", problem)
                return
            self._problem = problem
            self._lasting = lasting
            self._since = self._said_at = time.monotonic()
        log.error("the store fails: %s", problem)


def _identity(path: str) -> tuple[int, int] | None:
    if path == ":memory:" or path.startswith("file::memory:"):
        return None
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino)


def guarded(cls: C) -> C:
    """Wrap every public async method of a SQLite store class: refuse at once while the store
    fails, and turn a SQLite fault into :class:`StoreUnavailable`. The instance's ``_guard``
    (a :class:`FileGuard`) decides."""
    for name, method in list(vars(cls).items()):
        if name.startswith("_") or not inspect.iscoroutinefunction(method):
            continue
        setattr(cls, name, _guard_method(method))
    return cls


def _guard_method(
    method: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    @functools.wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> T:
        guard: FileGuard = args[0]._guard  # type: ignore[attr-defined]
        guard.check()
        try:
            return await method(*args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if not is_fault(exc):
                raise
            raise guard.trip(exc) from exc

    return call


def open_error(path: str, exc: BaseException) -> StoreFileError:
    """The one line ``yspbx serve`` prints when the file it was given cannot be opened."""
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return StoreFileError(
            f"the state file {path} is damaged or no SQLite database ({exc}); yspbx will not "
            "start over it: move it aside (or restore a backup) and start again, or name "
            "another file with --store sqlite:///PATH"
        )
    return StoreFileError(f"the state file {path} cannot be opened: {exc}")
