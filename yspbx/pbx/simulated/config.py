"""The simulated PBX's configuration: the TOML file's objects, as the engine holds them."""

from __future__ import annotations

import copy
from collections.abc import Callable

from yspbx.config import Settings
from yspbx.pbx.events import ExtensionState, ExtensionStatusChanged
from yspbx.pbx.models import (
    Extension,
    InboundRoute,
    Ivr,
    OutboundRoute,
    PagingGroup,
    Queue,
    RingGroup,
    Trunk,
)
from yspbx.pbx.simulated.events import EventBus
from yspbx.store.base import StateStore

# Asked for an extension's call status (None when it is in no call).
CallStatusProvider = Callable[[str], str | None]


class SimulatedConfig:
    def __init__(self, settings: Settings, state: StateStore, bus: EventBus) -> None:
        self._settings = settings
        self._state = state
        self._bus = bus
        self._call_status: CallStatusProvider = lambda number: None
        self.extensions: dict[str, Extension] = {}
        self.trunks: dict[str, Trunk] = {}
        self.inroutes: dict[str, InboundRoute] = {}
        self.outroutes: dict[str, OutboundRoute] = {}
        self.ivrs: dict[str, Ivr] = {}
        self.queues: dict[str, Queue] = {}
        self.ringgroups: dict[str, RingGroup] = {}
        self.paginggroups: dict[str, PagingGroup] = {}
        self.prompts: list[str] = []
        self.load_defaults()

    def load_defaults(self) -> None:
        """Take the configuration file's objects (a fresh copy: API changes never leak back)."""
        s = copy.deepcopy(self._settings)
        self.extensions = {e.number: e for e in s.extensions}
        self.trunks = {t.name: t for t in s.trunks}
        self.inroutes = {r.name: r for r in s.inroutes}
        self.outroutes = {r.name: r for r in s.outroutes}
        self.ivrs = {i.number: i for i in s.ivrs}
        self.queues = {q.number: q for q in s.queues}
        self.ringgroups = {r.number: r for r in s.ringgroups}
        self.paginggroups = {g.number: g for g in s.paginggroups}
        self.prompts = list(s.prompts)

    def use_call_status(self, provider: CallStatusProvider) -> None:
        """Let the call engine say which extensions ring, talk or hold."""
        self._call_status = provider

    def status(self, extension: Extension) -> str:
        """The status ``extensionlist/query`` shows: call state first, then registration."""
        in_call = self._call_status(extension.number)
        if in_call is not None:
            return in_call
        if not extension.registered:
            return "Unavailable"
        return "Idle" if extension.type == "FXS" else "Registered"

    async def list_extensions(self) -> list[tuple[Extension, str]]:
        return [(e, self.status(e)) for e in self.extensions.values()]

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
        if extension.status_monitor:
            status: ExtensionState = "Registered" if registered else "Unregistered"
            await self._bus.emit(ExtensionStatusChanged(number, status))
