"""The switch: the live calls and every change made to them.

Everything that happens to a call goes through here: legs are added, rung, answered, released;
calls fail or finish and leave their record. Each change is made synchronously and queues the
reports it causes on the :class:`~.effects.EffectQueue` in the order the PBX sends them
(docs/pbx-api/reports.md); the caller of a public operation then flushes the effect queue. The
API operations (:mod:`.dialing`, :mod:`.control`, :mod:`.transfers`) and the simulator's
controls (:mod:`.phones`) are built from these moves; where a call goes when it reaches an IVR, a
queue or a ring group is decided in :mod:`.destinations`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timezone

from yspbx.clock import Clock
from yspbx.pbx.events import (
    CallAlerting,
    CallAnswer,
    CallAnswered,
    CallFailed,
    CallReleased,
    CallRinging,
    CdrWritten,
    Party,
)
from yspbx.pbx.models import CdrStatus, CdrType
from yspbx.pbx.settings import PbxSettings
from yspbx.pbx.simulated.calls.call_targets import (
    ABANDONED,
    DECLINED,
    RING_TIMEOUT,
    Unreachable,
)
from yspbx.pbx.simulated.calls.cdr import CdrBook, build_cdr
from yspbx.pbx.simulated.calls.effects import EffectQueue
from yspbx.pbx.simulated.calls.ids import IdSource
from yspbx.pbx.simulated.calls.members import CallStatusTracker
from yspbx.pbx.simulated.calls.model import (
    Call,
    Leg,
    LegKind,
    LegState,
    Role,
    Segment,
)
from yspbx.pbx.simulated.calls.recordings import Recordings, recording_name
from yspbx.pbx.simulated.calls.status import StatusReporter, list_status
from yspbx.pbx.simulated.config import SimulatedConfig
from yspbx.scheduler import Scheduler, Timer

# Called when the last ringing party of a call stopped ringing without answering.
RingingStopped = Callable[[Call, Leg, Unreachable], None]
# Told when a leg has ended, and when a call is over (with its record's status; None when the
# call was dropped without a record, as a refused inbound call is).
LegEnded = Callable[[Call, Leg], None]
CallClosed = Callable[[Call, CdrStatus | None], None]


class Switch:
    def __init__(
        self,
        settings: PbxSettings,
        config: SimulatedConfig,
        clock: Clock,
        scheduler: Scheduler,
        effects: EffectQueue,
        ids: IdSource,
        cdrs: CdrBook,
        recordings: Recordings,
        zone: timezone,
    ) -> None:
        self.settings = settings
        self.config = config
        self.clock = clock
        self.scheduler = scheduler
        self.effects = effects
        self.ids = ids
        self._cdrs = cdrs
        self._recordings = recordings
        self._zone = zone
        self.status = StatusReporter(config, effects)
        self.call_status = CallStatusTracker(effects)
        # The live calls, oldest first, and indexes over their live legs, kept as legs come
        # and go, so that no per-call step looks through every call (docs/calls.md, "Cost").
        self.calls: dict[str, Call] = {}
        self._extension_legs: dict[str, tuple[Call, Leg]] = {}
        # Grows whenever an extension's call status may have changed (answers can be cached).
        self.revision = 0
        self._trunk_legs: dict[str, tuple[Call, Leg]] = {}
        self._channel_legs: dict[str, tuple[Call, Leg]] = {}
        # trunk name -> live legs in _trunk_legs on it
        self._trunk_use: dict[str, int] = {}
        self._call_sequence = 0
        self._cdrs_written: dict[str, int] = {}
        self._firing_at: float | None = None
        # Destinations decide what happens when nobody is left ringing (queues retry).
        self.on_ringing_stopped: RingingStopped = self._fail_on_ringing_stopped
        self.leg_ended: list[LegEnded] = []
        self.call_closed: list[CallClosed] = []

    # -- time ----------------------------------------------------------------------------

    def now(self) -> float:
        """The time changes happen at: a timer's own deadline while it fires, else the clock.

        A clock jump fires every timer it passed in one go; each still takes effect at its
        deadline, so a ring time-out of 30 s leaves a record of 30 s whatever the jump.
        """
        return self._firing_at if self._firing_at is not None else self.clock.now()

    def at(self, when: float, callback: Callable[[], None], name: str) -> Timer:
        """Run ``callback`` at ``when`` on the server clock, at that time, then flush."""

        async def fire() -> None:
            self._firing_at = min(when, self.clock.now())
            try:
                callback()
            finally:
                self._firing_at = None
            await self.flush()

        return self.scheduler.call_at(when, fire, name)

    # -- looking things up -------------------------------------------------------------

    def extension_leg(self, number: str) -> tuple[Call, Leg] | None:
        """The call an extension is in, with its leg (an extension is in one call at most)."""
        return self._extension_legs.get(number)

    def trunk_leg(self, leg_id: str, kind: LegKind) -> tuple[Call, Leg] | None:
        found = self._trunk_legs.get(leg_id)
        if found is None or found[1].kind is not kind:
            return None
        return found

    def is_idle(self, number: str) -> bool:
        return number not in self._extension_legs

    def trunk_legs(self, leg_ids: Iterable[str], kind: LegKind) -> list[tuple[Call, Leg]]:
        """The live trunk legs of ``kind`` among ``leg_ids``, each once, in the order a look
        through every call would find them (calls oldest first, then their legs)."""
        found = [self.trunk_leg(leg_id, kind) for leg_id in dict.fromkeys(leg_ids)]
        legs = [pair for pair in found if pair is not None]
        legs.sort(key=lambda pair: (pair[0].order, pair[0].legs.index(pair[1])))
        return legs

    def channel_leg(self, channel: str) -> tuple[Call, Leg] | None:
        """The live leg on ``channel`` (2.0.0's member channel), with its call."""
        return self._channel_legs.get(channel)

    def trunk_in_use(self, name: str) -> bool:
        """Whether a live call has a leg on the trunk (the configuration then refuses deletion)."""
        return self._trunk_use.get(name, 0) > 0

    def extension_status(self, number: str) -> str | None:
        found = self._extension_legs.get(number)
        return None if found is None else list_status([found[1]])

    # -- calls and legs ----------------------------------------------------------------

    def new_call(
        self,
        type: CdrType,
        callfrom: str,
        callto: str,
        *,
        callid: str | None = None,
        reports_ring: bool = False,
        reports_alert: bool = False,
    ) -> Call:
        now = self.now()
        self._call_sequence += 1
        call = Call(
            callid=callid or self.ids.next(),
            segment=Segment(type=type, started_at=now, callfrom=callfrom, callto=callto),
            reports_ring=reports_ring,
            reports_alert=reports_alert,
            order=self._call_sequence,
        )
        self.calls[call.callid] = call
        return call

    def add_leg(self, call: Call, leg: Leg, ring_seconds: float | None = None) -> Leg:
        """Put a new leg (created ringing or dialing) into the call."""
        call.legs.append(leg)
        if not leg.channel:
            leg.channel = self.call_status.new_channel(leg)
        if leg.kind is LegKind.EXTENSION and leg.role is Role.CALLEE:
            leg.callpath = call.callpath
        self.call_status.changed(call, leg, False)
        self._channel_legs[leg.channel] = (call, leg)
        if leg.kind is LegKind.EXTENSION:
            self.revision += 1
            self._extension_legs[leg.number] = (call, leg)
            self.status.update(leg.number, [leg])
        elif leg.leg_id:
            self._index_trunk_leg(call, leg)
        if leg.state is LegState.RINGING:
            self._start_ringing(call, leg, ring_seconds)
        return leg

    def move(self, call: Call, leg: Leg, state: LegState) -> None:
        """The one place a leg changes state (and the extension's status with it)."""
        if leg.state is state:
            return
        was_up = leg.connected
        leg.move(state)
        self.call_status.changed(call, leg, was_up)
        if state is LegState.ENDED:
            leg.muted = False
            if self._extension_legs.get(leg.number, (None, None))[1] is leg:
                del self._extension_legs[leg.number]
            if leg.leg_id and self._trunk_legs.get(leg.leg_id, (None, None))[1] is leg:
                self._unindex_trunk_leg(leg.leg_id)
            if self._channel_legs.get(leg.channel, (None, None))[1] is leg:
                del self._channel_legs[leg.channel]
        if leg.kind is LegKind.EXTENSION:
            self.revision += 1
            self.status.update(leg.number, [leg] if leg.live else [])
        if state is LegState.ENDED:
            for listener in self.leg_ended:
                listener(call, leg)

    # -- ringing -------------------------------------------------------------------------

    def ring_timeout(self, leg: Leg, seconds: float | None = None) -> float:
        if seconds is not None:
            return seconds
        if leg.kind is LegKind.EXTENSION:
            extension = self.config.extensions.get(leg.number)
            if extension is not None and extension.ringtimeout > 0:
                return float(extension.ringtimeout)
        return float(self.settings.calls.ring_timeout)

    def _start_ringing(self, call: Call, leg: Leg, seconds: float | None = None) -> None:
        leg.ring_started_at = self.now()
        deadline = leg.ring_started_at + self.ring_timeout(leg, seconds)
        leg.cancel_timer()
        leg.timer = self.at(
            deadline, lambda: self._ring_timed_out(call, leg), f"ring {call.callid} {leg.number}"
        )

    def ring(self, call: Call, leg: Leg, seconds: float | None = None) -> Leg:
        """Ring a new called party (created ringing) for the call's caller.

        ``RING`` follows once the call reports ringing (docs/pbx-api/reports.md: callee first).
        """
        self.add_leg(call, leg, seconds)
        if call.reports_ring:
            self.effects.emit(CallRinging(call.callid, (leg.party(), call.caller.party())))
        return leg

    def alert(self, call: Call) -> None:
        """The calling side hears ring-back (ALERT when the API started the call)."""
        if call.reports_alert:
            self.effects.emit(CallAlerting(call.callid, (call.caller.party(),)))

    def _ring_timed_out(self, call: Call, leg: Leg) -> None:
        if call.ended or leg.state is not LegState.RINGING:
            return
        if leg.role is Role.CALLER:
            self.fail(call, RING_TIMEOUT, about=leg.party())
        elif leg.role is Role.MONITOR:
            self.move(call, leg, LegState.ENDED)
        else:
            self._stop_ringing(call, leg, RING_TIMEOUT)

    def _stop_ringing(self, call: Call, leg: Leg, why: Unreachable) -> None:
        """A called party stops ringing unanswered; when it was the last, the call fails
        (reported before the leg goes) unless its destination keeps the caller."""
        talking = (LegState.TALKING, LegState.HELD)
        if any(other is not leg for other in call.ringing()) or any(
            other.state in talking for other in call.parties()
        ):
            # Others still ring, or the call goes on without it (a party invited into a
            # talking call, 2.0.0's call/add_member, did not answer).
            self.move(call, leg, LegState.ENDED)
            return
        self.on_ringing_stopped(call, leg, why)
        if leg.live:
            self.move(call, leg, LegState.ENDED)

    def _fail_on_ringing_stopped(self, call: Call, leg: Leg, why: Unreachable) -> None:
        self.fail(call, why, about=leg.party())

    # -- answering and hanging up --------------------------------------------------------

    def connect(self, call: Call, leg: Leg) -> None:
        """A ringing called party answered: it and the caller talk (ANSWERED, then ANSWER)."""
        caller = call.caller
        self.move(call, leg, LegState.TALKING)
        for other in call.ringing():
            self.move(call, other, LegState.ENDED)
        self.move(call, caller, LegState.TALKING)
        call.cancel_timers()
        self.mark_answered(call)
        self.effects.emit(CallAnswered(call.callid, (caller.party(), leg.party())))
        self.effects.emit(CallAnswer(call.callid, (leg.party(), caller.party())))

    def mark_answered(self, call: Call) -> None:
        """The current stretch of the call is answered (by a party, an IVR or voicemail)."""
        segment = call.segment
        if segment.answered_at is not None:
            return
        segment.answered_at = self.now()
        if self._records(call):
            segment.recording = recording_name(
                segment.answered_at,
                self._zone,
                call.callid,
                segment.callfrom,
                segment.callto,
                segment.type,
            )

    def _records(self, call: Call) -> bool:
        for leg in call.parties():
            if leg.kind is LegKind.EXTENSION:
                extension = self.config.extensions.get(leg.number)
                if extension is not None and extension.record:
                    return True
            else:
                trunk = self.config.trunks.get(leg.trunk)
                if trunk is not None and trunk.record:
                    return True
        return False

    def release(self, call: Call, leg: Leg) -> None:
        """``leg`` hangs up (or declines, when it was ringing)."""
        if call.ended or not leg.live:
            return
        if leg.role is Role.MONITOR:
            self.move(call, leg, LegState.ENDED)
            return
        if leg.state is LegState.RINGING:
            if leg.role is Role.CALLER:
                self.fail(call, DECLINED, about=leg.party())
                return
            self._stop_ringing(call, leg, DECLINED)
            return
        if call.answered:
            if call.feature is not None and call.feature.party_left(call, leg):
                return
            self.finish(call, leg)
        else:
            ringing = call.ringing()
            self.fail(call, ABANDONED, about=ringing[0].party() if ringing else None)

    def finish(self, call: Call, releaser: Leg) -> None:
        """An answered call ends because ``releaser`` left: two BYEs, the record."""
        others = [leg for leg in call.parties() if leg is not releaser and leg.connected]
        first = (releaser.party(), *(leg.party() for leg in others))
        self.effects.emit(CallReleased(call.callid, first))
        if others:
            second = (others[0].party(), releaser.party(), *(leg.party() for leg in others[1:]))
            self.effects.emit(CallReleased(call.callid, second))
        self._end_legs(call, first_out=releaser)
        self.close(call, "VOICEMAIL" if _in_voicemail(call) else "ANSWERED")

    def fail(self, call: Call, why: Unreachable, about: Party | None = None) -> None:
        """The call could not be connected: CallFailed, then the record."""
        parties: list[Party] = [] if about is None else [about]
        if call.legs:
            caller = call.caller.party()
            if all(type(p) is not type(caller) for p in parties):
                parties.append(caller)
        self.effects.emit(CallFailed(call.callid, why.reason, tuple(parties)))
        self._end_legs(call)
        self.close(call, why.status)

    def _end_legs(self, call: Call, first_out: Leg | None = None) -> None:
        ordered = [leg for leg in call.legs if leg.role is not Role.CALLER and leg.live]
        ordered += [leg for leg in call.legs if leg.role is Role.CALLER and leg.live]
        if first_out is not None and first_out in ordered:
            ordered.remove(first_out)
            ordered.insert(0, first_out)
        for leg in ordered:
            self.move(call, leg, LegState.ENDED)

    def end(self, call: Call, status: CdrStatus) -> None:
        """The PBX ends the call without a further report (its BYEs already went out)."""
        self._end_legs(call)
        self.close(call, status)

    def adopt(self, source: Call, leg: Leg, into: Call) -> None:
        """Move ``leg`` from its own call into ``into`` (a caller entering a conference room
        that already has a session); the call it leaves is dropped without a record."""
        source.legs.remove(leg)
        into.legs.append(leg)
        if leg.kind is LegKind.EXTENSION:
            self._extension_legs[leg.number] = (into, leg)
        elif leg.leg_id:
            self._index_trunk_leg(into, leg)
        self._channel_legs[leg.channel] = (into, leg)
        self.call_status.changed(into, leg, False)
        self.discard(source)

    def _index_trunk_leg(self, call: Call, leg: Leg) -> None:
        if leg.leg_id in self._trunk_legs:
            self._unindex_trunk_leg(leg.leg_id)
        self._trunk_legs[leg.leg_id] = (call, leg)
        self._trunk_use[leg.trunk] = self._trunk_use.get(leg.trunk, 0) + 1

    def _unindex_trunk_leg(self, leg_id: str) -> None:
        _, leg = self._trunk_legs.pop(leg_id)
        left = self._trunk_use.get(leg.trunk, 0) - 1
        if left > 0:
            self._trunk_use[leg.trunk] = left
        else:
            self._trunk_use.pop(leg.trunk, None)

    def discard(self, call: Call) -> None:
        """Drop the call as if it never was: no report beyond the legs' status, no record."""
        call.ended = True
        call.cancel_timers()
        self._end_legs(call)
        self.call_status.forget(call)
        self.calls.pop(call.callid, None)
        self._cdrs_written.pop(call.callid, None)
        for listener in self.call_closed:
            listener(call, None)

    def close(self, call: Call, status: CdrStatus) -> None:
        """The call is over: drop it and write its (last) record."""
        call.ended = True
        call.cancel_timers()
        self.calls.pop(call.callid, None)
        self.write_record(call, status)
        self._cdrs_written.pop(call.callid, None)
        for listener in self.call_closed:
            listener(call, status)

    def write_record(self, call: Call, status: CdrStatus) -> None:
        """Write the record of the current stretch (and its recording), then ``NewCdr``."""
        now = self.now()
        cdr = build_cdr(call.callid, call.segment, status, now, self._zone)
        index = self._cdrs_written.get(call.callid, 0)
        self._cdrs_written[call.callid] = index + 1
        if cdr.recording:
            name, talk = cdr.recording, float(cdr.talk_duration)

            async def save_recording() -> None:
                await self._recordings.save(name, talk)

            self.effects.then(save_recording)

        async def save_cdr() -> None:
            await self._cdrs.save(cdr, index)

        self.effects.then(save_cdr)
        self.effects.emit(CdrWritten(cdr))

    # -- life cycle ----------------------------------------------------------------------

    async def flush(self) -> None:
        self.effects.then(self.ids.save)
        await self.effects.flush()


def _in_voicemail(call: Call) -> bool:
    return call.destination is not None and call.destination.kind == "voicemail"
