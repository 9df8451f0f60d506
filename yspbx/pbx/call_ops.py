"""The call half of the engine interface: query, originate, control and transfer calls, and
fetch their records and recordings (docs/pbx-api/calls.md, files.md); decide about inbound
calls, play prompts, send SMS, and keep hotel rooms' wake-up alarms (call-services.md).

Implemented by :class:`yspbx.pbx.simulated.calls.SimulatedCalls`; a real engine provides its
own. Arguments and answers are plain data (numbers and ids as strings), never HTTP. Methods
raise :class:`yspbx.errors.PbxError` with the PBX's errno. Originating methods answer the new
call's ``callid``; what happens next arrives as domain events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from yspbx.pbx.events import CallMember

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


@dataclass(frozen=True, slots=True)
class CallView:
    """One live call as 2.0.0 lists it (``call/query``): its members, caller first."""

    callid: str
    members: tuple[CallMember, ...]


@dataclass(frozen=True, slots=True)
class ConferenceSession:
    """A conference room in session (``conference/query_in_session``): its members as
    ``call/query`` shows them."""

    callid: str
    number: str
    name: str
    members: tuple[CallMember, ...]


AttendedOperation = Literal["abort", "complete", "threeway", "swap"]


@dataclass(frozen=True, slots=True)
class AlarmFields:
    """A wake-up alarm's fields as a request sends them (``None``: not sent). The engine checks
    them (``10020`` for a value it cannot use)."""

    time: str | None = None
    type: str | None = None
    weekdays: str | None = None
    repeats: str | None = None
    repeatinterval: str | None = None
    prompt: str | None = None


@dataclass(frozen=True, slots=True)
class WakeupAlarm:
    """One wake-up alarm of an extension, as ``wakeupcall/query`` lists it."""

    wakeupid: str
    extid: str
    time: str
    type: str
    weekdays: tuple[str, ...]
    repeats: int
    repeatinterval: int
    prompt: str


class CallOps(Protocol):
    def extension_status(self, number: str) -> str | None:
        """The extension's call status (``Ringing``, ``Busy``, ``Hold``), None when idle."""

    # -- queries (docs/pbx-api/calls.md) ------------------------------------------------

    async def inbound_calls(self, inboundids: list[str] | None = None) -> list[InboundCall]:
        """Live inbound calls, all or those named."""

    async def outbound_calls(self, outboundids: list[str] | None = None) -> list[OutboundCall]:
        """Live outbound calls, all or those named."""

    # -- hang up, hold, mute, monitor (docs/pbx-api/calls.md) ---------------------------

    async def hangup_extension(self, extid: str) -> None: ...

    async def hangup_inbound(self, inboundid: str) -> None: ...

    async def hangup_outbound(self, outboundid: str) -> None: ...

    async def hold(self, extid: str) -> None: ...

    async def unhold(self, extid: str) -> None: ...

    async def mute(self, extid: str) -> None: ...

    async def unmute(self, extid: str) -> None: ...

    async def monitor(self, mode: MonitorMode, monitor: str, monitored: str) -> None:
        """Let extension ``monitor`` listen to, whisper to or barge into ``monitored``'s call."""

    # -- origination (docs/pbx-api/calls.md) --------------------------------------------

    async def dial_extension(self, caller: str, callee: str, autoanswer: bool) -> str: ...

    async def dial_outbound(self, extid: str, number: str, autoanswer: bool) -> str: ...

    async def callback(self, caller: str, number: str, fromext: str) -> str:
        """Call ``caller`` outside, then bridge it to ``number`` outside."""

    async def dial_ivr_extension(self, ivrid: str, extid: str, autoanswer: bool) -> str: ...

    async def dial_ivr_outbound(self, ivrid: str, number: str, fromext: str) -> str: ...

    async def dial_queue_outbound(self, queueid: str, number: str, fromext: str) -> str: ...

    async def dial_ringgroup_outbound(self, ringgroupid: str, number: str, fromext: str) -> str: ...

    # -- transfer (docs/pbx-api/calls.md) -----------------------------------------------

    async def transfer(self, callid: str, transferor: str, number: str, fromext: str) -> str: ...

    async def transfer_inbound(self, inboundid: str, number: str, fromext: str) -> str: ...

    async def transfer_outbound(self, outboundid: str, number: str, fromext: str) -> str: ...

    # -- members by channel (2.0.0, docs/api-2.md) -------------------------------------

    async def call_views(self, callids: list[str] | None = None) -> list[CallView]:
        """Live calls with their members, all or those named (unknown ids left out)."""

    async def member(self, channel: str) -> tuple[str, CallMember]:
        """The call and member ``channel`` names (``10007`` when none is live)."""

    async def hangup_channel(self, channel: str) -> str: ...

    async def hold_channel(self, channel: str, held: bool) -> str: ...

    async def mute_channels(self, channels: list[str], muted: bool) -> str: ...

    async def transfer_channel(self, channel: str, number: str, fromext: str) -> str:
        """Send the member on ``channel`` to ``number``; the others leave the call."""

    async def add_member(self, channel: str, number: str, fromext: str) -> str:
        """Ring ``number`` into the talking call of ``channel``."""

    # -- conference rooms and uaCSTA phones (2.0.0) --------------------------------------

    async def conference_sessions(self, numbers: list[str] | None) -> list[ConferenceSession]:
        """Rooms in session, all or those named (``10004`` for a number that is no room)."""

    async def conference_invite(
        self, number: str, operator: str, invitees: list[str], fromext: str
    ) -> None:
        """Moderator ``operator`` rings ``invitees`` into room ``number``."""

    async def instant_conference(
        self, number: str, name: str, moderators: list[str], members: list[str], fromext: str
    ) -> None:
        """Open an instant room on the free ``number`` and ring its people."""

    async def csta_accept_inbound(self, extnumber: str, cstacallid: str, ipaddress: str) -> None:
        """The uaCSTA phone of ``extnumber`` answers its ringing call ``cstacallid``."""

    async def attended_transfer(self, channel: str, number: str, fromext: str) -> str:
        """Hold ``channel``'s party and ring ``number`` for the member on ``channel``."""

    async def attended_transfer_operate(self, channel: str, operate: AttendedOperation) -> str:
        """Finish the attended transfer ``channel`` started."""

    # -- recordings and records (docs/pbx-api/files.md) ---------------------------------

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

    # -- inbound call control (docs/pbx-api/call-services.md) ---------------------------

    async def accept_inbound(self, inboundid: str) -> None:
        """Let a call the PBX announced with ``Invite`` go on (``10016`` once too late)."""

    async def refuse_inbound(self, inboundid: str) -> None:
        """Drop a call the PBX announced with ``Invite``: no record is kept."""

    # -- prompts (docs/pbx-api/call-services.md) ----------------------------------------

    async def play_prompt_to_extension(self, extid: str, prompt: str, autoanswer: bool) -> str:
        """Ring the extension and play ``prompt`` (files joined by ``+``) once it answers."""

    async def play_prompt_to_number(self, number: str, prompt: str, fromext: str) -> str:
        """Dial ``number`` outside (as ``fromext`` may, any route when empty) and play."""

    # -- SMS (docs/pbx-api/call-services.md) --------------------------------------------

    async def send_sms(self, trunk: str, phonenumber: str, message: str) -> str:
        """Send the URL-encoded ``message``; answers the ``smsid``, the outcome is an event."""

    # -- hotel (docs/pbx-api/call-services.md) ------------------------------------------

    async def create_alarms(self, extids: list[str], fields: AlarmFields) -> list[str]:
        """Give each extension the alarm; answers the new ``wakeupid``s, one per extension."""

    async def alarms(self, extids: list[str] | None = None) -> list[WakeupAlarm]:
        """The alarms of the extensions named (all when None), by extension, then id."""

    async def update_alarm(
        self, extid: str, wakeupid: str | None, time: str | None, fields: AlarmFields
    ) -> None:
        """Change the fields sent of one alarm, found by ``wakeupid`` (or, as the old guide
        does it, by its current ``time``)."""

    async def delete_alarms(
        self, extid: str, wakeupids: list[str] | None, time: str | None = None
    ) -> None:
        """Delete the alarms named (by id, or by time), or all the extension's."""

    async def check_out(self, extids: list[str]) -> None:
        """Hotel check-out: empty the rooms' voicemail, remove their outbound-route
        permissions, delete their alarms and reset their caller-ID name."""
