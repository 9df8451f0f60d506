"""Group commit: the writes of one event-loop turn share a transaction, and each caller still
gets its own answer, or its own error."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from yspbx.store.sqlite import connect
from yspbx.store.sqlite_commit import GroupCommit


def _put(key: str) -> Callable[[sqlite3.Connection], int]:
    def operation(conn: sqlite3.Connection) -> int:
        conn.execute("INSERT INTO state (key, value) VALUES (?, ?)", (key, b"v"))
        return int(conn.execute("SELECT COUNT(*) FROM state").fetchone()[0])

    return operation


async def test_operations_of_one_turn_share_a_transaction_and_get_their_results(
    tmp_path: Path,
) -> None:
    conn = connect(str(tmp_path / "store.db"))
    writes = GroupCommit(conn)
    changes_before = conn.total_changes
    counts = await asyncio.gather(*(writes.run(_put(f"k{i}")) for i in range(5)))
    # Each saw the rows written before it in the same transaction, in the order queued.
    assert counts == [1, 2, 3, 4, 5]
    assert conn.total_changes - changes_before == 5
    other = sqlite3.connect(str(tmp_path / "store.db"))
    assert other.execute("SELECT COUNT(*) FROM state").fetchone() == (5,)


async def test_a_failing_operation_fails_alone(tmp_path: Path) -> None:
    conn = connect(str(tmp_path / "store.db"))
    writes = GroupCommit(conn)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    results = await asyncio.gather(
        writes.run(_put("a")),
        writes.run(broken),
        writes.run(_put("b")),
        return_exceptions=True,
    )
    assert isinstance(results[1], sqlite3.OperationalError)
    # The group was rolled back and its neighbours run again on their own: written once each.
    assert results[0] == 1
    assert results[2] == 2
    keys = [row[0] for row in conn.execute("SELECT key FROM state ORDER BY key")]
    assert keys == ["a", "b"]


async def test_an_error_that_is_not_sqlites_reaches_its_caller(tmp_path: Path) -> None:
    writes = GroupCommit(connect(str(tmp_path / "store.db")))

    def mistaken(conn: sqlite3.Connection) -> None:
        raise ValueError("not a database problem")

    with pytest.raises(ValueError, match="not a database problem"):
        await asyncio.wait_for(writes.run(mistaken), 5)
