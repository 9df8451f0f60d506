"""Calls (docs/pbx-api/calls.md): query, hang up, hold, mute, monitor, originate, transfer, and
accept or refuse inbound calls."""

from __future__ import annotations

from pydantic import Field

from yspbx.client._endpoint import Endpoint, many, nothing, text
from yspbx.client._wire import RequestModel, ResponseModel, TextList, YesNo


class CallParty(ResponseModel):
    """One of those who have an inbound call (``inbound/query``'s ``callee``): an extension
    (``{"extid": "2001"}``), the IVR, queue or ring group holding the call, or a call leg on a
    trunk (an outbound leg once the call was sent outside). Exactly one field is set."""

    extension: str | None = Field(None, alias="extid")
    ivr: str | None = Field(None, alias="ivrid")
    queue: str | None = Field(None, alias="queueid")
    ring_group: str | None = Field(None, alias="ringgroupid")
    outbound: str | None = Field(None, alias="outboundid")
    """The id of an outbound leg (as ``outbound/query`` and ``outbound/hangup`` know it)."""
    inbound: str | None = Field(None, alias="inboundid")

    @property
    def kind(self) -> str:
        """``extension``, ``ivr``, ``queue``, ``ring_group``, ``outbound``, ``inbound``, or
        ``""`` for a kind of party this SDK does not know (see ``model_extra``)."""
        return next((name for name in _PARTY_KINDS if getattr(self, name) is not None), "")

    @property
    def id(self) -> str:
        """The party's number or id, whatever its kind."""
        kind = self.kind
        if kind:
            return str(getattr(self, kind))
        return next((str(value) for value in (self.model_extra or {}).values()), "")


_PARTY_KINDS = ("extension", "ivr", "queue", "ring_group", "outbound", "inbound")


class InboundCall(ResponseModel):
    """One live inbound call (``inbound/query``)."""

    id: str = Field("", alias="inboundid")
    from_number: str = Field("", alias="from")
    to_number: str = Field("", alias="to")
    trunk: str = ""
    status: str = ""
    """``Talking``, ``Progress`` (being set up) or ``Wait``."""
    callee: list[CallParty] = Field(default_factory=list)


class OutboundCall(ResponseModel):
    """One live outbound call (``outbound/query``)."""

    id: str = Field("", alias="outboundid")
    from_number: str = Field("", alias="from")
    to_number: str = Field("", alias="to")
    trunk: str = ""
    status: str = ""


class InboundQuery(RequestModel):
    ids: TextList | None = Field(None, alias="inboundid")


class OutboundQuery(RequestModel):
    ids: TextList | None = Field(None, alias="outboundid")


class ExtensionRef(RequestModel):
    extension: str = Field(alias="extid")


class InboundRef(RequestModel):
    inbound: str = Field(alias="inboundid")


class OutboundRef(RequestModel):
    outbound: str = Field(alias="outboundid")


class Listen(RequestModel):
    monitor: str = Field(alias="listener")
    target: str = Field(alias="listenedext")


class Whisper(RequestModel):
    monitor: str = Field(alias="whisperer")
    target: str = Field(alias="whisperedext")


class Barge(RequestModel):
    monitor: str = Field(alias="bargein")
    target: str = Field(alias="bargedext")


class DialExtension(RequestModel):
    caller: str
    callee: str
    auto_answer: YesNo = Field(False, alias="autoanswer")


class DialOutbound(RequestModel):
    extension: str = Field(alias="extid")
    number: str = Field(alias="outto")
    auto_answer: YesNo = Field(False, alias="autoanswer")


class Callback(RequestModel):
    first_number: str = Field(alias="caller")
    second_number: str = Field(alias="outto")
    from_extension: str = Field(alias="fromext")


class IvrDialExtension(RequestModel):
    ivr: str = Field(alias="ivrid")
    extension: str = Field(alias="extid")
    auto_answer: YesNo = Field(False, alias="autoanswer")


class IvrDialOutbound(RequestModel):
    ivr: str = Field(alias="ivrid")
    number: str = Field(alias="outto")
    from_extension: str = Field(alias="fromext")


class QueueDialOutbound(RequestModel):
    queue: str = Field(alias="queueid")
    number: str = Field(alias="outto")
    from_extension: str = Field(alias="fromext")


class RingGroupDialOutbound(RequestModel):
    ring_group: str = Field(alias="ringgroupid")
    number: str = Field(alias="outto")
    from_extension: str = Field(alias="fromext")


class CallTransfer(RequestModel):
    callid: str
    transferor: str
    destination: str = Field(alias="transferto")
    from_extension: str | None = Field(None, alias="fromext")


class InboundTransfer(RequestModel):
    inbound: str = Field(alias="inboundid")
    number: str
    from_extension: str = Field("", alias="fromext")


class OutboundTransfer(RequestModel):
    outbound: str = Field(alias="outboundid")
    number: str
    from_extension: str = Field(alias="fromext")


_CALLID = text("callid")

INBOUND_QUERY = Endpoint("inbound/query", many("inbound", InboundCall), query=True)
OUTBOUND_QUERY = Endpoint("outbound/query", many("outbound", OutboundCall), query=True)
EXTENSION_HANGUP = Endpoint("extension/hangup", nothing)
INBOUND_HANGUP = Endpoint("inbound/hangup", nothing)
OUTBOUND_HANGUP = Endpoint("outbound/hangup", nothing)
EXTENSION_HOLD = Endpoint("extension/hold", nothing)
EXTENSION_UNHOLD = Endpoint("extension/unhold", nothing)
EXTENSION_MUTE = Endpoint("extension/mute", nothing)
EXTENSION_UNMUTE = Endpoint("extension/unmute", nothing)
EXTENSION_LISTEN = Endpoint("extension/listen", nothing)
EXTENSION_WHISPER = Endpoint("extension/whisper", nothing)
EXTENSION_BARGE = Endpoint("extension/barge", nothing)
DIAL_EXTENSION = Endpoint("extension/dial_extension", _CALLID)
DIAL_OUTBOUND = Endpoint("extension/dial_outbound", _CALLID)
CALLBACK = Endpoint("outbound/dial_outbound", _CALLID)
IVR_DIAL_EXTENSION = Endpoint("ivr/dial_extension", _CALLID)
IVR_DIAL_OUTBOUND = Endpoint("ivr/dial_outbound", _CALLID)
QUEUE_DIAL_OUTBOUND = Endpoint("queue/dial_outbound", _CALLID)
RINGGROUP_DIAL_OUTBOUND = Endpoint("ringgroup/dial_outbound", _CALLID)
CALL_TRANSFER = Endpoint("calltransfer", _CALLID)
INBOUND_TRANSFER = Endpoint("inbound/transfer_number", _CALLID)
OUTBOUND_TRANSFER = Endpoint("outbound/transfer_number", _CALLID)
INBOUND_ACCEPT = Endpoint("inbound/accept", nothing)
INBOUND_REFUSE = Endpoint("inbound/refuse", nothing)
