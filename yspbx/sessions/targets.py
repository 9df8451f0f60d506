"""Reading the report target from login and heartbeat fields, and refusing unsafe ones.

The PBX posts reports to ``http://<app ip>:<port>/<url>`` (relative) or ``http://<url>``
(absolute). Every way a target is set or changed (login, heartbeat) goes through one rule,
:func:`host_allowed`: the host reports go to (a heartbeat's ``ipaddr`` as much as an absolute
URL's host) must be the IP the request came from or a host the operator listed in
``reports.allowed_hosts``; nothing else, not even another loopback address. Otherwise
anyone holding a token could make the PBX post to any machine it can reach, itself included
(its own control plane, a cloud metadata address). A refused host is errno 20015 ("allowed IP
invalid").
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import quote, urlsplit

from yspbx.addresses import ip_of
from yspbx.errors import Errno, PbxError
from yspbx.sessions.models import ReportTarget

# Characters kept as they are in a report path; anything else is percent-encoded.
_PATH_SAFE = "/?&=%:@!$'()*+,;~-._"


def parse_port(value: str) -> int:
    """A report port: 1-65535, written as digits (``"8260"``); anything else is errno 20008."""
    text = value.strip()
    # Checked before int(): a string of thousands of digits is refused as what it is.
    if not text.isdigit() or not text.isascii() or len(text.lstrip("0")) > 5:
        raise PbxError(Errno.BAD_PORT, f"port {value[:32]!r} is not a number")
    port = int(text)
    if not 1 <= port <= 65535:
        raise PbxError(Errno.BAD_PORT, f"port {port} is out of range")
    return port


def parse_ip(value: str, errno: Errno) -> str:
    """An IP address in its canonical spelling (IPv4-mapped IPv6 as IPv4), else ``errno``."""
    address = ip_of(value)
    if address is None:
        raise PbxError(errno, f"{value[:64]!r} is not an IP address")
    return str(address)


def check_host(host: str, client_ip: str, allowed_hosts: Sequence[str]) -> None:
    """Refuse (20015) a report host the client at ``client_ip`` may not send reports to."""
    if not host_allowed(host, client_ip, allowed_hosts):
        raise PbxError(Errno.ALLOWED_IP_INVALID, f"reports may not go to {host[:64]!r}")


def is_absolute(flag: str | None) -> bool:
    """``urltag``/``urlflag``: "1" means absolute; absent or anything else means relative."""
    return flag is not None and flag.strip() == "1"


def build_target(
    client_ip: str,
    ip: str,
    port: int,
    url: str | None,
    absolute: bool,
    allowed_hosts: Sequence[str],
) -> ReportTarget:
    """The target for ``ip``, ``port`` and ``url``, set by a request from ``client_ip``; the
    caller has checked ``ip`` (:func:`check_host`), an absolute URL's host is checked here."""
    if not url or not url.strip():
        return ReportTarget(ip=ip, port=port)
    url = url.strip()
    if not absolute:
        return ReportTarget(ip=ip, port=port, url=quote(url.lstrip("/"), safe=_PATH_SAFE))
    return _absolute_target(client_ip, ip, port, url, allowed_hosts)


def _absolute_target(
    client_ip: str, ip: str, port: int, url: str, allowed_hosts: Sequence[str]
) -> ReportTarget:
    refused = PbxError(Errno.ALLOWED_IP_INVALID, f"report URL {url!r} is not allowed")
    if "://" in url:
        scheme, _, rest = url.partition("://")
        if scheme.lower() != "http":
            raise refused
        url = rest
    try:
        parts = urlsplit("http://" + url)
        host = parts.hostname or ""
        url_port = parts.port
    except ValueError:
        raise PbxError(Errno.BAD_PORT, f"report URL {url!r} has a bad port") from None
    if not host or parts.username is not None or parts.password is not None:
        raise refused
    if not host_allowed(host, client_ip, allowed_hosts):
        raise refused
    if url_port == 0:
        raise PbxError(Errno.BAD_PORT, f"report URL {url!r} has a bad port")
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_PATH_SAFE)
    return ReportTarget(
        ip=ip,
        port=port,
        url=path,
        absolute=True,
        absolute_host=host,
        absolute_port=url_port or port,
    )


def host_allowed(host: str, client_ip: str, allowed_hosts: Sequence[str]) -> bool:
    """The one rule for where reports may go (see the module's docstring).

    An unspecified address (``0.0.0.0``, ``::``) is never a target. Addresses are compared in
    their canonical spelling, so ``::ffff:10.0.0.7`` is ``10.0.0.7`` everywhere.
    """
    address = ip_of(host)
    if address is not None:
        if address.is_unspecified:
            return False
        if str(address) == str(ip_of(client_ip) or client_ip):
            return True
    for allowed in allowed_hosts:
        allowed = allowed.strip().lower()
        if address is None:
            if allowed == host.lower():
                return True
            continue
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False
