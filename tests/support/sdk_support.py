"""Helpers for the SDK's tests: clients bound to a loopback address, and the journal's view."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.support.helpers import PASSWORD, Sim
from yspbx.client import AsyncClient, Client

LOGIN = "/api/v1.1.0/login"


def sync_client(url: str, address: str = "127.0.0.1", **options: Any) -> Client:
    """A client whose requests come from ``address`` (each 127.0.0.x is its own host)."""
    options.setdefault("password", PASSWORD)
    options.setdefault("retry_backoff", 0)
    return Client(
        url, username="api", transport=httpx.HTTPTransport(local_address=address), **options
    )


def async_client(url: str, address: str = "127.0.0.1", **options: Any) -> AsyncClient:
    options.setdefault("password", PASSWORD)
    options.setdefault("retry_backoff", 0)
    return AsyncClient(
        url, username="api", transport=httpx.AsyncHTTPTransport(local_address=address), **options
    )


def exchanges(sim: Sim) -> list[tuple[str, str | None]]:
    """Every API request received: (endpoint, errno or None on success)."""
    found = []
    for entry in sim.get("/journal"):
        answer = json.loads(entry["response"])
        found.append((entry["path"].removeprefix("/api/v1.1.0/"), answer.get("errno")))
    return found


def bodies(sim: Sim, endpoint: str) -> list[dict[str, Any]]:
    """The JSON bodies the server received for ``endpoint`` (secrets masked)."""
    path = "/api/v1.1.0/" + endpoint
    return [json.loads(e["body"] or "{}") for e in sim.get("/journal") if e["path"] == path]


def logins(sim: Sim) -> int:
    return sum(1 for e in sim.get("/journal") if e["path"] == LOGIN)
