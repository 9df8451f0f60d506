"""The PBX's event reports as typed events, from either format (docs/pbx-api/reports.md).

A report is one JSON object whose ``action`` names it. Call reports name their
parties (``ext``, ``inbound``, ``outbound`` objects) in one of two ways: the 1.0.2 format lists
them in a ``call`` array; the legacy format writes them straight into the report, repeating a
key such as ``ext`` when two extensions take part. Most JSON parsers keep only the last of the
repeated keys; :func:`parse_report` keeps them all, in order, both in ``Event.parties`` and in
``Event.raw`` (where a repeated key's values become a list).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AliasChoices, BeforeValidator, Field, PrivateAttr, ValidationError

from yspbx.client._wire import OptionalInt, ResponseModel

log = logging.getLogger("yspbx.client.reports")

PARTY_KEYS = ("ext", "inbound", "outbound")


class ReportFormatError(ValueError):
    """The body is not a report: not a JSON object, or no ``action``."""


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _ivr_number(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("ivrid")
    return value


WireTime = Annotated[datetime | None, BeforeValidator(_blank_to_none)]


class ExtensionParty(ResponseModel):
    """``{"ext": {"extid": "2001"}}``; in 2.0.0 ``{"ext": {"number", "channelid",
    "memberstatus", "callpath"}}``."""

    kind: Literal["ext"] = "ext"
    extension: str = Field("", alias="extid", validation_alias=AliasChoices("extid", "number"))
    channel: str = Field("", alias="channelid")
    """2.0.0: the member's channel, for the ``client.v2`` call methods."""
    status: str = Field("", alias="memberstatus")
    """2.0.0: ``ALERT``, ``RING``, ``ANSWERED``, ``ANSWER``, ``HOLD`` or ``BYE``."""
    callpath: str = ""


class InboundParty(ResponseModel):
    """``{"inbound": {"from", "to", "trunk", "inboundid"}}``: an outside caller."""

    kind: Literal["inbound"] = "inbound"
    from_number: str = Field("", alias="from")
    to_number: str = Field("", alias="to")
    trunk: str = Field("", validation_alias=AliasChoices("trunk", "trunkname"))
    id: str = Field("", alias="inboundid")
    channel: str = Field("", alias="channelid")
    status: str = Field("", alias="memberstatus")


class OutboundParty(ResponseModel):
    """``{"outbound": {"from", "to", "trunk", "outboundid"}}``: a number called outside."""

    kind: Literal["outbound"] = "outbound"
    from_number: str = Field("", alias="from")
    to_number: str = Field("", alias="to")
    trunk: str = Field("", validation_alias=AliasChoices("trunk", "trunkname"))
    id: str = Field("", alias="outboundid")
    channel: str = Field("", alias="channelid")
    status: str = Field("", alias="memberstatus")


Party = ExtensionParty | InboundParty | OutboundParty

_PARTY_MODELS: dict[str, type[Party]] = {
    "ext": ExtensionParty,
    "inbound": InboundParty,
    "outbound": OutboundParty,
}


class Event(ResponseModel):
    """Every report: its ``action`` as sent, the PBX's serial number, and the whole report in
    ``raw`` (a legacy report's repeated keys as lists). ``body`` is the bytes received."""

    ACTIONS: ClassVar[tuple[str, ...]] = ()

    action: str
    serial_number: str = Field("", alias="sn")
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)
    _body: bytes = PrivateAttr(b"")

    @property
    def body(self) -> bytes:
        return self._body


class UnknownEvent(Event):
    """A report whose action this SDK does not know (or whose fields it could not read)."""


class BootUp(Event):
    """The PBX has started."""

    ACTIONS = ("BootUp",)


class ConfigChange(Event):
    """An extension or trunk was added, deleted or changed (not what changed)."""

    ACTIONS = ("ConfigChange",)
    object_type: str = Field("", alias="type")
    """``extension`` or ``trunk``."""
    extension: str | None = Field(None, alias="extid")
    trunk: str | None = Field(None, alias="trunkname")
    operation: str = ""
    """``add``, ``del`` or ``update``."""


