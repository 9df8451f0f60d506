"""Conference rooms in session: callers who dial a room's number, parties a moderator invites
(``conference/add_member``) and instant conferences (``instant_conference/start``).

A room's session is one call (``Call.feature`` is its :class:`ConferenceRoom`): the first
caller who dials the room makes its own call the session (its ``callid`` is the session's);
a later caller's leg is moved into the session and its own call dropped without a record, so
every member shows in the one session's ``CallStatus`` events. Members who dialled in are the
session's callers (``ANSWERED`` while talking), invitees its called parties (``ANSWER``); a
member waiting for a moderator is on hold (``HOLD``). A member hanging up leaves the room; the
last one to leave ends the session, which writes one record for it. The simulated phones
enter no PIN: the room passwords are kept and listed, not asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yspbx.errors import Errno, PbxError
from yspbx.pbx.call_ops import ConferenceSession
from yspbx.pbx.models import CdrStatus, Conference
from yspbx.pbx.simulated.calls.call_targets import ExtensionTarget, ExternalTarget, Unreachable
from yspbx.pbx.simulated.calls.members import members_of
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
    from yspbx.pbx.simulated.calls.routing import Router


class ConferenceRoom(Feature):
    """The room holding a session's call: who enters, who waits, when it ends."""

    def __init__(self, rooms: Conferences, room: Conference) -> None:
        self.rooms = rooms
        self.room = room

    def answered(self, call: Call, leg: Leg) -> None:
        self.rooms.seat(call, leg)

    def ringing_stopped(self, call: Call, leg: Leg, why: Unreachable) -> bool:
        """Nobody answered the invitations of a room nobody is in: the session ends."""
        self.rooms.switch.end(call, "NO ANSWER")
        return True

    def party_left(self, call: Call, leg: Leg) -> bool:
        """A member leaves; the room goes on while someone else is in it."""
        if not any(o is not leg and o.connected for o in call.parties()):
            return False  # the last one: the switch ends the session and writes its record
        self.rooms.switch.move(call, leg, LegState.ENDED)
        return True

    def describe(self) -> dict[str, str]:
        return {"conference": self.room.number}


