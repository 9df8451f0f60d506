"""Fleets for tests: several worker processes, or several servers, on one store.

``fleet_server(...)`` starts one ``yspbx serve`` (with ``--workers``) on a store; servers
sharing a Redis get the same key prefix. The engine lease stays at its default (3 s), so a busy
machine never hands the engine over under a test; a test about a takeover after a ``SIGKILL``
across hosts (where only the lease can tell the holder died) asks for a shorter one.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.support.helpers import API, PASSWORD_MD5, client
from yspbx.testing import ServerProcess

LOGIN = {"username": "api", "password": PASSWORD_MD5, "port": "8260"}


def fleet_server(
    store: str,
    *,
    prefix: str = "yspbx:",
    workers: int = 1,
    lease: float = 3.0,
    config: Any = None,
    env: dict[str, str] | None = None,
) -> ServerProcess:
    return ServerProcess(
        config=config,
        store=store,
        extra_args=("--workers", str(workers)),
        env={
            "YSPBX_SERVER_STORE_PREFIX": prefix,
            "YSPBX_SERVER_ENGINE_LEASE": str(lease),
            "YSPBX_SERVER_ENGINE_TIMEOUT": "5",
            **(env or {}),
        },
    )


def fresh(url: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request on a connection of its own (so a multi-worker server may route it to any
    worker), closed afterwards."""
    with httpx.Client(base_url=url, timeout=10, headers={"Connection": "close"}) as http:
        return http.request(method, path, **kwargs)


def api_call(url: str, endpoint: str, body: Any = None, token: str | None = None) -> Any:
    params = {"token": token} if token else None
    response = fresh(url, "POST", API + endpoint, json=body or {}, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def token_from(url: str, local_address: str = "127.0.0.1", **fields: str) -> str:
    with client(url, local_address) as http:
        answer = http.post(API + "login", json={**LOGIN, **fields}).json()
    assert answer["status"] == "Success", answer
    return str(answer["token"])


def worker_pids(url: str, expected: int, attempts: int = 400) -> set[int]:
    """The pids of a server's workers, learnt from ``/health`` on fresh connections."""
    pids: set[int] = set()
    for _ in range(attempts):
        pids.add(int(fresh(url, "GET", "/health").json()["pid"]))
        if len(pids) >= expected:
            break
    return pids


def engine_pid(url: str) -> int:
    state = fresh(url, "GET", "/sim/v1/state").json()
    return int(state["engine"]["pid"])


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


@contextmanager
def running(*servers: ServerProcess) -> Iterator[tuple[ServerProcess, ...]]:
    started: list[ServerProcess] = []
    try:
        for server in servers:
            started.append(server.start())
        yield servers
    finally:
        for server in started:
            server.stop()