class ExtensionStatus(Event):
    """A monitored extension changed state."""

    ACTIONS = ("ExtensionStatus",)
    extension: str = ""
    status: str = ""
    """``Ringing``, ``Busy``, ``Idle``, ``Registered`` or ``Unregistered``."""


class CallEvent(Event):
    """A report about one call. ``parties`` keeps the PBX's order: the party the event is about
    comes first (the callee in ``RING`` and ``ANSWER``, the caller in ``ALERT``...)."""

    callid: str = ""
    parties: list[Party] = Field(default_factory=list)

    @property
    def extensions(self) -> list[str]:
        """The extension numbers among the parties, in order."""
        return [p.extension for p in self.parties if isinstance(p, ExtensionParty)]

    @property
    def inbound(self) -> InboundParty | None:
        return next((p for p in self.parties if isinstance(p, InboundParty)), None)

    @property
    def outbound(self) -> OutboundParty | None:
        return next((p for p in self.parties if isinstance(p, OutboundParty)), None)


class Ring(CallEvent):
    """A phone rings (the ringing party first, then the caller)."""

    ACTIONS = ("RING",)


class Alert(CallEvent):
    """The caller hears ring-back."""

    ACTIONS = ("ALERT",)


class Answer(CallEvent):
    """The called party answered (it comes first)."""

    ACTIONS = ("ANSWER",)


class Answered(CallEvent):
    """The caller's call was answered (the caller comes first)."""

    ACTIONS = ("ANSWERED",)


class Bye(CallEvent):
    """The call ended; sent twice, the party that hung up first in the first one."""

    ACTIONS = ("BYE",)


class Transfer(CallEvent):
    """A user transferred a call from a phone. The PBX spells the action ``Tranfer``;
    ``Transfer`` is accepted too."""

    ACTIONS = ("Tranfer", "Transfer")


class CallFailed(CallEvent):
    """A call could not be connected; ``reason`` says why (``486 Busy Here``, ``DND``, ...)."""

    ACTIONS = ("CallFailed",)
    reason: str = ""


class Invite(CallEvent):
    """An inbound call waits for ``calls.accept_inbound`` or ``refuse_inbound`` (10 s)."""

    ACTIONS = ("Invite",)


class Incoming(CallEvent):
    """An inbound call waits to be directed, e.g. with ``calls.transfer_inbound`` (10 s)."""

    ACTIONS = ("Incoming",)


class Dtmf(CallEvent):
    """A key was pressed during a call (in an IVR, say)."""

    ACTIONS = ("DTMF",)
    key: str = Field("", alias="info")
    position: OptionalInt = Field(None, alias="flag")
    """Where ``key`` stands in the sequence, from 0."""
    keys: str | None = Field(None, alias="infos")
    """Every key collected so far, when the PBX sends it."""


class PlayPromptEnd(CallEvent):
    """A prompt finished playing."""

    ACTIONS = ("PlayPromptEnd",)
    prompt: str = ""
    ivr: Annotated[str | None, BeforeValidator(_ivr_number)] = None
    played_to: str | None = Field(None, alias="playtonum")


class NewCdr(Event):
    """A call record, written when a call ends."""

    ACTIONS = ("NewCdr",)
    callid: str = ""
    cdr_id: str | None = Field(None, alias="cdrid")
    time_start: WireTime = Field(None, alias="timestart")
    """In the PBX's local time, as it writes it (no time zone)."""
    caller: str = Field("", alias="callfrom")
    callee: str = Field("", alias="callto")
    call_duration: OptionalInt = Field(None, alias="callduraction")
    talk_duration: OptionalInt = Field(None, alias="talkduraction")
    source_trunk: str = Field("", alias="srctrunkname")
    destination_trunk: str = Field(
        "", validation_alias=AliasChoices("desttrunkname", "dstrunkname", "dsttrcunkname")
    )
    status: str = ""
    """``ANSWERED``, ``NO ANSWER``, ``BUSY``, ``FAILED`` or ``VOICEMAIL``."""
    call_type: str = Field("", alias="type")
    """``Inbound``, ``Outbound``, ``Internal``, ``Callback`` or ``Transfer``."""
    pin_code: str = Field("", alias="pincode")
    recording: str = ""
    """The recording's file name, for ``client.recordings.fetch``."""
    did_number: str = Field("", alias="didnumber")
    agent_ring_time: OptionalInt = Field(None, alias="agentringtime")


