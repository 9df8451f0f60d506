"""The simulated PBX's configuration: the :class:`~yspbx.pbx.config_ops.ConfigOps` operations,
extension registration and queue agents, on the tables of
:class:`~yspbx.pbx.simulated.tables.ConfigTables`.

The tables (``extensions``, ``trunks``, ``inroutes``, ...) are plain dicts of the dataclasses of
:mod:`yspbx.pbx.models`, keyed by number or name and listed in the PBX's order. The call engine
reads them directly; they are changed in place (same dict, same objects), so a reference the
call engine holds stays current. What this module needs from the call engine (who is in a call,
who waits in a queue) it asks through :class:`CallHooks`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from yspbx.clock import Clock
from yspbx.errors import Errno, PbxError
from yspbx.pbx.config_ops import (
    AgentState,
    AgentStatus,
    Changes,
    QueueInfo,
    QueueStatus,
    RouteRef,
    Selection,
)
from yspbx.pbx.events import ConfigChanged, DomainEvent, ExtensionState, ExtensionStatusChanged
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
from yspbx.pbx.settings import PbxSettings
from yspbx.pbx.simulated import additions, kinds, references
from yspbx.pbx.simulated.events import EventBus
from yspbx.pbx.simulated.queue_agents import QueueMember
from yspbx.pbx.simulated.rules.conferences import check_conference
from yspbx.pbx.simulated.rules.extensions import check_extension
from yspbx.pbx.simulated.rules.ivrs import check_ivr
from yspbx.pbx.simulated.rules.paging import check_paging_group
from yspbx.pbx.simulated.rules.queues import check_queue
from yspbx.pbx.simulated.rules.routes import check_inroute, check_outroute
from yspbx.pbx.simulated.rules.trunks import check_sip_trunk
from yspbx.pbx.simulated.tables import ConfigTables
from yspbx.store.base import StateStore

T = TypeVar("T")

# Asked for an extension's call status (None when it is in no call).
CallStatusProvider = Callable[[str], str | None]

# ``apply`` may run once per this many seconds of the server clock; sooner answers 10025.
APPLY_INTERVAL = 10.0

_CALL_STATE_AGENT = {
    "Ringing": AgentState.RINGING,
    "Busy": AgentState.INUSE,
    "Hold": AgentState.ONHOLD,
}


def _no_call(number: str) -> str | None:
    return None


def _no_waiting_callers(queue: str) -> int:
    return 0


def _no_agent_state(queue: str, agent: str) -> AgentState | None:
    return None


def _trunk_idle(name: str) -> bool:
    return False


def _no_calls_revision() -> int:
    return 0


@dataclass
class CallHooks:
    """What the configuration asks of the call engine; the defaults describe a PBX with no calls.

    ``extension_status``: ``Ringing``, ``Busy`` or ``Hold`` while the extension is in a call
    (an extension in a call cannot be given a new number: ``10017``). ``queue_waiting``: the
    callers waiting in a queue. ``agent_state``: a queue-specific agent state the call engine
    knows better (``WRAPUP``, ``RINGINUSE``), else None. ``trunk_in_use``: a trunk carrying a
    call cannot be deleted (``10061``). ``status_revision``: grows whenever any extension's
    call status may have changed.
    """

    extension_status: CallStatusProvider = _no_call
    status_revision: Callable[[], int] = _no_calls_revision
    queue_waiting: Callable[[str], int] = _no_waiting_callers
    agent_state: Callable[[str, str], AgentState | None] = _no_agent_state
    trunk_in_use: Callable[[str], bool] = _trunk_idle


class SimulatedConfig(ConfigTables):
    def __init__(
        self, settings: PbxSettings, state: StateStore, bus: EventBus, clock: Clock | None = None
    ) -> None:
        self._bus = bus
        self._clock = clock or Clock()
        self._last_apply: float | None = None
        self.hooks = CallHooks()
        # Tells this engine's revisions from those of an engine before it (a takeover).
        self._epoch = id(self) ^ secrets.randbits(48)
        super().__init__(settings, state)

    async def _emit(self, events: Iterable[DomainEvent]) -> None:
        for event in events:
            await self._bus.emit(event)

    # Extension status and registration (the call engine and the control plane use these).

    @property
    def revision(self) -> tuple[int, int, int]:
        """Changes whenever a query's answer may change: the objects, registrations, calls."""
        return (self._epoch, self._revision, self.hooks.status_revision())

    def use_call_status(self, provider: CallStatusProvider) -> None:
        """Let the call engine say which extensions ring, talk or hold."""
        self.hooks.extension_status = provider

    def status(self, extension: Extension) -> str:
        """The status ``extensionlist/query`` shows: call state first, then registration."""
        in_call = self.hooks.extension_status(extension.number)
        if in_call is not None:
            return in_call
        if not extension.registered:
            return "Unavailable"
        return "Idle" if extension.type == "FXS" else "Registered"

    def is_registered(self, number: str) -> bool | None:
        """Whether the extension's phone is registered; None when there is no such extension."""
        extension = self.extensions.get(number)
        return None if extension is None else extension.registered

    async def set_registered(self, number: str, registered: bool) -> None:
        """A phone registers or drops its registration (simulator control)."""
        extension = self.extensions[number]
        if extension.registered == registered:
            return
        extension.registered = registered
        self._revision += 1
        if extension.status_monitor:
            status: ExtensionState = "Registered" if registered else "Unregistered"
            await self._bus.emit(ExtensionStatusChanged(number, status))

    # Queue members (the call engine rings the agents that are not paused).

    def queue_members(self, queue: str) -> list[QueueMember]:
        """Static then dynamic agents of a queue, each with its pause; [] for no such queue."""
        found = self.queues.get(queue)
        return [] if found is None else self.queue_agents.members(queue, found.agents)

    def available_agents(self, queue: str) -> list[str]:
        """The agents the queue may ring: every member that is not paused."""
        return [m.agent for m in self.queue_members(queue) if not m.paused]

    def agent_state(self, queue: str, member: QueueMember) -> AgentState:
        extension = self.extensions.get(member.agent)
        if extension is None:
            return AgentState.INVALID
        if not extension.registered:
            return AgentState.UNAVAILABLE
        if member.paused:
            return AgentState.PAUSED
        known = self.hooks.agent_state(queue, member.agent)
        if known is not None:
            return known
        call = self.hooks.extension_status(member.agent) or ""
        return _CALL_STATE_AGENT.get(call, AgentState.NOT_INUSE)

    # Hotel check-out (the call engine's hotel/checkout does the rest).

    async def check_out(self, numbers: list[str]) -> None:
        """The rooms lose their outbound-route permissions and get back the name the
        configuration file gives them; ``ConfigChange`` for each room whose name changed."""
        async with self._lock:
            rooms = self._pick(self.extensions, numbers, Errno.EXTENSION_NOT_FOUND)
            renamed = []
            for room in rooms:
                for route in self.outroutes.values():
                    if room.number in route.extensions:
                        route.extensions = [e for e in route.extensions if e != room.number]
                filed = self._pristine[kinds.EXTENSIONS.table].get(room.number)
                name = filed.username if filed is not None else ""
                if room.username != name:
                    room.username = name
                    renamed.append(room.number)
            await self._save()
        await self._emit([ConfigChanged("extension", "update", number) for number in renamed])

    # Scenarios: the objects a scenario needs.

    async def add_objects(
        self, objects: Mapping[str, Sequence[Mapping[str, Any]]]
    ) -> additions.Added:
        """Add the objects (config file format, ``{"queues": [{...}], ...}``) the PBX lacks,
        all or none, stored like any other change (a restart keeps them); objects whose number
        or name the PBX has are left as they are. :class:`additions.ObjectsRefused` names the
        object and the problem. No reports: the PBX is set up, nothing happened on it."""
        async with self._lock:
            done, new = additions.add_objects(self, objects)
            if new:
                for kind in {kind.table: kind for kind, _ in new}.values():
                    self._fill(kind, list(self._table(kind).values()))
                await self._save()
        return done

    # ConfigOps: apply.

    async def apply(self) -> None:
        now = self._clock.now()
        if self._last_apply is not None and now - self._last_apply < APPLY_INTERVAL:
            raise PbxError(Errno.APPLY_TOO_FREQUENT)
        self._last_apply = now

    # ConfigOps: extensions.

    async def list_extensions(self) -> list[tuple[Extension, str]]:
        return [(e, self.status(e)) for e in self.extensions.values()]

    async def query_extensions(self, numbers: Selection) -> list[tuple[Extension, str]]:
        picked = self._pick(self.extensions, numbers, Errno.EXTENSION_NOT_FOUND)
        return [(e, self.status(e)) for e in picked]

    async def update_extension(self, number: str, changes: Changes) -> None:
        async with self._lock:
            extension = self._pick(self.extensions, [number], Errno.EXTENSION_NOT_FOUND)[0]
            renaming = changes.get("number", number) != number
            if renaming and self.hooks.extension_status(number) is not None:
                raise PbxError(Errno.EXTENSION_CONFIG_FAILED, f"{number} is in a call")
            self._change(
                kinds.EXTENSIONS, extension, changes, check_extension, references.rename_number
            )
            await self._save()
        await self._emit([ConfigChanged("extension", "update", extension.number)])

    # ConfigOps: trunks.

    async def list_trunks(self) -> list[Trunk]:
        return list(self.trunks.values())

    def _sip_trunks(self) -> dict[str, Trunk]:
        return {name: t for name, t in self.trunks.items() if t.type == "SIP"}

    async def query_sip_trunks(self, names: Selection) -> list[Trunk]:
        return self._pick(self._sip_trunks(), names, Errno.TRUNK_NOT_FOUND)

    async def add_sip_trunk(self, fields: Changes) -> Trunk:
        async with self._lock:
            if len(self._sip_trunks()) >= self._settings.device.max_sip_trunks:
                raise PbxError(Errno.TRUNK_LIMIT)
            blank = Trunk(name="", type="SIP", status="Registered")
            trunk: Trunk = self._add(kinds.TRUNKS, blank, fields, check_sip_trunk)
            await self._save()
        await self._emit([ConfigChanged("trunk", "add", trunk.name)])
        return trunk

    async def update_sip_trunk(self, trunk_id: int, changes: Changes) -> None:
        async with self._lock:
            by_id = {str(t.id): t for t in self._sip_trunks().values()}
            trunk = self._pick(by_id, [str(trunk_id)], Errno.TRUNK_NOT_FOUND)[0]
            self._change(kinds.TRUNKS, trunk, changes, check_sip_trunk, references.rename_trunk)
            await self._save()
        await self._emit([ConfigChanged("trunk", "update", trunk.name)])

    async def delete_sip_trunks(self, names: Selection) -> None:
        async with self._lock:
            doomed = self._pick(self._sip_trunks(), names, Errno.TRUNK_NOT_FOUND)
            busy = [t.name for t in doomed if self.hooks.trunk_in_use(t.name)]
            if busy:
                raise PbxError(Errno.TRUNK_DELETE_FAILED, f"{busy} carry calls")
            for trunk in doomed:
                references.detach_trunk(self, trunk.name)
                del self.trunks[trunk.name]
            await self._save()
        await self._emit([ConfigChanged("trunk", "del", t.name) for t in doomed])

    # ConfigOps: routes.

    def _route(self, table: dict[str, T], ref: RouteRef, errno: Errno) -> T:
        if isinstance(ref, int):
            by_id = {str(getattr(route, "id", "")): route for route in table.values()}
            return self._pick(by_id, [str(ref)], errno)[0]
        return self._pick(table, [ref], errno)[0]

    async def query_inroutes(self, names: Selection) -> list[InboundRoute]:
        return self._pick(self.inroutes, names, Errno.INROUTE_NOT_FOUND)

    async def add_inroute(self, fields: Changes) -> InboundRoute:
        async with self._lock:
            if len(self.inroutes) >= self._settings.device.max_inroutes:
                raise PbxError(Errno.INROUTE_LIMIT)
            blank = InboundRoute(name="", trunks=[], desttype="hangup")
            route: InboundRoute = self._add(kinds.INROUTES, blank, fields, check_inroute)
            await self._save()
        return route

    async def update_inroute(self, ref: RouteRef, changes: Changes) -> None:
        async with self._lock:
            route = self._route(self.inroutes, ref, Errno.INROUTE_NOT_FOUND)
            self._change(kinds.INROUTES, route, changes, check_inroute)
            await self._save()

    async def delete_inroutes(self, names: Selection) -> None:
        async with self._lock:
            for route in self._pick(self.inroutes, names, Errno.INROUTE_NOT_FOUND):
                del self.inroutes[route.name]
            await self._save()

    async def query_outroutes(self, names: Selection) -> list[OutboundRoute]:
        return self._pick(self.outroutes, names, Errno.OUTROUTE_NAME_INVALID)

    async def add_outroute(self, fields: Changes) -> OutboundRoute:
        async with self._lock:
            if len(self.outroutes) >= self._settings.device.max_outroutes:
                raise PbxError(Errno.OUTROUTE_LIMIT)
            blank = OutboundRoute(name="", prefix="", trunks=[])
            route: OutboundRoute = self._add(kinds.OUTROUTES, blank, fields, check_outroute)
            await self._save()
        return route

    async def update_outroute(self, ref: RouteRef, changes: Changes) -> None:
        async with self._lock:
            route = self._route(self.outroutes, ref, Errno.OUTROUTE_NAME_INVALID)
            self._change(
                kinds.OUTROUTES, route, changes, check_outroute, references.rename_outroute
            )
            await self._save()

    async def delete_outroutes(self, names: Selection) -> None:
        async with self._lock:
            for route in self._pick(self.outroutes, names, Errno.OUTROUTE_NAME_INVALID):
                del self.outroutes[route.name]
            await self._save()

    # ConfigOps: IVRs.

    async def query_ivrs(self, numbers: Selection) -> list[Ivr]:
        return self._pick(self.ivrs, numbers, Errno.IVR_NOT_FOUND)

    async def update_ivr(self, number: str, changes: Changes) -> None:
        async with self._lock:
            ivr = self._pick(self.ivrs, [number], Errno.IVR_NOT_FOUND)[0]
            self._change(kinds.IVRS, ivr, changes, check_ivr, references.rename_number)
            await self._save()

    # ConfigOps: queues.

    async def query_queues(self, numbers: Selection) -> list[QueueInfo]:
        picked = self._pick(self.queues, numbers, Errno.QUEUE_NOT_FOUND)
        return [
            QueueInfo(q, tuple(m.agent for m in self.queue_members(q.number) if m.dynamic))
            for q in picked
        ]

    async def update_queue(self, number: str, changes: Changes) -> None:
        async with self._lock:
            queue = self._pick(self.queues, [number], Errno.QUEUE_NOT_FOUND)[0]
            self._change(kinds.QUEUES, queue, changes, check_queue, references.rename_number)
            self.queue_agents.keep_only(queue.number, queue.agents)
            await self._save()

    async def queue_status(self, numbers: Selection) -> list[QueueStatus]:
        picked = self._pick(self.queues, numbers, Errno.QUEUE_NOT_FOUND)
        return [
            QueueStatus(
                number=q.number,
                waiting=self.hooks.queue_waiting(q.number),
                agents=tuple(
                    AgentStatus(m.agent, self.agent_state(q.number, m))
                    for m in self.queue_members(q.number)
                ),
            )
            for q in picked
        ]

    def _queue_and_agent(self, queue: str, extension: str) -> Queue:
        found = self._pick(self.queues, [queue], Errno.QUEUE_NOT_FOUND)[0]
        self._pick(self.extensions, [extension], Errno.EXTENSION_NOT_FOUND)
        return found

    @staticmethod
    def _check_agent_password(queue: Queue, password: str | None, missing: Errno) -> None:
        if queue.password and not password:
            raise PbxError(missing, f"queue {queue.number} needs its password")
        if queue.password and password != queue.password:
            raise PbxError(Errno.WRONG_PASSWORD, f"queue {queue.number}")

    async def add_dynamic_agent(self, queue: str, extension: str, password: str | None) -> None:
        async with self._lock:
            found = self._queue_and_agent(queue, extension)
            # The request's password is optional: left out for a queue that has one, it is
            # a wrong password (10032), not a missing required field (docs/fidelity.md).
            self._check_agent_password(found, password, Errno.WRONG_PASSWORD)
            if extension not in found.agents:
                self.queue_agents.log_in(queue, extension)
            await self._save()

    async def remove_dynamic_agent(self, queue: str, extension: str, password: str | None) -> None:
        async with self._lock:
            found = self._queue_and_agent(queue, extension)
            # Logging out, the sibling pages mark the password required.
            self._check_agent_password(found, password, Errno.MISSING_PARAMETER)
            self.queue_agents.log_out(queue, extension)
            await self._save()

    async def pause_agent(self, queue: str, extension: str) -> None:
        await self._set_paused(queue, extension, True)

    async def unpause_agent(self, queue: str, extension: str) -> None:
        await self._set_paused(queue, extension, False)

    async def _set_paused(self, queue: str, extension: str, paused: bool) -> None:
        async with self._lock:
            self._queue_and_agent(queue, extension)
            if extension not in {m.agent for m in self.queue_members(queue)}:
                raise PbxError(Errno.EXTENSION_NOT_FOUND, f"{extension} is no agent of {queue}")
            self.queue_agents.set_paused(queue, extension, paused)
            await self._save()

    # ConfigOps: paging groups.

    async def list_paging_groups(self) -> list[PagingGroup]:
        return list(self.paginggroups.values())

    async def query_paging_groups(self, numbers: Selection) -> list[PagingGroup]:
        return self._pick(self.paginggroups, numbers, Errno.NUMBER_NOT_FOUND)

    async def add_paging_group(self, fields: Changes) -> PagingGroup:
        async with self._lock:
            blank = PagingGroup(number="")
            group: PagingGroup = self._add(kinds.PAGINGGROUPS, blank, fields, check_paging_group)
            await self._save()
        return group

    async def update_paging_group(self, group_id: int, changes: Changes) -> None:
        async with self._lock:
            by_id = {str(g.id): g for g in self.paginggroups.values()}
            group = self._pick(by_id, [str(group_id)], Errno.NUMBER_NOT_FOUND)[0]
            self._change(
                kinds.PAGINGGROUPS, group, changes, check_paging_group, references.rename_number
            )
            await self._save()

    async def delete_paging_groups(self, numbers: Selection) -> None:
        async with self._lock:
            for group in self._pick(self.paginggroups, numbers, Errno.NUMBER_NOT_FOUND):
                del self.paginggroups[group.number]
            await self._save()

    # ConfigOps: conference rooms (2.0.0; an unknown number is 10004, the spec's inference).

    async def query_conferences(self, numbers: Selection) -> list[Conference]:
        return self._pick(self.conferences, numbers, Errno.MISSING_PARAMETER)

    async def update_conference(self, number: str, changes: Changes) -> None:
        async with self._lock:
            room = self._pick(self.conferences, [number], Errno.MISSING_PARAMETER)[0]
            self._change(kinds.CONFERENCES, room, changes, check_conference)
            await self._save()
