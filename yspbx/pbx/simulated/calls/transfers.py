"""Transfers the API makes (docs/pbx-api/calls.md): ``calltransfer`` and the two
``.../transfer_number`` requests.

A transfer keeps the ``callid``. The parties that leave are dropped quietly (the call goes on,
so no ``BYE``); the party that stays waits, hearing ring-back, while the PBX reaches the new
destination, announcing it with ``ALERT`` and ``RING`` as for an API dial. API transfers send
no ``Tranfer`` report; a blind transfer made on a phone (:meth:`Transfers.blind_from_phone`, the
simulator's stand-in for the ``*3`` feature code) sends one and no ``ALERT``/``RING``.

If the call had been answered, the record of the first stretch is written at the transfer and a
second record of type ``Transfer`` follows when the call ends.
"""

from __future__ import annotations

from yspbx.errors import Errno, PbxError
from yspbx.pbx.events import CallTransferred
from yspbx.pbx.simulated.calls.call_targets import ExtensionTarget, Target, Unreachable
from yspbx.pbx.simulated.calls.control import CallControl
from yspbx.pbx.simulated.calls.destinations import Destinations
from yspbx.pbx.simulated.calls.errors import NotPossible
from yspbx.pbx.simulated.calls.model import Call, Leg, LegKind, LegState, Role, Segment
from yspbx.pbx.simulated.calls.routing import Router
from yspbx.pbx.simulated.calls.switch import Switch


class Transfers:
    def __init__(
        self, switch: Switch, destinations: Destinations, router: Router, control: CallControl
    ) -> None:
        self._switch = switch
        self._destinations = destinations
        self._router = router
        self._control = control

    def transfer(self, callid: str, transferor: str, number: str, fromext: str) -> str:
        call = self._switch.calls.get(callid)
        if call is None:
            raise PbxError(Errno.CALL_NOT_FOUND, callid)
        leaving = call.find(transferor)
        if leaving is None or leaving.role is Role.MONITOR:
            raise PbxError(Errno.CALL_NOT_FOUND, f"{transferor} is not in call {callid}")
        if leaving.state not in (LegState.TALKING, LegState.HELD):
            raise PbxError(Errno.CALL_NOT_CONNECTED, f"{transferor} is {leaving.state}")
        staying = [leg for leg in call.parties() if leg is not leaving and leg.connected]
        if len(staying) != 1:
            raise PbxError(Errno.CALL_NOT_CONNECTED, f"call {callid} has no other party")
        target = self.target(call, number, fromext)
        self.redirect(call, staying[0], target, number)
        return call.callid

    def blind_from_phone(self, call: Call, transferor: Leg, number: str) -> None:
        """Extension ``transferor`` transfers its party to ``number`` from its phone."""
        staying = [leg for leg in call.parties() if leg is not transferor and leg.connected]
        if transferor.kind is not LegKind.EXTENSION or len(staying) != 1:
            raise NotPossible(f"{transferor.number} has nobody to transfer")
        if transferor.state not in (LegState.TALKING, LegState.HELD):
            raise NotPossible(f"{transferor.number} is {transferor.state}, not talking")
        target = self._router.dialled_by(transferor.number, number)
        self._switch.effects.emit(
            CallTransferred(call.callid, (transferor.party(), staying[0].party()))
        )
        self.redirect(call, staying[0], target, number, by_api=False)

    def transfer_trunk(self, leg_id: str, kind: LegKind, number: str, fromext: str) -> str:
        """Send an inbound or outbound call's trunk party elsewhere, dropping everyone else."""
        call, staying = self._control.trunk_call(leg_id, kind)
        if staying.state is LegState.RINGING:
            raise PbxError(Errno.CALL_NOT_CONNECTED, f"{leg_id} has not answered")
        target = self.target(call, number, fromext)
        self.redirect(call, staying, target, number)
        return call.callid

    def target(self, call: Call, number: str, fromext: str) -> Target:
        target = self._router.for_api(number, fromext)
        if isinstance(target, ExtensionTarget):
            found = self._switch.extension_leg(target.number)
            if found is not None and found[0] is not call:
                raise PbxError(Errno.EXTENSION_NOT_IDLE, target.number)
        return target

    def redirect(
        self, call: Call, staying: Leg, target: Target, number: str, by_api: bool = True
    ) -> None:
        switch = self._switch
        if call.answered:
            switch.write_record(call, "ANSWERED")
            call.segment = Segment(
                type="Transfer",
                started_at=switch.now(),
                callfrom=staying.number,
                callto=number,
                srctrunkname=staying.trunk if staying.kind is LegKind.INBOUND else "",
            )
        else:
            call.segment.callto = number
        call.cancel_timers()
        for leg in call.live_legs():
            if leg is not staying:
                switch.move(call, leg, LegState.ENDED)
        staying.role = Role.CALLER
        staying.muted = False
        if staying.state in (LegState.TALKING, LegState.HELD):
            switch.move(call, staying, LegState.DIALING)
        call.destination = None
        call.callpath = ""
        call.next_target = None
        call.feature = None
        call.offer = None
        if by_api:
            call.reports_ring = call.reports_alert = True
        if isinstance(target, Unreachable):
            switch.fail(call, target)
            return
        self._destinations.reach(call, target)
