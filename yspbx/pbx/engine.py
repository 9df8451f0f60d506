"""The engine interface: everything the API layer may ask of a PBX.

The API layer calls these methods and shapes their answers for the wire; it never touches PBX
state itself. The simulated PBX implements this protocol today, and a real engine (Asterisk over
AMI) can implement it later without the API noticing. Simulator-only controls (ringing a phone
from outside, registering a phone) are not here: they live on the simulated engine and are
reached through :mod:`yspbx.sim`.

The interface has two halves, ``config`` (:mod:`yspbx.pbx.config_ops`) and ``calls``
(:mod:`yspbx.pbx.call_ops`). Methods take and return plain data, so a proxy can forward them to
an engine in another process. Failures are raised as :class:`yspbx.errors.PbxError`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from yspbx.pbx.call_ops import CallOps
from yspbx.pbx.config_ops import ConfigOps
from yspbx.pbx.events import DomainEvent

EventListener = Callable[[DomainEvent], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    devicename: str
    sn: str
    hardwarever: str
    firmwarever: str
    systemtime: str
    uptime: str
    extensionstatus: str


class Engine(Protocol):
    @property
    def config(self) -> ConfigOps: ...

    @property
    def calls(self) -> CallOps: ...

    def subscribe(self, listener: EventListener) -> None:
        """Have ``listener`` awaited with every domain event, in the order they happen."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    @property
    def serial_number(self) -> str: ...

    def status_monitored(self, number: str) -> bool:
        """Whether extension ``number``'s status changes are reported (its "status monitor"
        switch); True for a number that is no extension. The report fan-out asks it for every
        event, in the engine's process, so it answers at once."""

    async def device_info(self) -> DeviceInfo: ...
