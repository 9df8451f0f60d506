"""The simulated PBX's call engine: :class:`SimulatedCalls` implements
:class:`yspbx.pbx.call_ops.CallOps` and the simulator's call controls.

The parts, each in its own module:

* :mod:`.model`: calls, legs and the declared leg state machine;
* :mod:`.switch`: the live calls and every change to them, with the reports each causes;
* :mod:`.destinations`: reaching extensions (through :mod:`.forwarding`: forwarding, DND,
  ring simultaneously), numbers outside, and the features that hold calls: :mod:`.ivr`,
  :mod:`.queue` (with :mod:`.queue_strategy`, :mod:`.survey`), :mod:`.ringgroup`,
  :mod:`.prompts`;
* :mod:`.routing` (with :mod:`.patterns`, :mod:`.call_targets`): what a number reaches;
* :mod:`.dialing`, :mod:`.control`, :mod:`.transfers`, :mod:`.prompt_calls`: the API's call
  operations; :mod:`.inbound_control`: ``Invite``/``Incoming`` and accept/refuse;
* :mod:`.sms`: GSM messages; :mod:`.hotel` (with :mod:`.alarms`, :mod:`.alarm_rules`,
  :mod:`.wakeup`, :mod:`.voicemail`): wake-up alarms and check-out;
* :mod:`.phones`: the simulator's phones and the outside world (``/sim/v1/calls``);
* :mod:`.queries`: how live calls are listed;
* :mod:`.cdr`, :mod:`.recordings`, :mod:`.downloads`, :mod:`.records`: records, recordings
  and their one-time downloads;
* :mod:`.ids`, :mod:`.effects`, :mod:`.status`: ids, ordered reporting, extension status.

Every public operation changes the calls synchronously, then flushes the effect queue, so it returns
after the reports it caused have been handed to the event bus.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from yspbx.clock import Clock
from yspbx.pbx.call_ops import (
    AlarmFields,
    AttendedOperation,
    CallView,
    ConferenceSession,
    InboundCall,
    MonitorMode,
    OutboundCall,
    WakeupAlarm,
)
from yspbx.pbx.events import CallMember
from yspbx.pbx.models import Cdr
from yspbx.pbx.settings import PbxSettings
from yspbx.pbx.simulated.calls.cdr import CdrBook
from yspbx.pbx.simulated.calls.channels import Channels
from yspbx.pbx.simulated.calls.control import CallControl
from yspbx.pbx.simulated.calls.destinations import Destinations
from yspbx.pbx.simulated.calls.dialing import Dialer
from yspbx.pbx.simulated.calls.downloads import Tickets
from yspbx.pbx.simulated.calls.effects import EffectQueue
from yspbx.pbx.simulated.calls.hotel import Hotel
from yspbx.pbx.simulated.calls.ids import IdSource
from yspbx.pbx.simulated.calls.inbound_control import InboundControl
from yspbx.pbx.simulated.calls.members import member
from yspbx.pbx.simulated.calls.model import Call, Leg, LegKind
from yspbx.pbx.simulated.calls.phones import Phones
from yspbx.pbx.simulated.calls.prompt_calls import PromptCalls
from yspbx.pbx.simulated.calls.queries import (
    describe,
    inbound_calls,
    outbound_calls,
    trunk_parties,
)
from yspbx.pbx.simulated.calls.recordings import Recordings
from yspbx.pbx.simulated.calls.records import RecordAccess
from yspbx.pbx.simulated.calls.routing import Router
from yspbx.pbx.simulated.calls.sms import SmsGateway
from yspbx.pbx.simulated.calls.switch import Switch
from yspbx.pbx.simulated.calls.transfers import Transfers
from yspbx.pbx.simulated.calls.uacsta import UaCsta
from yspbx.pbx.simulated.calls.voicemail import Voicemail
from yspbx.pbx.simulated.config import SimulatedConfig
from yspbx.pbx.simulated.events import EventBus
from yspbx.pbx.timefmt import parse_zone
from yspbx.scheduler import Scheduler
from yspbx.store.base import StateStore

T = TypeVar("T")

__all__ = ["SimulatedCalls"]


class SimulatedCalls:
    def __init__(
        self,
        settings: PbxSettings,
        config: SimulatedConfig,
        clock: Clock,
        scheduler: Scheduler,
        state: StateStore,
        bus: EventBus,
        rng: random.Random | None = None,
    ) -> None:
        zone = parse_zone(settings.device.timezone)
        self._ids = IdSource(clock, state)
        self._cdrs = CdrBook(state)
        self._recordings = Recordings(state)
        self._tickets = Tickets(state, clock)
        self._switch = Switch(
            settings,
            config,
            clock,
            scheduler,
            EffectQueue(bus),
            self._ids,
            self._cdrs,
            self._recordings,
            zone,
        )
        router = Router(config)
        self._destinations = Destinations(self._switch, router, rng)
        self._dialer = Dialer(self._switch, self._destinations, router)
        self._control = CallControl(self._switch, self._destinations, self._dialer)
        self._transfers = Transfers(self._switch, self._destinations, router, self._control)
        self._inbound = InboundControl(self._destinations)
        self._channels = Channels(self._switch, self._destinations, router, self._transfers)
        self._phones = Phones(self._switch, self._destinations, router, self._inbound)
        self._prompts = PromptCalls(self._switch, self._dialer, router)
        self._sms = SmsGateway(self._switch)
        self._csta = UaCsta(self._switch, self._destinations)
        self._voicemail = Voicemail(self._switch, state)
        self._hotel = Hotel(self._destinations, state, self._voicemail, zone)
        self._records = RecordAccess(
            config, self._cdrs, self._recordings, self._tickets, zone, settings.device.sn
        )
        config.use_call_status(self.extension_status)
        config.hooks.status_revision = lambda: self._switch.revision
        config.hooks.trunk_in_use = self._switch.trunk_in_use

    async def _run(self, operation: Callable[[], T]) -> T:
        """Change the calls, then hand every report the change caused to the bus."""
        try:
            return operation()
        finally:
            await self._switch.flush()

    # -- life cycle ------------------------------------------------------------------------

    def seed(self, value: int) -> None:
        """Make the PBX's random choices (the ``Random`` queue strategy) repeatable."""
        self._destinations.queues.strategy.rng.seed(value)

    async def start(self) -> None:
        await self._ids.load()
        await self._hotel.start()

    # -- CallOps: queries ------------------------------------------------------------------

    def extension_status(self, number: str) -> str | None:
        return self._switch.extension_status(number)

    async def inbound_calls(self, inboundids: list[str] | None = None) -> list[InboundCall]:
        return inbound_calls(self._trunk_parties(inboundids, LegKind.INBOUND))

    async def outbound_calls(self, outboundids: list[str] | None = None) -> list[OutboundCall]:
        return outbound_calls(self._trunk_parties(outboundids, LegKind.OUTBOUND))

    def _trunk_parties(self, leg_ids: list[str] | None, kind: LegKind) -> list[tuple[Call, Leg]]:
        """The trunk parties asked for: looked up by id, or (none named) every one."""
        if leg_ids is None:
            return trunk_parties(self._switch.calls.values(), kind)
        return self._switch.trunk_legs(leg_ids, kind)

    # -- CallOps: control ------------------------------------------------------------------

    async def hangup_extension(self, extid: str) -> None:
        await self._run(lambda: self._control.hangup_extension(extid))

    async def hangup_inbound(self, inboundid: str) -> None:
        await self._run(lambda: self._control.hangup_trunk(inboundid, LegKind.INBOUND))

    async def hangup_outbound(self, outboundid: str) -> None:
        await self._run(lambda: self._control.hangup_trunk(outboundid, LegKind.OUTBOUND))

    async def hold(self, extid: str) -> None:
        await self._run(lambda: self._control.hold(extid, True))

    async def unhold(self, extid: str) -> None:
        await self._run(lambda: self._control.hold(extid, False))

    async def mute(self, extid: str) -> None:
        await self._run(lambda: self._control.mute(extid, True))

    async def unmute(self, extid: str) -> None:
        await self._run(lambda: self._control.mute(extid, False))

    async def monitor(self, mode: MonitorMode, monitor: str, monitored: str) -> None:
        await self._run(lambda: self._control.monitor(mode, monitor, monitored))

    # -- CallOps: origination --------------------------------------------------------------

    async def dial_extension(self, caller: str, callee: str, autoanswer: bool) -> str:
        return await self._run(lambda: self._dialer.dial_extension(caller, callee, autoanswer))

    async def dial_outbound(self, extid: str, number: str, autoanswer: bool) -> str:
        return await self._run(lambda: self._dialer.dial_outbound(extid, number, autoanswer))

    async def callback(self, caller: str, number: str, fromext: str) -> str:
        return await self._run(lambda: self._dialer.callback(caller, number, fromext))

    async def dial_ivr_extension(self, ivrid: str, extid: str, autoanswer: bool) -> str:
        return await self._run(lambda: self._dialer.dial_ivr_extension(ivrid, extid, autoanswer))

    async def dial_ivr_outbound(self, ivrid: str, number: str, fromext: str) -> str:
        return await self._run(lambda: self._dialer.dial_ivr_outbound(ivrid, number, fromext))

    async def dial_queue_outbound(self, queueid: str, number: str, fromext: str) -> str:
        return await self._run(lambda: self._dialer.dial_queue_outbound(queueid, number, fromext))

    async def dial_ringgroup_outbound(self, ringgroupid: str, number: str, fromext: str) -> str:
        return await self._run(
            lambda: self._dialer.dial_ringgroup_outbound(ringgroupid, number, fromext)
        )

    # -- CallOps: transfer -----------------------------------------------------------------

    async def transfer(self, callid: str, transferor: str, number: str, fromext: str) -> str:
        return await self._run(
            lambda: self._transfers.transfer(callid, transferor, number, fromext)
        )

    async def transfer_inbound(self, inboundid: str, number: str, fromext: str) -> str:
        return await self._run(
            lambda: self._transfers.transfer_trunk(inboundid, LegKind.INBOUND, number, fromext)
        )

    async def transfer_outbound(self, outboundid: str, number: str, fromext: str) -> str:
        return await self._run(
            lambda: self._transfers.transfer_trunk(outboundid, LegKind.OUTBOUND, number, fromext)
        )

    # -- CallOps: inbound control, prompts, SMS, hotel -------------------------------------

    async def accept_inbound(self, inboundid: str) -> None:
        await self._run(lambda: self._inbound.accept(inboundid))

    async def refuse_inbound(self, inboundid: str) -> None:
        await self._run(lambda: self._inbound.refuse(inboundid))

    async def play_prompt_to_extension(self, extid: str, prompt: str, autoanswer: bool) -> str:
        return await self._run(lambda: self._prompts.to_extension(extid, prompt, autoanswer))

    async def play_prompt_to_number(self, number: str, prompt: str, fromext: str) -> str:
        return await self._run(lambda: self._prompts.to_number(number, prompt, fromext))

    async def send_sms(self, trunk: str, phonenumber: str, message: str) -> str:
        return await self._run(lambda: self._sms.send(trunk, phonenumber, message))

    async def create_alarms(self, extids: list[str], fields: AlarmFields) -> list[str]:
        return await self._hotel.create(extids, fields)

    async def alarms(self, extids: list[str] | None = None) -> list[WakeupAlarm]:
        return await self._hotel.query(extids)

    async def update_alarm(
        self, extid: str, wakeupid: str | None, time: str | None, fields: AlarmFields
    ) -> None:
        await self._hotel.update(extid, wakeupid, time, fields)

    async def delete_alarms(
        self, extid: str, wakeupids: list[str] | None, time: str | None = None
    ) -> None:
        await self._hotel.delete(extid, wakeupids, time)

    async def check_out(self, extids: list[str]) -> None:
        await self._hotel.check_out(extids)

    # -- CallOps: members by channel (2.0.0) -----------------------------------------------

    async def call_views(self, callids: list[str] | None = None) -> list[CallView]:
        return self._channels.views(callids)

    async def member(self, channel: str) -> tuple[str, CallMember]:
        call, leg = self._channels.find(channel)
        return call.callid, member(leg)

    async def hangup_channel(self, channel: str) -> str:
        return await self._run(lambda: self._channels.hangup(channel))

    async def hold_channel(self, channel: str, held: bool) -> str:
        return await self._run(lambda: self._channels.hold(channel, held))

    async def mute_channels(self, channels: list[str], muted: bool) -> str:
        return await self._run(lambda: self._channels.mute(channels, muted))

    async def transfer_channel(self, channel: str, number: str, fromext: str) -> str:
        return await self._run(lambda: self._channels.transfer(channel, number, fromext))

    async def add_member(self, channel: str, number: str, fromext: str) -> str:
        return await self._run(lambda: self._channels.add_member(channel, number, fromext))

    async def attended_transfer(self, channel: str, number: str, fromext: str) -> str:
        return await self._run(lambda: self._channels.attended_transfer(channel, number, fromext))

    async def attended_transfer_operate(self, channel: str, operate: AttendedOperation) -> str:
        return await self._run(lambda: self._channels.operate(channel, operate))

    # -- CallOps: conference rooms and uaCSTA phones (2.0.0) -------------------------------

    async def conference_sessions(self, numbers: list[str] | None) -> list[ConferenceSession]:
        return self._destinations.conferences.in_session(numbers)

    async def conference_invite(
        self, number: str, operator: str, invitees: list[str], fromext: str
    ) -> None:
        rooms = self._destinations.conferences
        await self._run(lambda: rooms.add_member(number, operator, invitees, fromext))

    async def instant_conference(
        self, number: str, name: str, moderators: list[str], members: list[str], fromext: str
    ) -> None:
        rooms = self._destinations.conferences
        await self._run(lambda: rooms.start_instant(number, name, moderators, members, fromext))

    async def csta_accept_inbound(self, extnumber: str, cstacallid: str, ipaddress: str) -> None:
        await self._run(lambda: self._csta.accept_inbound(extnumber, cstacallid, ipaddress))

    # -- CallOps: records and recordings ---------------------------------------------------

    async def recording_random(self, name: str, app_ip: str, allowed_ip: str | None) -> str:
        return await self._records.recording_random(name, app_ip, allowed_ip)

    async def download_recording(self, name: str, random: str, client_ip: str) -> bytes:
        return await self._records.download_recording(name, random, client_ip)

    async def cdr_random(
        self, extid: str, starttime: str, endtime: str, app_ip: str, allowed_ip: str | None
    ) -> str:
        return await self._records.cdr_random(extid, starttime, endtime, app_ip, allowed_ip)

    async def download_cdr(
        self, extid: str, starttime: str, endtime: str, random: str, client_ip: str
    ) -> bytes:
        return await self._records.download_cdr(extid, starttime, endtime, random, client_ip)

    # -- the simulator's phones (/sim/v1/calls) --------------------------------------------

    def live_calls(self) -> list[dict[str, Any]]:
        return [describe(call) for call in self._switch.calls.values()]

    def live_call(self, callid: str) -> dict[str, Any]:
        return describe(self._phones.call(callid))

    def call_state(self, callid: str) -> str | None:
        """The live call's state in one word (as :meth:`live_calls` shows it); None once it
        has ended."""
        call = self._switch.calls.get(callid)
        return None if call is None else call.state

    async def place_call(self, caller: str, dialled: str, trunk: str | None = None) -> str:
        """A call arrives on ``trunk`` from ``caller``, or extension ``caller`` dials."""
        return await self._run(lambda: self._phones.place(caller, dialled, trunk).callid)

    async def answer(self, callid: str, party: str | None = None) -> str:
        """A ringing party picks up; answers its number."""
        return await self._run(lambda: self._phones.answer(callid, party).number)

    async def hangup(self, callid: str, party: str | None = None) -> str:
        """A party (by default the caller) hangs up; answers its number."""
        return await self._run(lambda: self._phones.hangup(callid, party).number)

    async def transfer_from_phone(self, callid: str, party: str, number: str) -> None:
        """Extension ``party`` blind-transfers the other side of its call to ``number``."""

        def transfer() -> None:
            call = self._phones.call(callid)
            self._transfers.blind_from_phone(call, self._phones.party(call, party), number)

        await self._run(transfer)

    async def press_keys(self, callid: str, digits: str) -> None:
        await self._run(lambda: self._phones.press(callid, digits))

    async def records(self) -> list[Cdr]:
        """Every call record kept, oldest first."""
        return await self._cdrs.all()

    def sms_messages(self) -> list[dict[str, Any]]:
        """The SMS sent lately, oldest first, with their outcome so far."""
        return self._sms.messages()

    async def settle_sms(self, smsid: str, status: Literal["Success", "Failed"]) -> dict[str, Any]:
        """Decide now how a message still being sent ends."""
        return await self._run(lambda: self._sms.settle(smsid, status))

    async def voicemail(self, extid: str) -> list[dict[str, Any]]:
        """The messages in an extension's voicemail box, oldest first."""
        await self._switch.flush()
        return await self._voicemail.messages(extid)
