"""Calls and their legs, with the one state machine every leg follows.

A *leg* is one party's channel: an extension's phone, or a trunk channel to the outside (an
inbound leg for a call that came in, an outbound leg for one that went out). A *call* groups
the legs that belong together under one ``callid``, plus where the call currently sits when it
is held by the PBX itself (an IVR, a queue, a ring group, voicemail).

Leg states and the only moves between them:

```
             answer (called side)
  RINGING ────────────────────────────▶ TALKING ◀──── unhold ────┐
     │  answer (the PBX rang the caller)  ▲  │                   │
     ▼                                    │  ├──── hold ────▶ HELD
  DIALING ──── bridged with a party ──────┘  │                   │
     ▲                                       │                   │
     └──── its party left (transfer) ────────┴───────────────────┘
  any state ────────────────────────────▶ ENDED
```

``DIALING`` means the leg is up on the PBX and waits for the far side: it hears ring-back, an
IVR, or queue music. :meth:`Leg.move` is the only way a state changes, and it refuses a move
the table does not declare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from yspbx.pbx.events import ExtParty, InboundParty, OutboundParty, Party
from yspbx.pbx.models import CdrType
from yspbx.pbx.simulated.calls.call_targets import Target, Unreachable
from yspbx.scheduler import Timer


class LegState(StrEnum):
    DIALING = "dialing"
    RINGING = "ringing"
    TALKING = "talking"
    HELD = "held"
    ENDED = "ended"


TRANSITIONS: Mapping[LegState, frozenset[LegState]] = {
    LegState.RINGING: frozenset({LegState.DIALING, LegState.TALKING, LegState.ENDED}),
    LegState.DIALING: frozenset({LegState.TALKING, LegState.ENDED}),
    LegState.TALKING: frozenset({LegState.HELD, LegState.DIALING, LegState.ENDED}),
    LegState.HELD: frozenset({LegState.TALKING, LegState.DIALING, LegState.ENDED}),
    LegState.ENDED: frozenset(),
}

# States in which a leg is connected to the PBX (off-hook), as opposed to ringing or gone.
UP_STATES = frozenset({LegState.DIALING, LegState.TALKING, LegState.HELD})


class IllegalTransition(RuntimeError):
    """A leg was asked to move to a state its current state does not lead to."""


class LegKind(StrEnum):
    EXTENSION = "ext"
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Role(StrEnum):
    CALLER = "caller"
    CALLEE = "callee"
    MONITOR = "monitor"


MonitorKind = Literal["Listen", "Whisper", "Barge-in"]
DestinationKind = Literal["ivr", "queue", "ringgroup", "voicemail", "conference"]
OfferKind = Literal["answer", "destination"]


@dataclass(eq=False)
class Leg:
    """One party's channel. ``number`` is the extension, or the external number as dialled."""

    kind: LegKind
    number: str
    role: Role
    state: LegState
    # Trunk legs: the trunk, the leg's id (inboundid / outboundid) and the report's from/to.
    trunk: str = ""
    leg_id: str = ""
    from_number: str = ""
    to_number: str = ""
    # The number the trunk was asked to dial, after the outbound route's strip and prepend.
    trunk_number: str = ""
    muted: bool = False
    # The channel name units give the leg (``PJSIP/1000-000000c0``), fixed when it joins a
    # call; and the IVR, queue or ring group that rang it (2.0.0 ``callpath``).
    channel: str = ""
    callpath: str = ""
    monitor_mode: MonitorKind | None = None
    # Answered on the PBX at some point (a trunk leg the PBX or a party picked up).
    up: bool = False
    ring_started_at: float | None = None
    timer: Timer | None = field(default=None, repr=False)

    def move(self, to: LegState) -> LegState:
        """Take the declared transition to ``to``; returns the state left behind."""
        before = self.state
        if to not in TRANSITIONS[before]:
            raise IllegalTransition(f"{self.kind} leg {self.number}: {before} -> {to}")
        self.state = to
        if to in UP_STATES:
            self.up = True
        if to is not LegState.RINGING:
            self.cancel_timer()
        return before

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    @property
    def live(self) -> bool:
        return self.state is not LegState.ENDED

    @property
    def connected(self) -> bool:
        return self.state in UP_STATES

    def party(self) -> Party:
        """The leg as report party objects name it."""
        if self.kind is LegKind.EXTENSION:
            return ExtParty(self.number, self.channel)
        if self.kind is LegKind.INBOUND:
            return InboundParty(
                self.from_number, self.to_number, self.trunk, self.leg_id, self.channel
            )
        return OutboundParty(
            self.from_number, self.to_number, self.trunk, self.leg_id, self.channel
        )


@dataclass(frozen=True, slots=True)
class Destination:
    """A PBX feature holding the call (not a party): IVR, queue, ring group or voicemail."""

    kind: DestinationKind
    number: str


