"""The simulated PBX engine: the TOML file's PBX, with calls, timers and events, in memory."""

from __future__ import annotations

from yspbx.clock import Clock
from yspbx.config import Settings
from yspbx.pbx.engine import DeviceInfo, EventListener
from yspbx.pbx.events import DomainEvent
from yspbx.pbx.simulated.calls import SimulatedCalls
from yspbx.pbx.simulated.config import SimulatedConfig
from yspbx.pbx.simulated.events import EventBus
from yspbx.pbx.timefmt import format_duration, format_time, format_zone, parse_zone
from yspbx.scheduler import Scheduler
from yspbx.store.base import StateStore


class SimulatedPbx:
    def __init__(
        self, settings: Settings, clock: Clock, scheduler: Scheduler, state: StateStore
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._zone = parse_zone(settings.device.timezone)
        self._booted_at = clock.now()
        self.bus = EventBus()
        self.config = SimulatedConfig(settings, state, self.bus, clock)
        self.calls = SimulatedCalls(settings, self.config, clock, scheduler, state, self.bus)

    def subscribe(self, listener: EventListener) -> None:
        self.bus.subscribe(listener)

    async def emit(self, event: DomainEvent) -> None:
        await self.bus.emit(event)

    async def start(self) -> None:
        self._booted_at = self._clock.now()
        await self.config.start()
        await self.calls.start()

    async def stop(self) -> None:
        return None

    async def reset(self) -> None:
        await self.calls.reset()
        await self.config.reset()

    @property
    def serial_number(self) -> str:
        return self._settings.device.sn

    async def extension_states(self) -> list[tuple[str, str]]:
        return [(e.number, status) for e, status in await self.config.list_extensions()]

    async def device_info(self) -> DeviceInfo:
        device = self._settings.device
        now = self._clock.now()
        registered = sum(1 for e in self.config.extensions.values() if e.registered)
        return DeviceInfo(
            devicename=device.devicename,
            sn=device.sn,
            hardwarever=device.hardwarever,
            firmwarever=device.firmwarever,
            systemtime=f"{format_time(now, self._zone)} {format_zone(self._zone)}",
            uptime=format_duration(now - self._booted_at),
            extensionstatus=f"{registered}/{device.max_extensions}",
        )
