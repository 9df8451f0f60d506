"""Who may use the control plane: loopback clients, or anyone with ``sim.token``.

The control plane can unblock IPs and move time, so by default it answers only on loopback.
When ``sim.token`` is set it answers any client presenting ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from yspbx.api.envelope import client_ip_of
from yspbx.fleet.commands import FORWARDED
from yspbx.services import ServicesHolder
from yspbx.sim.errors import error_response


class SimGuard:
    def __init__(self, app: Any, holder: ServicesHolder) -> None:
        self._app = app
        self._holder = holder

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get(FORWARDED):
            # A forwarded request was let in by the process it arrived at.
            await self._app(scope, receive, send)
            return
        settings = self._holder.services.settings
        refusal = None
        if not settings.sim.enabled:
            refusal = error_response(404, "not_found", "the control plane is disabled")
        elif settings.sim.token is not None:
            expected = b"Bearer " + settings.sim.token.get_secret_value().encode()
            given = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
            if not hmac.compare_digest(bytes(given), expected):
                refusal = error_response(
                    401, "unauthorized", "send Authorization: Bearer <sim.token>"
                )
        elif not _is_loopback(client_ip_of(scope, settings.api.trust_proxy)):
            refusal = error_response(
                403, "forbidden", "the control plane answers loopback clients only"
            )
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self._app(scope, receive, send)


def _is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False
