"""Reaching a target: ringing an extension or a number outside, or handing the call to a PBX
feature that then holds it.

The features live in their own modules and sit on the call while they hold it
(``Call.feature``): :mod:`.ivr` (prompt, keys, timeouts), :mod:`.queue` (agents by strategy,
retries, wrap-up, the satisfaction survey of :mod:`.survey`), :mod:`.ringgroup` (members all
at once or one after another, failover) and :mod:`.prompts` (the PBX playing a prompt, then
hanging up). Voicemail answers and holds the caller until it hangs up. A call that reaches an
extension follows the extension's forwarding, DND and ring-simultaneously settings
(:mod:`.forwarding`). This module dispatches to them and keeps what they share: who can be
rung, ringing several members, and sending a caller on to a configured destination number.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import assert_never

from yspbx.pbx.simulated.calls.call_targets import (
    BUSY,
    DND,
    NOT_FOUND,
    UNAVAILABLE,
    ConferenceTarget,
    ExtensionTarget,
    ExternalTarget,
    IvrTarget,
    PromptTarget,
    QueueTarget,
    RingGroupTarget,
    Target,
    Unreachable,
    VoicemailTarget,
)
from yspbx.pbx.simulated.calls.conferences import ConferenceRoom, Conferences
from yspbx.pbx.simulated.calls.forwarding import Forwarding
from yspbx.pbx.simulated.calls.ivr import Ivrs
from yspbx.pbx.simulated.calls.model import Call, Destination, Leg, LegKind, LegState, Role
from yspbx.pbx.simulated.calls.prompts import Playback, PromptPlayer
from yspbx.pbx.simulated.calls.queue import Queues
from yspbx.pbx.simulated.calls.ringgroup import RingGroups
from yspbx.pbx.simulated.calls.routing import Router
from yspbx.pbx.simulated.calls.switch import Switch

# A configured destination that means "the PBX hangs up".
HANG_UP = frozenset({"", "hangup", "hang up"})


class Destinations:
    def __init__(self, switch: Switch, router: Router, rng: random.Random | None = None) -> None:
        self.switch = switch
        self.config = switch.config
        self.router = router
        self.player = PromptPlayer(switch)
        self.ivrs = Ivrs(self)
        self.queues = Queues(self, rng)
        self.ringgroups = RingGroups(self)
        self.forwarding = Forwarding(self)
        self.conferences = Conferences(self)
        switch.on_ringing_stopped = self._ringing_stopped

    def reach(self, call: Call, target: Target) -> None:
        """Send the call's waiting caller on to ``target``."""
        if isinstance(target, Unreachable):
            self.switch.fail(call, target)
        elif isinstance(target, ExtensionTarget):
            self.forwarding.reach(call, target.number)
        elif isinstance(target, ExternalTarget):
            self._ring_external(call, target)
        elif isinstance(target, IvrTarget):
            self.ivrs.enter(call, target.number)
        elif isinstance(target, VoicemailTarget):
            self._voicemail(call, target.number)
        elif isinstance(target, QueueTarget):
            self.queues.enter(call, target.number)
        elif isinstance(target, RingGroupTarget):
            self.ringgroups.enter(call, target.number)
        elif isinstance(target, ConferenceTarget):
            self.conferences.enter(call, target.number)
        elif isinstance(target, PromptTarget):
            Playback(self.player, self.switch, target).start(call)
        else:
            assert_never(target)

    def answer(self, call: Call, leg: Leg) -> None:
        """A ringing leg picks up.

        The caller of an API dial (rung first) now waits while its target is reached; a monitor
        starts listening; a called party is connected with the caller.
        """
        if leg.role is Role.CALLER:
            self.switch.move(call, leg, LegState.DIALING)
            target, call.next_target = call.next_target, None
            if target is not None:
                self.reach(call, target)
            return
        if leg.role is Role.MONITOR:
            self.switch.move(call, leg, LegState.TALKING)
            return
        if isinstance(call.feature, ConferenceRoom):
            # An invitee enters the room; the others keep ringing or talking.
            call.feature.answered(call, leg)
            return
        if call.feature is not None:
            call.feature.answered(call, leg)
        call.destination = None
        self.switch.connect(call, leg)

    def forward(
        self, call: Call, number: str, why: Unreachable, *, voicemail: bool = False
    ) -> None:
        """Send the caller from a feature to a configured destination ``number`` (an IVR key, a
        failover): an extension, IVR, queue, ring group or a number outside, or ``hangup``;
        with ``voicemail``, the voicemail box of extension ``number``.

        Whoever still rings for the call stops first. ``why`` is the failure reported when the
        destination is to hang up on a caller nobody answered yet.
        """
        call.feature = None
        call.destination = None
        for leg in call.ringing():
            if leg.role is Role.CALLEE:
                self.switch.move(call, leg, LegState.ENDED)
        if number.strip().lower() in HANG_UP:
            if call.answered:
                self.switch.finish(call, call.caller)
            else:
                self.switch.fail(call, why)
            return
        target: Target | None = VoicemailTarget(number) if voicemail else None
        target = target or self.router.internal(number)
        if target is None:
            target = self.router.outbound(number, "") or NOT_FOUND
        call.segment.callto = number
        self.reach(call, target)

    def extension_problem(self, number: str) -> Unreachable | None:
        """Why an extension cannot be rung now, or None when it can."""
        extension = self.config.extensions.get(number)
        if extension is None:
            return NOT_FOUND
        if not extension.registered:
            return UNAVAILABLE
        if extension.dnd:
            return DND
        if not self.switch.is_idle(number):
            return BUSY
        return None

    def ring_members(self, call: Call, members: Iterable[str], seconds: int) -> int:
        """Ring every member that can ring now, all at once; how many ring."""
        available = [m for m in dict.fromkeys(members) if self.extension_problem(m) is None]
        if available:
            self.switch.alert(call)
        timeout = float(seconds) if seconds > 0 else None
        for number in available:
            leg = Leg(LegKind.EXTENSION, number, Role.CALLEE, LegState.RINGING)
            self.switch.ring(call, leg, timeout)
        return len(available)

    def _ring_external(self, call: Call, target: ExternalTarget) -> None:
        leg = Leg(
            LegKind.OUTBOUND,
            target.number,
            Role.CALLEE,
            LegState.RINGING,
            trunk=target.trunk,
            leg_id=self.switch.ids.next(),
            from_number=target.fromext or call.caller.number,
            to_number=target.number,
            trunk_number=target.trunk_number,
        )
        call.segment.desttrunkname = target.trunk
        self.switch.alert(call)
        self.switch.ring(call, leg)

    def _voicemail(self, call: Call, number: str) -> None:
        """The extension's voicemail box picks the call up and records until the caller leaves."""
        call.destination = Destination("voicemail", number)
        call.caller.up = True
        self.switch.mark_answered(call)

    def _ringing_stopped(self, call: Call, leg: Leg, why: Unreachable) -> None:
        """Nobody rings any more: the feature holding the call decides, else the call fails."""
        if call.feature is not None and call.feature.ringing_stopped(call, leg, why):
            return
        self.switch.fail(call, why, about=leg.party())
