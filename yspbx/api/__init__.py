"""The S-Series HTTP API: the envelope and one module of endpoints per area."""

from __future__ import annotations

from yspbx.api import auth, system
from yspbx.api.registry import ApiRouter, Endpoint

ROUTERS: tuple[ApiRouter, ...] = (auth.router, system.router)


def all_endpoints() -> list[Endpoint]:
    return [endpoint for router in ROUTERS for endpoint in router.endpoints]
