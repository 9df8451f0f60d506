"""Hotel features (docs/pbx-api/call-services.md): wake-up alarms and check-out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from yspbx.client._endpoint import Endpoint, many, nothing
from yspbx.client._wire import (
    Items,
    OptionalInt,
    OptionalNumber,
    RequestModel,
    ResponseModel,
    TextList,
)

AlarmSchedule = Literal["onetime", "everyday", "custom"]

Weekdays = str | Iterable[str | int]
"""``"1,3,5"``, ``["1", "3", "5"]`` or ``[1, 3, 5]``: ``0`` is Sunday, ``6`` Saturday."""


class Alarm(ResponseModel):
    """One wake-up alarm."""

    id: str = Field("", alias="wakeupid")
    time: str = ""
    """``hh:mm``, 24-hour."""
    schedule: str = Field("", alias="type")
    """``onetime`` (removed once it has rung), ``everyday`` or ``custom`` (on ``weekdays``)."""
    weekdays: Items = Field(default_factory=list)
    """``0`` (Sunday) to ``6`` (Saturday), for ``custom`` alarms."""
    repeats: OptionalInt = None
    repeat_interval: OptionalInt = Field(None, alias="repeatinterval")
    """Minutes between repeats."""
    prompt: str = ""


class ExtensionAlarms(ResponseModel):
    """The alarms of one extension (``wakeupcall/query``)."""

    extension: str = Field("", alias="extid")
    alarms: list[Alarm] = Field(default_factory=list, alias="wakeup")


class AlarmSpec(RequestModel):
    time: str
    schedule: AlarmSchedule = Field(alias="type")
    weekdays: TextList | None = None
    repeats: OptionalNumber = None
    repeat_interval: OptionalNumber = Field(None, alias="repeatinterval")
    prompt: str | None = None


class AlarmCreate(RequestModel):
    extensions: TextList = Field(alias="extid")
    alarm: list[AlarmSpec] = Field(alias="wakeup")


class AlarmUpdate(RequestModel):
    extension: str = Field(alias="extid")
    alarm_id: str = Field(alias="wakeupid")
    alarm: list[AlarmSpec] = Field(alias="wakeup")


class AlarmQuery(RequestModel):
    extensions: TextList | None = Field(None, alias="extid")


class AlarmDelete(RequestModel):
    extension: str = Field(alias="extid")
    alarm_ids: TextList | None = Field(None, alias="wakeupid")


class CheckOut(RequestModel):
    extensions: TextList = Field(alias="extid")


ALARM_CREATE = Endpoint("wakeupcall/create", nothing)
ALARM_QUERY = Endpoint("wakeupcall/query", many("wakeups", ExtensionAlarms), query=True)
ALARM_UPDATE = Endpoint("wakeupcall/update", nothing)
ALARM_DELETE = Endpoint("wakeupcall/delete", nothing)
CHECK_OUT = Endpoint("hotel/checkout", nothing)