class CallStatus(CallEvent):
    """2.0.0: a member of a call changed state; ``parties`` holds every member, caller
    first, each with its ``channel`` and ``status`` (``memberstatus``)."""

    ACTIONS = ("CallStatus",)


class Satisfaction(Event):
    """A caller's answer to a queue's satisfaction survey."""

    ACTIONS = ("satisfaction",)
    callid: str = ""
    result: str = Field("", alias="surveyresult")


class SmsResult(Event):
    """The outcome of ``client.sms.send``."""

    ACTIONS = ("sms-send",)
    status: str = ""
    sms_id: str = Field("", alias="smsid")

    @property
    def succeeded(self) -> bool:
        return self.status == "Success"


EVENT_TYPES: dict[str, type[Event]] = {
    action: event_type
    for event_type in (
        BootUp,
        ConfigChange,
        ExtensionStatus,
        Ring,
        CallStatus,
        Alert,
        Answer,
        Answered,
        Bye,
        Transfer,
        CallFailed,
        Invite,
        Incoming,
        Dtmf,
        NewCdr,
        PlayPromptEnd,
        Satisfaction,
        SmsResult,
    )
    for action in event_type.ACTIONS
}


class _Object(dict[str, Any]):
    """A JSON object that remembers its pairs in order, repeated keys included."""

    pairs: list[tuple[str, Any]]


def _collect(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    obj.pairs = pairs
    for key, value in pairs:
        if key in obj:
            previous = obj[key]
            obj[key] = (
                [*previous, value]
                if isinstance(previous, _Repeated)
                else _Repeated([previous, value])
            )
        else:
            obj[key] = value
    return obj


class _Repeated(list[Any]):
    """The values of a key the report repeats (legacy format)."""


def _parties(pairs: list[tuple[str, Any]]) -> list[Party]:
    found: list[Party] = []
    for key, value in pairs:
        if key in ("call", "members") and isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    found.extend(_parties(list(item.items())))
        elif key in _PARTY_MODELS and isinstance(value, dict):
            found.append(_PARTY_MODELS[key].model_validate(value))
    return found


def parse_report(body: bytes | str) -> Event:
    """The typed event for one report body, in either format.

    Raises :class:`ReportFormatError` when the body is not a JSON object with an ``action``.
    A known action whose fields cannot be read becomes an :class:`UnknownEvent` (logged), so
    nothing the PBX sends is dropped.
    """
    raw_bytes = body.encode("utf-8") if isinstance(body, str) else body
    try:
        data = json.loads(raw_bytes, object_pairs_hook=_collect)
    except (ValueError, RecursionError) as exc:
        raise ReportFormatError(f"not JSON: {exc}") from None
    if isinstance(data, _Object) and "action" not in data and isinstance(data.get("event"), str):
        # 2.0.0 names the report under "event".
        data["action"] = data["event"]
    if not isinstance(data, _Object) or not isinstance(data.get("action"), str):
        raise ReportFormatError("a report is a JSON object with an 'action' (or 'event')")
    fields = {
        key: list(value) if isinstance(value, _Repeated) else value for key, value in data.items()
    }
    event_type = EVENT_TYPES.get(data["action"], UnknownEvent)
    values: dict[str, Any] = {
        key: value
        for key, value in fields.items()
        if key not in PARTY_KEYS and key not in ("call", "members") and not isinstance(value, list)
    }
    values["raw"] = fields
    event: Event
    try:
        if issubclass(event_type, CallEvent):
            values["parties"] = _parties(data.pairs)
        event = event_type.model_validate(values)
    except ValidationError as exc:
        log.warning("report %s could not be read (%s): %r", data["action"], exc, raw_bytes[:512])
        values.pop("parties", None)
        event = UnknownEvent.model_validate(
            {"action": data["action"], "sn": fields.get("sn", ""), "raw": fields}
        )
    event._body = raw_bytes
    return event
