from __future__ import annotations

from yspbx.client._areas._async._area import AsyncArea
from yspbx.client._models import system
from yspbx.client._models.system import DeviceInfo


class AsyncSystem(AsyncArea):
    """The PBX itself (docs/pbx-api/system-extensions.md)."""

    async def device_info(self) -> DeviceInfo:
        """Model, serial number, versions, clock, uptime and registered extensions."""
        return await self._send(system.DEVICE_INFO)

    async def apply(self) -> None:
        """Save and apply configuration changes at once, after a batch of changes."""
        await self._send(system.APPLY)
