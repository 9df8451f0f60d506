"""The WAL stays bounded under steady writes: the checkpointer restarts the log once it is long.

A passive checkpoint alone never catches up with a log that is written to all the time, and
SQLite starts the log over only when a checkpoint has caught up: the file then grows by every
page ever written (a quarter of a gigabyte after 40,000 logins, before this was fixed).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

from yspbx.store.sqlite import connect
from yspbx.store.sqlite_checkpoint import Checkpointer
from yspbx.store.sqlite_commit import immediate

PAGE = 4096
ROWS_PER_COMMIT = 4


def _steady_writes(path: Path, commits: int, done: threading.Event) -> None:
    """Write like the server does: a small transaction, then other work (answering requests)."""
    conn = connect(str(path))
    try:
        for index in range(commits):
            with immediate(conn):
                for row in range(ROWS_PER_COMMIT):
                    conn.execute(
                        "INSERT INTO state (key, value) VALUES (?, ?)",
                        (f"k{index:08d}.{row}", b"x" * 300),
                    )
            _answer_some_requests()
    finally:
        conn.close()
        done.set()


def _answer_some_requests() -> None:
    hashlib.sha256(b"request" * 20_000).digest()


def _largest_log_while_writing(path: Path, checkpoint: Checkpointer, commits: int) -> int:
    connect(str(path)).close()
    wal = Path(f"{path}-wal")
    done = threading.Event()
    writer = threading.Thread(target=_steady_writes, args=(path, commits, done))
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=10.0)
    largest = 0
    writer.start()
    try:
        while not done.is_set():
            checkpoint.checkpoint(conn)
            largest = max(largest, wal.stat().st_size if wal.exists() else 0)
    finally:
        writer.join()
        conn.close()
    return largest


def test_the_log_is_restarted_once_long_so_the_file_stays_bounded(tmp_path: Path) -> None:
    restart_frames = 200
    checkpoint = Checkpointer(str(tmp_path / "unused.db"), restart_frames=restart_frames)
    commits = 6000
    largest = _largest_log_while_writing(tmp_path / "store.db", checkpoint, commits)
    # Every commit writes at least one page; without restarts the log would hold them all.
    assert largest < commits * PAGE / 3


def test_a_short_log_is_left_to_passive_checkpoints(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    conn = connect(str(path))
    for index in range(5):
        conn.execute("INSERT INTO state (key, value) VALUES (?, ?)", (f"k{index}", b"v"))
    checkpointing = sqlite3.connect(str(path), isolation_level=None)
    frames = Checkpointer(str(path), restart_frames=1000).checkpoint(checkpointing)
    assert 0 < frames < 1000
    # Everything was copied back, and the rows are there.
    assert conn.execute("SELECT COUNT(*) FROM state").fetchone() == (5,)
    checkpointing.close()
    conn.close()
