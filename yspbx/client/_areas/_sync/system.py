# Generated from _async/system.py by `python -m yspbx.client._unasync`: do not edit.
from __future__ import annotations

from yspbx.client._areas._sync._area import Area
from yspbx.client._models import system
from yspbx.client._models.system import DeviceInfo


class System(Area):
    """The PBX itself (docs/pbx-api/system-extensions.md)."""

    def device_info(self) -> DeviceInfo:
        """Model, serial number, versions, clock, uptime and registered extensions."""
        return self._send(system.DEVICE_INFO)

    def apply(self) -> None:
        """Save and apply configuration changes at once, after a batch of changes."""
        self._send(system.APPLY)
