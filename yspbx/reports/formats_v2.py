"""Report bodies in the 2.0.0 event format (docs/api-2.md, "Events").

Events are keyed ``"event"`` instead of ``"action"``; a call's parties are ``members``, each a
one-key object (``ext``, ``inbound``, ``outbound``) naming its channel. The five 1.1.0
call-progress reports (``ALERT``, ``RING``, ``ANSWER``, ``ANSWERED``, ``BYE``) have no 2.0.0
body: ``CallStatus`` carries the same changes. Every value is a JSON string (never ``true``,
``false`` or ``null``: a vendor client reads events with Python's ``eval``), compact, one line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from yspbx.pbx.events import (
    CallAlerting,
    CallAnswer,
    CallAnswered,
    CallFailed,
    CallMember,
    CallReleased,
    CallRinging,
    CallStatusChanged,
    CallTransferred,
    CdrWritten,
    ConfigChanged,
    DomainEvent,
    ExtensionStatusChanged,
    ExtParty,
    InboundCallArrived,
    InboundCallOffered,
    InboundParty,
    KeyPressed,
    OutboundParty,
    Party,
    PromptFinished,
    PromptTrunkParty,
    SmsResult,
    SurveyAnswered,
    SystemStarted,
)
from yspbx.pbx.models import Cdr

V2_FORMAT = "2.0.0"

# The 1.1.0 call-progress reports: 2.0.0 sessions learn these changes from CallStatus.
_V1_ONLY = (CallAlerting, CallRinging, CallAnswer, CallAnswered, CallReleased)

NAMES: dict[type, str] = {
    SystemStarted: "BootUp",
    ConfigChanged: "ConfigChange",
    ExtensionStatusChanged: "ExtensionStatus",
    CallStatusChanged: "CallStatus",
    CallTransferred: "Tranfer",
    CallFailed: "CallFailed",
    InboundCallOffered: "Invite",
    InboundCallArrived: "Incoming",
    KeyPressed: "DTMF",
    CdrWritten: "NewCdr",
    PromptFinished: "PlayPromptEnd",
    SurveyAnswered: "satisfaction",
    SmsResult: "sms-send",
}


def render_v2(event: DomainEvent, sn: str) -> bytes | None:
    """The 2.0.0 body for ``event``, or None when 2.0.0 sessions get no report for it."""
    if isinstance(event, _V1_ONLY):
        return None
    name = NAMES[type(event)]
    body: dict[str, Any]
    match event:
        case CallFailed(callid=callid, reason=reason, parties=parties):
            # The K2 example's key order: callid first.
            body = {"callid": callid, "event": name, "reason": reason}
            body["members"] = [_party(p, status=False) for p in parties]
        case _:
            body = {"event": name, **_fields(event)}
    body["sn"] = sn
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _fields(event: DomainEvent) -> dict[str, Any]:
    match event:
        case SystemStarted():
            return {}
        case ConfigChanged(type=kind, operation=operation, key=key):
            what = "extid" if kind == "extension" else "trunkname"
            return {"type": kind, what: key, "operation": operation}
        case ExtensionStatusChanged(extension=extension, status=status, fxs=fxs):
            # A SIP extension back from a call is "Registered"; "Idle" is for FXS ports.
            if status == "Idle" and not fxs:
                status = "Registered"
            return {"extension": extension, "status": status}
        case CallStatusChanged(callid=callid, members=members):
            return {"callid": callid, "members": [_member(m) for m in members]}
        case CallTransferred(callid=callid, parties=parties):
            return {"callid": callid, "members": [_party(p, status=False) for p in parties]}
        case (
            InboundCallOffered(callid=callid, inbound=inbound)
            | InboundCallArrived(callid=callid, inbound=inbound)
        ):
            return {"callid": callid, "members": [_party(inbound, status=False)]}
        case KeyPressed(callid=callid, parties=parties, info=info, flag=flag, infos=infos):
            return {
                "callid": callid,
                "members": [_party(p, status=True) for p in parties],
                "infos": infos,
                "flag": str(flag),
                "info": info,
            }
        case CdrWritten(cdr=cdr):
            return _cdr(cdr)
        case PromptFinished():
            return _prompt(event)
        case SurveyAnswered(callid=callid, surveyresult=result):
            return {"callid": callid, "surveyresult": result}
        case SmsResult(smsid=smsid, status=status):
            return {"status": status, "smsid": smsid}
    raise TypeError(f"no 2.0.0 event for {event!r}")


def _member(member: CallMember) -> dict[str, dict[str, str]]:
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


def _party(party: Party | PromptTrunkParty, status: bool) -> dict[str, dict[str, str]]:
    """A 1.1.0 party as a 2.0.0 member; ``status``: with the ``memberstatus`` of a party that
    talks (DTMF is pressed in a connected call)."""
    shown: dict[str, str]
    match party:
        case ExtParty(extid=extid, channel=channel):
            kind, shown = "ext", {"number": extid, "channelid": channel}
        case InboundParty() | OutboundParty():
            kind = "inbound" if isinstance(party, InboundParty) else "outbound"
            shown = {
                "from": party.from_number,
                "to": party.to_number,
                "trunkname": party.trunk,
                "channelid": party.channel,
            }
        case PromptTrunkParty(trunkname=trunkname):
            kind, shown = "outbound", {"trunkname": trunkname}
        case _:
            raise TypeError(f"not a party: {party!r}")
    if status:
        shown["memberstatus"] = "ANSWERED"
    return {kind: shown}


def _cdr(cdr: Cdr) -> dict[str, str]:
    """Every key always present, in the order of the vendor's tables (``dsttrcunkname`` sic)."""
    return {
        "callid": cdr.callid,
        "timestart": cdr.timestart,
        "callfrom": cdr.callfrom,
        "callto": cdr.callto,
        "callduraction": str(cdr.call_duration),
        "talkduraction": str(cdr.talk_duration),
        "srctrunkname": cdr.srctrunkname,
        "dsttrcunkname": cdr.desttrunkname,
        "pincode": cdr.pincode,
        "status": cdr.status,
        "type": cdr.type,
        "recording": cdr.recording,
        "didnumber": cdr.didnumber,
        "agentringtime": cdr.agentringtime or "0",
    }


def _prompt(event: PromptFinished) -> dict[str, Any]:
    fields: dict[str, Any] = {"callid": event.callid}
    members: Iterable[Party | PromptTrunkParty] = () if event.party is None else (event.party,)
    fields["members"] = [_party(p, status=False) for p in members]
    if event.ivrid is not None:
        fields["ivr"] = {"number": event.ivrid}
    else:
        fields["prompt"] = event.prompt
    return fields
