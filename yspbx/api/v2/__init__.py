"""API 2.0.0 (``/api/v2.0.0/...``), served beside 1.1.0 by the same envelope over the same
engine and sessions (docs/api-2.md). Its endpoints are declared in the one registry with
``dialect="2.0.0"``: its own (sessions, calls by channel, trunks by id) and the 1.1.0 ones it
carries over under 2.0.0's names."""

from __future__ import annotations

from yspbx.api.registry import Endpoint
from yspbx.api.v2 import auth, calls, conferences, renamed


def v2_endpoints() -> list[Endpoint]:
    return [
        *auth.router.endpoints,
        *calls.router.endpoints,
        *conferences.router.endpoints,
        *renamed.router.endpoints,
        *renamed.CARRIED,
    ]
