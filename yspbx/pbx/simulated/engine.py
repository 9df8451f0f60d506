"""The simulated PBX engine: the configuration objects of the TOML file, kept in memory."""

from __future__ import annotations

import copy
import logging

from yspbx.clock import Clock
from yspbx.config import Settings
from yspbx.pbx.engine import DeviceInfo, EventListener
from yspbx.pbx.events import DomainEvent, ExtensionState, ExtensionStatusChanged
from yspbx.pbx.models import Extension
from yspbx.pbx.timefmt import format_duration, format_time, parse_zone
from yspbx.scheduler import Scheduler
from yspbx.store.base import StateStore

log = logging.getLogger(__name__)


class SimulatedPbx:
    def __init__(
        self, settings: Settings, clock: Clock, scheduler: Scheduler, state: StateStore
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._scheduler = scheduler
        self._state = state
        self._zone = parse_zone(settings.device.timezone)
        self._listeners: list[EventListener] = []
        self._booted_at = clock.now()
        self.extensions: dict[str, Extension] = {}
        self._load_config()

    def _load_config(self) -> None:
        self.extensions = {e.number: copy.deepcopy(e) for e in self._settings.extensions}

    def subscribe(self, listener: EventListener) -> None:
        self._listeners.append(listener)

    async def emit(self, event: DomainEvent) -> None:
        for listener in self._listeners:
            try:
                await listener(event)
            except Exception:
                log.exception("event listener failed on %r", event)

    async def start(self) -> None:
        self._booted_at = self._clock.now()

    async def stop(self) -> None:
        return None

    async def reset(self) -> None:
        self._load_config()

    @property
    def serial_number(self) -> str:
        return self._settings.device.sn

    def _status(self, extension: Extension) -> str:
        if not extension.registered:
            return "Unavailable"
        return "Idle" if extension.type == "FXS" else "Registered"

    async def extension_states(self) -> list[tuple[str, str]]:
        return [(number, self._status(e)) for number, e in self.extensions.items()]

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
            await self.emit(ExtensionStatusChanged(number, status))

    async def device_info(self) -> DeviceInfo:
        device = self._settings.device
        now = self._clock.now()
        registered = sum(1 for e in self.extensions.values() if e.registered)
        return DeviceInfo(
            devicename=device.devicename,
            sn=device.sn,
            hardwarever=device.hardwarever,
            firmwarever=device.firmwarever,
            systemtime=f"{format_time(now, self._zone)} {device.timezone}",
            uptime=format_duration(now - self._booted_at),
            extensionstatus=f"{registered}/{device.max_extensions}",
        )