class Conferences:
    def __init__(self, destinations: Destinations) -> None:
        self.destinations = destinations
        self.switch = destinations.switch
        self.config = destinations.config
        self.sessions: dict[str, Call] = {}
        # Rooms opened by instant_conference/start: gone with their session.
        self.instant: dict[str, Conference] = {}
        self.switch.call_closed.append(self._closed)

    # -- rooms --------------------------------------------------------------------------

    def room(self, number: str) -> Conference:
        """A configured or instant room; ``10004`` for another number (the spec's inference)."""
        found = self.config.conferences.get(number) or self.instant.get(number)
        if found is None:
            raise PbxError(Errno.MISSING_PARAMETER, f"no conference {number}")
        return found

    def in_session(self, numbers: list[str] | None) -> list[ConferenceSession]:
        """Rooms in session, all or those named (a named room not in session is left out)."""
        if numbers is None:
            chosen = list(self.sessions)
        else:
            for number in numbers:
                self.room(number)
            chosen = [n for n in dict.fromkeys(numbers) if n in self.sessions]
        found = []
        for number in chosen:
            call = self.sessions[number]
            room = self.room(number)
            found.append(
                ConferenceSession(call.callid, number, room.name or number, members_of(call))
            )
        return found

    def _session(self, room: Conference, callfrom: str, call: Call | None = None) -> Call:
        session = self.sessions.get(room.number)
        if session is not None and not session.ended:
            return session
        if call is None:
            call = self.switch.new_call("Internal", callfrom, room.number)
        call.feature = ConferenceRoom(self, room)
        call.destination = Destination("conference", room.number)
        call.callpath = room.number
        self.sessions[room.number] = call
        return call

    def _closed(self, call: Call, status: CdrStatus | None) -> None:
        if not isinstance(call.feature, ConferenceRoom):
            return
        number = call.feature.room.number
        if self.sessions.get(number) is call:
            del self.sessions[number]
            self.instant.pop(number, None)

    # -- entering ------------------------------------------------------------------------

    def enter(self, call: Call, number: str) -> None:
        """The call's caller (up, waiting) dialled room ``number``: it joins the session."""
        room = self.room(number)
        leg = call.caller
        session = self._session(room, leg.number, call)
        if session is not call:
            self.switch.adopt(call, leg, session)
        self.seat(session, leg)

    def seat(self, session: Call, leg: Leg) -> None:
        """``leg`` is in the room: talking, or on hold while the room waits for a moderator."""
        assert isinstance(session.feature, ConferenceRoom)
        room = session.feature.room
        if leg.kind is LegKind.EXTENSION:
            leg.callpath = room.number
        self.switch.move(session, leg, LegState.TALKING)
        self.switch.mark_answered(session)
        moderator = self._is_moderator(room, leg)
        leg.muted = room.mute and not moderator
        if not room.waitformoderator or moderator:
            for other in session.parties():
                if other.state is LegState.HELD:
                    self.switch.move(session, other, LegState.TALKING)
        elif not any(
            self._is_moderator(room, o) and o.connected and o is not leg for o in session.parties()
        ):
            self.switch.move(session, leg, LegState.HELD)

    @staticmethod
    def _is_moderator(room: Conference, leg: Leg) -> bool:
        return leg.kind is LegKind.EXTENSION and leg.number in room.moderators

    # -- invitations ---------------------------------------------------------------------

    def add_member(self, number: str, operator: str, invitees: list[str], fromext: str) -> None:
        """Moderator ``operator`` rings ``invitees`` into room ``number``'s session."""
        room = self.room(number)
        if operator not in self.config.extensions:
            raise PbxError(Errno.EXTENSION_NOT_FOUND, f"operator {operator}")
        if operator not in room.moderators:
            raise PbxError(Errno.MISSING_PARAMETER, f"{operator} is no moderator of {number}")
        if not room.allowinvite:
            raise PbxError(Errno.MISSING_PARAMETER, f"conference {number} allows no invitations")
        self._invite(room, operator, invitees, fromext or operator)

    def start_instant(
        self, number: str, name: str, moderators: list[str], members: list[str], fromext: str
    ) -> None:
        """Open an instant room on a free ``number`` and ring its moderators and members."""
        if not number.isdigit():
            raise PbxError(Errno.MISSING_PARAMETER, f"number {number!r}")
        owner = self.config.number_owner(number)
        if owner is not None or number in self.instant:
            raise PbxError(Errno.MISSING_PARAMETER, f"number {number} is in use")
        for moderator in moderators:
            if moderator not in self.config.extensions:
                raise PbxError(Errno.EXTENSION_NOT_FOUND, f"moderator {moderator}")
        invitees = list(dict.fromkeys([*moderators, *members]))
        if not invitees:
            raise PbxError(Errno.MISSING_PARAMETER, "members")
        room = Conference(number=number, name=name or number, moderators=moderators)
        self.instant[number] = room
        try:
            self._invite(room, moderators[0] if moderators else "", invitees, fromext)
        except PbxError:
            self.instant.pop(number, None)
            raise

    def _invite(self, room: Conference, operator: str, invitees: list[str], fromext: str) -> None:
        wanted = [n for n in dict.fromkeys(i.strip() for i in invitees) if n]
        if not wanted:
            raise PbxError(Errno.MISSING_PARAMETER, "invitemember")
        legs = [self._invitee(number, fromext) for number in wanted]  # all checked first
        session = self._session(room, operator or wanted[0])
        for leg in legs:
            self.switch.ring(session, leg)

    def _invitee(self, number: str, fromext: str) -> Leg:
        router: Router = self.destinations.router
        target = router.for_api(number, fromext)
        if isinstance(target, ExtensionTarget):
            problem = self.destinations.extension_problem(target.number)
            if problem is not None:
                raise PbxError(Errno.EXTENSION_NOT_IDLE, f"{target.number}: {problem.reason}")
            return Leg(LegKind.EXTENSION, target.number, Role.CALLEE, LegState.RINGING)
        if isinstance(target, ExternalTarget):
            return Leg(
                LegKind.OUTBOUND,
                target.number,
                Role.CALLEE,
                LegState.RINGING,
                trunk=target.trunk,
                leg_id=self.switch.ids.next(),
                from_number=fromext,
                to_number=target.number,
                trunk_number=target.trunk_number,
            )
        raise PbxError(Errno.MISSING_PARAMETER, f"{number} is no party to invite")
