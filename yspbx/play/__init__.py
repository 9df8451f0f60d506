"""Playing a scenario (:mod:`yspbx.scenarios`) on one PBX's seat: the clock driven by the run,
the callers and phones that react to the engine's events, report delivery pacing the run, and
the summary. ``/sim/v1/scenarios`` (:mod:`yspbx.sim.scenario_routes`) starts and watches runs;
docs/scenarios.md, "Running a scenario", says what a run does."""

from yspbx.play.runs import RunConflict, ScenarioRuns
from yspbx.play.speed import Speed, parse_speed
from yspbx.play.summary import Summary

__all__ = ["RunConflict", "ScenarioRuns", "Speed", "Summary", "parse_speed"]
