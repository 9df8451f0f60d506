"""2.0.0 ``call/*`` and ``extension/query_call``: calls addressed by channel (docs/api-2.md).

Every request that acts on a call names one member by its ``channelid`` (``PJSIP/1000-000000c0``,
``PJSIP/trunk-<trunk>-endpoint-0000002d``), from ``CallStatus``, ``Invite`` or ``call/query``,
and answers the call's ``callid``. The engine is the 1.1.0 one: a call dialled here is listed by
``inbound/query`` and can be hung up with ``extension/hangup``, and the reverse.

Errnos: ``10004`` missing field, ``10005`` unknown or finished ``callid`` (``call/query``),
``10007`` a ``channelid`` no live member has, ``10015`` a member not talking yet, and the 1.1.0
operations' own (``10006``, ``10008``, ``10024``, ...).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from yspbx.api.calls_dial import autoanswer
from yspbx.api.registry import V2, ApiRequest, ApiRouter, Field, Reply
from yspbx.api.wire import selection
from yspbx.errors import Errno, PbxError
from yspbx.pbx.call_ops import CallView
from yspbx.pbx.events import CallMember

router = ApiRouter("calls", V2)

CALLID = {"callid": {"type": "string"}}
_CHANNEL = Field("channelid", True, "the member's channel, e.g. PJSIP/1000-000000c0")
_PERMISSION = Field("dialpermission", False, "extension whose outbound permission is used")
_CALL_ERRORS = (Errno.CALL_NOT_FOUND, Errno.CALL_NOT_CONNECTED)
_MEMBER_SCHEMA: dict[str, Any] = {"type": "object"}
_CALLS_SCHEMA = {"type": "array", "items": {"type": "object"}}


def member_json(member: CallMember) -> dict[str, dict[str, str]]:
    """A member as ``call/query`` and ``CallStatus`` write it."""
    if member.kind == "ext":
        ext = {"number": member.number, "channelid": member.channel}
        ext["memberstatus"] = member.status
        if member.callpath:
            ext["callpath"] = member.callpath
        return {"ext": ext}
    return {
        member.kind: {
            "from": member.from_number,
            "to": member.to_number,
            "trunkname": member.trunk,
            "channelid": member.channel,
            "memberstatus": member.status,
        }
    }


def call_json(view: CallView) -> dict[str, Any]:
    return {"callid": view.callid, "members": [member_json(m) for m in view.members]}


# -- origination ---------------------------------------------------------------------------


async def _is(lookup: Callable[[list[str]], Awaitable[Any]], number: str) -> bool:
    try:
        await lookup([number])
    except PbxError:
        return False
    return True


@router.endpoint(
    "call/dial",
    summary="Ring the caller; once it answers, ring the callee (one request for every kind).",
    fields=(
        Field("caller", True, "extension, IVR, queue, ring group or external number"),
        Field("callee", True, "extension, IVR, queue, ring group, external number"),
        _PERMISSION,
        Field("autoanswer", False, '"yes": the caller extension picks up by itself'),
    ),
    response=CALLID,
    errors=(
        Errno.EXTENSION_NOT_FOUND,
        Errno.EXTENSION_NOT_IDLE,
        Errno.NO_OUTBOUND_PERMISSION,
        Errno.IVR_NOT_FOUND,
        Errno.QUEUE_NOT_FOUND,
        Errno.RINGGROUP_NOT_FOUND,
    ),
    example={"caller": "1001", "callee": "1002", "autoanswer": "no"},
)
async def dial(request: ApiRequest) -> Reply:
    params = request.params
    caller, callee = params.require("caller"), params.require("callee")
    permission, auto = params.optional("dialpermission"), autoanswer(params)
    config, calls = request.engine.config, request.engine.calls
    if await _is(config.query_extensions, caller):
        try:
            return {"callid": await calls.dial_extension(caller, callee, auto)}
        except PbxError as exc:
            if exc.errno is not Errno.EXTENSION_NOT_FOUND or callee == caller:
                raise
        # Not a number inside the PBX: a number outside, through the caller's routes.
        return {"callid": await calls.dial_outbound(caller, callee, auto)}
    if await _is(config.query_ivrs, caller):
        if await _is(config.query_extensions, callee):
            return {"callid": await calls.dial_ivr_extension(caller, callee, auto)}
        return {"callid": await calls.dial_ivr_outbound(caller, callee, permission)}
    if await _is(config.query_queues, caller):
        return {"callid": await calls.dial_queue_outbound(caller, callee, permission)}
    try:
        return {"callid": await calls.dial_ringgroup_outbound(caller, callee, permission)}
    except PbxError as exc:
        if exc.errno is not Errno.RINGGROUP_NOT_FOUND:
            raise
    # A number outside: the PBX calls it, then bridges it to the callee outside.
    return {"callid": await calls.callback(caller, callee, permission)}


# -- queries -------------------------------------------------------------------------------


@router.endpoint(
    "call/query",
    summary="One call by callid, or every inbound or outbound call, with their members.",
    fields=(
        Field("callid", False, "one call's id"),
        Field(
            "type",
            False,
            "inbound or outbound: every call of that kind",
            enum=("inbound", "outbound"),
        ),
    ),
    response={"calls": _CALLS_SCHEMA, "Calls": _CALLS_SCHEMA},
    errors=(Errno.CALLID_NOT_FOUND,),
    example={"type": "inbound"},
)
async def query(request: ApiRequest) -> Reply:
    params = request.params
    callid = params.optional("callid")
    kind = params.optional("type").lower()
    if callid:
        views = await request.engine.calls.call_views([callid])
        if not views:
            raise PbxError(Errno.CALLID_NOT_FOUND, callid)
    elif kind in ("inbound", "outbound"):
        views = [
            v
            for v in await request.engine.calls.call_views()
            if any(m.kind == kind for m in v.members)
        ]
    else:
        raise PbxError(Errno.MISSING_PARAMETER, "callid or type")
    shown = [call_json(v) for v in views]
    # Clients written against units read "calls" (the guide) or "Calls" (a dashboard): both.
    return {"calls": shown, "Calls": shown}


@router.endpoint(
    "extension/query_call",
    summary="The calls of the extensions named (comma-separated, or all), with their members.",
    fields=(Field("number", True, "extension numbers, comma-separated, or all"),),
    response={"calllist": _CALLS_SCHEMA},
    errors=(Errno.EXTENSION_NOT_FOUND,),
    example={"number": "1001"},
)
async def query_call(request: ApiRequest) -> Reply:
    numbers = selection(request.params, "number")
    extensions = await request.engine.config.query_extensions(numbers)
    views = await request.engine.calls.call_views()
    listed = []
    for extension, _ in extensions:
        mine = [
            call_json(v)
            for v in views
            if any(m.kind == "ext" and m.number == extension.number for m in v.members)
        ]
        # Extensions without a call are left out: clients read numbercalls[0] of each entry.
        if mine:
            listed.append({"number": extension.number, "numbercalls": mine})
    return {"calllist": listed}


# -- control -------------------------------------------------------------------------------


def _channel_endpoint(
    path: str,
    summary: str,
    act: Callable[[ApiRequest, str], Awaitable[str]],
    extra: tuple[Field, ...] = (),
    errors: tuple[Errno, ...] = _CALL_ERRORS,
    example: dict[str, str] | None = None,
) -> None:
    async def handler(request: ApiRequest) -> Reply:
        return {"callid": await act(request, request.params.require("channelid"))}

    router.endpoint(
        path,
        summary=summary,
        fields=(_CHANNEL, *extra),
        response=CALLID,
        errors=errors,
        example=example or {"channelid": "PJSIP/1001-00000001"},
    )(handler)


_channel_endpoint(
    "call/hangup",
    "Hang up one member; a two-party call ends with it.",
    lambda r, c: r.engine.calls.hangup_channel(c),
)
_channel_endpoint(
    "call/hold",
    "Hold the call of the member (its extension member when a trunk channel is named).",
    lambda r, c: r.engine.calls.hold_channel(c, True),
)
_channel_endpoint(
    "call/unhold",
    "Resume a held call.",
    lambda r, c: r.engine.calls.hold_channel(c, False),
)


def _channels(request: ApiRequest, first: str) -> list[str]:
    return request.params.values("channelid") or [first]


_channel_endpoint(
    "call/mute",
    "Mute one or more members (channelid comma-separated).",
    lambda r, c: r.engine.calls.mute_channels(_channels(r, c), True),
)
_channel_endpoint(
    "call/unmute",
    "Unmute one or more members (channelid comma-separated).",
    lambda r, c: r.engine.calls.mute_channels(_channels(r, c), False),
)


def _tonumber(request: ApiRequest) -> str:
    # One client sends "number" to call/transfer: read it as tonumber.
    params = request.params
    if params.optional("tonumber"):
        return params.require("tonumber")
    if params.optional("number"):
        return params.require("number")
    raise PbxError(Errno.MISSING_PARAMETER, "tonumber")


_TRANSFER_FIELDS = (
    Field("tonumber", False, "where to (required; number is read as an alias)"),
    Field("number", False, "alias of tonumber"),
    _PERMISSION,
)
_TRANSFER_ERRORS = (*_CALL_ERRORS, Errno.EXTENSION_NOT_IDLE, Errno.NO_OUTBOUND_PERMISSION)

_channel_endpoint(
    "call/transfer",
    "Blind transfer: the member on channelid is sent to tonumber; the others leave.",
    lambda r, c: r.engine.calls.transfer_channel(
        c, _tonumber(r), r.params.optional("dialpermission")
    ),
    _TRANSFER_FIELDS,
    _TRANSFER_ERRORS,
    {"channelid": "PJSIP/1001-00000001", "tonumber": "1003"},
)
_channel_endpoint(
    "call/attended_transfer",
    "Attended transfer: hold the other party, ring tonumber for the member on channelid.",
    lambda r, c: r.engine.calls.attended_transfer(
        c, _tonumber(r), r.params.optional("dialpermission")
    ),
    _TRANSFER_FIELDS,
    _TRANSFER_ERRORS,
    {"channelid": "PJSIP/1001-00000001", "tonumber": "1003"},
)

_OPERATIONS = ("abort", "complete", "threeway", "swap")


async def _operate(request: ApiRequest, channel: str) -> str:
    operate = request.params.require("operate").lower()
    if operate not in _OPERATIONS:
        raise PbxError(Errno.MISSING_PARAMETER, f"operate {operate!r}")
    return await request.engine.calls.attended_transfer_operate(channel, operate)  # type: ignore[arg-type]


_channel_endpoint(
    "call/attended_transfer_operate",
    "Finish an attended transfer: abort, complete, threeway or swap.",
    _operate,
    (Field("operate", True, "abort, complete, threeway or swap", enum=_OPERATIONS),),
    example={"channelid": "PJSIP/1001-00000001", "operate": "complete"},
)


async def _add_member(request: ApiRequest, channel: str) -> str:
    params = request.params
    return await request.engine.calls.add_member(
        channel, params.require("number"), params.optional("dialpermission")
    )


_channel_endpoint(
    "call/add_member",
    "Ring one more party into the member's talking call (three-way).",
    _add_member,
    (Field("number", True, "the party to invite"), _PERMISSION),
    (*_CALL_ERRORS, Errno.EXTENSION_NOT_IDLE, Errno.NO_OUTBOUND_PERMISSION),
    {"channelid": "PJSIP/1001-00000001", "number": "1003"},
)


async def _inbound(request: ApiRequest, channel: str, accept: bool) -> str:
    callid, member = await request.engine.calls.member(channel)
    if member.kind != "inbound":
        raise PbxError(Errno.CALL_NOT_FOUND, f"{channel} is no inbound member")
    if accept:
        await request.engine.calls.accept_inbound(member.leg_id)
    else:
        await request.engine.calls.refuse_inbound(member.leg_id)
    return callid


_channel_endpoint(
    "call/accept_inbound",
    "Let an inbound call announced by Invite go on.",
    lambda r, c: _inbound(r, c, True),
    errors=(Errno.CALL_NOT_FOUND, Errno.INBOUND_CONTROL_TIMEOUT),
    example={"channelid": "PJSIP/trunk-siptrunk-endpoint-0000001f"},
)
_channel_endpoint(
    "call/refuse_inbound",
    "Drop an inbound call announced by Invite.",
    lambda r, c: _inbound(r, c, False),
    errors=(Errno.CALL_NOT_FOUND, Errno.INBOUND_CONTROL_TIMEOUT),
    example={"channelid": "PJSIP/trunk-siptrunk-endpoint-00000029"},
)
# The refuse page's URL template doubles "call/"; accept it too.
_channel_endpoint(
    "call/call/refuse_inbound",
    "The refuse page's spelling of call/refuse_inbound.",
    lambda r, c: _inbound(r, c, False),
    errors=(Errno.CALL_NOT_FOUND, Errno.INBOUND_CONTROL_TIMEOUT),
)


_MONITOR_MODES = {"listen": "Listen", "whisper": "Whisper", "barge": "Barge-in"}


@router.endpoint(
    "call/listen",
    summary="Listen to, whisper to or barge into an extension's call.",
    fields=(
        Field("monitor", True, "the monitoring extension"),
        Field("extension", True, "the monitored extension"),
        Field("type", True, "listen, whisper or barge", enum=tuple(_MONITOR_MODES)),
    ),
    response=CALLID,
    errors=(
        Errno.EXTENSION_NOT_FOUND,
        Errno.EXTENSION_NOT_IDLE,
        Errno.MONITOR_NOT_ALLOWED,
        Errno.MONITOR_MODE_MISMATCH,
        Errno.CALL_NOT_FOUND,
    ),
    example={"monitor": "1001", "extension": "1002", "type": "listen"},
)
async def listen(request: ApiRequest) -> Reply:
    params = request.params
    mode = _MONITOR_MODES.get(params.require("type").lower())
    if mode is None:
        raise PbxError(Errno.MONITOR_MODE_MISMATCH, params.require("type"))
    monitored = params.require("extension")
    await request.engine.calls.monitor(mode, params.require("monitor"), monitored)  # type: ignore[arg-type]
    views = await request.engine.calls.call_views()
    for view in views:
        if any(m.kind == "ext" and m.number == monitored for m in view.members):
            return {"callid": view.callid}
    return {"callid": ""}


@router.endpoint(
    "call/playprompt",
    summary="Ring an extension or a number outside and play prompts once it answers.",
    fields=(
        Field("number", True, "extension or external number"),
        Field("prompt", True, "custom prompt names joined by +"),
        Field("count", False, "how many times to play (default 1)"),
        _PERMISSION,
        Field("autoanswer", False, '"yes": the extension picks up by itself'),
        Field("volume", False, "0-20"),
    ),
    response=CALLID,
    errors=(Errno.EXTENSION_NOT_FOUND, Errno.PROMPT_NOT_FOUND, Errno.NO_OUTBOUND_PERMISSION),
    example={"number": "1001", "prompt": "welcome", "count": "1", "autoanswer": "yes"},
)
async def playprompt(request: ApiRequest) -> Reply:
    params = request.params
    number, prompt = params.require("number"), params.require("prompt")
    calls = request.engine.calls
    if await _is(request.engine.config.query_extensions, number):
        callid = await calls.play_prompt_to_extension(number, prompt, autoanswer(params))
    else:
        callid = await calls.play_prompt_to_number(
            number, prompt, params.optional("dialpermission")
        )
    return {"callid": callid}
