"""What a wake-up alarm may be (``10020`` otherwise), and when it rings next.

* ``time``: ``hh:mm``, 24-hour (``6:45`` is read as ``06:45``), in the PBX's time zone;
* ``type``: ``onetime`` (rings once, then is deleted), ``everyday``, or ``custom`` (on
  ``weekdays``: ``0`` Sunday to ``6`` Saturday, comma-separated, at least one);
* ``repeats``: ``0``-``3``, default ``0``: how many more times the alarm calls when a call went
  unanswered, ``repeatinterval`` minutes (``1``-``60``, default ``5``) after the previous one;
* ``prompt``: a custom prompt of the PBX, or the system default ``macroform-cold_day``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from yspbx.errors import Errno, PbxError
from yspbx.pbx.call_ops import AlarmFields, WakeupAlarm
from yspbx.pbx.timefmt import local_datetime

ALARM_TYPES = ("onetime", "everyday", "custom")
DEFAULT_PROMPT = "macroform-cold_day"
DEFAULT_REPEATS = 0
DEFAULT_INTERVAL = 5
MAX_REPEATS = 3
MAX_INTERVAL = 60


def _fail(detail: str) -> PbxError:
    return PbxError(Errno.ALARM_CONFIG_FAILED, detail)


def parse_time(text: str) -> str:
    """``hh:mm`` in its two-digit form; 10020 when it is no time of day."""
    hours, sep, minutes = text.strip().partition(":")
    ok = sep and hours.isdigit() and minutes.isdigit() and len(hours) <= 2 and len(minutes) == 2
    if not ok or int(hours) > 23 or int(minutes) > 59:
        raise _fail(f"time {text!r} is not hh:mm")
    return f"{int(hours):02d}:{minutes}"


def _number(text: str, name: str, low: int, high: int) -> int:
    value = text.strip()
    if not value.isdigit() or not low <= int(value) <= high:
        raise _fail(f"{name} {text!r} is not {low}-{high}")
    return int(value)


def _weekdays(text: str) -> tuple[str, ...]:
    days = [day.strip() for day in text.split(",") if day.strip()]
    if not days or any(len(day) != 1 or day not in "0123456" for day in days):
        raise _fail(f"weekdays {text!r} are not 0-6")
    return tuple(sorted(set(days)))


def build_alarm(
    wakeupid: str,
    extid: str,
    fields: AlarmFields,
    prompts: list[str],
    base: WakeupAlarm | None = None,
) -> WakeupAlarm:
    """The alarm ``fields`` make, laid over ``base`` (an update) or the defaults (a new one)."""
    if base is None:
        if fields.time is None or fields.type is None:
            raise _fail("a new alarm needs its time and type")
        base = WakeupAlarm(
            wakeupid,
            extid,
            "",
            "",
            (),
            DEFAULT_REPEATS,
            DEFAULT_INTERVAL,
            DEFAULT_PROMPT,
        )
    alarm = replace(base, wakeupid=wakeupid, extid=extid)
    if fields.time is not None:
        alarm = replace(alarm, time=parse_time(fields.time))
    if fields.type is not None:
        kind = fields.type.strip().lower()
        if kind not in ALARM_TYPES:
            raise _fail(f"type {fields.type!r} is none of {ALARM_TYPES}")
        alarm = replace(alarm, type=kind)
    if fields.weekdays is not None and alarm.type == "custom":
        alarm = replace(alarm, weekdays=_weekdays(fields.weekdays))
    if alarm.type != "custom":
        alarm = replace(alarm, weekdays=())
    elif not alarm.weekdays:
        raise _fail("a custom alarm needs its weekdays")
    if fields.repeats is not None:
        alarm = replace(alarm, repeats=_number(fields.repeats, "repeats", 0, MAX_REPEATS))
    if fields.repeatinterval is not None:
        interval = _number(fields.repeatinterval, "repeatinterval", 1, MAX_INTERVAL)
        alarm = replace(alarm, repeatinterval=interval)
    if fields.prompt is not None:
        prompt = fields.prompt.strip() or DEFAULT_PROMPT
        if prompt != DEFAULT_PROMPT and (prompt not in prompts or prompt.isdigit()):
            raise _fail(f"no custom prompt {prompt!r}")
        alarm = replace(alarm, prompt=prompt)
    return alarm


def next_ring(alarm: WakeupAlarm, after: float, zone: timezone) -> float | None:
    """When the alarm rings next, strictly after ``after`` (epoch seconds)."""
    hours, minutes = (int(part) for part in alarm.time.split(":"))
    today = local_datetime(after, zone).date()
    for offset in range(8):
        day = today + timedelta(days=offset)
        at = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=zone)
        if at.timestamp() <= after:
            continue
        if alarm.type == "custom" and str((at.weekday() + 1) % 7) not in alarm.weekdays:
            continue
        return at.timestamp()
    return None
