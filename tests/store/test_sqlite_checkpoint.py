"""The WAL stays bounded under steady writes: the checkpointer restarts the log once it is long.

A passive checkpoint alone never catches up with a log that is written to all the time, and
SQLite starts the log over only when a checkpoint has caught up: the file then grows by every
page ever written (a quarter of a gigabyte after 40,000 logins, before this was fixed).

"Written to all the time" is made exact rather than left to two threads racing (which made the
bound depend on the machine's load): around each passive checkpoint, a writer is in the middle
of a transaction, begun before the checkpoint and committed after it, so the log always ends
with frames the checkpoint did not copy, as it does under a server's steady writes. The same
rounds without restarts are the control: the log then grows far past the bound, so the bound
says something.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from yspbx.store.sqlite import connect
from yspbx.store.sqlite_checkpoint import Checkpointer
from yspbx.store.sqlite_commit import immediate

ROWS_PER_COMMIT = 4
COMMITS_PER_ROUND = 5
ROUNDS = 120
RESTART_FRAMES = 200


class _WrittenDuringPassive(sqlite3.Connection):
    """The checkpointer's connection, with a writer whose transaction spans each passive
    checkpoint: begun before it, committed after it."""

    before_passive: Callable[[], None] = staticmethod(lambda: None)
    after_passive: Callable[[], None] = staticmethod(lambda: None)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        if "wal_checkpoint(PASSIVE)" not in sql:
            return super().execute(sql, parameters)
        self.before_passive()
        row = super().execute(sql, parameters).fetchone()
        self.after_passive()
        return super().execute("SELECT ?, ?, ?", row)


def _largest_log(path: Path, restart_frames: int) -> int:
    """Rounds of commits with a checkpoint each; the largest size the -wal file reached."""
    writer = connect(str(path))
    serial = iter(range(10**9))

    def write() -> None:
        index = next(serial)
        for row in range(ROWS_PER_COMMIT):
            writer.execute(
                "INSERT INTO state (key, value) VALUES (?, ?)",
                (f"k{index:08d}.{row}", b"x" * 300),
            )

    def begin_and_write() -> None:
        writer.execute("BEGIN IMMEDIATE")
        write()

    checkpointing = sqlite3.connect(
        str(path), isolation_level=None, timeout=10.0, factory=_WrittenDuringPassive
    )

    def commit() -> None:
        writer.execute("COMMIT")

    checkpointing.before_passive = begin_and_write
    checkpointing.after_passive = commit
    checkpoint = Checkpointer(str(path), restart_frames=restart_frames)
    wal = Path(f"{path}-wal")
    largest = 0
    try:
        for _ in range(ROUNDS):
            for _ in range(COMMITS_PER_ROUND):
                with immediate(writer):
                    write()
            checkpoint.checkpoint(checkpointing)
            largest = max(largest, wal.stat().st_size)
    finally:
        checkpointing.close()
        writer.close()
    return largest


def test_the_log_is_restarted_once_long_so_the_file_stays_bounded(tmp_path: Path) -> None:
    page = 4096 + 24  # a WAL frame: a page and its header
    bounded = _largest_log(tmp_path / "restarted.db", RESTART_FRAMES)
    # Restarted once it holds RESTART_FRAMES: at most that, plus one round's commits, each of
    # which writes a few pages (the rows' leaf, the key index's leaf, their parents).
    assert bounded <= (RESTART_FRAMES + (COMMITS_PER_ROUND + 1) * 8) * page
    never = _largest_log(tmp_path / "never.db", restart_frames=10**9)
    assert never > 4 * bounded


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
