"""Calls the application originates (docs/pbx-api/calls.md). Each answers the new ``callid``; the
call's progress follows as reports."""

from __future__ import annotations

from yspbx.api.registry import ApiRequest, ApiRouter, Field, Params, Reply
from yspbx.errors import Errno

router = ApiRouter("calls")

# The answer of every endpoint that starts (or moves) a call.
CALLID_RESPONSE = {"callid": {"type": "string"}}
_AUTOANSWER = Field("autoanswer", False, '"yes": the first phone picks up by itself (default "no")')
_DIAL_OUT_ERRORS = (Errno.EXTENSION_NOT_FOUND, Errno.NO_OUTBOUND_PERMISSION)


def autoanswer(params: Params) -> bool:
    """``yes`` (any case) asks for auto-answer; anything else, or nothing, does not."""
    return params.optional("autoanswer").lower() == "yes"


@router.endpoint(
    "extension/dial_extension",
    summary="Ring the caller extension; once it answers, ring the callee.",
    fields=(
        Field("caller", True, "the calling extension (rings first)"),
        Field("callee", True, "the called extension (or IVR, queue, ring group number)"),
        _AUTOANSWER,
    ),
    response=CALLID_RESPONSE,
    errors=(Errno.EXTENSION_NOT_FOUND, Errno.EXTENSION_NOT_IDLE),
    example={"caller": "1001", "callee": "1002", "autoanswer": "no"},
)
async def dial_extension(request: ApiRequest) -> Reply:
    params = request.params
    callid = await request.engine.calls.dial_extension(
        params.require("caller"), params.require("callee"), autoanswer(params)
    )
    return {"callid": callid}


@router.endpoint(
    "extension/dial_outbound",
    summary="Ring the extension; once it answers, dial the external number.",
    fields=(
        Field("extid", True, "the calling extension"),
        Field("outto", True, "the external number (through an outbound route it may use)"),
        _AUTOANSWER,
    ),
    response=CALLID_RESPONSE,
    errors=(*_DIAL_OUT_ERRORS, Errno.EXTENSION_NOT_IDLE),
    example={"extid": "1001", "outto": "0698765432"},
)
async def dial_outbound(request: ApiRequest) -> Reply:
    params = request.params
    callid = await request.engine.calls.dial_outbound(
        params.require("extid"), params.require("outto"), autoanswer(params)
    )
    return {"callid": callid}


@router.endpoint(
    "outbound/dial_outbound",
    summary="Call back: dial the first number, and once it answers, bridge it to the second.",
    fields=(
        Field("caller", True, "the first external number"),
        Field("outto", True, "the second external number"),
        Field("fromext", True, "the extension whose outbound permission is used"),
    ),
    response=CALLID_RESPONSE,
    errors=_DIAL_OUT_ERRORS,
    example={"caller": "0612345678", "outto": "0698765432", "fromext": "1001"},
)
async def callback(request: ApiRequest) -> Reply:
    params = request.params
    callid = await request.engine.calls.callback(
        params.require("caller"), params.require("outto"), params.require("fromext")
    )
    return {"callid": callid}


@router.endpoint(
    "ivr/dial_extension",
    summary="Ring the extension; once it answers, it is in the IVR.",
    fields=(
        Field("ivrid", True, "the IVR number"),
        Field("extid", True, "the extension"),
        _AUTOANSWER,
    ),
    response=CALLID_RESPONSE,
    errors=(Errno.IVR_NOT_FOUND, Errno.EXTENSION_NOT_FOUND, Errno.EXTENSION_NOT_IDLE),
    example={"ivrid": "6200", "extid": "1001", "autoanswer": "no"},
)
async def ivr_dial_extension(request: ApiRequest) -> Reply:
    params = request.params
    callid = await request.engine.calls.dial_ivr_extension(
        params.require("ivrid"), params.require("extid"), autoanswer(params)
    )
    return {"callid": callid}


def _into(path: str, key: str, what: str, errno: Errno) -> None:
    async def handler(request: ApiRequest) -> Reply:
        params = request.params
        calls = request.engine.calls
        dial = {
            "ivrid": calls.dial_ivr_outbound,
            "queueid": calls.dial_queue_outbound,
            "ringgroupid": calls.dial_ringgroup_outbound,
        }[key]
        callid = await dial(params.require(key), params.require("outto"), params.require("fromext"))
        return {"callid": callid}

    router.endpoint(
        path,
        summary=f"Dial an external number; once it answers, it is in the {what}.",
        fields=(
            Field(key, True, f"the {what} number"),
            Field("outto", True, "the external number"),
            Field("fromext", True, "the extension whose outbound permission is used"),
        ),
        response=CALLID_RESPONSE,
        errors=(errno, *_DIAL_OUT_ERRORS),
    )(handler)


_into("ivr/dial_outbound", "ivrid", "IVR", Errno.IVR_NOT_FOUND)
_into("queue/dial_outbound", "queueid", "queue", Errno.QUEUE_NOT_FOUND)
_into("ringgroup/dial_outbound", "ringgroupid", "ring group", Errno.RINGGROUP_NOT_FOUND)
