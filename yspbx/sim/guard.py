"""Who may use the control plane, and from where.

The control plane can reset the PBX, unblock IPs and move time, so:

- a report this server sent (it carries :data:`~yspbx.reports.sender.REPORT_MARK`) is always
  refused: a report target pointed at yspbx's own ``/sim/v1`` must not borrow the trust below;
- a request sent by a web page (an ``Origin`` header naming another origin than the one it is
  sent to) is refused: a page the developer visits could otherwise ``POST`` with a "simple"
  content type, which browsers send without asking first;
- without ``sim.token``, only loopback clients are let in, and only under a ``Host`` the
  server answers to (loopback names and addresses, ``server.host``, ``sim.allowed_hosts``):
  DNS rebinding gives a foreign page a loopback peer address but never a loopback ``Host``;
- with ``sim.token``, any client presenting ``Authorization: Bearer <token>`` is let in (a
  page in a browser cannot hold the token, so ``Host`` is not checked).
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlsplit

from yspbx.addresses import ip_of, is_loopback
from yspbx.api.envelope import client_ip_of
from yspbx.fleet.commands import FORWARDED
from yspbx.reports.sender import REPORT_MARK_KEY
from yspbx.services import ServicesHolder
from yspbx.settings import Settings
from yspbx.sim.errors import error_response

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class SimGuard:
    def __init__(self, app: Any, holder: ServicesHolder) -> None:
        self._app = app
        self._holder = holder

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get(FORWARDED):
            # A forwarded request was let in by the process it arrived at.
            await self._app(scope, receive, send)
            return
        refusal = self._refusal(scope, self._holder.services.settings)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self._app(scope, receive, send)

    def _refusal(self, scope: Any, settings: Settings) -> Any:
        headers = _headers(scope)
        if not settings.sim.enabled:
            return error_response(404, "not_found", "the control plane is disabled")
        if REPORT_MARK_KEY in headers:
            return error_response(
                403, "forbidden", "a report this server sent never reaches the control plane"
            )
        host = headers.get(b"host", b"").decode("latin-1")
        origin = headers.get(b"origin")
        if origin is not None and not _same_origin(origin.decode("latin-1"), host):
            return error_response(403, "forbidden", "cross-origin requests are refused")
        if settings.sim.token is not None:
            expected = b"Bearer " + settings.sim.token.get_secret_value().encode()
            given = headers.get(b"authorization", b"")
            if not hmac.compare_digest(given, expected):
                return error_response(401, "unauthorized", "send Authorization: Bearer <sim.token>")
            return None
        if not is_loopback(client_ip_of(scope, settings.api.trust_proxy)):
            return error_response(
                403, "forbidden", "the control plane answers loopback clients only"
            )
        if host and not host_answered(host, settings):
            return error_response(
                403,
                "forbidden",
                f"Host {host[:100]!r} is not one this server answers to (see sim.allowed_hosts)",
            )
        return None


def _headers(scope: Any) -> dict[bytes, bytes]:
    """The request's headers by lower-case name, the first of each kept."""
    found: dict[bytes, bytes] = {}
    for name, value in scope.get("headers", ()):
        found.setdefault(bytes(name).lower(), bytes(value))
    return found


def _hostname(authority: str) -> str:
    """The host of a ``Host`` header or an origin's authority, without port or brackets."""
    try:
        name = urlsplit("//" + authority).hostname or ""
    except ValueError:
        return ""
    return name.rstrip(".").lower()


def host_answered(host: str, settings: Settings) -> bool:
    """Whether ``host`` (a ``Host`` header) names this server: a loopback name or address,
    ``server.host``, or one of ``sim.allowed_hosts``."""
    name = _hostname(host)
    if not name:
        return False
    address = ip_of(name)
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    if address is not None and address.is_loopback:
        return True
    configured = settings.server.host.strip().strip("[]").lower()
    if name == configured or (address is not None and str(address) == str(ip_of(configured))):
        return True
    allowed = {entry.strip().rstrip(".").lower() for entry in settings.sim.allowed_hosts}
    return "*" in allowed or name in allowed or str(address) in allowed


def _same_origin(origin: str, host: str) -> bool:
    """Whether ``origin`` (an ``Origin`` header) is the server the request was sent to."""
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.netloc or not host:
        return False
    return parts.netloc.lower() == host.lower()
