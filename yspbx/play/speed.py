"""How fast a run goes: ``max`` (from event to event, as fast as the engine and the receiver
allow), ``realtime`` (PBX time follows the wall) or ``<N>x`` (N PBX seconds per wall second)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_FACTOR = re.compile(r"(\d+(?:\.\d+)?)x")
# Beyond this a run might as well be played at max.
MAX_FACTOR = 1_000_000.0


@dataclass(frozen=True, slots=True)
class Speed:
    """``factor`` PBX seconds per wall second; None: as fast as possible."""

    factor: float | None

    @property
    def text(self) -> str:
        if self.factor is None:
            return "max"
        if self.factor == 1:
            return "realtime"
        return f"{self.factor:g}x"


def parse_speed(text: str) -> Speed:
    """``max``, ``realtime`` or ``<N>x`` (N > 0); ValueError with a sentence otherwise."""
    word = text.strip().lower()
    if word == "max":
        return Speed(None)
    if word == "realtime":
        return Speed(1.0)
    match = _FACTOR.fullmatch(word)
    if match is not None:
        factor = float(match.group(1))
        if 0 < factor <= MAX_FACTOR and math.isfinite(factor):
            return Speed(factor)
    raise ValueError(
        f"speed {text[:32]!r}: use max, realtime or <N>x (like 60x, N between 0 and "
        f"{MAX_FACTOR:.0f})"
    )
