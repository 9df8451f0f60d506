"""Paging and intercom groups (``paginggroup/add``, ``paginggroup/update``).

The vendor documents no errno for these endpoints. yspbx answers ``10006`` for a member
extension that does not exist and ``10004`` (a parameter is missing or unusable) for every
other refused value.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from typing import TYPE_CHECKING

from yspbx.errors import Errno
from yspbx.pbx.models import PagingGroup
from yspbx.pbx.simulated.rules import common as c
from yspbx.pbx.vocabulary import PAGING_DUPLEX

if TYPE_CHECKING:
    from yspbx.pbx.simulated.tables import ConfigTables

MULTICAST = ipaddress.ip_network("224.0.0.0/4")


def multicast_address(value: str) -> bool:
    """``224.0.1.75`` or ``224.0.1.75:10000``: an IPv4 multicast group, optionally a port."""
    address, _, port = value.partition(":")
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return ip in MULTICAST and (not port or c.port(port))


CHECKER = c.Checker(
    Errno.MISSING_PARAMETER,
    {
        "number": c.text_rule(c.number),
        "name": c.text_rule(c.object_name),
        "duplex": c.one_of(*PAGING_DUPLEX),
        "allowexten": c.list_rule(c.number),
        "allowextengroup": c.list_rule(c.object_name),
        "enablekeyhanup": c.one_of(True, False),
        "multicastip": c.text_rule(lambda v: v == "" or multicast_address(v)),
    },
)


def check_paging_group(
    config: ConfigTables,
    group: PagingGroup,
    current: PagingGroup | None,
    changed: Collection[str],
) -> None:
    CHECKER.fields(group, changed)
    if c.renamed(group, current, "number", changed):
        owner = config.number_owner(group.number)
        if owner is not None:
            raise CHECKER.fail(f"number {group.number} is already used by {owner}")
    if "allowexten" in changed and (unknown := c.missing(group.allowexten, config.extensions)):
        raise CHECKER.fail(f"no extension {unknown}", Errno.EXTENSION_NOT_FOUND)
    if "allowextengroup" in changed:
        unknown = c.missing(group.allowextengroup, config.extensiongroups)
        if unknown:
            raise CHECKER.fail(f"no extension group {unknown}")
    members = ("duplex", "allowexten", "allowextengroup")
    if group.duplex == "multicast":
        if c.touched(changed, "duplex", "multicastip") and not group.multicastip:
            raise CHECKER.fail("a multicast group needs multicastip")
    elif c.touched(changed, *members) and not (group.allowexten or group.allowextengroup):
        raise CHECKER.fail("a paging or intercom group needs members")
