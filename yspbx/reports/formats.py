"""Report bodies: a domain event written as the PBX writes it, in both report formats.

**1.0.2** (login sent ``"version":"1.0.2"``): call parties in a ``"call"`` array of one-key
objects, and ``"sn"`` last. **Legacy** (login sent no ``version``): the old guide's shape: the
same one-key objects written straight into the report, so ``"ext"`` can occur twice, with
``"sn"`` last too: the format only changes the party layout, and since API 1.0.6 every report a
unit sends carries its serial number (captured legacy reports have it; the old guide's
examples, older than 1.0.6, do not; docs/fidelity.md). A dict cannot hold a key twice, so
bodies are written by hand, member by member, in the key order of the vendor's examples
(docs/pbx-api/reports.md). Values
are JSON strings (``json.dumps`` does the escaping); text is UTF-8, not ``\\u`` escapes, as the
API's own answers.

Where the examples of the two guides differ beyond the party layout, each format follows its
own guide: legacy ``DTMF`` carries ``info`` only (no ``flag``/``infos``), and ``CallFailed`` /
``PlayPromptEnd`` keep their parties at the top level in both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from yspbx.pbx.events import (
    CallAlerting,
    CallAnswer,
    CallAnswered,
    CallFailed,
    CallReleased,
    CallRinging,
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

# A member of a JSON object: its key and the value's JSON text.
Member = tuple[str, str]

ACTIONS: dict[type, str] = {
    SystemStarted: "BootUp",
    ConfigChanged: "ConfigChange",
    ExtensionStatusChanged: "ExtensionStatus",
    CallRinging: "RING",
    CallAlerting: "ALERT",
    CallAnswer: "ANSWER",
    CallAnswered: "ANSWERED",
    CallReleased: "BYE",
    # The guides name it "Transfer" in their tables; every example sends the typo.
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

_CALL_PROGRESS = (
    CallRinging,
    CallAlerting,
    CallAnswer,
    CallAnswered,
    CallReleased,
    CallTransferred,
)


def action_of(event: DomainEvent) -> str:
    """The report's ``action`` for an event, spelt exactly as the PBX spells it."""
    return ACTIONS[type(event)]


def render(event: DomainEvent, sn: str, well_formed: bool) -> bytes:
    """The exact body the PBX posts for ``event``: 1.0.2 when ``well_formed``, else legacy."""
    members: list[Member] = [("action", _text(action_of(event)))]
    members += _members(event, well_formed)
    members.append(("sn", _text(sn)))
    return _object(members).encode("utf-8")


def _members(event: DomainEvent, well_formed: bool) -> list[Member]:
    if isinstance(event, _CALL_PROGRESS):
        return [("callid", _text(event.callid)), *_call_parties(event.parties, well_formed)]
    match event:
        case SystemStarted():
            return []
        case ConfigChanged(type=kind, operation=operation, key=key):
            what = "extid" if kind == "extension" else "trunkname"
            return [("type", _text(kind)), (what, _text(key)), ("operation", _text(operation))]
        case ExtensionStatusChanged(extension=extension, status=status):
            return [("extension", _text(extension)), ("status", _text(status))]
        case CallFailed(callid=callid, reason=reason, parties=parties):
            return [("reason", _text(reason)), ("callid", _text(callid)), *map(_party, parties)]
        case (
            InboundCallOffered(callid=callid, inbound=inbound)
            | InboundCallArrived(callid=callid, inbound=inbound)
        ):
            return [("callid", _text(callid)), *_call_parties((inbound,), well_formed)]
        case KeyPressed():
            return _keypress(event, well_formed)
        case CdrWritten(cdr=cdr):
            return _cdr(cdr)
        case PromptFinished():
            return _prompt(event)
        case SurveyAnswered(callid=callid, surveyresult=result):
            return [("surveyresult", _text(result)), ("callid", _text(callid))]
        case SmsResult(smsid=smsid, status=status):
            return [("status", _text(status)), ("smsid", _text(smsid))]
    raise TypeError(f"no report for {event!r}")


def _call_parties(parties: Sequence[Party], well_formed: bool) -> list[Member]:
    members = [_party(p) for p in parties]
    if not well_formed:
        return members
    return [("call", "[" + ",".join(_object((m,)) for m in members) + "]")]


def _party(party: Party | PromptTrunkParty) -> Member:
    match party:
        case ExtParty(extid=extid):
            return "ext", _object((("extid", _text(extid)),))
        case InboundParty():
            return "inbound", _strings(
                ("from", party.from_number),
                ("to", party.to_number),
                ("trunk", party.trunk),
                ("inboundid", party.inboundid),
            )
        case OutboundParty():
            return "outbound", _strings(
                ("from", party.from_number),
                ("to", party.to_number),
                ("trunk", party.trunk),
                ("outboundid", party.outboundid),
            )
        case PromptTrunkParty(trunkname=trunkname):
            return "outbound", _strings(("trunkname", trunkname))
    raise TypeError(f"not a party: {party!r}")


def _keypress(event: KeyPressed, well_formed: bool) -> list[Member]:
    members = [("callid", _text(event.callid)), *_call_parties(event.parties, well_formed)]
    members.append(("info", _text(event.info)))
    if well_formed:
        # The old guide's DTMF has neither; v1.1.0 added flag, and infos in 30.11.0.7.
        members.append(("flag", _text(str(event.flag))))
        if event.infos:
            members.append(("infos", _text(event.infos)))
    return members


def _cdr(cdr: Cdr) -> list[Member]:
    """``NewCdr`` in the examples' key order; fields that do not apply are left out.

    The examples send ``desttrunkname`` (even empty) for internal and outbound calls and
    ``srctrunkname`` for inbound ones; other optional fields appear only when they have a value.
    """
    pairs: list[tuple[str, str]] = [("callid", cdr.callid)]
    if cdr.cdrid:
        pairs.append(("cdrid", cdr.cdrid))
    pairs += [("timestart", cdr.timestart), ("callfrom", cdr.callfrom), ("callto", cdr.callto)]
    if cdr.srctrunkname or cdr.type == "Inbound":
        pairs.append(("srctrunkname", cdr.srctrunkname))
    if cdr.desttrunkname or cdr.type in ("Internal", "Outbound"):
        pairs.append(("desttrunkname", cdr.desttrunkname))
    pairs += [
        ("callduraction", str(cdr.call_duration)),
        ("talkduraction", str(cdr.talk_duration)),
        ("status", cdr.status),
        ("type", cdr.type),
    ]
    for key in ("pincode", "didnumber", "recording", "agentringtime"):
        value = getattr(cdr, key)
        if value:
            pairs.append((key, value))
    return [(key, _text(value)) for key, value in pairs]


def _prompt(event: PromptFinished) -> list[Member]:
    members = [("callid", _text(event.callid))]
    if event.party is not None:
        members.append(_party(event.party))
    if event.ivrid is not None:
        members.append(("ivr", _strings(("ivrid", event.ivrid))))
    if event.playtonum is not None:
        members.append(("playtonum", _text(event.playtonum)))
    members.append(("prompt", _text(event.prompt)))
    return members


def _text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _strings(*pairs: tuple[str, str]) -> str:
    return _object((key, _text(value)) for key, value in pairs)


def _object(members: Iterable[Member]) -> str:
    return "{" + ",".join(f"{_text(key)}:{value}" for key, value in members) + "}"
