"""Hotel endpoints (docs/pbx-api/call-services.md): ``wakeupcall/create|query|update|delete`` and
``hotel/checkout``.

``wakeup`` is an array of one object (only the first is used); a bare object is accepted too
(the v2 update example sends one). Its keys are read in any case (the old guide writes
``Repeatinterval``, ``Prompt``); values may be strings or numbers, ``weekdays`` also a JSON
array. A ``wakeup`` that is missing answers ``10004``, one of another shape ``10020``.
"""

from __future__ import annotations

from typing import Any

from yspbx.api.registry import ApiRequest, ApiRouter, Field, Params, Reply, scalar
from yspbx.api.wire import array_of, selection, strings
from yspbx.errors import Errno, PbxError
from yspbx.pbx.call_ops import AlarmFields, WakeupAlarm

router = ApiRouter("hotel")

_FIELDS = ("time", "type", "weekdays", "repeats", "repeatinterval", "prompt")
_WAKEUP = Field(
    "wakeup",
    False,
    "array of one object: time (hh:mm), type (onetime|everyday|custom), weekdays (0-6, for "
    "custom), repeats (0-3), repeatinterval (minutes), prompt (custom prompt)",
    kind="array",
)
_ALARM_SCHEMA = {
    "type": "object",
    "properties": strings("wakeupid", "time", "type", "weekdays", "prompt", "repeats")
    | strings("repeatinterval"),
}
_QUERY_SCHEMA = {
    "wakeups": array_of(
        {
            "type": "object",
            "properties": {"extid": {"type": "string"}, "wakeup": array_of(_ALARM_SCHEMA)},
        }
    )
}


def _value(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, list) and name == "weekdays":
        days = [scalar(day) for day in value]
        if any(day is None for day in days):
            raise PbxError(Errno.ALARM_CONFIG_FAILED, "weekdays hold a non-number")
        return ",".join(day for day in days if day is not None)
    text = scalar(value)
    if text is None:
        raise PbxError(Errno.ALARM_CONFIG_FAILED, f"{name} is not a string")
    return text


def alarm_fields(params: Params) -> AlarmFields:
    """The ``wakeup`` object of a request; 10004 when absent, 10020 when unusable."""
    raw = params.raw.get("wakeup")
    if raw is None or raw == [] or raw == "":
        raise PbxError(Errno.MISSING_PARAMETER, "wakeup")
    item = raw[0] if isinstance(raw, list) else raw
    if not isinstance(item, dict):
        raise PbxError(Errno.ALARM_CONFIG_FAILED, "wakeup holds no object")
    lowered = {str(key).lower(): value for key, value in item.items()}
    values = {name: _value(lowered.get(name), name) for name in _FIELDS}
    return AlarmFields(**values)


def _ids(params: Params) -> list[str] | None:
    return params.values("wakeupid") or None


def _time(params: Params) -> str | None:
    text = params.text("time")
    return text.strip() if text is not None and text.strip() else None


def show_alarm(alarm: WakeupAlarm) -> dict[str, str]:
    shown = {"wakeupid": alarm.wakeupid, "time": alarm.time, "type": alarm.type}
    if alarm.type == "custom":
        shown["weekdays"] = ",".join(alarm.weekdays)
    shown |= {
        "prompt": alarm.prompt,
        "repeats": str(alarm.repeats),
        "repeatinterval": str(alarm.repeatinterval),
    }
    return shown


@router.endpoint(
    "wakeupcall/create",
    summary="Add a wake-up alarm to one or several extensions.",
    fields=(Field("extid", True, "extension(s), comma-separated", kind="list"), _WAKEUP),
    errors=(
        Errno.EXTENSION_NOT_FOUND,
        Errno.ALARM_CONFIG_FAILED,
        Errno.ALARM_EXISTS,
    ),
    example={
        "extid": "1009",
        "wakeup": [{"time": "06:45", "type": "onetime", "repeats": "3", "repeatinterval": "5"}],
    },
)
async def create(request: ApiRequest) -> Reply:
    params = request.params
    extids = params.values("extid") or []
    await request.engine.calls.create_alarms(extids, alarm_fields(params))
    return {}


@router.endpoint(
    "wakeupcall/query",
    summary="List the wake-up alarms of extensions (all when extid is left out).",
    fields=(Field("extid", False, "extension(s), comma-separated", kind="list"),),
    response=_QUERY_SCHEMA,
    errors=(Errno.EXTENSION_NOT_FOUND,),
    example={"extid": "1009"},
)
async def query(request: ApiRequest) -> Reply:
    alarms = await request.engine.calls.alarms(selection(request.params, "extid"))
    if not alarms:
        return {}
    by_extension: dict[str, list[dict[str, str]]] = {}
    for alarm in alarms:
        by_extension.setdefault(alarm.extid, []).append(show_alarm(alarm))
    wakeups = [{"extid": extid, "wakeup": shown} for extid, shown in by_extension.items()]
    return {"wakeups": wakeups}


@router.endpoint(
    "wakeupcall/update",
    summary="Change a wake-up alarm (found by wakeupid, or by its time as the old guide did).",
    fields=(
        Field("extid", True, "the extension"),
        Field("wakeupid", False, "the alarm (or give its current time)"),
        Field("time", False, "the alarm's current time, when wakeupid is not given"),
        _WAKEUP,
    ),
    errors=(
        Errno.EXTENSION_NOT_FOUND,
        Errno.ALARM_NOT_FOUND,
        Errno.ALARM_CONFIG_FAILED,
        Errno.ALARM_EXISTS,
    ),
    example={
        "extid": "1009",
        "wakeupid": "1",
        "wakeup": [{"time": "07:00", "type": "everyday"}],
    },
)
async def update(request: ApiRequest) -> Reply:
    params = request.params
    wakeupid = params.optional("wakeupid") or None
    time = _time(params)
    if wakeupid is None and time is None:
        raise PbxError(Errno.MISSING_PARAMETER, "wakeupid")
    await request.engine.calls.update_alarm(
        params.require("extid"), wakeupid, time, alarm_fields(params)
    )
    return {}


@router.endpoint(
    "wakeupcall/delete",
    summary="Delete an extension's alarms: those named, or all of them.",
    fields=(
        Field("extid", True, "the extension"),
        Field("wakeupid", False, "alarm id(s), comma-separated; all alarms when left out"),
        Field("time", False, "an alarm's time, as the old guide named it"),
    ),
    errors=(Errno.EXTENSION_NOT_FOUND, Errno.ALARM_NOT_FOUND),
    example={"extid": "1009", "wakeupid": "1"},
)
async def delete(request: ApiRequest) -> Reply:
    params = request.params
    await request.engine.calls.delete_alarms(params.require("extid"), _ids(params), _time(params))
    return {}


@router.endpoint(
    "hotel/checkout",
    summary="Check rooms out: voicemail emptied, outbound permissions removed, alarms "
    "deleted, caller-ID name reset.",
    fields=(Field("extid", True, "room extension(s), comma-separated", kind="list"),),
    errors=(Errno.EXTENSION_NOT_FOUND,),
    example={"extid": "1009"},
)
async def checkout(request: ApiRequest) -> Reply:
    await request.engine.calls.check_out(request.params.values("extid") or [])
    return {}
