"""Calls as 2.0.0 sees them: members with channels and ``memberstatus``, and the
``CallStatus`` events that follow every change of a member (docs/api-2.md).

A leg's ``memberstatus`` follows from its state and role: ``RING`` while it rings, ``ALERT``
while it is up and waits for the far side (the caller hearing ring-back), ``ANSWERED`` for a
caller that talks, ``ANSWER`` for a called party that talks, ``HOLD``, and ``BYE`` once gone.

:class:`CallStatusTracker` collects the changes of one engine step: the changes of a step are
reported together (an answer moves the callee, the caller and the other ringing members at
once, and units send one ``CallStatus`` for it), except that a talking member hanging up is
reported at once, so each hang-up of a connected call is its own event (the leaver ``BYE``,
then the other side ``BYE``). A member is listed as ``BYE`` once, then left out.
"""

from __future__ import annotations

from collections.abc import Iterable

from yspbx.pbx.events import (
    CallAlerting,
    CallAnswer,
    CallAnswered,
    CallMember,
    CallReleased,
    CallRinging,
    CallStatusChanged,
    DomainEvent,
    ExtensionStatusChanged,
    MemberStatus,
)
from yspbx.pbx.simulated.calls.effects import EffectQueue
from yspbx.pbx.simulated.calls.model import Call, Leg, LegKind, LegState, Role

_SAME_STEP = (
    CallAlerting,
    CallRinging,
    CallAnswer,
    CallAnswered,
    CallReleased,
    ExtensionStatusChanged,
)


def channel_name(leg: Leg, sequence: int) -> str:
    """The channel as units write it: ``PJSIP/<ext>-<8 hex>``, trunks
    ``PJSIP/trunk-<trunk>-endpoint-<8 hex>``; one counter for every channel."""
    if leg.kind is LegKind.EXTENSION:
        return f"PJSIP/{leg.number}-{sequence:08x}"
    return f"PJSIP/trunk-{leg.trunk}-endpoint-{sequence:08x}"


def member_status(leg: Leg) -> MemberStatus:
    match leg.state:
        case LegState.ENDED:
            return "BYE"
        case LegState.RINGING:
            return "RING"
        case LegState.HELD:
            return "HOLD"
        case LegState.DIALING:
            return "ALERT"
    return "ANSWERED" if leg.role is Role.CALLER else "ANSWER"


def member(leg: Leg) -> CallMember:
    if leg.kind is LegKind.EXTENSION:
        return CallMember("ext", leg.number, leg.channel, member_status(leg), callpath=leg.callpath)
    return CallMember(
        leg.kind.value,  # type: ignore[arg-type]
        leg.number,
        leg.channel,
        member_status(leg),
        from_number=leg.from_number,
        to_number=leg.to_number,
        trunk=leg.trunk,
        leg_id=leg.leg_id,
    )


def members_of(call: Call, gone: Iterable[Leg] = ()) -> tuple[CallMember, ...]:
    """The call's members, caller first, then in the order they joined; ``gone`` legs (ended
    since the last report) are listed in their place."""
    left = set(map(id, gone))
    shown = [
        leg for leg in call.legs if leg.role is not Role.MONITOR and (leg.live or id(leg) in left)
    ]
    shown.sort(key=lambda leg: leg.role is not Role.CALLER)
    return tuple(member(leg) for leg in shown)


class CallStatusTracker:
    def __init__(self, effects: EffectQueue) -> None:
        self._effects = effects
        self._pending: dict[str, Call] = {}
        self._gone: dict[str, list[Leg]] = {}
        self._sequence = 0
        effects.before_emit = self._before

    def new_channel(self, leg: Leg) -> str:
        self._sequence += 1
        return channel_name(leg, self._sequence)

    def changed(self, call: Call, leg: Leg, was_up: bool) -> None:
        """``leg`` joined the call or changed state; report now if a talking member left."""
        if leg.role is Role.MONITOR:
            return
        self._pending[call.callid] = call
        if not leg.live:
            self._gone.setdefault(call.callid, []).append(leg)
            if was_up:
                self.report()

    def _before(self, event: DomainEvent | None) -> None:
        """Report what changed before an event that must follow it (a record, a failure, a
        key...). The 1.1.0 call-progress reports and ExtensionStatus describe the same step
        and do not split it."""
        if not isinstance(event, _SAME_STEP):
            self.report()

    def report(self) -> None:
        """Queue one ``CallStatus`` per call changed since the last report."""
        pending, self._pending = self._pending, {}
        for callid, call in pending.items():
            if call.offer == "answer":
                # Announced by Invite and waiting for accept/refuse: not yet a call to report.
                self._gone.pop(callid, None)
                continue
            members = members_of(call, self._gone.pop(callid, ()))
            if members:
                self._effects.emit_now(CallStatusChanged(callid, members))

    def forget(self, call: Call) -> None:
        """The call is dropped as if it never was (a refused inbound call): no report."""
        self._pending.pop(call.callid, None)
        self._gone.pop(call.callid, None)
