"""The small textual forms a scenario file uses: durations (``"10h"``), times of day
(``"08:00"``), number ranges (``"2000-2049"``) and number patterns (``"+4930555####"``)."""

from __future__ import annotations

import random
import re

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])")
_TIME_OF_DAY = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_RANGE = re.compile(r"(\d+)-(\d+)")
# A range expands to at most this many numbers: a typo such as "2000-20000" should not
# quietly make eighteen thousand extensions.
MAX_RANGE = 10_000
DAY = 86_400.0


def parse_duration(value: object) -> float:
    """Seconds from a number or ``"10h"``, ``"90m"``, ``"45s"``, ``"1h30m"``, ``"2d"``."""
    if isinstance(value, bool):
        raise ValueError(f"must be seconds or a duration such as '10h' (got {value!r})")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            return float(text)
        if text and re.fullmatch(r"(?:\d+(?:\.\d+)?[dhms])+", text):
            factor = {"d": DAY, "h": 3600.0, "m": 60.0, "s": 1.0}
            return sum(float(n) * factor[u] for n, u in _DURATION_PART.findall(text))
    raise ValueError(f"must be seconds or a duration such as '10h', '90m', '45s' (got {value!r})")


def parse_time_of_day(value: object) -> float:
    """Seconds after midnight from ``"08:00"`` or ``"08:00:30"``."""
    if isinstance(value, str):
        match = _TIME_OF_DAY.fullmatch(value.strip())
        if match:
            hours, minutes, seconds = (int(g or 0) for g in match.groups())
            if hours < 24 and minutes < 60 and seconds < 60:
                return float(hours * 3600 + minutes * 60 + seconds)
    raise ValueError(f"must be a time of day such as '08:00' (got {value!r})")


def format_time_of_day(seconds: float) -> str:
    total = int(seconds) % int(DAY)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}" + (
        f":{total % 60:02d}" if total % 60 else ""
    )


def expand_numbers(items: list[str]) -> list[str]:
    """``["2000-2003", "1000"]`` as ``["2000", "2001", "2002", "2003", "1000"]``.

    A range keeps the width of its first number (``"0100-0102"`` gives ``"0100"``...). Other
    entries (numbers, patterns with ``#``) are kept as they are.
    """
    out: list[str] = []
    for item in items:
        text = item.strip()
        match = _RANGE.fullmatch(text)
        if match is None:
            if not text:
                raise ValueError("an empty number")
            out.append(text)
            continue
        first, last = match.group(1), match.group(2)
        low, high = int(first), int(last)
        if high < low:
            raise ValueError(f"range {text!r} ends before it starts")
        if high - low + 1 > MAX_RANGE:
            raise ValueError(f"range {text!r} has more than {MAX_RANGE} numbers")
        out.extend(str(n).zfill(len(first)) for n in range(low, high + 1))
    return out


def check_pattern(text: str) -> str:
    """A number or a pattern: digits, ``+``, ``*`` and ``#`` (one random digit each)."""
    if not re.fullmatch(r"\+?[0-9#*]+", text):
        raise ValueError(f"{text!r} is not a number or pattern (digits, '+', '#' for any digit)")
    return text


def fill_pattern(pattern: str, rng: random.Random) -> str:
    """``"+4930555####"`` with each ``#`` replaced by a digit drawn from ``rng``."""
    if "#" not in pattern:
        return pattern
    return "".join(str(rng.randrange(10)) if c == "#" else c for c in pattern)
