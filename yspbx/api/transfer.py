"""Transfers (docs/pbx-api/calls.md): ``calltransfer``, ``inbound/transfer_number`` and
``outbound/transfer_number``. Each answers the ``callid``, which the call keeps."""

from __future__ import annotations

from yspbx.api.calls_dial import CALLID_RESPONSE
from yspbx.api.registry import ApiRequest, ApiRouter, Field, Reply
from yspbx.errors import Errno

router = ApiRouter("calls")

_ERRORS = (
    Errno.EXTENSION_NOT_FOUND,
    Errno.CALL_NOT_FOUND,
    Errno.EXTENSION_NOT_IDLE,
    Errno.IVR_NOT_FOUND,
    Errno.QUEUE_NOT_FOUND,
    Errno.RINGGROUP_NOT_FOUND,
    Errno.CALL_NOT_CONNECTED,
    Errno.NO_OUTBOUND_PERMISSION,
)
_NUMBER = "extension, IVR, queue, ring group or external number"
_FROMEXT = "extension whose outbound permission applies to an external number"


@router.endpoint(
    "calltransfer",
    summary="Transfer a call: the transferor leaves, the other party goes to transferto.",
    fields=(
        Field("callid", True, "the call"),
        Field("transferor", True, "the party that transfers (and leaves)"),
        Field("transferto", True, _NUMBER),
        Field("fromext", False, _FROMEXT),
    ),
    response=CALLID_RESPONSE,
    errors=_ERRORS,
    example={"callid": "1709283555.52", "transferor": "1001", "transferto": "1003"},
)
async def calltransfer(request: ApiRequest) -> Reply:
    params = request.params
    callid = await request.engine.calls.transfer(
        params.require("callid"),
        params.require("transferor"),
        params.require("transferto"),
        params.optional("fromext"),
    )
    return {"callid": callid}


@router.endpoint(
    "inbound/transfer_number",
    summary="Send an inbound call (ringing or answered) to another number.",
    fields=(
        Field("inboundid", True, "the inbound call"),
        Field("number", True, _NUMBER),
        Field("fromext", False, _FROMEXT + " (may be empty)"),
    ),
    response=CALLID_RESPONSE,
    errors=_ERRORS,
    example={"inboundid": "1709283312.41", "number": "1002", "fromext": ""},
)
async def inbound_transfer_number(request: ApiRequest) -> Reply:
    params = request.params
    callid = await request.engine.calls.transfer_inbound(
        params.require("inboundid"),
        params.require("number"),
        params.optional("fromext"),
    )
    return {"callid": callid}


@router.endpoint(
    "outbound/transfer_number",
    summary="Send an answered outbound call's external party to another number.",
    fields=(
        Field("outboundid", True, "the outbound call"),
        Field("number", True, _NUMBER),
        Field("fromext", True, _FROMEXT),
    ),
    response=CALLID_RESPONSE,
    errors=_ERRORS,
)
async def outbound_transfer_number(request: ApiRequest) -> Reply:
    params = request.params
    callid = await request.engine.calls.transfer_outbound(
        params.require("outboundid"), params.require("number"), params.require("fromext")
    )
    return {"callid": callid}
