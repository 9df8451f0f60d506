"""Reading the report target from login and heartbeat fields, and refusing unsafe ones.

The PBX posts reports to ``http://<app ip>:<port>/<url>`` (relative) or ``http://<url>``
(absolute). An absolute URL may name only the session's own IP or a host the operator listed
in ``reports.allowed_hosts``: otherwise anyone holding a token could make the PBX post to any
machine it can reach. Such a URL is refused with errno 20015 ("allowed IP invalid").
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import quote, urlsplit

from yspbx.errors import Errno, PbxError
from yspbx.sessions.models import ReportTarget

# Characters kept as they are in a report path; anything else is percent-encoded.
_PATH_SAFE = "/?&=%:@!$'()*+,;~-._"


def parse_port(value: str) -> int:
    """A report port: 1-65535, written as digits (``"8260"``); anything else is errno 20008."""
    text = value.strip()
    if not text.isdigit() or not text.isascii():
        raise PbxError(Errno.BAD_PORT, f"port {value!r} is not a number")
    port = int(text)
    if not 1 <= port <= 65535:
        raise PbxError(Errno.BAD_PORT, f"port {port} is out of range")
    return port


def parse_ip(value: str, errno: Errno) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise PbxError(errno, f"{value!r} is not an IP address") from None


def is_absolute(flag: str | None) -> bool:
    """``urltag``/``urlflag``: "1" means absolute; absent or anything else means relative."""
    return flag is not None and flag.strip() == "1"


def build_target(
    ip: str,
    port: int,
    url: str | None,
    absolute: bool,
    allowed_hosts: Sequence[str],
) -> ReportTarget:
    if not url or not url.strip():
        return ReportTarget(ip=ip, port=port)
    url = url.strip()
    if not absolute:
        return ReportTarget(ip=ip, port=port, url=quote(url.lstrip("/"), safe=_PATH_SAFE))
    return _absolute_target(ip, port, url, allowed_hosts)


def _absolute_target(ip: str, port: int, url: str, allowed_hosts: Sequence[str]) -> ReportTarget:
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
    if not _host_allowed(host, ip, allowed_hosts):
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


def _host_allowed(host: str, own_ip: str, allowed_hosts: Sequence[str]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and str(address) == own_ip:
        return True
    for allowed in allowed_hosts:
        allowed = allowed.strip().lower()
        if allowed == host.lower():
            return True
        if address is not None:
            try:
                if address in ipaddress.ip_network(allowed, strict=False):
                    return True
            except ValueError:
                continue
    return False
