"""The session caps on SQLite hold exactly when logins race through two workers on one file:
each login reads the stored-session counts and adds its session in one write transaction
(yspbx/store/sqlite.py, ``SessionCounts``), whichever worker and group commit it lands in."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from tests.fleet.test_sqlite_fleet_view import one_connection_per_worker
from tests.support.fleet import LOGIN, fleet_server, running
from tests.support.helpers import API, Sim, client

TOTAL, PER_IP = 12, 7
# Client addresses on the loopback network: two of them can fill the total between them.
CLIENTS = ("127.0.0.31", "127.0.0.32", "127.0.0.33")


def _stored(path: Path) -> tuple[int, dict[str, int]]:
    """Sessions in the file, and the counts the logins check (what a recount would find)."""
    with closing(sqlite3.connect(path)) as conn:
        total = conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        counts = dict(conn.execute("SELECT ip, n FROM session_counts WHERE pbx = ''").fetchall())
    return int(total), {str(ip): int(n) for ip, n in counts.items()}


@pytest.mark.slow
def test_caps_hold_exactly_under_concurrent_logins_through_two_workers(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    env = {"YSPBX_API_MAX_SESSIONS": str(TOTAL), "YSPBX_API_MAX_SESSIONS_PER_IP": str(PER_IP)}
    with running(fleet_server(f"sqlite:///{path}", workers=2, env=env)) as (server,):
        with closing(Sim(server.url)) as sim:
            sim.reset()

        def login(client_ip: str) -> str:
            # A connection of its own, so that either worker may take it.
            with client(server.url, client_ip, headers={"Connection": "close"}) as http:
                answer = http.post(API + "login", json=LOGIN).json()
            return str(answer.get("token") or answer["errno"])

        # Many more logins than places, from three addresses at once, on fresh connections
        # (so both workers take some), 16 in flight at a time.
        wanted = [CLIENTS[n % 3] for n in range(60)]
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(login, wanted))
        accepted = [ip for ip, answer in zip(wanted, answers, strict=True) if len(answer) == 32]
        refused = [answer for answer in answers if len(answer) != 32]
        assert len(accepted) == TOTAL
        assert set(refused) == {"20010"}
        assert max(accepted.count(ip) for ip in CLIENTS) <= PER_IP
        total, counts = _stored(path)
        assert total == TOTAL
        assert counts == {"": TOTAL, **{ip: accepted.count(ip) for ip in set(accepted)}}
        # Both workers see the same counts: a logout through either frees exactly one place.
        first, second = one_connection_per_worker(server.url, 2)
        try:
            token = next(a for a in answers if len(a) == 32)
            logout = first.post(API + "logout", params={"token": token}, json={}).json()
            assert logout["status"] == "Success"
            full_ip = next(ip for ip in CLIENTS if accepted.count(ip) < PER_IP)
            assert len(login(full_ip)) == 32
            assert login(full_ip) == "20010"
            assert _stored(path)[0] == TOTAL
        finally:
            first.close()
            second.close()
