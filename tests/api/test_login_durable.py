"""What a login's answer promises on SQLite (the session server's default store): when the
token is handed out, its session and the login's journal entry are both in the file, written in
one transaction (docs/control-plane.md, the journal; yspbx/store/sqlite.py, logins decided from
the view)."""

from __future__ import annotations

import sqlite3

from tests.support.helpers import Api, Sim
from yspbx.store.sqlite import path_from_url
from yspbx.store.sqlite_journal_rows import unpack
from yspbx.testing import ServerProcess


def test_a_token_handed_out_is_on_disk_with_its_journal_entry(
    server: ServerProcess, sim: Sim, api: Api
) -> None:
    tokens = [api.token() for _ in range(3)]
    path = path_from_url(server.store)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        stored = {row[0] for row in conn.execute("SELECT token FROM sessions WHERE pbx = ''")}
        journaled = b"".join(
            entry.response
            for (packed,) in conn.execute("SELECT packed FROM journal_batches WHERE pbx = ''")
            for entry in unpack(bytes(packed))
            if entry.path.endswith("/login")
        )
    for token in tokens:
        assert token in stored
        assert token.encode() in journaled
