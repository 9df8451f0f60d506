"""The simulated PBX: an engine that runs from the TOML config, with no telephony hardware."""

from yspbx.pbx.simulated.engine import SimulatedPbx

__all__ = ["SimulatedPbx"]
