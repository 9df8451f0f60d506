"""Reaching a target: ringing an extension or a number outside, or handing the call to an IVR,
voicemail, a queue or a ring group.

What these features then do is kept deliberately simple here, and each lives in its own method
so richer flows can replace it: an IVR and voicemail answer and hold the caller (DTMF is
recorded and reported by :mod:`.phones`); a queue answers, rings every available agent at once
for ``agenttimeout``, rings them again ``retry`` seconds after they all stopped, and gives up
after ``maxwaittime``; a ring group rings every available member at once for its
``ringtimeout`` and fails when nobody answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import assert_never

from yspbx.pbx.events import ExtParty
from yspbx.pbx.simulated.calls.model import Call, Destination, Leg, LegKind, LegState, Role
from yspbx.pbx.simulated.calls.switch import Switch
from yspbx.pbx.simulated.calls.targets import (
    BUSY,
    DND,
    NOT_FOUND,
    UNAVAILABLE,
    ExtensionTarget,
    ExternalTarget,
    IvrTarget,
    QueueTarget,
    RingGroupTarget,
    Target,
    Unreachable,
    VoicemailTarget,
)

QUEUE_GAVE_UP = Unreachable("480 Temporarily unavailable", "NO ANSWER")


class Destinations:
    def __init__(self, switch: Switch) -> None:
        self._switch = switch
        self._config = switch.config
        switch.on_ringing_stopped = self._ringing_stopped

    def reach(self, call: Call, target: Target) -> None:
        """Send the call's waiting caller on to ``target``."""
        if isinstance(target, Unreachable):
            self._switch.fail(call, target)
        elif isinstance(target, ExtensionTarget):
            self._ring_extension(call, target.number)
        elif isinstance(target, ExternalTarget):
            self._ring_external(call, target)
        elif isinstance(target, IvrTarget):
            self._answer_with(call, Destination("ivr", target.number))
        elif isinstance(target, VoicemailTarget):
            self._answer_with(call, Destination("voicemail", target.number))
        elif isinstance(target, QueueTarget):
            self._enter_queue(call, target.number)
        elif isinstance(target, RingGroupTarget):
            self._enter_ring_group(call, target.number)
        else:
            assert_never(target)

    def answer(self, call: Call, leg: Leg) -> None:
        """A ringing leg picks up.

        The caller of an API dial (rung first) now waits while its target is reached; a monitor
        starts listening; a called party is connected with the caller.
        """
        if leg.role is Role.CALLER:
            self._switch.move(call, leg, LegState.DIALING)
            target, call.next_target = call.next_target, None
            if target is not None:
                self.reach(call, target)
            return
        if leg.role is Role.MONITOR:
            self._switch.move(call, leg, LegState.TALKING)
            return
        destination = call.destination
        if destination is not None and destination.kind in ("queue", "ringgroup"):
            call.segment.callto = leg.number
            if destination.kind == "queue" and leg.ring_started_at is not None:
                waited = self._switch.now() - leg.ring_started_at
                call.segment.agentringtime = str(max(0, round(waited)))
        call.destination = None
        self._switch.connect(call, leg)

    def extension_problem(self, number: str) -> Unreachable | None:
        """Why an extension cannot be rung now, or None when it can."""
        extension = self._config.extensions.get(number)
        if extension is None:
            return NOT_FOUND
        if not extension.registered:
            return UNAVAILABLE
        if extension.dnd:
            return DND
        if not self._switch.is_idle(number):
            return BUSY
        return None

    def _ring_extension(self, call: Call, number: str) -> None:
        problem = self.extension_problem(number)
        if problem is not None:
            self._switch.fail(call, problem, about=ExtParty(number))
            return
        self._switch.alert(call)
        self._switch.ring(call, Leg(LegKind.EXTENSION, number, Role.CALLEE, LegState.RINGING))

    def _ring_external(self, call: Call, target: ExternalTarget) -> None:
        leg = Leg(
            LegKind.OUTBOUND,
            target.number,
            Role.CALLEE,
            LegState.RINGING,
            trunk=target.trunk,
            leg_id=self._switch.ids.next(),
            from_number=target.fromext or call.caller.number,
            to_number=target.number,
            trunk_number=target.trunk_number,
        )
        call.segment.desttrunkname = target.trunk
        self._switch.alert(call)
        self._switch.ring(call, leg)

    def _answer_with(self, call: Call, destination: Destination) -> None:
        """An IVR or a voicemail box picks the call up and holds the caller."""
        call.destination = destination
        call.caller.up = True
        self._switch.mark_answered(call)

    def _enter_queue(self, call: Call, number: str) -> None:
        queue = self._config.queues.get(number)
        if queue is None:
            self._switch.fail(call, NOT_FOUND)
            return
        call.destination = Destination("queue", number)
        call.caller.up = True

        def give_up() -> None:
            if not call.ended and call.destination == Destination("queue", number):
                self._switch.fail(call, QUEUE_GAVE_UP)

        wait = float(queue.maxwaittime) if queue.maxwaittime > 0 else 1800.0
        when = self._switch.now() + wait
        call.timers.append(self._switch.at(when, give_up, f"queue {number}"))
        self._ring_members(call, queue.agents, queue.agenttimeout)

    def _enter_ring_group(self, call: Call, number: str) -> None:
        group = self._config.ringgroups.get(number)
        if group is None:
            self._switch.fail(call, NOT_FOUND)
            return
        call.destination = Destination("ringgroup", number)
        if not self._ring_members(call, group.members, group.ringtimeout):
            self._switch.fail(call, BUSY)

    def _ring_members(self, call: Call, members: Iterable[str], seconds: int) -> int:
        """Ring every member that can ring now, all at once; how many ring."""
        available = [m for m in dict.fromkeys(members) if self.extension_problem(m) is None]
        if available:
            self._switch.alert(call)
        timeout = float(seconds) if seconds > 0 else None
        for number in available:
            leg = Leg(LegKind.EXTENSION, number, Role.CALLEE, LegState.RINGING)
            self._switch.ring(call, leg, timeout)
        return len(available)

    def _ringing_stopped(self, call: Call, leg: Leg, why: Unreachable) -> None:
        """Nobody rings any more: a queue keeps its caller and tries again, the rest fail."""
        destination = call.destination
        if destination is not None and destination.kind == "queue":
            queue = self._config.queues.get(destination.number)
            if queue is not None:
                self._retry_queue(call, destination, float(max(1, queue.retry)))
                return
        self._switch.fail(call, why, about=leg.party())

    def _retry_queue(self, call: Call, destination: Destination, delay: float) -> None:
        def ring_again() -> None:
            queue = self._config.queues.get(destination.number)
            waiting = not call.ended and call.destination == destination and not call.ringing()
            if queue is not None and waiting:
                rung = self._ring_members(call, queue.agents, queue.agenttimeout)
                if not rung:
                    self._retry_queue(call, destination, float(max(1, queue.retry)))

        when = self._switch.now() + delay
        call.timers.append(self._switch.at(when, ring_again, f"queue {destination.number}"))
