"""Every ``client.v2`` method: the request it sends to ``/api/v2.0.0/`` and the answer it reads
(answers built from the 2.0.0 examples in docs/api-2.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CALLID = "1571620483.18"
MEMBERS = [
    {"ext": {"number": "1023", "channelid": "PJSIP/1023-000000c0", "memberstatus": "ANSWERED"}},
    {"ext": {"number": "2000", "channelid": "PJSIP/2000-000000c1", "memberstatus": "ANSWER"}},
]
CHANNEL = "PJSIP/1023-000000c0"


@dataclass(frozen=True)
class V2Case:
    path: str
    call: Callable[[Any], Any]
    sent: dict[str, Any] | None
    answer: dict[str, Any]
    expected: Callable[[Any], bool]


def _callid(answer: Any) -> bool:
    return bool(answer == CALLID)


_ID = {"callid": CALLID}


def _by_channel(name: str, path: str) -> V2Case:
    return V2Case(
        f"call/{path}",
        lambda c: getattr(c.v2, name)(CHANNEL),
        {"channelid": CHANNEL},
        _ID,
        _callid,
    )


V2_CASES: dict[str, V2Case] = {
    "v2.dial": V2Case(
        "call/dial",
        lambda c: c.v2.dial("1023", "2000", autoanswer=False),
        {"caller": "1023", "callee": "2000", "autoanswer": "no"},
        _ID,
        _callid,
    ),
    "v2.query": V2Case(
        "call/query",
        lambda c: c.v2.query(type="inbound"),
        {"type": "inbound"},
        {"calls": [{"callid": CALLID, "members": MEMBERS}]},
        lambda calls: calls[0].member("2000").status == "ANSWER",
    ),
    "v2.query_call": V2Case(
        "extension/query_call",
        lambda c: c.v2.query_call("1023"),
        {"number": "1023"},
        {"calllist": [{"number": "1023", "numbercalls": [{"callid": CALLID, "members": MEMBERS}]}]},
        lambda entries: entries[0].calls[0].members[0].channel == CHANNEL,
    ),
    **{
        f"v2.{name}": _by_channel(name, path)
        for name, path in (
            ("hang_up", "hangup"),
            ("hold", "hold"),
            ("unhold", "unhold"),
            ("mute", "mute"),
            ("unmute", "unmute"),
            ("accept_inbound", "accept_inbound"),
            ("refuse_inbound", "refuse_inbound"),
        )
    },
    "v2.transfer": V2Case(
        "call/transfer",
        lambda c: c.v2.transfer(CHANNEL, "2008"),
        {"channelid": CHANNEL, "tonumber": "2008"},
        _ID,
        _callid,
    ),
    "v2.attended_transfer": V2Case(
        "call/attended_transfer",
        lambda c: c.v2.attended_transfer(CHANNEL, "2023"),
        {"channelid": CHANNEL, "tonumber": "2023"},
        _ID,
        _callid,
    ),
    "v2.attended_transfer_operate": V2Case(
        "call/attended_transfer_operate",
        lambda c: c.v2.attended_transfer_operate(CHANNEL, "complete"),
        {"channelid": CHANNEL, "operate": "complete"},
        _ID,
        _callid,
    ),
    "v2.add_member": V2Case(
        "call/add_member",
        lambda c: c.v2.add_member(CHANNEL, "2023"),
        {"channelid": CHANNEL, "number": "2023"},
        _ID,
        _callid,
    ),
    "v2.listen": V2Case(
        "call/listen",
        lambda c: c.v2.listen("2023", "1023", "whisper"),
        {"monitor": "2023", "extension": "1023", "type": "whisper"},
        _ID,
        _callid,
    ),
    "v2.play_prompt": V2Case(
        "call/playprompt",
        lambda c: c.v2.play_prompt("1023", "music1+music2", count=2, autoanswer=True, volume=10),
        {
            "number": "1023",
            "prompt": "music1+music2",
            "count": "2",
            "autoanswer": "yes",
            "volume": "10",
        },
        _ID,
        _callid,
    ),
    "v2.extensions": V2Case(
        "extension/list",
        lambda c: c.v2.extensions(),
        None,
        {
            "extlist": [
                {"number": "1023", "status": "Registered", "type": "SIP", "username": "1023"}
            ]
        },
        lambda extensions: extensions[0].number == "1023",
    ),
    "v2.trunks": V2Case(
        "trunk/list",
        lambda c: c.v2.trunks(),
        None,
        {
            "trunklist": [
                {"trunkname": "siptrunk", "id": "7", "status": "registered", "type": "SIP"}
            ]
        },
        lambda trunks: (trunks[0].name, trunks[0].id) == ("siptrunk", "7"),
    ),
    "v2.conferences": V2Case(
        "conference/query",
        lambda c: c.v2.conferences("6400"),
        {"number": "6400"},
        {
            "conferences": [
                {
                    "number": "6400",
                    "name": "6400",
                    "participantepassword": "",
                    "moderatorpassword": "",
                    "waitformoderator": "no",
                    "allowinvite": "yes",
                    "moderators": "4000",
                }
            ]
        },
        lambda rooms: (rooms[0].allow_invite, rooms[0].moderators) == (True, ["4000"]),
    ),
    "v2.update_conference": V2Case(
        "conference/update",
        lambda c: c.v2.update_conference("6400", participant_password="5678", mute=True),
        {"number": "6400", "participantepassword": "5678", "mute": "yes"},
        {},
        lambda answer: answer is None,
    ),
    "v2.conference_sessions": V2Case(
        "conference/query_in_session",
        lambda c: c.v2.conference_sessions(),
        {"number": "all"},
        {
            "conference": [
                {
                    "callid": CALLID,
                    "conferencenumber": "6400",
                    "conferencename": "6400",
                    "members": MEMBERS,
                }
            ]
        },
        lambda sessions: (sessions[0].number, sessions[0].members[1].status) == ("6400", "ANSWER"),
    ),
    "v2.invite_to_conference": V2Case(
        "conference/add_member",
        lambda c: c.v2.invite_to_conference(
            "6400", "4000", ["4001", "4002"], dial_permission="4000"
        ),
        {
            "number": "6400",
            "operator": "4000",
            "invitemember": "4001,4002",
            "dialpermission": "4000",
        },
        {},
        lambda answer: answer is None,
    ),
    "v2.start_instant_conference": V2Case(
        "instant_conference/start",
        lambda c: c.v2.start_instant_conference(
            "6401", "4000,4001", name="Ad hoc", moderators="4000"
        ),
        {"number": "6401", "members": "4000,4001", "name": "Ad hoc", "moderators": "4000"},
        {},
        lambda answer: answer is None,
    ),
    "v2.csta_accept_inbound": V2Case(
        "uacstacall/accept_inbound",
        lambda c: c.v2.csta_accept_inbound("1000", "32784", "192.168.66.70:5060"),
        {"extnumber": "1000", "cstacallid": "32784", "ipaddress": "192.168.66.70:5060"},
        {},
        lambda answer: answer is None,
    ),
}
