"""The simulated PBX's calls: the call engine behind the call endpoints."""

from __future__ import annotations

from yspbx.clock import Clock
from yspbx.config import Settings
from yspbx.pbx.simulated.config import SimulatedConfig
from yspbx.pbx.simulated.events import EventBus
from yspbx.scheduler import Scheduler
from yspbx.store.base import StateStore


class SimulatedCalls:
    def __init__(
        self,
        settings: Settings,
        config: SimulatedConfig,
        clock: Clock,
        scheduler: Scheduler,
        state: StateStore,
        bus: EventBus,
    ) -> None:
        self._settings = settings
        self._config = config
        self._clock = clock
        self._scheduler = scheduler
        self._state = state
        self._bus = bus
        config.use_call_status(self.extension_status)

    def extension_status(self, number: str) -> str | None:
        return None

    async def reset(self) -> None:
        return None
