"""Arrivals: deterministic for a seed, Poisson in their counts, shaped by the hourly profile,
lazy, in time order; explicit lists, bursts, outbound calls, wake-ups and SMS."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import pytest

from yspbx.scenarios import Arrival, arrivals, load, load_builtin

HOUR = 3600.0


def rate_scenario(rate: float, hours: float = 10, **extra: str) -> str:
    more = "".join(f"{k} = {v}\n" for k, v in extra.items())
    return f'duration = "{hours}h"\n[[inbound]]\ndid = "5503340"\nrate = {rate}\n{more}'


@pytest.mark.parametrize("name", ["call-centre", "small-office", "hotel-night", "burst"])
def test_the_same_seed_gives_the_same_arrivals_and_another_seed_others(name: str) -> None:
    scenario = load_builtin(name)
    first = list(arrivals(scenario, 7))
    assert first == list(arrivals(load_builtin(name), 7))
    assert first != list(arrivals(scenario, 8))
    assert [a.index for a in first] == list(range(len(first)))
    assert [a.at for a in first] == sorted(a.at for a in first)
    assert all(0 <= a.at < scenario.duration for a in first)


def test_a_shorter_duration_is_a_prefix_of_the_whole_run() -> None:
    scenario = load_builtin("small-office")
    whole = list(arrivals(scenario, 3))
    part = list(arrivals(scenario, 3, duration=2 * HOUR))
    assert part == [a for a in whole if a.at < 2 * HOUR]
    assert part


def test_poisson_counts_stay_within_their_statistical_bounds() -> None:
    # 100 per hour for 10 hours: mean 1000, sd ~31.6; six sd either side for every seed tried.
    scenario = load(rate_scenario(100))
    for seed in range(20):
        count = sum(1 for _ in arrivals(scenario, seed))
        assert abs(count - 1000) < 6 * math.sqrt(1000), (seed, count)
    # The gaps are exponential: their mean is 36 s, and about 1/e of them exceed it.
    times = [a.at for a in arrivals(load(rate_scenario(100, hours=100)), 1)]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert 34 < sum(gaps) / len(gaps) < 38
    assert 0.34 < sum(1 for g in gaps if g > 36) / len(gaps) < 0.40


def test_the_profile_shapes_the_day_relative_to_the_start_time() -> None:
    profile = [0.0] * 24
    profile[9], profile[10], profile[13] = 300.0, 600.0, 100.0
    scenario = load(
        f'start = "08:30"\nduration = "10h"\n[[inbound]]\ndid = "1"\nprofile = {profile}'
    )
    per_hour = Counter(int((8.5 * HOUR + a.at) // HOUR) for a in arrivals(scenario, 11))
    assert set(per_hour) == {9, 10, 13}  # nothing in the zero hours
    assert abs(per_hour[9] - 300) < 6 * math.sqrt(300)
    assert abs(per_hour[10] - 600) < 6 * math.sqrt(600)
    assert abs(per_hour[13] - 100) < 6 * math.sqrt(100)


def test_a_profile_repeats_every_day_of_a_longer_run() -> None:
    profile = [0.0] * 24
    profile[6] = 50.0
    scenario = load(
        f'start = "00:00"\nduration = "3d"\n[[inbound]]\ndid = "1"\nprofile = {profile}'
    )
    days = Counter(int(a.at // 86400) for a in arrivals(scenario, 2))
    assert sorted(days) == [0, 1, 2]
    assert all(int(a.at % 86400 // HOUR) == 6 for a in arrivals(scenario, 2))


def test_arrivals_are_lazy() -> None:
    # A year at 3,600 calls an hour: only the first few are ever computed.
    scenario = load(rate_scenario(3600, hours=24 * 365))
    first = list(itertools.islice(arrivals(scenario, 1), 5))
    assert len(first) == 5
    assert first[-1].at < 60


def test_an_explicit_list_mixes_offsets_and_times_of_day() -> None:
    scenario = load(
        'start = "09:00"\nduration = "2h"\n[[inbound]]\ndid = "1"\n'
        'at = [600, "09:00", "10:30", "08:00", 7200]\ncallers = ["0301234567"]'
    )
    got = list(arrivals(scenario, 1))
    assert [a.at for a in got] == [0.0, 600.0, 5400.0]  # 08:00 is tomorrow, 7200 the end
    assert {a.caller for a in got} == {"0301234567"}


def test_a_burst_puts_its_count_within_its_window() -> None:
    scenario = load_builtin("burst")
    got = list(arrivals(scenario, 5))
    expected = sum(src.count or 0 for src in scenario.inbound)
    assert len(got) == expected >= 300
    assert all(a.at < 5 for a in got)
    assert Counter(a.source for a in got) == {s.name: s.count for s in scenario.inbound}


def test_caller_pools_fill_every_hash_with_a_digit() -> None:
    scenario = load(rate_scenario(500, hours=1, callers='["+4930555####", "0171#######"]'))
    callers = [a.caller for a in arrivals(scenario, 9)]
    assert all(
        (c.startswith("+4930555") and len(c) == 12) or (c.startswith("0171") and len(c) == 11)
        for c in callers
    )
    assert all(c.lstrip("+").isdigit() for c in callers)
    assert {c[:4] for c in callers} == {"+493", "0171"}
    assert len(set(callers)) > len(callers) * 0.9


def test_outbound_wakeups_and_sms_arrive_as_their_kinds() -> None:
    scenario = load_builtin("hotel-night")
    got = list(arrivals(scenario, 1))
    kinds = Counter(a.kind for a in got)
    assert set(kinds) == {"inbound", "outbound", "wakeup", "sms"}
    wakeups = [a for a in got if a.kind == "wakeup"]
    six = next(w for w in scenario.wakeups if w.at == "06:00")
    early = [a for a in wakeups if a.source == six.name]
    assert sorted(a.dialled for a in early) == sorted(six.rooms)  # each room once
    assert all(8 * HOUR <= a.at <= 8 * HOUR + 300 for a in early)  # 22:00 + 8 h = 06:00
    outbound = [a for a in got if a.kind == "outbound"]
    rooms = {n for o in scenario.outbound for n in o.from_}
    assert all(a.caller in rooms and a.trunk is None for a in outbound)
    sms = [a for a in got if a.kind == "sms"]
    assert all(a.trunk == "GSM1" and a.dialled == "0611000000" for a in sms)


def test_a_source_keeps_its_arrivals_when_another_is_added() -> None:
    one = load(rate_scenario(50, name='"a"'))
    two = load(rate_scenario(50, name='"a"') + '[[inbound]]\nname = "b"\ndid = "2"\nrate = 80\n')

    def of_a(items: list[Arrival]) -> list[tuple[float, str]]:
        return [(a.at, a.caller) for a in items if a.source == "a"]

    assert of_a(list(arrivals(one, 4))) == of_a(list(arrivals(two, 4)))


def test_ties_keep_a_fixed_order() -> None:
    text = (
        'duration = 100\n[[inbound]]\nname = "x"\ndid = "1"\nat = [5, 5]\n'
        '[[outbound]]\nfrom = ["1000"]\nto = ["1001"]\nat = [5]\n'
        '[[inbound]]\nname = "y"\ndid = "2"\nat = [5]\n'
    )
    got = [(a.kind, a.source) for a in arrivals(load(text), 1)]
    assert got == [
        ("inbound", "x"),
        ("inbound", "x"),
        ("inbound", "y"),
        ("outbound", "outbound[0]"),
    ]
