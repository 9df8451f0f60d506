"""The S-Series HTTP API: the envelope and one module of endpoints per area."""

from __future__ import annotations

from yspbx.api import auth, calls_control, calls_dial, calls_query, downloads, system, transfer
from yspbx.api.registry import ApiRouter, Endpoint

ROUTERS: tuple[ApiRouter, ...] = (
    auth.router,
    system.router,
    calls_query.router,
    calls_control.router,
    calls_dial.router,
    transfer.router,
    downloads.router,
)


def all_endpoints() -> list[Endpoint]:
    return [endpoint for router in ROUTERS for endpoint in router.endpoints]
