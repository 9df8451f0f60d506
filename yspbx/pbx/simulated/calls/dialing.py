"""Calls the API originates (docs/pbx-api/calls.md, "Placing calls").

Every API dial rings its first party (the caller) before anything else; once that party picks
up, the call's ``next_target`` is reached. The request is checked up front, so an API dial
that cannot start answers with the errno instead of a ``callid``: ``10006`` for an unknown
extension, ``10008`` for an extension already in a call, ``10012``-``10014`` for an unknown IVR,
queue or ring group, ``10024`` for a number the extension may not dial. Problems the PBX only
learns once it rings (an unregistered phone, DND, nobody answering) end the call with
``CallFailed``, as on the PBX.
"""

from __future__ import annotations

from yspbx.errors import Errno, PbxError
from yspbx.pbx.events import ExtParty
from yspbx.pbx.models import CdrType, Extension
from yspbx.pbx.simulated.calls.call_targets import (
    UNAVAILABLE,
    ExtensionTarget,
    ExternalTarget,
    IvrTarget,
    QueueTarget,
    RingGroupTarget,
    Target,
)
from yspbx.pbx.simulated.calls.destinations import Destinations
from yspbx.pbx.simulated.calls.model import Call, Leg, LegKind, LegState, Role
from yspbx.pbx.simulated.calls.routing import Router, errno_for_unknown
from yspbx.pbx.simulated.calls.switch import Switch


class Dialer:
    def __init__(self, switch: Switch, destinations: Destinations, router: Router) -> None:
        self._switch = switch
        self._destinations = destinations
        self._router = router
        self._config = switch.config

    def dial_extension(self, caller: str, callee: str, autoanswer: bool) -> str:
        self.extension(caller)
        target = self._router.internal(callee)
        if target is None:
            raise PbxError(errno_for_unknown(callee), callee)
        if callee == caller:
            raise PbxError(Errno.EXTENSION_NOT_IDLE, f"{caller} cannot call itself")
        self.idle(caller)
        if isinstance(target, ExtensionTarget):
            self.idle(callee)
        call = self._new("Internal", caller, callee)
        self.ring_extension_first(call, caller, target, autoanswer)
        return call.callid

    def dial_outbound(self, extid: str, number: str, autoanswer: bool) -> str:
        self.extension(extid)
        target = self._router.outbound_for_api(number, extid)
        self.idle(extid)
        call = self._new("Outbound", extid, number)
        self.ring_extension_first(call, extid, target, autoanswer)
        return call.callid

    def callback(self, caller: str, number: str, fromext: str) -> str:
        self.extension(fromext)
        first = self._router.outbound_for_api(caller, fromext)
        second = self._router.outbound_for_api(number, fromext)
        call = self._new("Callback", caller, number)
        call.segment.srctrunkname = first.trunk
        self.ring_outside_first(call, first, second)
        return call.callid

    def dial_ivr_extension(self, ivrid: str, extid: str, autoanswer: bool) -> str:
        self._require(ivrid in self._config.ivrs, Errno.IVR_NOT_FOUND, ivrid)
        self.extension(extid)
        self.idle(extid)
        call = self._new("Internal", extid, ivrid)
        self.ring_extension_first(call, extid, IvrTarget(ivrid), autoanswer)
        return call.callid

    def dial_ivr_outbound(self, ivrid: str, number: str, fromext: str) -> str:
        self._require(ivrid in self._config.ivrs, Errno.IVR_NOT_FOUND, ivrid)
        return self._outside_into(IvrTarget(ivrid), number, fromext)

    def dial_queue_outbound(self, queueid: str, number: str, fromext: str) -> str:
        self._require(queueid in self._config.queues, Errno.QUEUE_NOT_FOUND, queueid)
        return self._outside_into(QueueTarget(queueid), number, fromext)

    def dial_ringgroup_outbound(self, ringgroupid: str, number: str, fromext: str) -> str:
        found = ringgroupid in self._config.ringgroups
        self._require(found, Errno.RINGGROUP_NOT_FOUND, ringgroupid)
        return self._outside_into(RingGroupTarget(ringgroupid), number, fromext)

    # -- checks shared with the other operations ---------------------------------------

    def extension(self, number: str) -> Extension:
        extension = self._config.extensions.get(number)
        if extension is None:
            raise PbxError(Errno.EXTENSION_NOT_FOUND, number)
        return extension

    def idle(self, number: str) -> None:
        if not self._switch.is_idle(number):
            raise PbxError(Errno.EXTENSION_NOT_IDLE, number)

    @staticmethod
    def _require(condition: bool, errno: Errno, detail: str) -> None:
        if not condition:
            raise PbxError(errno, detail)

    # -- building the call -------------------------------------------------------------

    def _new(self, type: CdrType, callfrom: str, callto: str) -> Call:
        return self._switch.new_call(type, callfrom, callto, reports_ring=True, reports_alert=True)

    def ring_extension_first(
        self, call: Call, number: str, target: Target, autoanswer: bool
    ) -> None:
        """Ring extension ``number`` as the call's caller; ``target`` follows its answer."""
        call.next_target = target
        extension = self._config.extensions[number]
        if not extension.registered:
            self._switch.fail(call, UNAVAILABLE, about=ExtParty(number))
            return
        leg = self._switch.add_leg(
            call, Leg(LegKind.EXTENSION, number, Role.CALLER, LegState.RINGING)
        )
        if autoanswer:
            self._destinations.answer(call, leg)

    def _outside_into(self, target: Target, number: str, fromext: str) -> str:
        self.extension(fromext)
        first = self._router.outbound_for_api(number, fromext)
        call = self._new("Outbound", fromext, number)
        call.segment.desttrunkname = first.trunk
        self.ring_outside_first(call, first, target)
        return call.callid

    def ring_outside_first(self, call: Call, first: ExternalTarget, then: Target) -> None:
        """Ring the number outside as the call's caller; ``then`` follows its answer."""
        call.next_target = then
        leg = Leg(
            LegKind.OUTBOUND,
            first.number,
            Role.CALLER,
            LegState.RINGING,
            trunk=first.trunk,
            leg_id=self._switch.ids.next(),
            from_number=first.fromext,
            to_number=first.number,
            trunk_number=first.trunk_number,
        )
        self._switch.add_leg(call, leg)
