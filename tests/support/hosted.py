"""A PBX of its own for a test module, hosted on the session's server (``POST /sim/v1/pbxs``):
the isolation a server process of its own gave, in milliseconds instead of seconds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from yspbx.testing import ServerProcess


@dataclass(frozen=True)
class HostedServer:
    """What the tests use of a server, for a hosted PBX: its name and its own base URL."""

    name: str
    url: str


@contextmanager
def hosted(server: ServerProcess, config: str | None = None) -> Iterator[HostedServer]:
    """A new PBX on ``server`` with ``config`` (TOML text; none: the packaged default),
    removed with everything it stored afterwards."""
    body = {} if config is None else {"config": config}
    response = httpx.post(server.url + "/sim/v1/pbxs", json=body, timeout=30)
    assert response.status_code == 201, response.text
    made = response.json()
    try:
        yield HostedServer(made["name"], made["url"])
    finally:
        httpx.delete(server.url + "/sim/v1/pbxs/" + made["name"], timeout=30)
