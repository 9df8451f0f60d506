"""2.0.0 conference rooms (``conference/*``, ``instant_conference/start``) and uaCSTA phone
control (``uacstacall/accept_inbound``), docs/api-2.md.

The vendor names no errno for these; yspbx answers ``10004`` for a number that is no room (the
spec's inference), for an operator who is no moderator and for any unusable value, ``10006``
for an extension the PBX does not have, ``10008`` for an invitee that cannot ring now. The
uaCSTA companions (refuse, hang up, dial) are not described: they answer ``10003``.
"""

from __future__ import annotations

from typing import Any

from yspbx.api.registry import V2, ApiRequest, ApiRouter, Field, Params, Reply
from yspbx.api.v2.calls import member_json
from yspbx.api.wire import selection
from yspbx.errors import Errno, PbxError
from yspbx.pbx.models import Conference

router = ApiRouter("conferences", V2)

_YES_NO = ("waitformoderator", "allowinvite", "musiconhold", "mute")
_TEXT = ("name", "participantepassword", "moderatorpassword", "prompt")
_PERMISSION = Field("dialpermission", False, "extension whose outbound permission is used")
_LIST = {"type": "array", "items": {"type": "object"}}


def conference_json(room: Conference) -> dict[str, str]:
    def yes(value: bool) -> str:
        return "yes" if value else "no"

    return {
        "number": room.number,
        "name": room.name,
        "participantepassword": room.participantepassword,
        "moderatorpassword": room.moderatorpassword,
        "waitformoderator": yes(room.waitformoderator),
        "allowinvite": yes(room.allowinvite),
        "moderators": ",".join(room.moderators),
        "musiconhold": yes(room.musiconhold),
        "mute": yes(room.mute),
        "prompt": room.prompt,
    }


def _changes(params: Params) -> dict[str, Any]:
    """The fields a ``conference/update`` names, in the model's types (``10004`` for a yes/no
    field that is neither)."""
    changes: dict[str, Any] = {}
    for name in _TEXT:
        value = params.text(name)
        if value is not None:
            changes[name] = value.strip()
    for name in _YES_NO:
        value = params.text(name)
        if value is not None:
            word = value.strip().lower()
            if word not in ("yes", "no"):
                raise PbxError(Errno.MISSING_PARAMETER, f"{name} {value!r} is not yes or no")
            changes[name] = word == "yes"
    if params.text("moderators") is not None:
        changes["moderators"] = list(dict.fromkeys(params.values("moderators") or []))
    return changes


def _numbers(params: Params, name: str) -> list[str]:
    return [n for n in dict.fromkeys(params.values(name) or []) if n]


@router.endpoint(
    "conference/query",
    summary="Conference rooms: one, a comma list, or all.",
    fields=(Field("number", True, "room number(s), or all"),),
    response={"conferences": _LIST},
    errors=(Errno.MISSING_PARAMETER,),
    example={"number": "6500"},
)
async def query(request: ApiRequest) -> Reply:
    request.params.require("number")
    rooms = await request.engine.config.query_conferences(selection(request.params, "number"))
    return {"conferences": [conference_json(room) for room in rooms]}


@router.endpoint(
    "conference/update",
    summary="Change a conference room's settings.",
    fields=(
        Field("number", True, "the room"),
        Field("name", False, "no & ' < > ` | $ ] \\ \""),
        Field("participantepassword", False, "digits and *"),
        Field("moderatorpassword", False, "digits and *"),
        Field("waitformoderator", False, "yes or no"),
        Field("allowinvite", False, "yes or no"),
        Field("moderators", False, "extension numbers, comma separated"),
        Field("musiconhold", False, "yes or no"),
        Field("mute", False, "yes or no: mute non-moderators on entry"),
        Field("prompt", False, "default, exten or none"),
    ),
    errors=(Errno.MISSING_PARAMETER, Errno.EXTENSION_NOT_FOUND),
    example={"number": "6500", "participantepassword": "5678"},
)
async def update(request: ApiRequest) -> Reply:
    number = request.params.require("number")
    await request.engine.config.update_conference(number, _changes(request.params))
    return {}


@router.endpoint(
    "conference/query_in_session",
    summary="Rooms in session (configured and instant) with their members.",
    fields=(Field("number", True, "room number(s), or all"),),
    response={"conference": _LIST},
    errors=(Errno.MISSING_PARAMETER,),
    example={"number": "all"},
)
async def query_in_session(request: ApiRequest) -> Reply:
    request.params.require("number")
    sessions = await request.engine.calls.conference_sessions(selection(request.params, "number"))
    return {
        "conference": [
            {
                "callid": s.callid,
                "conferencenumber": s.number,
                "conferencename": s.name,
                "members": [member_json(m) for m in s.members],
            }
            for s in sessions
        ]
    }


@router.endpoint(
    "conference/add_member",
    summary="A moderator rings extensions or numbers outside into the room.",
    fields=(
        Field("number", True, "the room"),
        Field("operator", True, "a moderator of the room"),
        Field("invitemember", True, "extensions or numbers outside, comma separated"),
        _PERMISSION,
    ),
    errors=(
        Errno.MISSING_PARAMETER,
        Errno.EXTENSION_NOT_FOUND,
        Errno.EXTENSION_NOT_IDLE,
        Errno.NO_OUTBOUND_PERMISSION,
    ),
    example={"number": "6500", "operator": "1000", "invitemember": "1001"},
)
async def add_member(request: ApiRequest) -> Reply:
    params = request.params
    number, operator = params.require("number"), params.require("operator")
    params.require("invitemember")
    await request.engine.calls.conference_invite(
        number, operator, _numbers(params, "invitemember"), params.optional("dialpermission")
    )
    return {}


@router.endpoint(
    "instant_conference/start",
    summary="Open a room on a free number and ring its moderators and members.",
    fields=(
        Field("number", True, "a number nothing else uses"),
        Field("name", False, "the room's name"),
        Field("moderators", False, "extension numbers, comma separated"),
        Field("members", True, "extensions or numbers outside, comma separated"),
        _PERMISSION,
    ),
    errors=(
        Errno.MISSING_PARAMETER,
        Errno.EXTENSION_NOT_FOUND,
        Errno.EXTENSION_NOT_IDLE,
        Errno.NO_OUTBOUND_PERMISSION,
    ),
    example={"number": "6590", "name": "Standup", "moderators": "1000", "members": "1001"},
)
async def instant_start(request: ApiRequest) -> Reply:
    params = request.params
    number = params.require("number")
    params.require("members")
    await request.engine.calls.instant_conference(
        number,
        params.optional("name"),
        _numbers(params, "moderators"),
        _numbers(params, "members"),
        params.optional("dialpermission"),
    )
    return {}


@router.endpoint(
    "uacstacall/accept_inbound",
    summary="The extension's uaCSTA phone answers its ringing call.",
    fields=(
        Field("extnumber", True, "the extension"),
        Field("cstacallid", True, "the ringing call's id on the phone"),
        Field("ipaddress", True, "ip:port of the phone"),
    ),
    errors=(Errno.MISSING_PARAMETER, Errno.EXTENSION_NOT_FOUND, Errno.CALL_NOT_FOUND),
    example={"extnumber": "1000", "cstacallid": "49", "ipaddress": "192.168.66.70:5060"},
)
async def csta_accept_inbound(request: ApiRequest) -> Reply:
    params = request.params
    await request.engine.calls.csta_accept_inbound(
        params.require("extnumber"), params.require("cstacallid"), params.require("ipaddress")
    )
    return {}
