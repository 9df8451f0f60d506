"""The configuration half of the engine interface: extensions, trunks, routes, IVRs, queues,
paging groups (endpoints.md sections 1-8).

Implemented by :class:`yspbx.pbx.simulated.config.SimulatedConfig`; a real engine provides its
own. Methods raise :class:`yspbx.errors.PbxError` with the PBX's errno.
"""

from __future__ import annotations

from typing import Protocol

from yspbx.pbx.models import Extension


class ConfigOps(Protocol):
    async def list_extensions(self) -> list[tuple[Extension, str]]:
        """Every extension with its current status (``Registered``, ``Busy``, ...)."""
