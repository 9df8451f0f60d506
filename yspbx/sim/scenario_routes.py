"""``/sim/v1/scenarios``: play a scenario on this PBX (docs/control-plane.md, "Scenarios").

``POST`` starts a run (202, its id; 409 while another runs on the same PBX; 400 with the
scenario's own error text for a bad file), ``GET`` lists the runs and shows one (state,
progress, summary), ``POST .../stop`` stops one. Each PBX (the default one, each hosted one)
has its own runs. ``POST /sim/v1/reset`` stops the PBX's run first.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from yspbx.pbx.simulated.additions import ObjectsRefused
from yspbx.play import RunConflict, ScenarioRuns, parse_speed
from yspbx.play.runner import Run
from yspbx.scenarios import Scenario, ScenarioError, builtin_names, load, load_builtin
from yspbx.services import Services, ServicesHolder
from yspbx.sim.bodies import json_object, optional_text
from yspbx.sim.errors import bad_request, conflict, not_found

# A run's length is at most a year of PBX time.
MAX_DURATION = 366 * 86400.0


class ScenarioBoard:
    """The runs of every PBX this process serves (each Services has its own)."""

    def __init__(self, holder: ServicesHolder) -> None:
        self._holder = holder
        self._runs: dict[int, tuple[Services, ScenarioRuns]] = {}

    def runs(self, services: Services | None = None) -> ScenarioRuns:
        services = services or self._holder.services
        found = self._runs.get(id(services))
        if found is None or found[0] is not services:
            found = (services, ScenarioRuns(services))
            self._runs[id(services)] = found
        return found[1]

    async def stop(self, services: Services) -> None:
        """Stop the PBX's run, if one goes on (a reset is coming)."""
        found = self._runs.get(id(services))
        if found is not None and found[0] is services:
            await found[1].stop_current()


def _scenario(data: dict[str, Any]) -> tuple[Scenario, str]:
    name = optional_text(data, "scenario")
    text = optional_text(data, "text")
    if (name is None) == (text is None):
        raise bad_request("give either 'scenario' (a built-in name) or 'text' (a scenario file)")
    try:
        if name is not None:
            if name not in builtin_names():
                raise bad_request(
                    f"no built-in scenario {name[:64]!r} (built-in: {', '.join(builtin_names())})"
                )
            return load_builtin(name), name
        assert text is not None
        source = optional_text(data, "source") or "<scenario>"
        return load(text, source[:200]), source[:200]
    except ScenarioError as exc:
        raise bad_request(str(exc)) from None


def _seed(data: dict[str, Any], default: int) -> int:
    value = data.get("seed")
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 2**63:
        raise bad_request("'seed' must be an integer")
    return value


def _duration(data: dict[str, Any], default: float) -> float:
    value = data.get("duration")
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise bad_request("'duration' must be a number of seconds")
    if not 0 < value <= MAX_DURATION:
        raise bad_request(f"'duration' must be between 0 and {MAX_DURATION:.0f} seconds")
    return float(value)


def build_scenario_routes(board: ScenarioBoard) -> list[Route]:
    def run_of(request: Request) -> Run:
        run = board.runs().get(request.path_params["run"])
        if run is None:
            raise not_found(f"no scenario run {request.path_params['run'][:32]!r}")
        return run

    async def start(request: Request) -> JSONResponse:
        data = await json_object(request)
        scenario, source = _scenario(data)
        try:
            speed = parse_speed(optional_text(data, "speed") or "max")
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        seed = _seed(data, scenario.seed)
        duration = _duration(data, scenario.duration)
        try:
            run = await board.runs().start(
                scenario, seed=seed, speed=speed, duration=duration, source=source
            )
        except RunConflict as exc:
            raise conflict(str(exc)) from None
        except ObjectsRefused as exc:
            raise bad_request(f"{source}: pbx: {exc}") from None
        return JSONResponse(run.describe(), status_code=202)

    async def listing(request: Request) -> JSONResponse:
        return JSONResponse([run.describe() for run in board.runs().all()])

    async def one(request: Request) -> JSONResponse:
        return JSONResponse(run_of(request).describe())

    async def stop(request: Request) -> JSONResponse:
        run = run_of(request)
        await run.stop()
        return JSONResponse(run.describe())

    async def builtins(request: Request) -> JSONResponse:
        return JSONResponse(builtin_names())

    return [
        Route("/scenarios", start, methods=["POST"]),
        Route("/scenarios", listing, methods=["GET"]),
        Route("/scenarios/builtin", builtins, methods=["GET"]),
        Route("/scenarios/{run}", one, methods=["GET"]),
        Route("/scenarios/{run}/stop", stop, methods=["POST"]),
    ]
