"""The callers and phones of a scenario run, reacting to the engine's domain events.

They act only through the simulator's public controls (what ``/sim/v1/calls`` drives: a call
arrives on a trunk, a phone dials, answers, holds, transfers, hangs up, a caller presses keys)
and the PBX's own operations (dynamic agents and pauses, wake-up alarms, SMS). The engine emits
its events while it flushes an operation's effects, so a listener must not call back into it:
every reaction is a timer on the seat's scheduler (delay 0 for "at once"), which the run fires
when it moves the clock. Every decision comes from :class:`~yspbx.scenarios.Dice` keyed by the
call's arrival index and the step (or by agent and step), never from wall time or from the
order of anything unordered, so a seed gives the same run on any PBX.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from functools import partial
from typing import Any

from yspbx.clock import Clock
from yspbx.errors import PbxError
from yspbx.pbx.call_ops import AlarmFields
from yspbx.pbx.events import (
    CallAnswer,
    CallFailed,
    CallReleased,
    CallRinging,
    CdrWritten,
    DomainEvent,
    ExtensionStatusChanged,
    ExtParty,
)
from yspbx.pbx.simulated import SimulatedEngine
from yspbx.pbx.simulated.calls.errors import SimulationError
from yspbx.pbx.timefmt import local_datetime
from yspbx.play.summary import Summary
from yspbx.scenarios import Arrival, Dice, Distribution, Scenario
from yspbx.scenarios.model import Agents, Inbound, Outbound, PhoneSettings, Sms, Wakeup
from yspbx.scheduler import Scheduler, Timer

log = logging.getLogger(__name__)

DAY = 86400.0
# How often a caller whose call is in an IVR (or on its way) looks where it went.
LOOK_AGAIN = 5.0
LOOKS = 24
# A phone dialling out gives up when nobody answered within this long.
OUTBOUND_GIVE_UP = 45.0
# A phone that forwards a call picks up and transfers it this long after.
FORWARD_AFTER = 1.0
# A caller who hangs up early does so within this many seconds of arriving.
EARLY_HANGUP = (1.0, 10.0)

# How often (PBX seconds) calls that ended unseen are forgotten, and for how long after the end.
SWEEP = 30.0
DRAIN_SWEEPS = 120

Action = Callable[[], Awaitable[Any]]


@dataclass(eq=False)
class Track:
    """One call of the run: from its arrival (or, for a wake-up, its first ring) to its end."""

    index: int
    kind: str
    callid: str
    source: Inbound | Outbound | Wakeup | None
    caller: str = ""
    answered: bool = False
    queue: str | None = None
    pressed: bool = False
    checking: bool = False
    looks: int = 0
    step: int = 0
    timers: list[Timer] = field(default_factory=list)
    # Phones that pick up only to pass the call on at once (``forward``), and where to.
    forwards: dict[str, str] = field(default_factory=dict)
    # Timers of the caller's own impatience (cancelled once answered).
    waiting: list[Timer] = field(default_factory=list)

    def next_step(self) -> int:
        self.step += 1
        return self.step


@dataclass(eq=False)
class Phone:
    settings: PhoneSettings
    busy_until: float = 0.0
    talking: str | None = None


class Actors:
    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        simulator: SimulatedEngine,
        scheduler: Scheduler,
        clock: Clock,
        summary: Summary,
        zone: timezone,
        start_at: float,
        end_at: float,
    ) -> None:
        self._scenario = scenario
        self._seed = seed
        self._sim = simulator
        self._calls = simulator.calls
        self._scheduler = scheduler
        self._clock = clock
        self._summary = summary
        self._zone = zone
        self._start_at = start_at
        self._end_at = end_at
        self._tracks: dict[str, Track] = {}
        self._phones: dict[str, Phone] = {}
        self._dnd = frozenset(scenario.phones.dnd)
        # Rooms with a wake-up call coming: (arrival index, source), oldest first.
        self._wakeups: dict[str, list[tuple[int, Wakeup]]] = {}
        self._sources: dict[tuple[str, str], Any] = {}
        for kind, entries in (
            ("inbound", scenario.inbound),
            ("outbound", scenario.outbound),
            ("wakeup", scenario.wakeups),
            ("sms", scenario.sms),
        ):
            for entry in entries:
                self._sources[(kind, entry.name)] = entry
        self._agent_timers: list[Timer] = []
        # The call being placed: the events its placing causes come before its id.
        self._placing: Track | None = None
        self._agent_generation: dict[tuple[str, str], int] = {}
        self.active = True

    # -- what the run asks -----------------------------------------------------------------

    @property
    def live(self) -> int:
        """Calls of the run still going."""
        return len(self._tracks)

    def dice(self, *key: object) -> Dice:
        return Dice(self._seed, *key)

    async def hang_up_all(self) -> None:
        """End every call of the run still going (the run stopped or ran out of time)."""
        for callid in sorted(self._tracks, key=lambda c: self._tracks[c].index):
            track = self._tracks.pop(callid)
            for timer in track.timers:
                timer.cancel()
            with contextlib.suppress(SimulationError, PbxError):
                await self._calls.hangup(callid)

    def stop(self) -> None:
        """No more reactions: cancel every timer the actors armed."""
        self.active = False
        for track in self._tracks.values():
            for timer in track.timers:
                timer.cancel()
        for timer in self._agent_timers:
            timer.cancel()
        self._agent_timers.clear()

    # -- arrivals --------------------------------------------------------------------------

    async def arrive(self, arrival: Arrival) -> None:
        source = self._sources.get((arrival.kind, arrival.source))
        if isinstance(source, Inbound):
            await self._inbound(arrival, source)
        elif isinstance(source, Outbound):
            await self._outbound(arrival, source)
        elif isinstance(source, Wakeup):
            await self._wakeup(arrival, source)
        elif isinstance(source, Sms):
            await self._sms(arrival, source)

    async def _place(self, track: Track, dialled: str, trunk: str | None) -> bool:
        """Place the track's call; the events it causes (emitted before ``place_call``
        returns) already find the track."""
        self._placing = track
        try:
            callid = await self._calls.place_call(track.caller, dialled, trunk)
        except (SimulationError, PbxError) as exc:
            log.debug("arrival %d refused: %s", track.index, exc)
            self._tracks.pop(track.callid, None)
            return False
        finally:
            self._placing = None
        if track.callid != callid:
            self._tracks.pop(track.callid, None)
            track.callid = callid
            self._tracks[callid] = track
        return True

    def _track(self, callid: str) -> Track | None:
        track = self._tracks.get(callid)
        if track is None and self._placing is not None and not self._placing.callid:
            track = self._placing
            track.callid = callid
            self._tracks[callid] = track
        return track

    async def _inbound(self, arrival: Arrival, source: Inbound) -> None:
        track = Track(arrival.index, "inbound", "", source, caller=arrival.caller)
        if not await self._place(track, arrival.dialled, arrival.trunk):
            self._summary.refused_actions += 1
            return
        self._summary.calls += 1
        self._summary.inbound += 1
        dice = self.dice("call", arrival.index, "arrive")
        if dice.chance(source.hangup_early):
            delay = dice.uniform(*EARLY_HANGUP)
            track.waiting.append(self._in(track, delay, lambda: self._abandon(track)))
        self._look(track)

    async def _outbound(self, arrival: Arrival, source: Outbound) -> None:
        extension = arrival.caller
        phone = self._phone(extension)
        now = self._scheduler_now()
        if (
            phone.talking is not None
            or phone.busy_until > now
            or self._calls.extension_status(extension) is not None
        ):
            self._summary.skipped_outbound += 1
            return
        track = Track(arrival.index, "outbound", "", source, caller=extension)
        if not await self._place(track, arrival.dialled, None):
            self._summary.skipped_outbound += 1
            return
        callid = track.callid
        self._summary.calls += 1
        self._summary.outbound += 1
        phone.talking = callid
        track.waiting.append(
            self._in(track, OUTBOUND_GIVE_UP, lambda: self._hang_up(track, extension))
        )
        call = self._live(callid)
        if call is None:
            return
        dice = self.dice("call", arrival.index, "far end")
        for leg in call["legs"]:
            if leg["state"] != "ringing":
                continue
            if leg["kind"] == "extension":
                self._ringing(track, leg["number"])
            elif dice.chance(source.answer):
                delay = dice.sample(source.answer_after)
                self._in(track, delay, partial(self._answer, track, leg["number"]))

    async def _wakeup(self, arrival: Arrival, source: Wakeup) -> None:
        """The room's alarm is set for the next minute; the PBX rings the room then."""
        room = arrival.dialled
        ring_at = math.floor(self._scheduler_now() / 60 + 1) * 60
        when = local_datetime(ring_at, self._zone).strftime("%H:%M")
        fields = AlarmFields(time=when, type="onetime", repeats="0", repeatinterval="5")
        try:
            await self._calls.create_alarms([room], fields)
        except (SimulationError, PbxError) as exc:
            log.debug("wake-up %d for %s refused: %s", arrival.index, room, exc)
            self._summary.refused_actions += 1
            return
        self._wakeups.setdefault(room, []).append((arrival.index, source))

    async def _sms(self, arrival: Arrival, source: Sms) -> None:
        text = self.dice("sms", arrival.index).choice(source.text)
        try:
            await self._calls.send_sms(arrival.trunk or source.trunk, arrival.dialled, text)
        except (SimulationError, PbxError) as exc:
            log.debug("SMS %d refused: %s", arrival.index, exc)
            self._summary.refused_actions += 1
            return
        self._summary.sms += 1

    # -- agents ----------------------------------------------------------------------------

    def plan_agents(self) -> None:
        """Log agents in and out for their shifts, pausing now and then while logged in."""
        start_of_day = self._scenario.start_of_day
        duration = self._end_at - self._start_at
        for position, agents in enumerate(self._scenario.agents):
            shifts = agents.shifts(start_of_day, duration)
            for extension in agents.extensions:
                key = (agents.queue, extension, position)
                for begin, end in shifts:
                    self._agent_at(begin, partial(self._log_in, agents, extension, key))
                    if end < duration:
                        self._agent_at(end, partial(self._log_out, agents, extension, key))

    def _agent_at(self, offset: float, action: Action) -> None:
        timer = self._scheduler.call_at(self._start_at + offset, self._guarded(action), "scenario")
        self._agent_timers.append(timer)

    async def _log_in(self, agents: Agents, extension: str, key: tuple[str, str, int]) -> None:
        try:
            await self._sim.config.add_dynamic_agent(agents.queue, extension, None)
        except PbxError as exc:
            log.debug("agent %s could not log in to %s: %s", extension, agents.queue, exc)
            self._summary.refused_actions += 1
            return
        generation = self._agent_generation.get(key[:2], 0) + 1
        self._agent_generation[key[:2]] = generation
        if agents.pause_every is not None:
            self._plan_pause(agents, extension, key, generation, 0)

    async def _log_out(self, agents: Agents, extension: str, key: tuple[str, str, int]) -> None:
        self._agent_generation[key[:2]] = self._agent_generation.get(key[:2], 0) + 1
        try:
            await self._sim.config.remove_dynamic_agent(agents.queue, extension, None)
        except PbxError as exc:
            log.debug("agent %s could not log out of %s: %s", extension, agents.queue, exc)
            self._summary.refused_actions += 1

    def _plan_pause(
        self, agents: Agents, extension: str, key: tuple[str, str, int], generation: int, n: int
    ) -> None:
        assert agents.pause_every is not None
        dice = self.dice("agent", agents.queue, extension, "pause", generation, n)
        after = dice.sample(agents.pause_every)
        length = dice.sample(agents.pause_length)
        at = self._scheduler_now() + after

        async def pause() -> None:
            if self._agent_generation.get(key[:2]) != generation:
                return
            try:
                await self._sim.config.pause_agent(agents.queue, extension)
            except PbxError:
                self._summary.refused_actions += 1
                return
            self._agent_at(self._scheduler_now() + length - self._start_at, unpause)

        async def unpause() -> None:
            if self._agent_generation.get(key[:2]) != generation:
                return
            try:
                await self._sim.config.unpause_agent(agents.queue, extension)
            except PbxError:
                self._summary.refused_actions += 1
                return
            self._plan_pause(agents, extension, key, generation, n + 1)

        if at < self._end_at:
            self._agent_at(at - self._start_at, pause)

    # -- the engine's events ---------------------------------------------------------------

    async def __call__(self, event: DomainEvent) -> None:
        """A listener on the engine's bus: notes what happened, arms timers, never acts."""
        if not self.active:
            return
        kind = type(event)
        if kind is CallRinging:
            assert isinstance(event, CallRinging)
            party = event.parties[0] if event.parties else None
            track = self._track(event.callid)
            if track is not None and isinstance(party, ExtParty):
                self._ringing(track, party.extid)
        elif kind is CallAnswer:
            assert isinstance(event, CallAnswer)
            track = self._track(event.callid)
            if track is not None and event.parties:
                party = event.parties[0]
                self._answered(track, party.extid if isinstance(party, ExtParty) else None)
        elif kind is CdrWritten:
            assert isinstance(event, CdrWritten)
            self._summary.cdrs += 1
            self._maybe_ended(event.cdr.callid)
        elif kind is CallReleased or kind is CallFailed:
            assert isinstance(event, CallReleased | CallFailed)
            self._maybe_ended(event.callid)
        elif kind is ExtensionStatusChanged:
            assert isinstance(event, ExtensionStatusChanged)
            if event.status == "Ringing" and event.extension in self._wakeups:
                room = event.extension
                timer = self._scheduler.call_at(
                    self._scheduler_now(), self._guarded(lambda: self._wake_room(room)), "scenario"
                )
                self._agent_timers.append(timer)
            elif event.status == "Idle":
                phone = self._phones.get(event.extension)
                if phone is not None and phone.talking not in self._tracks:
                    phone.talking = None

    # -- callers ---------------------------------------------------------------------------

    def _look(self, track: Track) -> None:
        """Where did the caller's call go (an IVR, a queue, ringing)? Acts on it."""
        self._in(track, 0, lambda: self._looking(track))

    async def _looking(self, track: Track) -> None:
        call = self._live(track.callid)
        if call is None or track.answered:
            return
        destination = call.get("destination") or {}
        kind = destination.get("type")
        source = track.source
        assert isinstance(source, Inbound)
        if kind == "queue":
            self._enter_queue(track, destination["number"])
            return
        if kind == "ivr" and not track.pressed:
            track.pressed = True
            dice = self.dice("call", track.index, "ivr", track.next_step())
            key = dice.pick(source.ivr) if source.ivr else ""
            delay = dice.sample(source.ivr_delay)
            if key:
                self._in(track, delay, lambda: self._press(track, key))
                return
        if track.looks < LOOKS:
            track.looks += 1
            self._in(track, LOOK_AGAIN, lambda: self._looking(track))

    async def _press(self, track: Track, keys: str) -> None:
        if await self._act(lambda: self._calls.press_keys(track.callid, keys)):
            self._look(track)

    def _enter_queue(self, track: Track, queue: str) -> None:
        if track.queue == queue:
            return
        track.queue = queue
        self._summary.queue(queue).offered += 1
        source = track.source
        if isinstance(source, Inbound) and source.patience is not None:
            patience = self.dice("call", track.index, "patience", queue).sample(source.patience)
            track.waiting.append(self._in(track, patience, lambda: self._abandon(track)))

    async def _abandon(self, track: Track) -> None:
        if track.answered or track.callid not in self._tracks:
            return
        if await self._act(lambda: self._calls.hangup(track.callid)):
            self._summary.abandoned += 1
            if track.queue is not None:
                self._summary.queue(track.queue).abandoned += 1

    # -- phones ----------------------------------------------------------------------------

    def _phone(self, extension: str) -> Phone:
        phone = self._phones.get(extension)
        if phone is None:
            phone = self._phones[extension] = Phone(self._scenario.phones.for_extension(extension))
        return phone

    def _ringing(self, track: Track, extension: str) -> None:
        if extension in self._dnd:
            return
        phone = self._phone(extension)
        if phone.talking is not None or phone.busy_until > self._scheduler_now():
            return
        dice = self.dice("call", track.index, "ring", extension, track.next_step())
        if dice.chance(phone.settings.no_answer):
            return
        settings = phone.settings
        if settings.forward_to and dice.chance(settings.forward):
            track.forwards[extension] = dice.choice(settings.forward_to)
        delay = dice.sample(settings.answer_after)
        self._in(track, delay, lambda: self._answer(track, extension))

    async def _answer(self, track: Track, party: str) -> None:
        if track.callid not in self._tracks:
            return
        phone = self._phones.get(party)
        if phone is not None and phone.talking is not None:
            return
        await self._act(lambda: self._calls.answer(track.callid, party))

    def _answered(self, track: Track, extension: str | None) -> None:
        if not track.answered:
            track.answered = True
            self._summary.answered += 1
            if track.queue is not None:
                self._summary.queue(track.queue).answered += 1
            for timer in track.waiting:
                timer.cancel()
            track.waiting.clear()
        if track.kind == "outbound":
            # The extension that dialled talks, then hangs up.
            if extension is not None:
                self._phone(extension).talking = track.callid
            source = track.source
            assert isinstance(source, Outbound)
            caller = self._phone(track.caller)
            dice = self.dice("call", track.index, "talk", track.next_step())
            talk = dice.sample(source.talk or caller.settings.talk)
            self._in(track, talk, lambda: self._hang_up(track, track.caller))
            return
        if extension is None:
            return
        phone = self._phone(extension)
        phone.talking = track.callid
        forward = track.forwards.pop(extension, None)
        if forward is not None:
            # Picked up only to pass it on: a blind transfer a moment later.
            self._in(track, FORWARD_AFTER, partial(self._transfer, track, extension, forward))
            return
        step = track.next_step()
        dice = self.dice("call", track.index, "talk", extension, step)
        talk_dist: Distribution = phone.settings.talk
        source = track.source
        if isinstance(source, Inbound | Wakeup) and source.talk is not None:
            talk_dist = source.talk
        talk = dice.sample(talk_dist)
        settings = phone.settings
        if track.kind != "wakeup" and dice.chance(settings.hold):
            hold_at = talk * dice.uniform(0.2, 0.6)
            hold_for = dice.sample(settings.hold_time)
            self._in(track, hold_at, lambda: self._hold(track, extension, hold_for))
            talk += hold_for
        transfer_to = None
        if track.kind != "wakeup" and settings.transfer_to and dice.chance(settings.transfer):
            transfer_to = dice.choice(settings.transfer_to)
        if transfer_to is not None:
            target = transfer_to
            self._in(track, talk, lambda: self._transfer(track, extension, target))
        else:
            self._in(track, talk, lambda: self._hang_up(track, extension))

    async def _hold(self, track: Track, extension: str, seconds: float) -> None:
        if await self._act(lambda: self._calls.hold(extension)):
            self._in(track, seconds, lambda: self._act(lambda: self._calls.unhold(extension)))

    async def _transfer(self, track: Track, extension: str, target: str) -> None:
        self._done_talking(track, extension)
        if not await self._act(
            lambda: self._calls.transfer_from_phone(track.callid, extension, target)
        ):
            await self._hang_up(track, extension)

    async def _hang_up(self, track: Track, party: str) -> None:
        self._done_talking(track, party)
        if track.callid in self._tracks:
            await self._act(lambda: self._calls.hangup(track.callid, party))

    def _done_talking(self, track: Track, extension: str) -> None:
        phone = self._phone(extension)
        phone.talking = None
        wrapup = self.dice("call", track.index, "wrapup", extension, track.next_step())
        phone.busy_until = self._scheduler_now() + wrapup.sample(phone.settings.wrapup)

    async def _wake_room(self, room: str) -> None:
        pending = self._wakeups.get(room)
        if not pending:
            return
        for call in self._calls.live_calls():
            service = call.get("service") or {}
            if service.get("type") != "wakeup" or call["callid"] in self._tracks:
                continue
            if not any(leg["number"] == room and leg["state"] == "ringing" for leg in call["legs"]):
                continue
            index, source = pending.pop(0)
            if not pending:
                del self._wakeups[room]
            track = Track(index, "wakeup", call["callid"], source, caller=room)
            self._tracks[track.callid] = track
            self._summary.calls += 1
            self._summary.wakeups += 1
            dice = self.dice("call", index, "wake")
            if dice.chance(source.answer):
                delay = dice.sample(self._phone(room).settings.answer_after)
                self._in(track, delay, partial(self._answer, track, room))
            return

    def plan_sweep(self) -> None:
        """Every :data:`SWEEP` seconds, forget the calls that ended without an event saying
        so in a way the actors could see (a call that ends in voicemail, say)."""

        async def sweep() -> None:
            for track in list(self._tracks.values()):
                if self._live(track.callid) is None:
                    await self._check_ended(track)
            if self._clock.now() < self._end_at + DRAIN_SWEEPS * SWEEP:
                self._agent_at(self._clock.now() + SWEEP - self._start_at, sweep)

        self._agent_at(SWEEP, sweep)

    def _maybe_ended(self, callid: str) -> None:
        track = self._tracks.get(callid)
        if track is not None and not track.checking:
            track.checking = True
            self._in(track, 0, lambda: self._check_ended(track))

    async def _check_ended(self, track: Track) -> None:
        track.checking = False
        if self._live(track.callid) is not None:
            return
        if self._tracks.pop(track.callid, None) is None:
            return
        for timer in track.timers:
            timer.cancel()
        for phone in self._phones.values():
            if phone.talking == track.callid:
                phone.talking = None

    # -- plumbing --------------------------------------------------------------------------

    def _scheduler_now(self) -> float:
        return self._clock.now()

    def _live(self, callid: str) -> dict[str, Any] | None:
        try:
            return self._calls.live_call(callid)
        except SimulationError:
            return None

    def _in(self, track: Track, delay: float, action: Action) -> Timer:
        timer = self._scheduler.call_at(
            self._scheduler_now() + max(0.0, delay), self._guarded(action), "scenario"
        )
        track.timers.append(timer)
        if len(track.timers) > 32:
            track.timers = [t for t in track.timers if not t.cancelled]
        return timer

    def _guarded(self, action: Action) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if not self.active:
                return
            await action()

        return run

    async def _act(self, action: Action) -> bool:
        """Carry out a phone's or caller's action; False when the PBX would not (the call
        moved on meanwhile: another agent answered, the caller hung up)."""
        try:
            await action()
        except (SimulationError, PbxError) as exc:
            log.debug("scenario action refused: %s", exc)
            self._summary.refused_actions += 1
            return False
        return True


def next_time_of_day(now: float, seconds_of_day: float, zone: timezone) -> float:
    """The first instant at or after ``now`` whose time of day (in ``zone``) is
    ``seconds_of_day``, as epoch seconds (whole seconds when ``seconds_of_day`` is)."""
    local = local_datetime(now, zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    target = midnight + timedelta(seconds=seconds_of_day)
    if target.timestamp() < now:
        target += timedelta(days=1)
    return target.timestamp()
