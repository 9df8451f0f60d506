"""``inbound/accept`` and ``inbound/refuse`` (docs/pbx-api/call-services.md): the answer to an
``Invite`` from a trunk with "Control Inbound Call Answering", within the window."""

from __future__ import annotations

from yspbx.api.registry import ApiRequest, ApiRouter, Field, Reply
from yspbx.errors import Errno

router = ApiRouter("calls")

_ERRORS = (Errno.CALL_NOT_FOUND, Errno.INBOUND_CONTROL_TIMEOUT)
_INBOUNDID = Field("inboundid", True, "the inboundid of the Invite report")


@router.endpoint(
    "inbound/accept",
    summary="Let an inbound call announced by Invite go on along its inbound route.",
    fields=(_INBOUNDID,),
    errors=_ERRORS,
    example={"inboundid": "1709284000.90"},
)
async def accept(request: ApiRequest) -> Reply:
    await request.engine.calls.accept_inbound(request.params.require("inboundid"))
    return {}


@router.endpoint(
    "inbound/refuse",
    summary="Hang up an inbound call announced by Invite; it leaves no call record.",
    fields=(_INBOUNDID,),
    errors=_ERRORS,
    example={"inboundid": "1709284000.90"},
)
async def refuse(request: ApiRequest) -> Reply:
    await request.engine.calls.refuse_inbound(request.params.require("inboundid"))
    return {}
