"""The simulator's side of calls: phones and the outside world acting on the PBX.

These are the actions ``/sim/v1/calls`` exposes: a call arrives on a trunk or a phone dials,
a ringing party picks up, a party hangs up, the caller presses keys. They use the same switch
as the API, so the application and the simulated world always see one PBX. Calls dialled on a
phone send no ``RING``/``ALERT`` (those announce ringing the API or a trunk call started);
calls arriving on a trunk send ``ALERT`` for the caller and ``RING`` for the parties they ring.
"""

from __future__ import annotations

import re

from yspbx.pbx.events import KeyPressed
from yspbx.pbx.models import CdrType
from yspbx.pbx.simulated.calls.call_targets import ExternalTarget, Target, Unreachable
from yspbx.pbx.simulated.calls.destinations import Destinations
from yspbx.pbx.simulated.calls.errors import Invalid, NotFound, NotPossible
from yspbx.pbx.simulated.calls.inbound_control import InboundControl
from yspbx.pbx.simulated.calls.model import Call, Leg, LegKind, LegState, Role
from yspbx.pbx.simulated.calls.routing import Router
from yspbx.pbx.simulated.calls.switch import Switch

NUMBER = re.compile(r"[0-9*#+]{1,32}")
KEYS = re.compile(r"[0-9*#]{1,64}")


def _target_number(target: Target, dialled: str) -> str:
    if isinstance(target, Unreachable):
        return dialled
    return target.number


class Phones:
    def __init__(
        self,
        switch: Switch,
        destinations: Destinations,
        router: Router,
        inbound: InboundControl,
    ) -> None:
        self._switch = switch
        self._destinations = destinations
        self._router = router
        self._inbound = inbound
        self._config = switch.config

    def place(self, caller: str, dialled: str, trunk: str | None) -> Call:
        """A call from outside on ``trunk``, or extension ``caller`` dialling ``dialled``."""
        for value in (caller, dialled):
            if not NUMBER.fullmatch(value):
                raise Invalid(f"{value!r} is not a dialable number (digits, *, #, +)")
        if trunk is not None:
            return self._arrive(caller, dialled, trunk)
        extension = self._config.extensions.get(caller)
        if extension is None:
            raise NotFound(f"no extension {caller}")
        if not extension.registered:
            raise NotPossible(f"extension {caller} is not registered")
        if not self._switch.is_idle(caller):
            raise NotPossible(f"extension {caller} is already in a call")
        target = self._router.dialled_by(caller, dialled)
        kind: CdrType = "Outbound" if isinstance(target, ExternalTarget) else "Internal"
        call = self._switch.new_call(kind, caller, dialled)
        self._switch.add_leg(call, Leg(LegKind.EXTENSION, caller, Role.CALLER, LegState.DIALING))
        self._destinations.reach(call, target)
        return call

    def _arrive(self, caller: str, dialled: str, trunk: str) -> Call:
        if trunk not in self._config.trunks:
            raise NotFound(f"no trunk {trunk!r}")
        target = self._router.inbound(trunk, caller, dialled)
        callid = self._switch.ids.next()
        # The caller hears ring-back as the PBX rings: ALERT names the inbound party, then RING
        # the ringing one (captured inbound calls show both; docs/fidelity.md).
        call = self._switch.new_call(
            "Inbound",
            caller,
            _target_number(target, dialled),
            callid=callid,
            reports_ring=True,
            reports_alert=True,
        )
        call.segment.srctrunkname = trunk
        call.segment.didnumber = dialled
        leg = Leg(
            LegKind.INBOUND,
            caller,
            Role.CALLER,
            LegState.DIALING,
            trunk=trunk,
            leg_id=callid,
            from_number=caller,
            to_number=dialled,
        )
        self._switch.add_leg(call, leg)
        self._inbound.arrive(call, target)
        return call

    def call(self, callid: str) -> Call:
        call = self._switch.calls.get(callid)
        if call is None:
            raise NotFound(f"no live call {callid}")
        return call

    def party(self, call: Call, party: str) -> Leg:
        leg = call.find(party)
        if leg is None:
            raise NotFound(f"{party} is not in call {call.callid}")
        return leg

    def answer(self, callid: str, party: str | None) -> Leg:
        """The named ringing party (or the first one ringing) picks up."""
        call = self.call(callid)
        if party is not None:
            leg = self.party(call, party)
            if leg.state is not LegState.RINGING:
                raise NotPossible(f"{party} is not ringing (it is {leg.state})")
        else:
            ringing = [leg for leg in call.live_legs() if leg.state is LegState.RINGING]
            if not ringing:
                raise NotPossible(f"nothing rings in call {callid}")
            leg = ringing[0]
        self._destinations.answer(call, leg)
        return leg

    def hangup(self, callid: str, party: str | None) -> Leg:
        """The named party (by default the caller) hangs up, or declines if it rings."""
        call = self.call(callid)
        callers = [leg for leg in call.legs if leg.role is Role.CALLER]
        if party is not None:
            leg = self.party(call, party)
        else:
            # An instant conference's session has no caller: its first member then.
            leg = call.caller if callers else call.parties()[0]
        if not leg.live:
            leg = call.parties()[0]
        self._switch.release(call, leg)
        return leg

    def press(self, callid: str, digits: str) -> None:
        """The caller presses keys: each one is kept on the call, reported (``DTMF``), and
        handed to the feature holding the call (an IVR, a queue's breakout, a survey)."""
        if not KEYS.fullmatch(digits):
            raise Invalid(f"{digits!r} holds keys a phone does not have (0-9, *, #)")
        call = self.call(callid)
        caller = call.caller
        if not caller.connected:
            raise NotPossible(f"the caller of {callid} is not connected yet")
        for key in digits:
            if call.ended or not caller.live:
                break
            call.digits += key
            self._switch.effects.emit(
                KeyPressed(call.callid, (caller.party(),), key, len(call.digits) - 1, call.digits)
            )
            if call.feature is not None:
                call.feature.key(call, key)
