"""The run's small pieces: speeds, the start instant, the report tally."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from yspbx.hub import ReportTally
from yspbx.play import parse_speed
from yspbx.play.actors import next_time_of_day


@pytest.mark.parametrize(
    ("text", "factor", "shown"),
    [
        ("max", None, "max"),
        ("realtime", 1.0, "realtime"),
        ("60x", 60.0, "60x"),
        (" 2.5X ", 2.5, "2.5x"),
    ],
)
def test_speeds(text: str, factor: float | None, shown: str) -> None:
    speed = parse_speed(text)
    assert speed.factor == factor
    assert speed.text == shown


@pytest.mark.parametrize("bad", ["fast", "0x", "-3x", "x", "60", "1e9x", ""])
def test_bad_speeds_say_what_is_allowed(bad: str) -> None:
    with pytest.raises(ValueError, match="max, realtime or <N>x"):
        parse_speed(bad)


def test_the_start_is_the_next_such_time_of_day_in_the_pbx_zone() -> None:
    zone = timezone(timedelta(hours=8))
    morning = datetime(2026, 3, 1, 6, 30, 12, 500_000, tzinfo=zone).timestamp()
    eight = next_time_of_day(morning, 8 * 3600, zone)
    assert datetime.fromtimestamp(eight, zone) == datetime(2026, 3, 1, 8, 0, tzinfo=zone)
    # Past it: the next day's; exactly on it: now.
    later = next_time_of_day(eight + 1, 8 * 3600, zone)
    assert later == eight + 86400
    assert next_time_of_day(eight, 8 * 3600, zone) == eight
    midnight = next_time_of_day(morning, 0, UTC)
    assert datetime.fromtimestamp(midnight, UTC).time().isoformat() == "00:00:00"


def test_the_tally_counts_what_is_pending_and_tells_when_settled() -> None:
    heard: list[int] = []
    tally = ReportTally()
    tally.on_settled = lambda: heard.append(tally.pending)
    tally.queued["a"] = 5
    tally.delivered["a"] = 2
    tally.refused["a"] = 1
    tally.dropped = 1
    assert tally.pending == 1
    tally.settled()
    assert heard == [1]
