"""The simulated PBX engine: the TOML file's PBX, with calls, timers and events, in memory."""

from __future__ import annotations

from yspbx.clock import Clock
from yspbx.pbx.engine import DeviceInfo, EventListener
from yspbx.pbx.events import DomainEvent
from yspbx.pbx.settings import PbxSettings
from yspbx.pbx.simulated.calls import SimulatedCalls
from yspbx.pbx.simulated.config import SimulatedConfig
from yspbx.pbx.simulated.events import EventBus
from yspbx.pbx.timefmt import format_duration, format_time, format_zone, parse_zone
from yspbx.scheduler import Scheduler
from yspbx.store.base import StateStore


class SimulatedEngine:
    def __init__(
        self,
        settings: PbxSettings,
        clock: Clock,
        scheduler: Scheduler,
        state: StateStore,
        booted_at: float | None = None,
    ) -> None:
        """``booted_at``: since when ``deviceinfo/query`` counts the uptime (now when not
        given); an engine rebuilt by a reset keeps its predecessor's."""
        self._settings = settings
        self._clock = clock
        self._zone = parse_zone(settings.device.timezone)
        self._booted_at = clock.now() if booted_at is None else booted_at
        self.bus = EventBus()
        self.config = SimulatedConfig(settings, state, self.bus, clock)
        self.calls = SimulatedCalls(settings, self.config, clock, scheduler, state, self.bus)

    def subscribe(self, listener: EventListener) -> None:
        self.bus.subscribe(listener)

    async def emit(self, event: DomainEvent) -> None:
        await self.bus.emit(event)

    async def start(self) -> None:
        await self.config.start()
        await self.calls.start()

    async def stop(self) -> None:
        return None

    @property
    def booted_at(self) -> float:
        return self._booted_at

    @property
    def serial_number(self) -> str:
        return self._settings.device.sn

    def status_monitored(self, number: str) -> bool:
        extension = self.config.extensions.get(number)
        return extension is None or extension.status_monitor

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
