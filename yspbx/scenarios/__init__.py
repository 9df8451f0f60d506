"""Scenarios: what a day of traffic says (pure: no server, no engine).

A scenario file (TOML) describes traffic, not steps: how often calls arrive and where, what
callers and phones do, which PBX objects the scenario needs. This package loads and validates
such a file, keeps the built-in library, and turns a scenario and a seed into its arrivals and
seeded decisions. Playing it on a PBX is :mod:`yspbx.play`'s job. See docs/scenarios.md.
"""

from yspbx.scenarios.arrivals import Arrival, arrivals
from yspbx.scenarios.dice import Dice
from yspbx.scenarios.distribution import Distribution
from yspbx.scenarios.errors import ScenarioError
from yspbx.scenarios.loader import builtin_names, builtin_text, load, load_builtin, load_file
from yspbx.scenarios.model import (
    Agents,
    Inbound,
    Outbound,
    PbxSection,
    Phones,
    PhoneSettings,
    Scenario,
    Sms,
    Wakeup,
)

__all__ = [
    "Agents",
    "Arrival",
    "Dice",
    "Distribution",
    "Inbound",
    "Outbound",
    "PbxSection",
    "PhoneSettings",
    "Phones",
    "Scenario",
    "ScenarioError",
    "Sms",
    "Wakeup",
    "arrivals",
    "builtin_names",
    "builtin_text",
    "load",
    "load_builtin",
    "load_file",
]
