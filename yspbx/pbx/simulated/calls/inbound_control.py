"""The trunk options that let the application decide about inbound calls (docs/pbx-api/wire.md,
docs/pbx-api/call-services.md, the Invite and Incoming reports of docs/pbx-api/reports.md).

* **Control Inbound Call Answering** (trunk ``inbound_answer_control``): each call arriving on
  the trunk is announced with ``Invite`` and waits, unanswered, for ``inbound/accept`` or
  ``inbound/refuse``, at most ``calls.inbound_control_window`` seconds (10) of the server
  clock. Accepting, or letting the window pass, lets the call go on; refusing drops it: no
  further report and no record, as if it never reached the PBX.
* **Control Inbound Call Destination** (trunk ``inbound_destination_control``): once the call
  goes on, ``Incoming`` announces it and the route's destination waits for the same window; a
  transfer (``inbound/transfer_number``) within it decides where the call goes, else the
  route's destination is used when the window closes.

A trunk with both options sends ``Invite`` first and ``Incoming`` after the accept.

Errnos of ``inbound/accept`` and ``inbound/refuse``: ``10007`` for an id that names no live
inbound call (and none the application was asked about lately); ``10016`` for a call that is
not waiting for that decision: its window closed, it was already accepted or refused, its
caller hung up while it waited, or its trunk does not ask.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from yspbx.errors import Errno, PbxError
from yspbx.pbx.events import InboundCallArrived, InboundCallOffered, InboundParty
from yspbx.pbx.simulated.calls.call_targets import Target
from yspbx.pbx.simulated.calls.destinations import Destinations
from yspbx.pbx.simulated.calls.model import Call, LegKind

# How many calls the application was asked about are remembered, to answer a late accept
# with 10016.
_REMEMBERED = 4096


class InboundControl:
    def __init__(self, destinations: Destinations) -> None:
        self._destinations = destinations
        self._switch = destinations.switch
        self._config = destinations.config
        self._asked: OrderedDict[str, None] = OrderedDict()

    def arrive(self, call: Call, target: Target) -> None:
        """A call came in on a trunk and its route found ``target``: ask first if the trunk
        says so."""
        trunk = self._config.trunks.get(call.caller.trunk)
        if trunk is None or not trunk.inbound_answer_control:
            self._go_on(call, target)
            return
        call.offer = "answer"
        call.next_target = target
        self._remember(call)
        self._switch.effects.emit(InboundCallOffered(call.callid, self._party(call)))
        self._window(call, lambda: self._accept(call))

    def accept(self, inboundid: str) -> None:
        self._accept(self._offered(inboundid))

    def refuse(self, inboundid: str) -> None:
        call = self._offered(inboundid)
        self._close_offer(call)
        self._switch.discard(call)

    def _offered(self, inboundid: str) -> Call:
        found = self._switch.trunk_leg(inboundid, LegKind.INBOUND)
        if found is None:
            errno = Errno.INBOUND_CONTROL_TIMEOUT if inboundid in self._asked else None
            raise PbxError(errno or Errno.CALL_NOT_FOUND, inboundid)
        call = found[0]
        if call.offer != "answer":
            raise PbxError(Errno.INBOUND_CONTROL_TIMEOUT, f"{inboundid} awaits no decision")
        return call

    def _accept(self, call: Call) -> None:
        if call.ended or call.offer != "answer":
            return
        self._close_offer(call)
        target, call.next_target = call.next_target, None
        if target is not None:
            self._go_on(call, target)

    def _go_on(self, call: Call, target: Target) -> None:
        trunk = self._config.trunks.get(call.caller.trunk)
        if trunk is None or not trunk.inbound_destination_control:
            self._destinations.reach(call, target)
            return
        call.offer = "destination"
        call.next_target = target
        self._remember(call)
        self._switch.effects.emit(InboundCallArrived(call.callid, self._party(call)))
        self._window(call, lambda: self._use_route(call))

    def _use_route(self, call: Call) -> None:
        """Nobody directed the call in time: the inbound route's destination takes it."""
        if call.ended or call.offer != "destination":
            return
        call.offer = None
        target, call.next_target = call.next_target, None
        if target is not None:
            self._destinations.reach(call, target)

    def _window(self, call: Call, on_timeout: Callable[[], None]) -> None:
        seconds = float(self._switch.settings.calls.inbound_control_window)
        self._destinations.player.after(call, seconds, on_timeout, "inbound control")

    def _close_offer(self, call: Call) -> None:
        call.offer = None
        call.cancel_timers()

    def _remember(self, call: Call) -> None:
        """Keep the id of a call the application is asked about, so that an answer after the
        call is gone (refused, or its caller hung up while it waited) is late (``10016``), not
        unknown (``10007``)."""
        self._asked[call.caller.leg_id] = None
        while len(self._asked) > _REMEMBERED:
            self._asked.popitem(last=False)

    @staticmethod
    def _party(call: Call) -> InboundParty:
        party = call.caller.party()
        assert isinstance(party, InboundParty)
        return party
