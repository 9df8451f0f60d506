"""System (docs/pbx-api/system-extensions.md): device information and apply."""

from __future__ import annotations

from pydantic import Field

from yspbx.client._endpoint import Endpoint, nothing, one
from yspbx.client._wire import ResponseModel


class DeviceInfo(ResponseModel):
    """``deviceinfo/query``: what the PBX is, and how it is doing."""

    device_name: str = Field("", alias="devicename")
    serial_number: str = Field("", alias="sn")
    hardware_version: str = Field("", alias="hardwarever")
    firmware_version: str = Field("", alias="firmwarever")
    system_time: str = Field("", alias="systemtime")
    """As the PBX writes it: ``2024-03-01 09:15:02 UTC+1``."""
    uptime: str = ""
    """``hh:mm:ss`` (hours may exceed 24)."""
    extension_status: str = Field("", alias="extensionstatus")
    """``<registered>/<total>``, e.g. ``12/300``."""

    @property
    def registered_extensions(self) -> int | None:
        return _part(self.extension_status, 0)

    @property
    def total_extensions(self) -> int | None:
        return _part(self.extension_status, 1)

    @property
    def uptime_seconds(self) -> int | None:
        parts = self.uptime.split(":")
        if len(parts) != 3 or not all(p.strip().isdigit() for p in parts):
            return None
        hours, minutes, seconds = (int(p) for p in parts)
        return hours * 3600 + minutes * 60 + seconds


def _part(value: str, index: int) -> int | None:
    parts = value.split("/")
    if len(parts) != 2 or not parts[index].strip().isdigit():
        return None
    return int(parts[index])


DEVICE_INFO = Endpoint("deviceinfo/query", one("deviceinfo", DeviceInfo), query=True)
APPLY = Endpoint("apply", nothing)
