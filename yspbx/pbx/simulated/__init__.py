"""The simulated PBX: an engine that runs from the TOML config, with no telephony hardware."""

from yspbx.pbx.simulated.engine import SimulatedEngine

__all__ = ["SimulatedEngine"]
