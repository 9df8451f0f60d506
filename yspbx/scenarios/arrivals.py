"""When the scenario's traffic arrives: every inbound call, outbound call, wake-up call and SMS
of a run, in time order, computed lazily from the scenario and a seed.

Each source draws from its own streams (one for times, one for numbers), seeded from
``(seed, kind, source name)``: adding a source or changing one's caller pool leaves the other
sources' arrivals as they were. The merged stream is ordered by time; ties are broken by kind
(inbound, outbound, wake-up, SMS), then the source's place in the file, then its own order.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from yspbx.scenarios.dice import stream_seed
from yspbx.scenarios.model import Inbound, Outbound, Scenario, Sms, Traffic, Wakeup
from yspbx.scenarios.units import DAY, fill_pattern, parse_time_of_day

ArrivalKind = Literal["inbound", "outbound", "wakeup", "sms"]
_KIND_ORDER: dict[str, int] = {"inbound": 0, "outbound": 1, "wakeup": 2, "sms": 3}
HOUR = 3600.0
_RateAt = Callable[[float], float]


@dataclass(frozen=True, slots=True)
class Arrival:
    """One arrival. ``at`` is PBX seconds after the scenario's start."""

    at: float
    index: int
    kind: ArrivalKind
    source: str
    caller: str
    dialled: str
    trunk: str | None


# (at, kind order, source position, own sequence, kind, source, caller, dialled, trunk)
_Item = tuple[float, int, int, int, str, str, str, str, str | None]


def arrivals(scenario: Scenario, seed: int, duration: float | None = None) -> Iterator[Arrival]:
    """Every arrival in ``[0, duration)`` (default: the scenario's duration), in time order."""
    end = float(scenario.duration if duration is None else duration)
    streams: list[Iterator[_Item]] = []
    for pos, inbound in enumerate(scenario.inbound):
        streams.append(_inbound(scenario, inbound, pos, seed, end))
    for pos, outbound in enumerate(scenario.outbound):
        streams.append(_outbound(scenario, outbound, pos, seed, end))
    for pos, wakeup in enumerate(scenario.wakeups):
        streams.append(_wakeups(scenario, wakeup, pos, seed, end))
    for pos, sms in enumerate(scenario.sms):
        streams.append(_sms(scenario, sms, pos, seed, end))
    for index, item in enumerate(heapq.merge(*streams)):
        at, _, _, _, kind, source, caller, dialled, trunk = item
        yield Arrival(at, index, kind, source, caller, dialled, trunk)  # type: ignore[arg-type]


def _rngs(seed: int, kind: str, name: str) -> tuple[random.Random, random.Random]:
    return (
        random.Random(stream_seed(seed, "arrivals", kind, name, "times")),
        random.Random(stream_seed(seed, "arrivals", kind, name, "numbers")),
    )


def times(traffic: Traffic, start_of_day: float, end: float, rng: random.Random) -> Iterator[float]:
    """The arrival times of one source in ``[0, end)`` (and its window), ascending."""
    low, high = 0.0, end
    if traffic.window is not None:
        low, high = max(low, traffic.window[0]), min(high, traffic.window[1])
    if high <= low:
        return iter(())
    if traffic.rate is not None:
        return _poisson(lambda _t: traffic.rate or 0.0, start_of_day, low, high, rng)
    if traffic.profile is not None:
        profile = traffic.profile
        return _poisson(
            lambda t: profile[int((start_of_day + t) // HOUR) % 24], start_of_day, low, high, rng
        )
    if traffic.count is not None:
        return iter(sorted(rng.uniform(low, high) for _ in range(traffic.count)))
    return iter(_explicit(traffic.at or [], start_of_day, low, high))


def _poisson(
    per_hour: _RateAt, start_of_day: float, low: float, high: float, rng: random.Random
) -> Iterator[float]:
    """A Poisson process whose rate is constant within each clock hour (the rate of the hour
    ``t`` falls in). An exponential draw that crosses the hour's end is dropped and drawing
    restarts at the boundary: exact for a memoryless process, and a zero hour yields nothing."""
    t = low
    while t < high:
        hour_end = (math.floor((start_of_day + t) / HOUR) + 1) * HOUR - start_of_day
        segment_end = min(hour_end, high)
        rate = per_hour(t) / HOUR
        if rate <= 0:
            t = segment_end
            continue
        step = rng.expovariate(rate)
        if t + step >= segment_end:
            t = segment_end
            continue
        t += step
        yield t


def _explicit(
    entries: list[float | str], start_of_day: float, low: float, high: float
) -> list[float]:
    """Numbers are seconds after the start; times of day recur every day of the run."""
    out: list[float] = []
    for entry in entries:
        if isinstance(entry, str):
            first = (parse_time_of_day(entry) - start_of_day) % DAY
            t = first
            while t < high:
                if t >= low:
                    out.append(t)
                t += DAY
        elif low <= entry < high:
            out.append(entry)
    return sorted(out)


def _inbound(scenario: Scenario, src: Inbound, pos: int, seed: int, end: float) -> Iterator[_Item]:
    timing, numbers = _rngs(seed, "inbound", src.name)
    for seq, at in enumerate(times(src, scenario.start_of_day, end, timing)):
        caller = fill_pattern(src.callers[numbers.randrange(len(src.callers))], numbers)
        yield (at, 0, pos, seq, "inbound", src.name, caller, src.did, src.trunk)


def _outbound(
    scenario: Scenario, src: Outbound, pos: int, seed: int, end: float
) -> Iterator[_Item]:
    timing, numbers = _rngs(seed, "outbound", src.name)
    for seq, at in enumerate(times(src, scenario.start_of_day, end, timing)):
        caller = src.from_[numbers.randrange(len(src.from_))]
        dialled = fill_pattern(src.to[numbers.randrange(len(src.to))], numbers)
        yield (at, 1, pos, seq, "outbound", src.name, caller, dialled, None)


def _wakeups(scenario: Scenario, src: Wakeup, pos: int, seed: int, end: float) -> Iterator[_Item]:
    """Each room once a day at ``at`` (plus its ``spread``), in time order within the day."""
    timing, _ = _rngs(seed, "wakeup", src.name)
    seq = 0
    day_start = (parse_time_of_day(src.at) - scenario.start_of_day) % DAY
    while day_start < end:
        day = sorted(
            (day_start + src.spread.sample(timing), i, room) for i, room in enumerate(src.rooms)
        )
        for at, _, room in day:
            if at < end:
                yield (at, 2, pos, seq, "wakeup", src.name, "", room, None)
                seq += 1
        day_start += DAY


def _sms(scenario: Scenario, src: Sms, pos: int, seed: int, end: float) -> Iterator[_Item]:
    timing, numbers = _rngs(seed, "sms", src.name)
    for seq, at in enumerate(times(src, scenario.start_of_day, end, timing)):
        sender = fill_pattern(src.from_[numbers.randrange(len(src.from_))], numbers)
        recipient = src.to[numbers.randrange(len(src.to))]
        yield (at, 3, pos, seq, "sms", src.name, sender, recipient, src.trunk)
