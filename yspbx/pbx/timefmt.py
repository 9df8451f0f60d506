"""How the PBX writes times: in its own time zone, ``YYYY-MM-DD hh:mm:ss``, zones as ``UTC+8``
(and a unit set to UTC itself writes plain ``UTC``, not ``UTC+0``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_ZONE = re.compile(r"UTC(?:([+-])(\d{1,2})(?::?(\d{2}))?)?")


def parse_zone(name: str) -> timezone:
    """``UTC+8``, ``UTC-3:30``, ``UTC+0`` or ``UTC`` as a fixed-offset zone."""
    match = _ZONE.fullmatch(name.strip())
    if match is None:
        raise ValueError(f"time zone {name!r} is not of the form UTC, UTC+H or UTC-H:MM")
    if match.group(1) is None:
        return UTC
    sign = -1 if match.group(1) == "-" else 1
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes >= 60:
        raise ValueError(f"time zone {name!r} is out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def format_zone(zone: timezone) -> str:
    """A zone as the PBX writes it after the time in ``deviceinfo.systemtime``: ``UTC`` for UTC
    itself, else ``UTC+8``, ``UTC-8``, ``UTC+5:30``."""
    offset = zone.utcoffset(None)
    minutes = round(offset.total_seconds() / 60)
    if minutes == 0:
        return "UTC"
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local_datetime(epoch: float, zone: timezone) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).astimezone(zone)


def format_time(epoch: float, zone: timezone) -> str:
    """``2024-03-01 09:15:02``: the PBX's form for CDR start times and device time."""
    return local_datetime(epoch, zone).strftime("%Y-%m-%d %H:%M:%S")


def parse_time(text: str, zone: timezone) -> float:
    """The inverse of :func:`format_time`; ``ValueError`` when ``text`` is not in that form."""
    parsed = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    return parsed.replace(tzinfo=zone).timestamp()


def format_duration(seconds: float) -> str:
    """``hh:mm:ss`` with as many hours as it takes (uptime can run past a day)."""
    total = max(0, int(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"
