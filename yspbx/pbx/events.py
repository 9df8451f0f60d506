"""Domain events: what happened inside the PBX, in the PBX's own terms, with no wire format.

The engine emits these; :mod:`yspbx.reports` turns each one into the report bodies of both
formats. Parties are kept in the order the report lists them (the party the event is about
first), so the engine decides who is first and the formatter never reorders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from yspbx.pbx.models import Cdr


@dataclass(frozen=True, slots=True)
class ExtParty:
    """An extension taking part in a call (``{"ext":{"extid":...}}``)."""

    extid: str


@dataclass(frozen=True, slots=True)
class InboundParty:
    """The trunk leg of a call that came in (``{"inbound":{...}}``)."""

    from_number: str
    to_number: str
    trunk: str
    inboundid: str


@dataclass(frozen=True, slots=True)
class OutboundParty:
    """The trunk leg of a call that went out (``{"outbound":{...}}``)."""

    from_number: str
    to_number: str
    trunk: str
    outboundid: str


Party = ExtParty | InboundParty | OutboundParty


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
