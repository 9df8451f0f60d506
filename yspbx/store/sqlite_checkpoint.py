"""WAL checkpoints on a thread of their own, off the event loop.

In WAL mode SQLite copies the log back into the database now and then (a checkpoint), and
that is where it waits for the disk (fsync). Left to itself it checkpoints inside whichever
commit crosses the threshold, which stalls the event loop and every request behind it for
milliseconds. Here the connection that serves requests never checkpoints; a thread with its
own connection does, every ``interval`` seconds, in PASSIVE mode (it never blocks a writer).
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)


class Checkpointer:
    def __init__(self, path: str, interval: float = 1.0) -> None:
        self._path = path
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="yspbx-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, timeout=10.0)
        try:
            conn.execute("PRAGMA busy_timeout=10000")
            while not self._stop.wait(self._interval):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error as exc:
                    log.debug("checkpoint skipped: %s", exc)
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:
            log.warning("SQLite checkpoints stopped: %s", exc)
        finally:
            conn.close()
