"""IP addresses in one spelling, so that every rule sees one client as one address.

A dual-stack socket (``--host ::``) reports an IPv4 client as ``::ffff:127.0.0.1``. Left as it
is, that client would be a stranger to the loopback trust of the control plane, to
``api.allowed_ips``, to the lockout (a lock taken under one spelling could not be lifted under
the other) and to the journal. Every address the server takes from a socket, a header or a
request is therefore put in its canonical form here, IPv4-mapped IPv6 as plain IPv4.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def ip_of(text: str) -> IPAddress | None:
    """The address ``text`` spells (an IPv4-mapped IPv6 as its IPv4), or None if it is none."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def canonical_ip(text: str) -> str:
    """``text`` in its canonical spelling when it is an IP address, else ``text`` unchanged."""
    address = ip_of(text)
    return text if address is None else str(address)


def is_loopback(text: str) -> bool:
    address = ip_of(text)
    return address is not None and address.is_loopback
