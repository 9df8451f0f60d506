"""The call half of the engine interface: query, originate, control and transfer calls,
prompts, SMS, alarms, CDRs and recordings (endpoints.md sections 9-19).

Implemented by :class:`yspbx.pbx.simulated.calls.SimulatedCalls`; a real engine provides its
own. Methods raise :class:`yspbx.errors.PbxError` with the PBX's errno.
"""

from __future__ import annotations

from typing import Protocol


class CallOps(Protocol):
    def extension_status(self, number: str) -> str | None:
        """The extension's call status (``Ringing``, ``Busy``, ``Hold``), None when idle."""
