"""Seeded decisions, one independent stream per key.

A run asks many questions (does caller 17 hang up early? how long does extension 2003 talk?).
Each key gets its own ``random.Random`` seeded from the text ``"<seed>/<key...>"`` (Python
hashes a ``str`` seed with SHA-512, so the stream is the same in every process, whatever
``PYTHONHASHSEED``): the answers for one call do not change when another call draws more or
fewer numbers, or when calls are handled in another order.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TypeVar

from yspbx.scenarios.distribution import Distribution

T = TypeVar("T")


def stream_seed(seed: int, *key: object) -> str:
    return "/".join([str(seed), *(str(k) for k in key)])


class Dice:
    """``Dice(seed, "call", 17)``: the stream of decisions for call 17 of a run."""

    __slots__ = ("key", "rng", "seed")

    def __init__(self, seed: int, *key: object) -> None:
        self.seed = seed
        self.key = key
        self.rng = random.Random(stream_seed(seed, *key))

    def sub(self, *key: object) -> Dice:
        """An independent stream under this one's key (``Dice(seed, *self.key, *key)``)."""
        return Dice(self.seed, *self.key, *key)

    def chance(self, p: float) -> bool:
        """True with probability ``p`` (always draws, so the stream's position is fixed)."""
        return self.rng.random() < p

    def pick(self, weights: Mapping[str, float]) -> str:
        """A key of ``weights``, chosen in proportion to its weight."""
        keys = list(weights)
        if not keys:
            raise ValueError("pick from no choices")
        total = sum(max(0.0, weights[k]) for k in keys)
        if total <= 0:
            return keys[0]
        point = self.rng.random() * total
        for key in keys:
            point -= max(0.0, weights[key])
            if point < 0:
                return key
        return keys[-1]

    def sample(self, dist: Distribution) -> float:
        """Seconds drawn from ``dist`` (>= 0)."""
        return dist.sample(self.rng)

    def choice(self, items: Sequence[T]) -> T:
        if not items:
            raise ValueError("choice from an empty list")
        return items[self.rng.randrange(len(items))]

    def uniform(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)

    def random(self) -> float:
        return self.rng.random()
