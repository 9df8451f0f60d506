"""The configuration half of the engine interface: extensions, trunks, routes, IVRs, queues,
paging groups (docs/pbx-api/system-extensions.md, trunks-routes.md, ivrs-queues-paging.md).

Implemented by :class:`yspbx.pbx.simulated.config.SimulatedConfig`; a real engine provides its
own. Everything crossing this line is plain data: objects are the dataclasses of
:mod:`yspbx.pbx.models`, changes are ``{field name: typed value}`` mappings using the same field
names, and a selection of ``None`` means "all of them". Wire spellings (``on``/``off``,
``moblie``, comma-separated strings) stay in the API layer. Methods raise
:class:`yspbx.errors.PbxError` with the PBX's errno and change nothing when they do.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

from yspbx.pbx.models import (
    Conference,
    Extension,
    InboundRoute,
    Ivr,
    OutboundRoute,
    PagingGroup,
    Queue,
    Trunk,
)

# Fields to change, by model field name, with typed values (bool, int, str, list[str]).
Changes = Mapping[str, object]
# Which objects a query or delete is about; None means all.
Selection = Sequence[str] | None
# A route is identified by its id (int) or its name (str).
RouteRef = int | str


class AgentState(IntEnum):
    """A queue agent's state as ``queuestatus/query`` reports it (``agentstatus``).

    The codes are Asterisk's device states plus ``PAUSED`` and ``WRAPUP``, which is what the
    PBX reports; a real engine maps its own states onto them.
    """

    UNKNOWN = 0
    NOT_INUSE = 1
    INUSE = 2
    BUSY = 3
    INVALID = 4
    UNAVAILABLE = 5
    RINGING = 6
    RINGINUSE = 7
    ONHOLD = 8
    PAUSED = 9
    WRAPUP = 10


@dataclass(frozen=True, slots=True)
class QueueInfo:
    """A queue's settings and the agents logged in to it dynamically."""

    queue: Queue
    dynamic_agents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AgentStatus:
    agent: str
    state: AgentState


@dataclass(frozen=True, slots=True)
class QueueStatus:
    number: str
    waiting: int
    agents: tuple[AgentStatus, ...]


class ConfigOps(Protocol):
    @property
    def revision(self) -> Hashable:
        """A value that changes whenever a query's answer may change (objects, registrations,
        calls): equal revisions promise equal answers, so the API may reuse an encoded one.
        An engine that cannot tell returns a new value every time."""

    async def apply(self) -> None:
        """Save and apply pending changes; ``10025`` when asked again too soon."""

    # Extensions (docs/pbx-api/system-extensions.md). Pairs are (extension, status).
    async def list_extensions(self) -> list[tuple[Extension, str]]:
        """Every extension with its current status (``Registered``, ``Busy``, ...)."""

    async def query_extensions(self, numbers: Selection) -> list[tuple[Extension, str]]:
        """The named extensions (``10006`` if one is unknown), or all."""

    async def update_extension(self, number: str, changes: Changes) -> None:
        """Change an extension; a new ``number`` renames it and every reference to it."""

    # Trunks (docs/pbx-api/trunks-routes.md).
    async def list_trunks(self) -> list[Trunk]: ...

    async def query_sip_trunks(self, names: Selection) -> list[Trunk]: ...

    async def add_sip_trunk(self, fields: Changes) -> Trunk:
        """Create a SIP trunk from the given fields; the engine assigns its id."""

    async def update_sip_trunk(self, trunk_id: int, changes: Changes) -> None: ...

    async def delete_sip_trunks(self, names: Selection) -> None: ...

    # Inbound routes (docs/pbx-api/trunks-routes.md).
    async def query_inroutes(self, names: Selection) -> list[InboundRoute]: ...

    async def add_inroute(self, fields: Changes) -> InboundRoute: ...

    async def update_inroute(self, ref: RouteRef, changes: Changes) -> None: ...

    async def delete_inroutes(self, names: Selection) -> None: ...

    # Outbound routes (docs/pbx-api/trunks-routes.md).
    async def query_outroutes(self, names: Selection) -> list[OutboundRoute]: ...

    async def add_outroute(self, fields: Changes) -> OutboundRoute: ...

    async def update_outroute(self, ref: RouteRef, changes: Changes) -> None: ...

    async def delete_outroutes(self, names: Selection) -> None: ...

    # IVRs (docs/pbx-api/ivrs-queues-paging.md).
    async def query_ivrs(self, numbers: Selection) -> list[Ivr]: ...

    async def update_ivr(self, number: str, changes: Changes) -> None: ...

    # Queues (docs/pbx-api/ivrs-queues-paging.md).
    async def query_queues(self, numbers: Selection) -> list[QueueInfo]: ...

    async def update_queue(self, number: str, changes: Changes) -> None: ...

    async def queue_status(self, numbers: Selection) -> list[QueueStatus]: ...

    async def add_dynamic_agent(self, queue: str, extension: str, password: str | None) -> None:
        """Log an extension in to a queue (``10032`` for a wrong agent password)."""

    async def remove_dynamic_agent(
        self, queue: str, extension: str, password: str | None
    ) -> None: ...

    async def pause_agent(self, queue: str, extension: str) -> None: ...

    async def unpause_agent(self, queue: str, extension: str) -> None: ...

    # Paging and intercom groups (docs/pbx-api/ivrs-queues-paging.md).
    async def list_paging_groups(self) -> list[PagingGroup]: ...

    async def query_paging_groups(self, numbers: Selection) -> list[PagingGroup]: ...

    async def add_paging_group(self, fields: Changes) -> PagingGroup: ...

    async def update_paging_group(self, group_id: int, changes: Changes) -> None: ...

    async def delete_paging_groups(self, numbers: Selection) -> None: ...

    # Conference rooms (2.0.0 conference/query, conference/update).
    async def query_conferences(self, numbers: Selection) -> list[Conference]: ...

    async def update_conference(self, number: str, changes: Changes) -> None: ...
