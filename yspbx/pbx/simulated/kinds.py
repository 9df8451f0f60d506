"""The kinds of configuration object the simulated PBX keeps, described once for the code that
treats them alike: loading, ordering, id assignment and persistence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yspbx.pbx.models import (
    Conference,
    Extension,
    ExtensionGroup,
    InboundRoute,
    Ivr,
    OutboundRoute,
    PagingGroup,
    Queue,
    RingGroup,
    Trunk,
)


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of object: the attribute holding its dict, its model, the field keying it."""

    table: str
    model: type[Any]
    key: str
    # Objects with an ``id`` are listed by id (routes, trunks, paging groups); numbered objects
    # by number; the others as the config file lists them.
    has_id: bool = False
    numbered: bool = False

    def key_of(self, obj: Any) -> str:
        return str(getattr(obj, self.key))

    def order(self, obj: Any) -> tuple[int, str]:
        if self.has_id:
            return int(obj.id), ""
        if self.numbered:
            number = self.key_of(obj)
            return (int(number) if number.isdigit() else 0), number
        return 0, ""


EXTENSIONS = Kind("extensions", Extension, "number", numbered=True)
EXTENSION_GROUPS = Kind("extensiongroups", ExtensionGroup, "name")
TRUNKS = Kind("trunks", Trunk, "name", has_id=True)
INROUTES = Kind("inroutes", InboundRoute, "name", has_id=True)
OUTROUTES = Kind("outroutes", OutboundRoute, "name", has_id=True)
IVRS = Kind("ivrs", Ivr, "number", numbered=True)
QUEUES = Kind("queues", Queue, "number", numbered=True)
RINGGROUPS = Kind("ringgroups", RingGroup, "number", numbered=True)
PAGINGGROUPS = Kind("paginggroups", PagingGroup, "number", has_id=True)
CONFERENCES = Kind("conferences", Conference, "number", numbered=True)

ALL_KINDS = (
    EXTENSIONS,
    EXTENSION_GROUPS,
    TRUNKS,
    INROUTES,
    OUTROUTES,
    IVRS,
    QUEUES,
    RINGGROUPS,
    PAGINGGROUPS,
    CONFERENCES,
)
# Kinds whose numbers share one dial plan: no two objects may have the same number.
NUMBERED_KINDS = (EXTENSIONS, IVRS, QUEUES, RINGGROUPS, PAGINGGROUPS, CONFERENCES)


def arrange(kind: Kind, objects: list[Any]) -> list[tuple[str, Any]]:
    """``objects`` as (key, object) pairs in the order the PBX lists them.

    Objects of an id-carrying kind that have no id yet (``0``, as a config file may leave
    them) get the next free ids, in the order given.
    """
    if kind.has_id:
        next_id = max((int(o.id) for o in objects), default=0) + 1
        for obj in objects:
            if not obj.id:
                obj.id = next_id
                next_id += 1
    ordered = sorted(objects, key=kind.order)  # stable: equal keys keep the file's order
    return [(kind.key_of(o), o) for o in ordered]
