"""The runs of one PBX: at most one at a time, the last few kept for their summaries."""

from __future__ import annotations

import itertools
from collections import OrderedDict

from yspbx.play.runner import Run
from yspbx.play.speed import Speed
from yspbx.scenarios import Scenario
from yspbx.services import Services

# Finished runs kept for GET /sim/v1/scenarios (the oldest go first).
KEEP = 20


class RunConflict(Exception):
    """A run is going on this PBX already."""


class ScenarioRuns:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._runs: OrderedDict[str, Run] = OrderedDict()
        self._ids = itertools.count(1)

    @property
    def current(self) -> Run | None:
        for run in reversed(self._runs.values()):
            if run.running:
                return run
        return None

    async def start(
        self,
        scenario: Scenario,
        *,
        seed: int,
        speed: Speed,
        duration: float,
        source: str,
    ) -> Run:
        current = self.current
        if current is not None:
            raise RunConflict(f"scenario run {current.id} is still {current.state}")
        run = Run(
            str(next(self._ids)),
            self._services,
            scenario,
            seed=seed,
            speed=speed,
            duration=duration,
            source=source,
        )
        # Registered before the first await: a second request meanwhile finds it (409).
        self._runs[run.id] = run
        try:
            await run.add_objects()
        except BaseException:
            del self._runs[run.id]
            raise
        while len(self._runs) > KEEP:
            oldest = next(iter(self._runs.values()))
            if oldest.running:
                break
            self._runs.popitem(last=False)
        run.start()
        return run

    def get(self, run_id: str) -> Run | None:
        return self._runs.get(run_id)

    def all(self) -> list[Run]:
        return list(self._runs.values())

    async def stop_current(self) -> None:
        """Stop the run going on, if any (before a reset)."""
        current = self.current
        if current is not None:
            await current.stop()
