"""Hosted PBXs with ``--workers 2`` (SQLite and Redis): a PBX created through any worker is
known to every worker (by its prefix at once, on its port once each worker has bound it), keeps
its sessions, lockouts, calls and clock apart from the other PBXs across workers, and once
deleted stops answering on every worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.fleet import LOGIN, fleet_server, fresh, running, worker_pids
from tests.support.helpers import API
from tests.support.polling import wait_until
from tests.support.stores import REDIS_URL, forget_prefix, unique_prefix


@pytest.fixture
def prefix() -> Iterator[str]:
    name = unique_prefix()
    yield name
    forget_prefix(name)


def from_ip(url: str, ip: str, path: str, body: Any, token: str | None = None) -> Any:
    """One API call on a connection of its own (any worker) from ``ip``."""
    transport = httpx.HTTPTransport(local_address=ip)
    params = {"token": token} if token else None
    with httpx.Client(
        base_url=url, transport=transport, timeout=10, headers={"Connection": "close"}
    ) as http:
        response = http.post(API + path, json=body, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def refused(url: str) -> bool:
    try:
        fresh(url, "GET", "/health")
    except httpx.TransportError:
        return True
    return False


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_hosted_pbxs_across_two_workers(kind: str, tmp_path: Path, prefix: str) -> None:
    store = REDIS_URL if kind == "redis" else f"sqlite:///{tmp_path / 'state.db'}"
    with running(fleet_server(store, prefix=prefix, workers=2)) as (server,):
        assert len(worker_pids(server.url, 2)) == 2
        made = [fresh(server.url, "POST", "/sim/v1/pbxs", json={"name": n}) for n in "ab"]
        assert [m.status_code for m in made] == [201, 201]
        a, b = (m.json() for m in made)
        # Every worker answers for both, by prefix and by port (fresh connections spread).
        for _ in range(20):
            assert fresh(server.url, "GET", "/pbx/a/health").status_code == 200
            assert fresh(a["url"], "GET", "/health").status_code == 200
        listed = fresh(server.url, "GET", "/sim/v1/pbxs").json()
        assert [p["name"] for p in listed] == ["a", "b"]
        # Sessions: a token of PBX a works on every worker, for a only.
        token = from_ip(a["url"], "127.0.0.1", "login", LOGIN)["token"]
        for _ in range(10):
            answer = from_ip(server.url + "/pbx/a", "127.0.0.1", "deviceinfo/query", {}, token)
            assert answer["status"] == "Success"
        assert from_ip(b["url"], "127.0.0.1", "deviceinfo/query", {}, token)["errno"] == "20004"
        assert from_ip(server.url, "127.0.0.1", "deviceinfo/query", {}, token)["errno"] == "20004"
        # Lockouts: counted for a across workers, not for b.
        bad = {**LOGIN, "password": "0" * 32}
        for _ in range(5):
            from_ip(a["url"], "127.0.0.41", "login", bad)
        assert from_ip(a["url"], "127.0.0.41", "login", LOGIN)["errno"] == "20002"
        assert from_ip(b["url"], "127.0.0.41", "login", LOGIN)["status"] == "Success"
        # Calls and clock, whichever worker is asked.
        call = fresh(a["url"], "POST", "/sim/v1/calls", json={"from": "1000", "to": "1001"})
        assert call.status_code == 200, call.text
        assert fresh(b["url"], "GET", "/sim/v1/calls").json() == []
        b_before = fresh(b["url"], "GET", "/sim/v1/clock").json()["now"]
        advanced = fresh(a["url"], "POST", "/sim/v1/clock/advance", json={"seconds": 1000})
        assert advanced.json()["now"] >= b_before + 1000
        assert fresh(server.url + "/pbx/b", "GET", "/sim/v1/clock").json()["now"] < b_before + 100
        # Delete: every worker stops answering for it.
        assert fresh(server.url, "DELETE", "/sim/v1/pbxs/a").status_code == 204
        wait_until(
            lambda: all(refused(a["url"]) for _ in range(10)),
            what="a's port refuses on every worker",
        )
        wait_until(
            lambda: all(
                fresh(server.url, "GET", "/pbx/a/health").status_code == 404 for _ in range(10)
            ),
            what="a's prefix is gone on every worker",
        )
        assert fresh(b["url"], "GET", "/health").status_code == 200
