"""Domain events: what happened inside the PBX, in the PBX's own terms, with no wire format.

The engine emits these; :mod:`yspbx.reports` turns each one into the report bodies of both
formats. Parties are kept in the order the report lists them (the party the event is about
first), so the engine decides who is first and the formatter never reorders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from yspbx.pbx.models import Cdr


@dataclass(frozen=True, slots=True)
class ExtParty:
    """An extension taking part in a call (``{"ext":{"extid":...}}``)."""

    extid: str
    # The leg's channel (``PJSIP/1000-000000c0``): 2.0.0 reports name members by it. Left out
    # of comparisons: it identifies the leg, it is not part of what happened.
    channel: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class InboundParty:
    """The trunk leg of a call that came in (``{"inbound":{...}}``)."""

    from_number: str
    to_number: str
    trunk: str
    inboundid: str
    channel: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class OutboundParty:
    """The trunk leg of a call that went out (``{"outbound":{...}}``)."""

    from_number: str
    to_number: str
    trunk: str
    outboundid: str
    channel: str = field(default="", compare=False)


Party = ExtParty | InboundParty | OutboundParty

MemberKind = Literal["ext", "inbound", "outbound"]
MemberStatus = Literal["ALERT", "RING", "ANSWERED", "ANSWER", "HOLD", "BYE"]


@dataclass(frozen=True, slots=True)
class CallMember:
    """One member of a call as 2.0.0 shows it (``call/query``, ``CallStatus``): its channel and
    its state in the call's terms. ``number`` is the extension or the external number."""

    kind: MemberKind
    number: str
    channel: str
    status: MemberStatus
    callpath: str = ""
    from_number: str = ""
    to_number: str = ""
    trunk: str = ""
    # The trunk leg's 1.1.0 id (inboundid / outboundid), so either dialect can address it.
    leg_id: str = ""


@dataclass(frozen=True, slots=True)
class SystemStarted:
    """The PBX finished starting (``BootUp``)."""


@dataclass(frozen=True, slots=True)
class ConfigChanged:
    """An extension or trunk was added, deleted or edited (``ConfigChange``)."""

    type: Literal["extension", "trunk"]
    operation: Literal["add", "del", "update"]
    key: str


ExtensionState = Literal["Ringing", "Busy", "Idle", "Registered", "Unregistered"]


@dataclass(frozen=True, slots=True)
class ExtensionStatusChanged:
    """A monitored extension changed state (``ExtensionStatus``)."""

    extension: str
    status: ExtensionState
    # An analog (FXS) port: 2.0.0 reports its on-hook state as "Idle", a SIP phone's as
    # "Registered".
    fxs: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class CallAlerting:
    """The calling side hears ring-back (``ALERT``)."""

    callid: str
    parties: tuple[Party, ...]


@dataclass(frozen=True, slots=True)
class CallRinging:
    """A called party rings (``RING``): the ringing party first, then the caller."""

    callid: str
    parties: tuple[Party, ...]


@dataclass(frozen=True, slots=True)
class CallAnswer:
    """The called party picked up (``ANSWER``): the answering party first."""

    callid: str
    parties: tuple[Party, ...]


@dataclass(frozen=True, slots=True)
class CallAnswered:
    """The caller's call was answered (``ANSWERED``): the calling party first."""

    callid: str
    parties: tuple[Party, ...]


@dataclass(frozen=True, slots=True)
class CallReleased:
    """One side of a call is gone (``BYE``, sent twice per call, the releasing side first)."""

    callid: str
    parties: tuple[Party, ...]


@dataclass(frozen=True, slots=True)
class CallStatusChanged:
    """A member of a call changed state (2.0.0 ``CallStatus``): every member the call has now,
    caller first, plus those that left since the last one (once, as ``BYE``). 1.1.0 sessions
    learn the same changes from the five call-progress events instead."""

    callid: str
    members: tuple[CallMember, ...]


@dataclass(frozen=True, slots=True)
class CallTransferred:
    """A user transferred a call from a phone (``Tranfer``); API transfers emit no such event."""

    callid: str
    parties: tuple[Party, ...]


@dataclass(frozen=True, slots=True)
class CallFailed:
    """A call could not be connected (``CallFailed``); parties sit at the report's top level."""

    callid: str
    reason: str
    parties: tuple[Party, ...]


@dataclass(frozen=True, slots=True)
class InboundCallOffered:
    """An inbound call waits for ``inbound/accept`` or ``inbound/refuse`` (``Invite``)."""

    callid: str
    inbound: InboundParty


@dataclass(frozen=True, slots=True)
class InboundCallArrived:
    """An inbound call waits for the application to direct it (``Incoming``)."""

    callid: str
    inbound: InboundParty


@dataclass(frozen=True, slots=True)
class KeyPressed:
    """A caller pressed a key (``DTMF``); ``infos`` is the sequence so far."""

    callid: str
    parties: tuple[Party, ...]
    info: str
    flag: int
    infos: str


@dataclass(frozen=True, slots=True)
class CdrWritten:
    """A call ended and its record was written (``NewCdr``)."""

    cdr: Cdr


@dataclass(frozen=True, slots=True)
class PromptTrunkParty:
    """The external side of a prompt playback (``{"outbound":{"trunkname":...}}``)."""

    trunkname: str


@dataclass(frozen=True, slots=True)
class PromptFinished:
    """A prompt played through the API (or an IVR prompt) ended (``PlayPromptEnd``)."""

    callid: str
    prompt: str
    party: ExtParty | PromptTrunkParty | InboundParty | None = None
    ivrid: str | None = None
    playtonum: str | None = None


@dataclass(frozen=True, slots=True)
class SurveyAnswered:
    """A queue caller pressed a key in the satisfaction survey (``satisfaction``)."""

    callid: str
    surveyresult: str


@dataclass(frozen=True, slots=True)
class SmsResult:
    """The outcome of an ``sms/send`` (``sms-send``)."""

    smsid: str
    status: Literal["Success", "Failed"]


DomainEvent = (
    SystemStarted
    | ConfigChanged
    | ExtensionStatusChanged
    | CallAlerting
    | CallRinging
    | CallAnswer
    | CallAnswered
    | CallReleased
    | CallStatusChanged
    | CallTransferred
    | CallFailed
    | InboundCallOffered
    | InboundCallArrived
    | KeyPressed
    | CdrWritten
    | PromptFinished
    | SurveyAnswered
    | SmsResult
)
