"""Ring groups: the PBX rings the group's members by its strategy; the first to answer takes the
call.

* ``ringall``: every member that can ring (registered, not DND, in no call) rings at once for
  the group's ``ringtimeout``;
* ``sequential``: the members ring one after another, in the group's order, each for
  ``ringtimeout``; members that cannot ring are skipped.

When nobody answered (or nobody could ring), the caller goes to the group's ``failover_dest``:
a number of the dial plan or outside; ``hangup`` (the default) fails the call, with
``603 Declined`` after ringing, or ``486 Busy Here`` when no member could ring at all. A member
declining stops its own ringing only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yspbx.pbx.models import RingGroup
from yspbx.pbx.simulated.calls.call_targets import BUSY, NOT_FOUND, Unreachable
from yspbx.pbx.simulated.calls.model import (
    Call,
    Destination,
    Feature,
    Leg,
    LegKind,
    LegState,
    Role,
)

if TYPE_CHECKING:
    from yspbx.pbx.simulated.calls.destinations import Destinations


class RingGroups:
    def __init__(self, destinations: Destinations) -> None:
        self.destinations = destinations
        self.switch = destinations.switch
        self.config = destinations.config

    def enter(self, call: Call, number: str) -> None:
        group = self.config.ringgroups.get(number)
        if group is None:
            self.switch.fail(call, NOT_FOUND)
            return
        call.destination = Destination("ringgroup", number)
        call.callpath = number
        hunt = RingGroupHunt(self, number)
        call.feature = hunt
        hunt.start(call, group)


class RingGroupHunt(Feature):
    def __init__(self, groups: RingGroups, number: str) -> None:
        self._groups = groups
        self.number = number
        # Sequential: the position of the next member to try.
        self.position = 0

    def start(self, call: Call, group: RingGroup) -> None:
        if group.strategy == "sequential":
            self._ring_next(call, group, None, BUSY)
            return
        rung = self._groups.destinations.ring_members(call, group.members, group.ringtimeout)
        if not rung:
            self._failover(call, group, None, BUSY)

    def _ring_next(self, call: Call, group: RingGroup, last: Leg | None, why: Unreachable) -> None:
        destinations = self._groups.destinations
        members = list(dict.fromkeys(group.members))
        while self.position < len(members):
            member = members[self.position]
            self.position += 1
            if destinations.extension_problem(member) is None:
                if last is not None:
                    self._groups.switch.move(call, last, LegState.ENDED)
                leg = Leg(LegKind.EXTENSION, member, Role.CALLEE, LegState.RINGING)
                if last is None:
                    self._groups.switch.alert(call)
                self._groups.switch.ring(call, leg, float(group.ringtimeout) or None)
                return
        self._failover(call, group, last, why)

    def ringing_stopped(self, call: Call, leg: Leg, why: Unreachable) -> bool:
        group = self._groups.config.ringgroups.get(self.number)
        if group is None:
            return False
        if group.strategy == "sequential":
            self._ring_next(call, group, leg, why)
        else:
            self._failover(call, group, leg, why)
        return True

    def _failover(self, call: Call, group: RingGroup, last: Leg | None, why: Unreachable) -> None:
        destination = group.failover_dest.strip()
        if destination.lower() in ("", "hangup"):
            self._groups.switch.fail(call, why, about=last.party() if last else None)
            return
        if last is not None and last.live:
            self._groups.switch.move(call, last, LegState.ENDED)
        self._groups.destinations.forward(call, destination, why)

    def answered(self, call: Call, leg: Leg) -> None:
        call.segment.callto = leg.number
        call.feature = None

    def describe(self) -> dict[str, str]:
        return {"type": "ringgroup", "number": self.number}
