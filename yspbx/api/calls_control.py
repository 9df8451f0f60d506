"""Hang up, hold, mute and monitor live calls (docs/pbx-api/calls.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from yspbx.api.registry import ApiRequest, ApiRouter, Field, Handler, Reply
from yspbx.errors import Errno
from yspbx.pbx.call_ops import CallOps, MonitorMode

router = ApiRouter("calls")

_CALL_ERRORS = (Errno.EXTENSION_NOT_FOUND, Errno.CALL_NOT_FOUND)
_CONNECTED_ERRORS = (*_CALL_ERRORS, Errno.CALL_NOT_CONNECTED)

ExtensionAction = Callable[[CallOps, str], Awaitable[None]]


def _extension_action(
    path: str, summary: str, action: ExtensionAction, errors: tuple[Errno, ...]
) -> None:
    async def handler(request: ApiRequest) -> Reply:
        await action(request.engine.calls, request.params.require("extid"))
        return {}

    router.endpoint(
        path,
        summary=summary,
        fields=(Field("extid", True, "the extension"),),
        errors=errors,
        example={"extid": "1001"},
    )(handler)


_extension_action(
    "extension/hangup",
    "End the extension's current call.",
    lambda calls, extid: calls.hangup_extension(extid),
    _CALL_ERRORS,
)
_extension_action(
    "extension/hold",
    "Put the extension's call on hold.",
    lambda calls, extid: calls.hold(extid),
    _CONNECTED_ERRORS,
)
_extension_action(
    "extension/unhold",
    "Take the extension's held call back.",
    lambda calls, extid: calls.unhold(extid),
    _CONNECTED_ERRORS,
)
_extension_action(
    "extension/mute",
    "The other party stops hearing the extension (until unmute or the call ends).",
    lambda calls, extid: calls.mute(extid),
    _CONNECTED_ERRORS,
)
_extension_action(
    "extension/unmute",
    "The other party hears the extension again.",
    lambda calls, extid: calls.unmute(extid),
    _CONNECTED_ERRORS,
)


@router.endpoint(
    "inbound/hangup",
    summary="End an inbound call.",
    fields=(Field("inboundid", True, "the inbound call id"),),
    errors=(Errno.CALL_NOT_FOUND,),
)
async def inbound_hangup(request: ApiRequest) -> Reply:
    await request.engine.calls.hangup_inbound(request.params.require("inboundid"))
    return {}


@router.endpoint(
    "outbound/hangup",
    summary="End an outbound call.",
    fields=(Field("outboundid", True, "the outbound call id"),),
    errors=(Errno.CALL_NOT_FOUND,),
)
async def outbound_hangup(request: ApiRequest) -> Reply:
    await request.engine.calls.hangup_outbound(request.params.require("outboundid"))
    return {}


_MONITOR_ERRORS = (
    Errno.EXTENSION_NOT_FOUND,
    Errno.CALL_NOT_FOUND,
    Errno.EXTENSION_NOT_IDLE,
    Errno.MONITOR_NOT_ALLOWED,
    Errno.MONITOR_MODE_MISMATCH,
    Errno.CALL_NOT_CONNECTED,
)


def _monitor(path: str, mode: MonitorMode, monitor: str, monitored: str, summary: str) -> Handler:
    async def handler(request: ApiRequest) -> Reply:
        params = request.params
        await request.engine.calls.monitor(mode, params.require(monitor), params.require(monitored))
        return {}

    return router.endpoint(
        path,
        summary=summary,
        fields=(
            Field(monitor, True, "the monitoring extension (idle; it is called)"),
            Field(monitored, True, "the extension whose call is monitored"),
        ),
        errors=_MONITOR_ERRORS,
        example={monitor: "1000", monitored: "1001"},
    )(handler)


_monitor(
    "extension/listen",
    "Listen",
    "listener",
    "listenedext",
    "Listen to an extension's call without being heard.",
)
_monitor(
    "extension/whisper",
    "Whisper",
    "whisperer",
    "whisperedext",
    "Talk to an extension during its call; the far party does not hear it.",
)
_monitor(
    "extension/barge",
    "Barge-in",
    "bargein",
    "bargedext",
    "Join an extension's call: all three talk.",
)
