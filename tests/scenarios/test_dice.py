"""Dice: one independent, reproducible stream per key; distributions clamped as documented."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from random import Random

import pytest

from yspbx.scenarios import Dice, Distribution


def draws(dice: Dice, n: int = 5) -> list[float]:
    return [dice.random() for _ in range(n)]


def test_a_key_draws_the_same_whatever_other_keys_drew_first() -> None:
    alone = draws(Dice(1, "call", 17))
    busy = Dice(1, "call", 16)
    draws(busy, 1000)
    interleaved = Dice(1, "call", 17)
    other = Dice(1, "phone", "2000")
    mixed = []
    for _ in range(5):
        draws(other, 3)
        mixed.append(interleaved.random())
    assert mixed == alone
    assert draws(Dice(1, "call", 18)) != alone
    assert draws(Dice(2, "call", 17)) != alone
    assert draws(Dice(1, "call", 17).sub("talk")) == draws(Dice(1, "call", 17, "talk"))


def test_streams_do_not_depend_on_the_process_hash_seed() -> None:
    code = (
        "import json; from yspbx.scenarios import Dice; "
        "d = Dice(42, 'call', 3); print(json.dumps([d.random() for _ in range(3)]))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert json.loads(runs[0]) == json.loads(runs[1]) == draws(Dice(42, "call", 3), 3)


def test_pick_follows_the_weights_and_choice_is_uniform() -> None:
    dice = Dice(5, "ivr")
    picks = [dice.pick({"1": 0.6, "2": 0.3, "": 0.1}) for _ in range(10_000)]
    share = {k: picks.count(k) / len(picks) for k in ("1", "2", "")}
    assert share["1"] == pytest.approx(0.6, abs=0.03)
    assert share["2"] == pytest.approx(0.3, abs=0.03)
    assert share[""] == pytest.approx(0.1, abs=0.02)
    assert dice.pick({"never": 0, "always": 1}) == "always"
    chosen = {dice.choice(["a", "b", "c"]) for _ in range(100)}
    assert chosen == {"a", "b", "c"}
    hits = sum(dice.chance(0.25) for _ in range(10_000))
    assert 2200 < hits < 2800


@pytest.mark.parametrize(
    ("dist", "mean"),
    [
        (Distribution.model_validate(30), 30),
        (Distribution.model_validate({"dist": "uniform", "low": 10, "high": 20}), 15),
        (Distribution.model_validate({"dist": "exponential", "mean": 90}), 90),
        (Distribution.model_validate({"dist": "lognormal", "mean": 180, "sd": 90}), 180),
        (Distribution.model_validate({"dist": "normal", "mean": 60, "sd": 5}), 60),
    ],
)
def test_each_distribution_has_its_mean(dist: Distribution, mean: float) -> None:
    rng = Random("mean")
    values = [dist.sample(rng) for _ in range(20_000)]
    assert statistics.fmean(values) == pytest.approx(mean, rel=0.03)
    assert dist.average == mean


def test_samples_are_never_negative_and_stay_within_min_and_max() -> None:
    rng = Random("clamp")
    wide = Distribution.model_validate({"dist": "normal", "mean": 1, "sd": 50})
    assert min(wide.sample(rng) for _ in range(5000)) == 0.0
    bounded = Distribution.model_validate(
        {"dist": "exponential", "mean": 100, "min": 10, "max": 120}
    )
    values = [bounded.sample(rng) for _ in range(5000)]
    assert min(values) == 10
    assert max(values) == 120
