"""What happens when a call reaches an extension: call forwarding, DND, ring simultaneously.

The extension's settings decide, as on the PBX:

* **always forward** (``alwaysforward``, ``atransfer*``): the call goes on at once, the phone
  never rings;
* **DND** (``dnd``) is treated as busy, and so is a phone already in a call: **busy forward**
  (``busyforward``, ``btransfer*``) sends the call on, else it fails (``DND`` /
  ``486 Busy Here``). A callee that declines a ringing call is busy too;
* a phone that does not answer within the extension's ``ringtimeout``, or is not registered,
  takes **no-answer forward** (``noanswerforward``, ``ntransfer*``), else the call fails
  (``603 Declined`` / ``480 Temporarily unavailable``);
* with **ring simultaneously** (``ringsimultaneous`` and a ``mobile`` number) the PBX rings the
  mobile (``mobileprefix`` + ``mobile``) through the outbound routes at the same time as the
  phone, for the same ring time-out; whichever answers first takes the call.

A rule's destination (``*transferto``) is the extension's own voicemail box, another extension
(``*transferext``, whose own settings then apply in turn), its mobile (``*transferprefix`` +
``mobile``) or a custom number (``*transferprefix`` + ``*transfernum``); numbers outside go out
through the outbound routes the extension may use, as a real call on a trunk.

Reports: a rule that sends the call to another party is a transfer the PBX makes for the
extension, reported as ``Tranfer`` (the extension, then the caller) before the new party rings
(``RING`` where the call reports ringing; ``ALERT`` once the caller hears ring-back, not again
when a phone that rang for it stops and the call moves on). Voicemail is the extension's own
box, not a transfer: the call is answered there. The call keeps one record whose ``callto`` is
where the call went (the extension, the voicemail box, or the number outside with
``desttrunkname`` and type ``Outbound``).

Queues and ring groups ring their members' phones only: a member in DND or in a call is skipped,
its forwarding rules are not used (the group's own time-out and failover apply).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from yspbx.pbx.events import CallTransferred, ExtParty
from yspbx.pbx.models import Extension, ForwardTarget
from yspbx.pbx.simulated.calls.call_targets import (
    BUSY,
    DECLINED,
    DND,
    NOT_FOUND,
    UNAVAILABLE,
    ExternalTarget,
    Unreachable,
    VoicemailTarget,
)
from yspbx.pbx.simulated.calls.model import Call, Feature, Leg, LegKind, LegState, Role

if TYPE_CHECKING:
    from yspbx.pbx.simulated.calls.destinations import Destinations

Cause = Literal["always", "busy", "noanswer"]
# How many extensions may forward one call in a row before the PBX gives up (and a loop ends).
MAX_FORWARDS = 5
LOOP = NOT_FOUND


@dataclass(frozen=True, slots=True)
class ForwardRule:
    """One of an extension's three forwarding rules, read from its settings."""

    to: ForwardTarget
    extension: str
    prefix: str
    number: str

    @classmethod
    def of(cls, extension: Extension, cause: Cause) -> ForwardRule | None:
        """The extension's rule for ``cause``, or None when that forwarding is off."""
        letter = {"always": "a", "noanswer": "n", "busy": "b"}[cause]
        if not getattr(extension, f"{cause}forward"):
            return None
        return cls(
            to=getattr(extension, f"{letter}transferto"),
            extension=getattr(extension, f"{letter}transferext"),
            prefix=getattr(extension, f"{letter}transferprefix"),
            number=getattr(extension, f"{letter}transfernum"),
        )


