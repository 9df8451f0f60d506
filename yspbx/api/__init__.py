"""The S-Series HTTP API: the envelope and one module of endpoints per area."""

from __future__ import annotations

from yspbx.api import (
    auth,
    calls_control,
    calls_dial,
    calls_query,
    downloads,
    extensions,
    hotel,
    inbound_control,
    inroutes,
    ivrs,
    outroutes,
    paging,
    prompts,
    queues,
    sms,
    system,
    transfer,
    trunks,
)
from yspbx.api.registry import ApiRouter, Endpoint

ROUTERS: tuple[ApiRouter, ...] = (
    auth.router,
    system.router,
    extensions.router,
    trunks.router,
    inroutes.router,
    outroutes.router,
    ivrs.router,
    queues.router,
    paging.router,
    calls_query.router,
    calls_control.router,
    calls_dial.router,
    transfer.router,
    inbound_control.router,
    prompts.router,
    sms.router,
    hotel.router,
    downloads.router,
)


def all_endpoints() -> list[Endpoint]:
    """Every endpoint of every dialect (1.1.0, then 2.0.0)."""
    from yspbx.api.v2 import v2_endpoints

    return [endpoint for router in ROUTERS for endpoint in router.endpoints] + v2_endpoints()
