"""API 2.0.0 (docs/api-2.md): calls addressed by channel, and the listings 2.0.0 renamed.

Every endpoint here is posted to ``/api/v2.0.0/``; the token is the client's (the PBX shares
sessions between the 1.1.0 and 2.0.0 paths).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from yspbx.client._endpoint import Endpoint, Parser, many, nothing, text
from yspbx.client._wire import RequestModel, ResponseModel, TextList, YesNo

PREFIX = "/api/v2.0.0/"


class Member(ResponseModel):
    """One member of a 2.0.0 call: ``kind`` ``ext``, ``inbound`` or ``outbound``; ``number``
    for an extension, ``from_number``/``to_number``/``trunk`` for a trunk side."""

    kind: str = "ext"
    number: str = ""
    channel: str = Field("", alias="channelid")
    status: str = Field("", alias="memberstatus")
    callpath: str = ""
    from_number: str = Field("", alias="from")
    to_number: str = Field("", alias="to")
    trunk: str = Field("", alias="trunkname")


def members_of(items: Any) -> list[Member]:
    """``[{"ext": {...}}, {"inbound": {...}}]`` as members, in order."""
    found = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            for kind, fields in item.items():
                if isinstance(fields, dict):
                    found.append(Member.model_validate({"kind": kind, **fields}))
    return found


class Call(ResponseModel):
    callid: str = ""
    members: list[Member] = Field(default_factory=list)

    @classmethod
    def read(cls, data: dict[str, Any]) -> Call:
        return cls(callid=str(data.get("callid", "")), members=members_of(data.get("members")))

    def member(self, number: str) -> Member:
        """The member for an extension, or the trunk side from or to ``number``."""
        for member in self.members:
            if number in (member.number, member.from_number, member.to_number):
                return member
        raise KeyError(number)


class ExtensionCalls(ResponseModel):
    number: str = ""
    calls: list[Call] = Field(default_factory=list)


class Extension(ResponseModel):
    number: str = ""
    status: str = ""
    type: str = ""
    username: str = ""
    agentid: str = ""


class Trunk(ResponseModel):
    name: str = Field("", alias="trunkname")
    id: str = ""
    status: str = ""
    type: str = ""


class Conference(ResponseModel):
    """A conference room (``conference/query``); yes/no settings as booleans."""

    number: str = ""
    name: str = ""
    participant_password: str = Field("", alias="participantepassword")
    moderator_password: str = Field("", alias="moderatorpassword")
    wait_for_moderator: YesNo = Field(False, alias="waitformoderator")
    allow_invite: YesNo = Field(False, alias="allowinvite")
    moderators: TextList = Field(default_factory=list)
    music_on_hold: YesNo = Field(False, alias="musiconhold")
    mute: YesNo = False
    prompt: str = ""


class ConferenceSession(ResponseModel):
    """A room in session (``conference/query_in_session``) with its members."""

    callid: str = ""
    number: str = ""
    name: str = ""
    members: list[Member] = Field(default_factory=list)


def _sessions(data: dict[str, Any]) -> list[ConferenceSession]:
    return [
        ConferenceSession(
            callid=str(item.get("callid", "")),
            number=str(item.get("conferencenumber", "")),
            name=str(item.get("conferencename", "")),
            members=members_of(item.get("members")),
        )
        for item in data.get("conference") or []
        if isinstance(item, dict)
    ]


def _calls(data: dict[str, Any]) -> list[Call]:
    items = data.get("calls", data.get("Calls")) or []
    return [Call.read(item) for item in items if isinstance(item, dict)]


def _calllist(data: dict[str, Any]) -> list[ExtensionCalls]:
    return [
        ExtensionCalls(
            number=str(entry.get("number", "")),
            calls=[Call.read(c) for c in entry.get("numbercalls") or [] if isinstance(c, dict)],
        )
        for entry in data.get("calllist") or []
        if isinstance(entry, dict)
    ]


class Dial(RequestModel):
    caller: str
    callee: str
    dial_permission: str | None = Field(None, alias="dialpermission")
    autoanswer: YesNo | None = None


class CallQuery(RequestModel):
    callid: str | None = None
    type: str | None = None


class Numbers(RequestModel):
    numbers: TextList = Field(alias="number")


class ChannelRef(RequestModel):
    channel: str = Field(alias="channelid")


class Channels(RequestModel):
    channels: TextList = Field(alias="channelid")


class Transfer(RequestModel):
    channel: str = Field(alias="channelid")
    to_number: str = Field(alias="tonumber")
    dial_permission: str | None = Field(None, alias="dialpermission")


class Operate(RequestModel):
    channel: str = Field(alias="channelid")
    operate: str


class AddMember(RequestModel):
    channel: str = Field(alias="channelid")
    number: str
    dial_permission: str | None = Field(None, alias="dialpermission")


class Listen(RequestModel):
    monitor: str
    extension: str
    type: str


class PlayPrompt(RequestModel):
    number: str
    prompt: str
    count: str | None = None
    dial_permission: str | None = Field(None, alias="dialpermission")
    autoanswer: YesNo | None = None
    volume: str | None = None


def _v2(path: str, parse: Parser[Any], query: bool = False) -> Endpoint[Any]:
    return Endpoint(path, parse, query=query, prefix=PREFIX)


class ConferenceUpdate(RequestModel):
    number: str
    name: str | None = None
    participant_password: str | None = Field(None, alias="participantepassword")
    moderator_password: str | None = Field(None, alias="moderatorpassword")
    wait_for_moderator: YesNo | None = Field(None, alias="waitformoderator")
    allow_invite: YesNo | None = Field(None, alias="allowinvite")
    moderators: TextList | None = None
    music_on_hold: YesNo | None = Field(None, alias="musiconhold")
    mute: YesNo | None = None
    prompt: str | None = None


class ConferenceInvite(RequestModel):
    number: str
    operator: str
    invitees: TextList = Field(alias="invitemember")
    dial_permission: str | None = Field(None, alias="dialpermission")


class InstantConference(RequestModel):
    number: str
    members: TextList
    name: str | None = None
    moderators: TextList | None = None
    dial_permission: str | None = Field(None, alias="dialpermission")


class CstaAccept(RequestModel):
    extension: str = Field(alias="extnumber")
    csta_call_id: str = Field(alias="cstacallid")
    address: str = Field(alias="ipaddress")


CALLID: Parser[str] = text("callid")
DIAL: Endpoint[str] = _v2("call/dial", CALLID)
QUERY: Endpoint[list[Call]] = _v2("call/query", _calls, query=True)
QUERY_CALL: Endpoint[list[ExtensionCalls]] = _v2("extension/query_call", _calllist, query=True)
HANGUP: Endpoint[str] = _v2("call/hangup", CALLID)
HOLD: Endpoint[str] = _v2("call/hold", CALLID)
UNHOLD: Endpoint[str] = _v2("call/unhold", CALLID)
MUTE: Endpoint[str] = _v2("call/mute", CALLID)
UNMUTE: Endpoint[str] = _v2("call/unmute", CALLID)
TRANSFER: Endpoint[str] = _v2("call/transfer", CALLID)
ATTENDED_TRANSFER: Endpoint[str] = _v2("call/attended_transfer", CALLID)
ATTENDED_OPERATE: Endpoint[str] = _v2("call/attended_transfer_operate", CALLID)
ADD_MEMBER: Endpoint[str] = _v2("call/add_member", CALLID)
LISTEN: Endpoint[str] = _v2("call/listen", CALLID)
PLAYPROMPT: Endpoint[str] = _v2("call/playprompt", CALLID)
ACCEPT_INBOUND: Endpoint[str] = _v2("call/accept_inbound", CALLID)
REFUSE_INBOUND: Endpoint[str] = _v2("call/refuse_inbound", CALLID)
EXTENSION_LIST: Endpoint[list[Extension]] = _v2(
    "extension/list", many("extlist", Extension), query=True
)
TRUNK_LIST: Endpoint[list[Trunk]] = _v2("trunk/list", many("trunklist", Trunk), query=True)
CONFERENCES: Endpoint[list[Conference]] = _v2(
    "conference/query", many("conferences", Conference), query=True
)
CONFERENCE_UPDATE: Endpoint[None] = _v2("conference/update", nothing)
CONFERENCE_SESSIONS: Endpoint[list[ConferenceSession]] = _v2(
    "conference/query_in_session", _sessions, query=True
)
CONFERENCE_INVITE: Endpoint[None] = _v2("conference/add_member", nothing)
INSTANT_CONFERENCE: Endpoint[None] = _v2("instant_conference/start", nothing)
CSTA_ACCEPT: Endpoint[None] = _v2("uacstacall/accept_inbound", nothing)
NOTHING = nothing
