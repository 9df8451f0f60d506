"""Distributions of seconds (talk time, patience, answer delay...): a plain number or a table
``{dist = "lognormal", mean = 180, sd = 90}``. Every sample is clamped to ``[min, max]`` and
never below 0, so no draw can make a negative delay."""

from __future__ import annotations

import math
import random
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

DistKind = Literal["fixed", "uniform", "exponential", "normal", "lognormal"]

# Which keys each kind needs (besides the optional min / max).
_NEEDS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "exponential": ("mean",),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
}


class Distribution(BaseModel):
    """A distribution of non-negative seconds; ``sample(rng)`` draws one value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dist: DistKind = "fixed"
    value: float | None = None
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _number_is_fixed(cls, data: Any) -> Any:
        if isinstance(data, bool):
            raise ValueError(f"must be seconds or a distribution table (got {data!r})")
        if isinstance(data, int | float):
            return {"dist": "fixed", "value": data}
        if isinstance(data, dict) and "dist" not in data and "value" in data:
            return {"dist": "fixed", **data}
        return data

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        for key in _NEEDS[self.dist]:
            if getattr(self, key) is None:
                raise ValueError(f"dist {self.dist!r} needs {' and '.join(_NEEDS[self.dist])}")
        for key in ("value", "low", "high", "mean", "sd", "min", "max"):
            number = getattr(self, key)
            if number is not None and (number < 0 or not math.isfinite(number)):
                raise ValueError(f"{key} must be a finite number >= 0 (got {number!r})")
        if self.dist == "uniform" and (self.high or 0.0) < (self.low or 0.0):
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        if self.dist == "lognormal" and not self.mean:
            raise ValueError("lognormal needs mean > 0")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) must be >= min ({self.min})")
        return self

    @classmethod
    def fixed(cls, seconds: float) -> Distribution:
        return cls(dist="fixed", value=seconds)

    def sample(self, rng: random.Random) -> float:
        """One draw from ``rng``; always >= 0 and within ``[min, max]``."""
        raw = self._draw(rng)
        if self.min is not None:
            raw = max(raw, self.min)
        if self.max is not None:
            raw = min(raw, self.max)
        return max(0.0, raw)

    def _draw(self, rng: random.Random) -> float:
        if self.dist == "fixed":
            return float(self.value or 0.0)
        if self.dist == "uniform":
            return rng.uniform(float(self.low or 0.0), float(self.high or 0.0))
        mean = float(self.mean or 0.0)
        if self.dist == "exponential":
            return rng.expovariate(1.0 / mean) if mean > 0 else 0.0
        sd = float(self.sd or 0.0)
        if self.dist == "normal":
            return rng.gauss(mean, sd)
        # lognormal given by the mean and sd of the values themselves (what a scenario author
        # knows: "talk 180 s on average, give or take 90"), not of their logarithm.
        sigma2 = math.log(1.0 + (sd / mean) ** 2)
        mu = math.log(mean) - sigma2 / 2.0
        return rng.lognormvariate(mu, math.sqrt(sigma2))

    @property
    def average(self) -> float:
        """The distribution's mean before clamping (for summaries and sanity checks)."""
        if self.dist == "fixed":
            return float(self.value or 0.0)
        if self.dist == "uniform":
            return (float(self.low or 0.0) + float(self.high or 0.0)) / 2.0
        return float(self.mean or 0.0)
