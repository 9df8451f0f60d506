"""The 2.0.0 call operations, which name a call's member by its channel (docs/api-2.md).

They reuse the moves of the 1.1.0 operations (hang up, hold, mute, transfer) and add those 1.1.0
did not have: inviting one more party into a talking call (``call/add_member``) and the
attended transfer (``call/attended_transfer`` + ``call/attended_transfer_operate``).

An attended transfer is simulated within the call: the transferor's party is held and the
target is rung as a new member of the same call (one ``callid``, as the vendor's examples
answer). ``complete`` drops the transferor and joins the held party with the target; ``abort``
drops the target and resumes the held party; ``threeway`` resumes the held party so all three
talk; ``swap`` holds whichever of the two the transferor was not talking to.

Errnos: ``10007`` a channel that names no live member; ``10015`` a member that is not talking
yet (or no attended transfer under way for ``_operate``); the 1.1.0 operations' own otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from yspbx.errors import Errno, PbxError
from yspbx.pbx.call_ops import CallView
from yspbx.pbx.simulated.calls.call_targets import ExtensionTarget, ExternalTarget, Unreachable
from yspbx.pbx.simulated.calls.destinations import Destinations
from yspbx.pbx.simulated.calls.members import members_of
from yspbx.pbx.simulated.calls.model import Call, Leg, LegKind, LegState, Role
from yspbx.pbx.simulated.calls.routing import Router
from yspbx.pbx.simulated.calls.switch import Switch
from yspbx.pbx.simulated.calls.transfers import Transfers


@dataclass(eq=False)
class _Consultation:
    transferor: Leg
    held: Leg
    target: Leg


class Channels:
    def __init__(
        self, switch: Switch, destinations: Destinations, router: Router, transfers: Transfers
    ) -> None:
        self._switch = switch
        self._destinations = destinations
        self._router = router
        self._transfers = transfers
        self._consultations: dict[str, _Consultation] = {}
        switch.call_closed.append(self._closed)

    def _closed(self, call: Call, status: object) -> None:
        self._consultations.pop(call.callid, None)

    # -- looking up ---------------------------------------------------------------------

    def views(self, callids: list[str] | None) -> list[CallView]:
        calls = self._switch.calls
        chosen = (
            list(calls.values()) if callids is None else [calls[c] for c in callids if c in calls]
        )
        return [CallView(call.callid, members_of(call)) for call in chosen if call.parties()]

    def find(self, channel: str) -> tuple[Call, Leg]:
        found = self._switch.channel_leg(channel)
        if found is None:
            raise PbxError(Errno.CALL_NOT_FOUND, f"no live member on {channel}")
        return found

    # -- control ------------------------------------------------------------------------

    def hangup(self, channel: str) -> str:
        call, leg = self.find(channel)
        self._switch.release(call, leg)
        return call.callid

    def hold(self, channel: str, held: bool) -> str:
        """Hold (or resume) the call of ``channel``: its extension member when the channel is
        the trunk side (the vendor's examples pass either)."""
        call, leg = self.find(channel)
        if leg.kind is not LegKind.EXTENSION:
            wanted = LegState.TALKING if held else LegState.HELD
            others = [o for o in call.parties() if o.kind is LegKind.EXTENSION and o.connected]
            leg = next((o for o in others if o.state is wanted), others[0] if others else leg)
        wanted = LegState.HELD if held else LegState.TALKING
        if leg.state is wanted:
            return call.callid
        if leg.role is Role.MONITOR or leg.state not in (LegState.TALKING, LegState.HELD):
            raise PbxError(Errno.CALL_NOT_CONNECTED, f"{channel} is {leg.state}")
        self._switch.move(call, leg, wanted)
        return call.callid

    def mute(self, channels: list[str], muted: bool) -> str:
        found = [self.find(channel) for channel in channels]
        for _, leg in found:
            if not leg.connected:
                raise PbxError(Errno.CALL_NOT_CONNECTED, f"{leg.channel} is {leg.state}")
        for _, leg in found:
            leg.muted = muted
        return found[0][0].callid

    def transfer(self, channel: str, number: str, fromext: str) -> str:
        """Send the member on ``channel`` to ``number``; everyone else leaves the call."""
        call, leg = self.find(channel)
        if leg.role is Role.MONITOR or leg.state not in (LegState.TALKING, LegState.HELD):
            raise PbxError(Errno.CALL_NOT_CONNECTED, f"{channel} is {leg.state}")
        target = self._transfers.target(call, number, fromext)
        self._transfers.redirect(call, leg, target, number)
        return call.callid

    # -- new members ---------------------------------------------------------------------

    def add_member(self, channel: str, number: str, fromext: str) -> str:
        call, leg = self.find(channel)
        if not call.answered or leg.state not in (LegState.TALKING, LegState.HELD):
            raise PbxError(Errno.CALL_NOT_CONNECTED, f"{channel} is {leg.state}")
        self._ring(call, number, fromext or _extension_of(leg))
        return call.callid

    def attended_transfer(self, channel: str, number: str, fromext: str) -> str:
        call, transferor = self.find(channel)
        if transferor.state is not LegState.TALKING or call.callid in self._consultations:
            raise PbxError(Errno.CALL_NOT_CONNECTED, f"{channel} is {transferor.state}")
        others = [o for o in call.parties() if o is not transferor and o.connected]
        if len(others) != 1:
            raise PbxError(Errno.CALL_NOT_CONNECTED, f"{channel} has nobody to transfer")
        held = others[0]
        target = self._ring(call, number, fromext or _extension_of(transferor))
        self._switch.move(call, held, LegState.HELD)
        self._consultations[call.callid] = _Consultation(transferor, held, target)
        return call.callid

    def operate(self, channel: str, operate: str) -> str:
        call, leg = self.find(channel)
        consultation = self._consultations.get(call.callid)
        if consultation is None or leg is not consultation.transferor:
            raise PbxError(Errno.CALL_NOT_CONNECTED, f"no attended transfer by {channel}")
        switch, held, target = self._switch, consultation.held, consultation.target
        if operate == "abort":
            del self._consultations[call.callid]
            if target.live:
                switch.move(call, target, LegState.ENDED)
            if held.state is LegState.HELD:
                switch.move(call, held, LegState.TALKING)
        elif operate == "complete":
            if target.state is not LegState.TALKING:
                raise PbxError(Errno.CALL_NOT_CONNECTED, f"{target.channel} has not answered")
            del self._consultations[call.callid]
            switch.move(call, leg, LegState.ENDED)
            if held.state is LegState.HELD:
                switch.move(call, held, LegState.TALKING)
        elif operate == "threeway":
            del self._consultations[call.callid]
            if held.state is LegState.HELD:
                switch.move(call, held, LegState.TALKING)
        elif operate == "swap":
            if target.state not in (LegState.TALKING, LegState.HELD):
                raise PbxError(Errno.CALL_NOT_CONNECTED, f"{target.channel} has not answered")
            talking, waiting = (target, held) if held.state is LegState.HELD else (held, target)
            switch.move(call, talking, LegState.HELD)
            switch.move(call, waiting, LegState.TALKING)
        else:
            raise PbxError(Errno.MISSING_PARAMETER, f"operate {operate!r}")
        return call.callid

    def _ring(self, call: Call, number: str, fromext: str) -> Leg:
        """Ring ``number`` as a new called member of ``call`` (an extension or outside)."""
        target = self._router.for_api(number, fromext)
        if isinstance(target, ExtensionTarget):
            problem = self._destinations.extension_problem(target.number)
            if problem is not None:
                raise PbxError(Errno.EXTENSION_NOT_IDLE, f"{target.number}: {problem.reason}")
            leg = Leg(LegKind.EXTENSION, target.number, Role.CALLEE, LegState.RINGING)
        elif isinstance(target, ExternalTarget):
            leg = Leg(
                LegKind.OUTBOUND,
                target.number,
                Role.CALLEE,
                LegState.RINGING,
                trunk=target.trunk,
                leg_id=self._switch.ids.next(),
                from_number=fromext,
                to_number=target.number,
                trunk_number=target.trunk_number,
            )
        elif isinstance(target, Unreachable):
            raise PbxError(Errno.SMS_NUMBER_INVALID, number)
        else:
            raise PbxError(Errno.SMS_NUMBER_INVALID, f"{number} is no party to invite")
        return self._switch.ring(call, leg)


def _extension_of(leg: Leg) -> str:
    return leg.number if leg.kind is LegKind.EXTENSION else ""
