"""WAL checkpoints on a thread of their own, off the event loop.

In WAL mode SQLite copies the log back into the database now and then (a checkpoint), and
that is where it waits for the disk (fsync). Left to itself it checkpoints inside whichever
commit crosses the threshold, which stalls the event loop and every request behind it for
milliseconds. Here the connection that serves requests never checkpoints; a thread with its
own connection does, every ``interval`` seconds, in PASSIVE mode (it never blocks a writer),
and restarts the log when it has grown long (:meth:`Checkpointer.checkpoint`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

# How long a restart is tried for, and how often, before the next round tries again.
_RESTART_PATIENCE = 1.0
_RESTART_POLL = 0.0005


class Checkpointer:
    def __init__(
        self,
        path: str,
        busy_timeout: float = 2.0,
        interval: float = 1.0,
        restart_frames: int = 1000,
        watch: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        """``watch`` is called every round with this thread's connection (the store's
        :class:`~yspbx.store.sqlite_guard.FileGuard` looks at the file there)."""
        self._path = path
        self._busy_ms = int(busy_timeout * 1000)
        self._watch = watch
        self._interval = interval
        self._restart_frames = restart_frames
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="yspbx-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, timeout=self._busy_ms / 1000)
        try:
            conn.execute(f"PRAGMA busy_timeout={self._busy_ms}")
            while not self._stop.wait(self._interval):
                if self._watch is not None:
                    self._watch(conn)
                try:
                    self.checkpoint(conn)
                except sqlite3.Error as exc:
                    log.debug("checkpoint skipped: %s", exc)
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:
            log.warning("SQLite checkpoints stopped: %s", exc)
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> int:
        """Copy the log back; restart it once it is long. Returns the log's length in frames.

        A passive checkpoint never blocks a writer, but under steady writes it never catches up
        with the end of the log either, and SQLite only starts the log over when a checkpoint
        has caught up: the file would grow by every page ever written. Once the log holds
        ``restart_frames``, a RESTART checkpoint waits for the writer of the moment (a
        millisecond or so, right after the passive one copied nearly everything) so the next
        commit writes from the log's beginning again.
        """
        _, frames, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if frames >= self._restart_frames:
            self._restart(conn)
        return int(frames)

    def _restart(self, conn: sqlite3.Connection) -> None:
        # SQLite's busy handler sleeps in steps of up to 100 ms and, against a writer that
        # commits all the time, keeps missing the moments the lock is free: ask without
        # waiting, often, for up to a second, then leave it to the next round.
        conn.execute("PRAGMA busy_timeout=0")
        try:
            deadline = time.monotonic() + _RESTART_PATIENCE
            while not self._stop.is_set():
                busy, _, _ = conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
                if not busy or time.monotonic() > deadline:
                    return
                time.sleep(_RESTART_POLL)
        finally:
            conn.execute(f"PRAGMA busy_timeout={self._busy_ms}")
