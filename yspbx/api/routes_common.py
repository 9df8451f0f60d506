"""What inbound and outbound route endpoints share: finding the route an update is about."""

from __future__ import annotations

from yspbx.api.registry import Params
from yspbx.api.wire import read_id
from yspbx.errors import Errno
from yspbx.pbx.config_ops import RouteRef


def route_ref(params: Params, not_found: Errno) -> RouteRef:
    """The route an update names: by ``id`` when the request carries one, else by ``name``."""
    if "id" in params:
        return read_id(params, "id", not_found)
    return params.require("name")
