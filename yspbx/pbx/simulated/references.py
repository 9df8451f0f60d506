"""Keeping references whole when an object is renamed or a trunk deleted.

Objects refer to one another by number (a queue's agents, an IVR key, a route's destination) or
by name (a route's trunks). When ``extension/update`` gives an extension a new number, or an
update renames a queue, trunk or route, every reference follows, as it does on the PBX, so the
call engine never meets a number that leads nowhere. Numbers are unique across extensions,
IVRs, queues, ring groups and paging groups, so a number names one object wherever it appears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yspbx.pbx.models import InboundRoute, OutboundRoute
from yspbx.pbx.simulated.rules.trunks import parse_dods

if TYPE_CHECKING:
    from yspbx.pbx.simulated.tables import ConfigTables

# Inbound route destination types whose ``dest`` is a number, and queue actions likewise.
_NUMBERED_DESTINATIONS = frozenset(
    {"extension", "voicemail", "faxtoemail", "ivr", "ringgroup", "queue"}
)
_NUMBERED_ACTIONS = frozenset(
    {"Extension", "Voicemail", "Fax to Email", "IVR", "Ring Group", "Queue"}
)
_FORWARD_EXTENSIONS = ("atransferext", "ntransferext", "btransferext")


def _swap(items: list[str], old: str, new: str) -> list[str]:
    return [new if item == old else item for item in items]


def _swap_dods(value: str, old: str, new: str) -> str:
    dods = parse_dods(value)
    if not any(d.target == old for d in dods):
        return value
    return ",".join(f"{d.number}-{d.name}-{new if d.target == old else d.target}" for d in dods)


def rename_number(config: ConfigTables, old: str, new: str) -> None:
    """Point every reference to number ``old`` at ``new``."""
    for extension in config.extensions.values():
        for name in _FORWARD_EXTENSIONS:
            if getattr(extension, name) == old:
                setattr(extension, name, new)
    for trunk in config.trunks.values():
        trunk.extensionsdod = _swap_dods(trunk.extensionsdod, old, new)
    for inroute in config.inroutes.values():
        if inroute.desttype in _NUMBERED_DESTINATIONS and inroute.dest == old:
            inroute.dest = new
    for outroute in config.outroutes.values():
        outroute.extensions = _swap(outroute.extensions, old, new)
    for ivr in config.ivrs.values():
        ivr.keys = {key: new if dest == old else dest for key, dest in ivr.keys.items()}
        if ivr.timeout_dest == old:
            ivr.timeout_dest = new
    for queue in config.queues.values():
        queue.agents = _swap(queue.agents, old, new)
        if queue.failoveraction in _NUMBERED_ACTIONS and queue.failoverdest == old:
            queue.failoverdest = new
        if queue.breakoutaction in _NUMBERED_ACTIONS and queue.breakoutdest == old:
            queue.breakoutdest = new
    for ringgroup in config.ringgroups.values():
        ringgroup.members = _swap(ringgroup.members, old, new)
        if ringgroup.failover_dest == old:
            ringgroup.failover_dest = new
    for paging in config.paginggroups.values():
        paging.allowexten = _swap(paging.allowexten, old, new)
    for group in config.extensiongroups.values():
        group.members = _swap(group.members, old, new)
    for room in config.conferences.values():
        room.moderators = _swap(room.moderators, old, new)
    config.queue_agents.rename_agent(old, new)
    config.queue_agents.rename_queue(old, new)


def _routes(config: ConfigTables) -> list[InboundRoute | OutboundRoute]:
    return [*config.inroutes.values(), *config.outroutes.values()]


def rename_trunk(config: ConfigTables, old: str, new: str) -> None:
    for route in _routes(config):
        route.trunks = _swap(route.trunks, old, new)


def detach_trunk(config: ConfigTables, name: str) -> None:
    """A deleted trunk leaves the routes that used it (they keep their other trunks)."""
    for route in _routes(config):
        route.trunks = [t for t in route.trunks if t != name]


def rename_outroute(config: ConfigTables, old: str, new: str) -> None:
    for inroute in config.inroutes.values():
        if inroute.desttype == "outroute" and inroute.dest == old:
            inroute.dest = new
