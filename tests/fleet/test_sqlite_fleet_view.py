"""Processes on one SQLite file each answer token checks from a view of their own
(yspbx/store/sqlite_view.py), and still honour at once what another process changed: a logout,
a lockout, a clock advance (docs/deploy.md). Every check below is the very next request after
the change, on a process whose view already held the token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.fleet import LOGIN, api_call, fleet_server, fresh, running, token_from
from tests.support.helpers import API, PASSWORD_MD5, Sim, client
from yspbx.testing import ServerProcess

LOGGED_OUT = {"status": "Failed", "errno": "20004"}
EXPIRED = {"status": "Failed", "errno": "20006"}


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Servers A and B, separate processes on their own ports, on one SQLite file."""
    store = f"sqlite:///{tmp_path / 'state.db'}"
    with running(fleet_server(store), fleet_server(store)) as (a, b):
        with closing(Sim(a.url)) as sim:
            sim.reset()
        yield a, b


def query(http: httpx.Client, token: str) -> Any:
    answer = http.post(API + "extensionlist/query", params={"token": token}, json={})
    assert answer.status_code == 200, answer.text
    return answer.json()


def warm(http: httpx.Client, token: str) -> None:
    """Use the token a few times, so the process's view holds it."""
    for _ in range(3):
        assert query(http, token)["status"] == "Success"


@pytest.mark.slow
@pytest.mark.parametrize("logout_on", ["a", "b"])
def test_a_logout_through_one_server_is_honoured_by_the_other_at_once(
    two_servers: tuple[ServerProcess, ServerProcess], logout_on: str
) -> None:
    a, b = two_servers
    out, other = (a, b) if logout_on == "a" else (b, a)
    with client(out.url) as http_out, client(other.url) as http_other:
        for _ in range(3):  # each round a fresh token, each used on both before its logout
            token = token_from(a.url)
            warm(http_out, token)
            warm(http_other, token)
            answer = http_out.post(API + "logout", params={"token": token}, json={}).json()
            assert answer["status"] == "Success"
            assert query(http_other, token) == LOGGED_OUT
            assert query(http_out, token) == LOGGED_OUT


@pytest.mark.slow
def test_a_lockout_set_through_one_server_is_honoured_by_the_other_at_once(
    two_servers: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = two_servers
    bad = {**LOGIN, "password": "0" * 32}
    good = {**LOGIN, "password": PASSWORD_MD5}
    with client(a.url, "127.0.0.9") as http_a, client(b.url, "127.0.0.9") as http_b:
        assert http_b.post(API + "login", json=good).json()["status"] == "Success"
        errnos = [http_a.post(API + "login", json=bad).json()["errno"] for _ in range(5)]
        assert errnos == ["20003"] * 5
        assert http_b.post(API + "login", json=good).json() == {
            "status": "Failed",
            "errno": "20002",
        }
        assert fresh(b.url, "DELETE", "/sim/v1/blocked-ips/127.0.0.9").status_code == 200
        assert http_a.post(API + "login", json=good).json()["status"] == "Success"


@pytest.mark.slow
@pytest.mark.parametrize("advance_on", ["a", "b"])
def test_a_clock_advance_through_one_server_is_seen_by_the_other_at_once(
    two_servers: tuple[ServerProcess, ServerProcess], advance_on: str
) -> None:
    a, b = two_servers
    token = token_from(a.url)
    with client(a.url) as http_a, client(b.url) as http_b:
        warm(http_a, token)
        warm(http_b, token)
        mover = a if advance_on == "a" else b
        moved = fresh(mover.url, "POST", "/sim/v1/clock/advance", json={"seconds": 1801})
        assert moved.status_code == 200
        # Both judge the token on the advanced clock: it has expired everywhere.
        assert query(http_b, token) == EXPIRED
        assert query(http_a, token) == EXPIRED


def one_connection_per_worker(url: str, workers: int) -> list[httpx.Client]:
    """Kept-alive connections, one to each worker (learnt from /health's pid), in pid order."""
    found: dict[int, httpx.Client] = {}
    with ExitStack() as spare:
        for _ in range(400):
            http = httpx.Client(base_url=url, timeout=10, limits=httpx.Limits(max_connections=1))
            pid = int(http.get("/health").json()["pid"])
            if pid in found:
                spare.callback(http.close)
            else:
                found[pid] = http
            if len(found) == workers:
                break
    assert len(found) == workers, "the connections never reached every worker"
    return [found[pid] for pid in sorted(found)]


@pytest.mark.slow
def test_with_two_workers_a_logout_on_one_is_honoured_by_the_other_at_once(
    tmp_path: Path,
) -> None:
    store = f"sqlite:///{tmp_path / 'state.db'}"
    with running(fleet_server(store, workers=2)) as (server,):
        first, second = one_connection_per_worker(server.url, 2)
        try:
            for out, other in ((first, second), (second, first)):
                token = token_from(server.url)
                warm(out, token)
                warm(other, token)
                logout = out.post(API + "logout", params={"token": token}, json={}).json()
                assert logout["status"] == "Success"
                assert query(other, token) == LOGGED_OUT
            # The clock too: advanced through whichever worker, seen by both at once.
            token = token_from(server.url)
            warm(first, token)
            warm(second, token)
            moved = first.post("/sim/v1/clock/advance", json={"seconds": 1801})
            assert moved.status_code == 200
            assert query(second, token) == EXPIRED
            assert query(first, token) == EXPIRED
            assert api_call(server.url, "login", LOGIN)["status"] == "Success"
        finally:
            first.close()
            second.close()