@dataclass(eq=False)
class Segment:
    """What the call record of the current stretch of the call will say.

    A call that is transferred after being answered is recorded in two stretches: the first
    ends at the transfer, the second (type ``Transfer``) starts there.
    """

    type: CdrType
    started_at: float
    callfrom: str
    callto: str
    srctrunkname: str = ""
    desttrunkname: str = ""
    didnumber: str = ""
    answered_at: float | None = None
    recording: str = ""
    agentringtime: str = ""


class Feature:
    """What the PBX itself does with a call beyond connecting parties: an IVR collecting keys,
    a queue hunting for an agent, a ring group, a prompt, a satisfaction survey.

    A call has at most one (``Call.feature``). The switch and the destinations ask it at the
    moments it may want a say; each method's default is "nothing to add".
    """

    def key(self, call: Call, key: str) -> None:
        """The caller pressed ``key`` (already reported as DTMF)."""

    def ringing_stopped(self, call: Call, leg: Leg, why: Unreachable) -> bool:
        """The last party ringing for the call stopped unanswered; True when handled."""
        return False

    def answered(self, call: Call, leg: Leg) -> None:
        """A party the feature rang picked up (the call is connected right after)."""

    def party_left(self, call: Call, leg: Leg) -> bool:
        """A party of an answered call hung up; True when the feature carries on the call."""
        return False

    def describe(self) -> dict[str, str]:
        """The feature for the control plane's call listing."""
        return {}

    def left(self, call: Call) -> None:
        """The call no longer has this feature (another took its place, or none)."""


@dataclass(eq=False)
class Call:
    callid: str
    segment: Segment
    legs: list[Leg] = field(default_factory=list)
    # RING for parties the PBX rings (API dials, trunk calls, API transfers), not phone dials.
    reports_ring: bool = False
    # ALERT for the calling side when the API started the ringing.
    reports_alert: bool = False
    destination: Destination | None = None
    # The IVR, queue or ring group the call passed through last (2.0.0 ``callpath`` of the
    # extensions it then rings), until a transfer sends it elsewhere.
    callpath: str = ""
    # What to reach once the caller, rung first by an API dial, picks up.
    next_target: Target | None = None
    digits: str = ""
    ended: bool = False
    timers: list[Timer] = field(default_factory=list, repr=False)
    _feature: Feature | None = field(default=None, repr=False)
    # An inbound call waiting for the application (Invite: accept/refuse; Incoming: a transfer).
    offer: OfferKind | None = None
    # (queue, agent) while a queue agent talks with the caller.
    queue_agent: tuple[str, str] | None = None
    # What the PBX placed the call for, when it is its own (a prompt, a wake-up alarm).
    service: dict[str, str] = field(default_factory=dict)
    # Extensions whose forwarding rules sent the call on, in order (a loop ends the call).
    forwarded: list[str] = field(default_factory=list)
    # Where the call stands among the live calls (the switch counts calls as it creates
    # them): answers found through an index are put back in the order of the call list.
    order: int = 0

    @property
    def feature(self) -> Feature | None:
        """The feature holding the call, if any; the one it replaces is told it
        :meth:`~Feature.left` (a queue counts its waiting callers that way)."""
        return self._feature

    @feature.setter
    def feature(self, feature: Feature | None) -> None:
        old, self._feature = self._feature, feature
        if old is not None and old is not feature:
            old.left(self)

    @property
    def caller(self) -> Leg:
        for leg in self.legs:
            if leg.role is Role.CALLER and leg.live:
                return leg
        return next(leg for leg in self.legs if leg.role is Role.CALLER)

    def live_legs(self) -> list[Leg]:
        return [leg for leg in self.legs if leg.live]

    def parties(self) -> list[Leg]:
        """Live legs that are parties of the call (monitors listen in, they are not parties)."""
        return [leg for leg in self.legs if leg.live and leg.role is not Role.MONITOR]

    def ringing(self) -> list[Leg]:
        return [leg for leg in self.parties() if leg.state is LegState.RINGING]

    def find(self, number: str) -> Leg | None:
        """The live leg for ``number`` (an extension, an external number or a leg id)."""
        for leg in self.live_legs():
            if number in (leg.number, leg.leg_id) or (
                leg.trunk_number and number == leg.trunk_number
            ):
                return leg
        return None

    @property
    def answered(self) -> bool:
        return self.segment.answered_at is not None

    @property
    def state(self) -> str:
        """One word for the whole call: ``held``, ``talking``, ``ringing`` or ``dialing``."""
        parties = self.parties()
        if any(leg.state is LegState.HELD for leg in parties):
            return "held"
        if any(leg.state is LegState.RINGING for leg in parties):
            return "ringing"
        if self.answered:
            return "talking"
        return "dialing"

    def cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()
        for leg in self.legs:
            leg.cancel_timer()