class Forwarding:
    def __init__(self, destinations: Destinations) -> None:
        self._destinations = destinations
        self._switch = destinations.switch
        self._config = destinations.config
        self._router = destinations.router

    def reach(self, call: Call, number: str, *, alert: bool = True) -> None:
        """The call's waiting caller reaches extension ``number``."""
        extension = self._config.extensions.get(number)
        if extension is None:
            self._switch.fail(call, NOT_FOUND, about=ExtParty(number))
            return
        if extension.alwaysforward:
            self._forward(call, extension, "always", UNAVAILABLE, alert)
            return
        problem = self._destinations.extension_problem(number)
        if problem in (DND, BUSY):
            assert problem is not None
            self._forward(call, extension, "busy", problem, alert)
        elif problem is not None:
            self._forward(call, extension, "noanswer", problem, alert)
        else:
            self._ring(call, extension, alert)

    # -- ringing -------------------------------------------------------------------------

    def _ring(self, call: Call, extension: Extension, alert: bool) -> None:
        switch = self._switch
        if alert:
            switch.alert(call)
        call.feature = ExtensionRinging(self, extension.number)
        phone = Leg(LegKind.EXTENSION, extension.number, Role.CALLEE, LegState.RINGING)
        switch.ring(call, phone)
        mobile = self._mobile(extension) if extension.ringsimultaneous else None
        if mobile is not None and not call.ended:
            switch.ring(call, self._outbound_leg(call, mobile), switch.ring_timeout(phone))

    def _mobile(self, extension: Extension) -> ExternalTarget | None:
        """The extension's mobile as its outbound routes reach it, or None."""
        if not extension.mobile:
            return None
        found = self._router.outbound(extension.mobileprefix + extension.mobile, extension.number)
        return found if isinstance(found, ExternalTarget) else None

    def _outbound_leg(self, call: Call, target: ExternalTarget) -> Leg:
        return Leg(
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

    def ringing_stopped(self, call: Call, number: str, why: Unreachable) -> None:
        """Nobody picked up for extension ``number``: its busy or no-answer rule, if on,
        else the call fails naming the extension (not its mobile)."""
        extension = self._config.extensions.get(number)
        if extension is None:
            self._switch.fail(call, why, about=ExtParty(number))
            return
        cause: Cause = "busy" if why is DECLINED else "noanswer"
        if ForwardRule.of(extension, cause) is not None:
            for leg in call.ringing():
                if leg.role is Role.CALLEE:
                    self._switch.move(call, leg, LegState.ENDED)
        self._forward(call, extension, cause, why, alert=False)

    @staticmethod
    def answered(call: Call, leg: Leg) -> None:
        """The phone or the mobile picked up; the record says which."""
        call.feature = None
        if leg.kind is LegKind.OUTBOUND:
            segment = call.segment
            segment.callto = leg.number
            segment.type = "Outbound"
            segment.desttrunkname = leg.trunk

    # -- sending the call on ---------------------------------------------------------------

    def _forward(
        self, call: Call, extension: Extension, cause: Cause, why: Unreachable, alert: bool
    ) -> None:
        """Apply the extension's rule for ``cause``; without one, the call fails with ``why``.
        ``alert``: the caller does not hear ring-back yet (nothing rang for the call)."""
        call.feature = None
        call.destination = None
        rule = ForwardRule.of(extension, cause)
        number = extension.number
        if rule is None:
            self._switch.fail(call, why, about=ExtParty(number))
            return
        if rule.to == "Voicemail":
            if not extension.hasvoicemail:
                self._switch.fail(call, why, about=ExtParty(number))
                return
            call.segment.callto = number
            self._destinations.reach(call, VoicemailTarget(number))
            return
        if number in call.forwarded or len(call.forwarded) >= MAX_FORWARDS:
            self._switch.fail(call, LOOP, about=ExtParty(number))
            return
        call.forwarded.append(number)
        if rule.to == "Extension":
            self._to_extension(call, number, rule.extension, alert)
            return
        outside = (
            rule.prefix + extension.mobile
            if rule.to == "Mobile Number"
            else rule.prefix + rule.number
        )
        self._to_number(call, extension, outside, alert)

    def _announce(self, call: Call, number: str) -> None:
        self._switch.effects.emit(
            CallTransferred(call.callid, (ExtParty(number), call.caller.party()))
        )

    def _to_extension(self, call: Call, number: str, target: str, alert: bool) -> None:
        if target not in self._config.extensions or target == number:
            self._switch.fail(call, NOT_FOUND, about=ExtParty(target or number))
            return
        self._announce(call, number)
        call.segment.callto = target
        self.reach(call, target, alert=alert)

    def _to_number(self, call: Call, extension: Extension, outside: str, alert: bool) -> None:
        if not outside.strip():
            self._switch.fail(call, NOT_FOUND, about=ExtParty(extension.number))
            return
        found = self._router.outbound(outside, extension.number)
        if not isinstance(found, ExternalTarget):
            self._switch.fail(call, found or NOT_FOUND, about=ExtParty(extension.number))
            return
        self._announce(call, extension.number)
        segment = call.segment
        segment.callto = outside
        segment.type = "Outbound"
        segment.desttrunkname = found.trunk
        if alert:
            self._switch.alert(call)
        self._switch.ring(call, self._outbound_leg(call, found))


class ExtensionRinging(Feature):
    """Sits on a call while an extension (and its mobile) rings for it."""

    def __init__(self, forwarding: Forwarding, number: str) -> None:
        self._forwarding = forwarding
        self.number = number

    def ringing_stopped(self, call: Call, leg: Leg, why: Unreachable) -> bool:
        self._forwarding.ringing_stopped(call, self.number, why)
        return True

    def answered(self, call: Call, leg: Leg) -> None:
        self._forwarding.answered(call, leg)
