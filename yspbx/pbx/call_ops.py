"""The call half of the engine interface: query, originate, control and transfer calls, and
fetch their records and recordings (endpoints.md sections 9-13, 18-19).

Implemented by :class:`yspbx.pbx.simulated.calls.SimulatedCalls`; a real engine provides its
own. Arguments and answers are plain data (numbers and ids as strings), never HTTP. Methods
raise :class:`yspbx.errors.PbxError` with the PBX's errno. Originating methods answer the new
call's ``callid``; what happens next arrives as domain events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

MonitorMode = Literal["Listen", "Whisper", "Barge-in"]
TrunkCallStatus = Literal["Talking", "Progress", "Wait"]


@dataclass(frozen=True, slots=True)
class InboundCall:
    """One live inbound call, as ``inbound/query`` lists it."""

    inboundid: str
    from_number: str
    to_number: str
    trunk: str
    status: TrunkCallStatus
    # Who has the call: ``{"extid": ...}``, ``{"outboundid": ...}``, ``{"ivrid": ...}``, ...
    callee: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class OutboundCall:
    """One live outbound call, as ``outbound/query`` lists it."""

    outboundid: str
    from_number: str
    to_number: str
    trunk: str
    status: TrunkCallStatus


class CallOps(Protocol):
    def extension_status(self, number: str) -> str | None:
        """The extension's call status (``Ringing``, ``Busy``, ``Hold``), None when idle."""

    # -- queries (section 9) -------------------------------------------------------------

    async def inbound_calls(self, inboundids: list[str] | None = None) -> list[InboundCall]:
        """Live inbound calls, all or those named."""

    async def outbound_calls(self, outboundids: list[str] | None = None) -> list[OutboundCall]:
        """Live outbound calls, all or those named."""

    # -- hang up, hold, mute, monitor (sections 10-11) -----------------------------------

    async def hangup_extension(self, extid: str) -> None: ...

    async def hangup_inbound(self, inboundid: str) -> None: ...

    async def hangup_outbound(self, outboundid: str) -> None: ...

    async def hold(self, extid: str) -> None: ...

    async def unhold(self, extid: str) -> None: ...

    async def mute(self, extid: str) -> None: ...

    async def unmute(self, extid: str) -> None: ...

    async def monitor(self, mode: MonitorMode, monitor: str, monitored: str) -> None:
        """Let extension ``monitor`` listen to, whisper to or barge into ``monitored``'s call."""

    # -- origination (section 12) --------------------------------------------------------

    async def dial_extension(self, caller: str, callee: str, autoanswer: bool) -> str: ...

    async def dial_outbound(self, extid: str, number: str, autoanswer: bool) -> str: ...

    async def callback(self, caller: str, number: str, fromext: str) -> str:
        """Call ``caller`` outside, then bridge it to ``number`` outside."""

    async def dial_ivr_extension(self, ivrid: str, extid: str, autoanswer: bool) -> str: ...

    async def dial_ivr_outbound(self, ivrid: str, number: str, fromext: str) -> str: ...

    async def dial_queue_outbound(self, queueid: str, number: str, fromext: str) -> str: ...

    async def dial_ringgroup_outbound(self, ringgroupid: str, number: str, fromext: str) -> str: ...

    # -- transfer (section 13) -----------------------------------------------------------

    async def transfer(self, callid: str, transferor: str, number: str, fromext: str) -> str: ...

    async def transfer_inbound(self, inboundid: str, number: str, fromext: str) -> str: ...

    async def transfer_outbound(self, outboundid: str, number: str, fromext: str) -> str: ...

    # -- recordings and records (sections 18-19) -----------------------------------------

    async def recording_random(self, name: str, app_ip: str, allowed_ip: str | None) -> str:
        """A one-time random to download recording ``name`` from ``app_ip`` or ``allowed_ip``."""

    async def download_recording(self, name: str, random: str, client_ip: str) -> bytes:
        """The recording's WAV bytes, spending ``random``."""

    async def cdr_random(
        self, extid: str, starttime: str, endtime: str, app_ip: str, allowed_ip: str | None
    ) -> str:
        """A one-time random to download the records of ``extid`` in a time range."""

    async def download_cdr(
        self, extid: str, starttime: str, endtime: str, random: str, client_ip: str
    ) -> bytes:
        """The matching records as CSV, spending ``random``."""
