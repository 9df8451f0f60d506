"""A server's commits reach the file while other programs open and close it.

SQLite's locks are POSIX advisory locks, which a process loses when it closes any descriptor of
the file. The server reads the file's header to notice it overwritten (on ``/health`` and once a
second); if that read closed a descriptor of its own, the server's connections would lose their
locks, the next program to close a connection would think itself the file's last user and delete
the write-ahead log, and every later commit of the server would be written into a deleted file:
gone (yspbx/store/sqlite_header.py).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.support.fleet import token_from
from yspbx.testing import ServerProcess

pytestmark = pytest.mark.slow


def stored_tokens(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT token FROM sessions")}


def test_logins_reach_the_file_after_health_checks_and_other_programs_closing_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.db"
    with ServerProcess(store=f"sqlite:///{path}") as server:
        for _ in range(3):
            # The header is read on every health check...
            assert httpx.get(server.url + "/health", timeout=10).status_code == 200
            # ...then another program opens the file, reads and goes away...
            stored_tokens(path)
            # ...and what the server commits next is in the file for everyone to read.
            token = token_from(server.url)
            assert token in stored_tokens(path)
