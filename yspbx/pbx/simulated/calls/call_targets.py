"""Where a call can be sent: the results of routing a dialled number.

Routing (:mod:`.routing`) turns a number into one of these; the switch then knows how to reach
each kind. They are plain values, so a call can remember one to reach later (an API dial rings
the caller first and reaches the target once the caller picks up).
"""

from __future__ import annotations

from dataclasses import dataclass

from yspbx.pbx.models import CdrStatus


@dataclass(frozen=True, slots=True)
class ExtensionTarget:
    number: str


@dataclass(frozen=True, slots=True)
class ExternalTarget:
    """A number outside, through ``trunk``; ``trunk_number`` is what the trunk dials."""

    number: str
    trunk: str
    trunk_number: str
    route: str
    # The extension whose outbound route (and caller identity) the call uses; "" for none.
    fromext: str = ""


@dataclass(frozen=True, slots=True)
class IvrTarget:
    number: str


@dataclass(frozen=True, slots=True)
class QueueTarget:
    number: str


@dataclass(frozen=True, slots=True)
class RingGroupTarget:
    number: str


@dataclass(frozen=True, slots=True)
class ConferenceTarget:
    number: str


@dataclass(frozen=True, slots=True)
class VoicemailTarget:
    """An extension's voicemail box (an inbound route may end there)."""

    number: str


@dataclass(frozen=True, slots=True)
class PromptTarget:
    """The PBX itself plays ``number`` (prompt files joined by ``+``) to the call, then hangs
    up: ``extension/playprompt``, ``outbound/playprompt`` and wake-up alarms. ``report`` says
    whether the end of the playback is reported (``PlayPromptEnd``)."""

    number: str
    report: bool = True


@dataclass(frozen=True, slots=True)
class Unreachable:
    """Nothing can take the call: it fails with this report reason and record status."""

    reason: str
    status: CdrStatus


Target = (
    ExtensionTarget
    | ExternalTarget
    | IvrTarget
    | QueueTarget
    | RingGroupTarget
    | ConferenceTarget
    | VoicemailTarget
    | PromptTarget
    | Unreachable
)

# CallFailed reasons (docs/pbx-api/reports.md) and the record status each leaves in the CDR.
NOT_FOUND = Unreachable("404 NOT found", "FAILED")
UNAVAILABLE = Unreachable("480 Temporarily unavailable", "FAILED")
BUSY = Unreachable("486 Busy Here", "BUSY")
DND = Unreachable("DND", "NO ANSWER")
NO_PERMISSION = Unreachable("NO Outbound Restriction", "FAILED")
DECLINED = Unreachable("486 Busy Here", "BUSY")
ABANDONED = Unreachable("487 Request Terminated", "NO ANSWER")
RING_TIMEOUT = Unreachable("603 Declined", "NO ANSWER")
HUNG_UP_BY_ROUTE = Unreachable("603 Declined", "FAILED")
NOT_SIMULATED = Unreachable("503 Service Unavailable", "FAILED")
