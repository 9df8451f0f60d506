"""2.0.0 conference rooms and uaCSTA over real HTTP: rooms queried and changed, callers who
dial the room's number, invitations by a moderator, instant conferences, the members as
``conference/query_in_session`` and ``CallStatus`` show them, and the record of an emptied
room. The default PBX has room 6500, without moderators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio

from tests.support.helpers import PASSWORD, Api, Sim
from tests.support.receivers import Receiver
from tests.v2.support import Api2, Pbx2
from yspbx.client import AsyncClient, Client
from yspbx.testing import ServerProcess

ROOM = "6500"


def _failed(answer: dict[str, Any], errno: str) -> None:
    assert answer == {"status": "Failed", "errno": errno}, answer


def _session(pbx2: Pbx2, number: str = ROOM) -> dict[str, Any] | None:
    answer = pbx2("conference/query_in_session", number=number)
    assert answer["status"] == "Success", answer
    sessions: list[dict[str, Any]] = answer["conference"]
    assert len(sessions) <= 1
    return sessions[0] if sessions else None


def _statuses(session: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    assert session is not None
    shown = []
    for member in session["members"]:
        ((kind, party),) = member.items()
        shown.append((kind, party.get("number", party.get("to", "")), party["memberstatus"]))
    return shown


def test_rooms_are_queried_and_updated(pbx2: Pbx2) -> None:
    assert pbx2("conference/query", number=ROOM) == {
        "status": "Success",
        "conferences": [
            {
                "number": ROOM,
                "name": "Conference-1",
                "participantepassword": "",
                "moderatorpassword": "",
                "waitformoderator": "no",
                "allowinvite": "yes",
                "moderators": "",
                "musiconhold": "no",
                "mute": "no",
                "prompt": "default",
            }
        ],
    }
    assert [r["number"] for r in pbx2("conference/query", number="all")["conferences"]] == [ROOM]
    _failed(pbx2("conference/query", number="6499"), "10004")
    _failed(pbx2("conference/query"), "10004")
    changed = {
        "number": ROOM,
        "name": "Board",
        "participantepassword": "5678",
        "moderatorpassword": "12*4",
        "waitformoderator": "yes",
        "moderators": "1000,1001",
        "mute": "yes",
        "prompt": "none",
    }
    assert pbx2("conference/update", **changed) == {"status": "Success"}
    (room,) = pbx2("conference/query", number=ROOM)["conferences"]
    assert {k: room[k] for k in changed} == changed
    assert (room["allowinvite"], room["musiconhold"]) == ("yes", "no")
    for field, value in (
        ("name", "a&b"),
        ("name", 'say "hi"'),
        ("participantepassword", "12a"),
        ("waitformoderator", "maybe"),
        ("prompt", "loud"),
    ):
        _failed(pbx2("conference/update", number=ROOM, **{field: value}), "10004")
    _failed(pbx2("conference/update", number=ROOM, moderators="1000,9999"), "10006")
    _failed(pbx2("conference/update", number="6499", name="x"), "10004")
    (kept,) = pbx2("conference/query", number=ROOM)["conferences"]
    assert kept == room
    # A reset brings the configuration file's room back.
    pbx2.sim.reset()  # which logs every session out
    pbx2.token = pbx2.api.token(version="2.0.0")
    (fresh,) = pbx2("conference/query", number=ROOM)["conferences"]
    assert (fresh["name"], fresh["moderators"]) == ("Conference-1", "")


def test_callers_join_by_dialling_and_the_last_one_out_ends_the_room(
    server: ServerProcess, sim: Sim, pbx2: Pbx2
) -> None:
    with Receiver("127.0.0.31") as receiver:
        api = Api2(server.url, receiver.host)
        try:
            api.token(version="2.0.0", port=str(receiver.port))
        finally:
            api.close()
        assert _session(pbx2) is None
        first = pbx2.place("1001", ROOM)
        second = pbx2.place("1002", ROOM)
        session = _session(pbx2)
        assert session is not None
        assert session["callid"] == first
        assert (session["conferencenumber"], session["conferencename"]) == (ROOM, "Conference-1")
        assert _statuses(session) == [("ext", "1001", "ANSWERED"), ("ext", "1002", "ANSWERED")]
        ext = session["members"][0]["ext"]
        assert ext["channelid"].startswith("PJSIP/1001-")
        assert ext["callpath"] == ROOM
        # The second caller's own call went into the room: only the session is listed.
        assert [c["callid"] for c in pbx2("call/query", type="inbound").get("calls", [])] == []
        _failed(pbx2("call/query", callid=second), "10005")
        sim.post(f"/calls/{first}/hangup", {"party": "1001"})
        assert _statuses(_session(pbx2)) == [("ext", "1002", "ANSWERED")]
        sim.post(f"/calls/{first}/hangup", {"party": "1002"})
        assert _session(pbx2) is None
        got = receiver.wait_until(lambda rs: any(r.json().get("event") == "NewCdr" for r in rs))
    bodies = [r.json() for r in got]
    statuses = [
        [
            (next(iter(m.values()))["number"], next(iter(m.values()))["memberstatus"])
            for m in b["members"]
        ]
        for b in bodies
        if b.get("event") == "CallStatus" and b["callid"] == first
    ]
    assert [("1001", "ANSWERED"), ("1002", "ANSWERED")] in statuses
    assert statuses[-1] == [("1002", "BYE")]
    (cdr,) = [b for b in bodies if b.get("event") == "NewCdr"]
    assert (cdr["callid"], cdr["callfrom"], cdr["callto"]) == (first, "1001", ROOM)
    assert cdr["status"] == "ANSWERED"


def test_a_moderator_invites_and_others_may_not(pbx2: Pbx2) -> None:
    assert pbx2("conference/update", number=ROOM, moderators="1000")["status"] == "Success"
    callid = pbx2.place("1000", ROOM)
    _failed(
        pbx2("conference/add_member", number=ROOM, operator="1001", invitemember="1002"),
        "10004",
    )
    _failed(
        pbx2("conference/add_member", number="6499", operator="1000", invitemember="1002"),
        "10004",
    )
    _failed(
        pbx2("conference/add_member", number=ROOM, operator="1000", invitemember="1000"),
        "10008",
    )
    answer = pbx2(
        "conference/add_member",
        number=ROOM,
        operator="1000",
        invitemember="1002,0612345678",
        dialpermission="1000",
    )
    assert answer == {"status": "Success"}
    assert _statuses(_session(pbx2)) == [
        ("ext", "1000", "ANSWERED"),
        ("ext", "1002", "RING"),
        ("outbound", "0612345678", "RING"),
    ]
    pbx2.answer(callid, "1002")
    pbx2.answer(callid, "0612345678")
    assert _statuses(_session(pbx2)) == [
        ("ext", "1000", "ANSWERED"),
        ("ext", "1002", "ANSWER"),
        ("outbound", "0612345678", "ANSWER"),
    ]
    # A room that allows no invitations refuses even its moderator.
    assert pbx2("conference/update", number=ROOM, allowinvite="no")["status"] == "Success"
    _failed(
        pbx2("conference/add_member", number=ROOM, operator="1000", invitemember="1003"),
        "10004",
    )


def test_members_wait_on_hold_for_the_moderator(pbx2: Pbx2) -> None:
    pbx2("conference/update", number=ROOM, moderators="1000", waitformoderator="yes")
    callid = pbx2.place("1001", ROOM)
    assert _statuses(_session(pbx2)) == [("ext", "1001", "HOLD")]
    pbx2.place("1000", ROOM)
    assert _statuses(_session(pbx2)) == [
        ("ext", "1001", "ANSWERED"),
        ("ext", "1000", "ANSWERED"),
    ]
    assert _session(pbx2)["callid"] == callid  # type: ignore[index]


def test_an_instant_conference_rings_its_people_and_ends_with_them(pbx2: Pbx2) -> None:
    answer = pbx2(
        "instant_conference/start",
        number="6590",
        name="Standup",
        moderators="1000",
        members="1001,1002",
    )
    assert answer == {"status": "Success"}
    session = _session(pbx2, "6590")
    assert session is not None
    assert session["conferencename"] == "Standup"
    assert _statuses(session) == [
        ("ext", "1000", "RING"),
        ("ext", "1001", "RING"),
        ("ext", "1002", "RING"),
    ]
    # The number is taken now, as are the dial plan's numbers.
    _failed(pbx2("instant_conference/start", number="6590", members="1003"), "10004")
    _failed(pbx2("instant_conference/start", number="6400", members="1003"), "10004")
    _failed(pbx2("instant_conference/start", number="6591", members="1001"), "10008")
    _failed(
        pbx2("instant_conference/start", number="6591", moderators="9999", members="1003"),
        "10006",
    )
    callid = session["callid"]
    pbx2.answer(callid, "1000")
    pbx2.answer(callid, "1001")
    pbx2.sim.post(f"/calls/{callid}/hangup", {"party": "1002"})  # declines
    assert _statuses(_session(pbx2, "6590")) == [
        ("ext", "1000", "ANSWER"),
        ("ext", "1001", "ANSWER"),
    ]
    assert _session(pbx2, "all") is not None
    pbx2.sim.post(f"/calls/{callid}/hangup", {"party": "1000"})
    pbx2.sim.post(f"/calls/{callid}/hangup", {"party": "1001"})
    # The instant room is gone with its session.
    _failed(pbx2("conference/query_in_session", number="6590"), "10004")
    assert pbx2("conference/query_in_session", number="all") == {
        "status": "Success",
        "conference": [],
    }


def test_an_instant_conference_nobody_answers_ends(pbx2: Pbx2) -> None:
    pbx2("instant_conference/start", number="6590", members="1001")
    session = _session(pbx2, "6590")
    assert session is not None
    pbx2.sim.post(f"/calls/{session['callid']}/hangup", {"party": "1001"})
    _failed(pbx2("conference/query_in_session", number="6590"), "10004")


def test_a_uacsta_phone_answers_its_ringing_call(pbx2: Pbx2) -> None:
    callid = pbx2.place("1001", "1002")
    channel = pbx2.channel(callid, "1002")
    cstacallid = str(int(channel.rsplit("-", 1)[1], 16))
    address = "192.168.66.70:5060"
    _failed(
        pbx2("uacstacall/accept_inbound", extnumber="1002", cstacallid="1", ipaddress=address),
        "10007",
    )
    _failed(
        pbx2(
            "uacstacall/accept_inbound", extnumber="1002", cstacallid=cstacallid, ipaddress="phone"
        ),
        "10004",
    )
    _failed(
        pbx2(
            "uacstacall/accept_inbound", extnumber="9999", cstacallid=cstacallid, ipaddress=address
        ),
        "10006",
    )
    _failed(pbx2("uacstacall/accept_inbound", extnumber="1002", ipaddress=address), "10004")
    answer = pbx2(
        "uacstacall/accept_inbound", extnumber="1002", cstacallid=cstacallid, ipaddress=address
    )
    assert answer == {"status": "Success"}
    statuses = {next(iter(m.values()))["memberstatus"] for m in pbx2.members(callid)}
    assert statuses == {"ANSWERED", "ANSWER"}
    # Answered already: nothing rings under that id any more.
    _failed(
        pbx2(
            "uacstacall/accept_inbound", extnumber="1002", cstacallid=cstacallid, ipaddress=address
        ),
        "10007",
    )
    _failed(pbx2("uacstacall/refuse_inbound", extnumber="1002", cstacallid=cstacallid), "10003")


def test_the_sdk_runs_a_conference(server: ServerProcess, sim: Sim) -> None:
    login = {"username": "api", "password": PASSWORD, "api_version": "2.0.0", "report_port": 9}
    with Client(server.url, **login) as client:  # type: ignore[arg-type]
        client.v2.update_conference(ROOM, moderators=["1000"], allow_invite=True)
        (room,) = client.v2.conferences(ROOM)
        assert (room.moderators, room.allow_invite, room.wait_for_moderator) == (
            ["1000"],
            True,
            False,
        )
        callid = sim.post("/calls", {"from": "1000", "to": ROOM})["callid"]
        client.v2.invite_to_conference(ROOM, "1000", "1001")
        (session,) = client.v2.conference_sessions(ROOM)
        assert session.callid == callid
        assert [(m.number, m.status) for m in session.members] == [
            ("1000", "ANSWERED"),
            ("1001", "RING"),
        ]
        ringing = session.members[1].channel
        client.v2.csta_accept_inbound(
            "1001", str(int(ringing.rsplit("-", 1)[1], 16)), "10.0.0.9:5060"
        )
        (session,) = client.v2.conference_sessions()
        assert session.members[1].status == "ANSWER"

    async def run() -> None:
        async with AsyncClient(server.url, **login) as client:  # type: ignore[arg-type]
            await client.v2.start_instant_conference(
                "6590", "1002", moderators="1003", name="Quick"
            )
            sessions = await client.v2.conference_sessions("6590")
            assert [(s.name, len(s.members)) for s in sessions] == [("Quick", 2)]
            (room,) = await client.v2.conferences(ROOM)
            assert room.moderators == ["1000"]

    anyio.run(run)


def test_the_1_1_0_dialect_has_no_conference_endpoints(api: Api, token: str) -> None:
    for endpoint in ("conference/query", "instant_conference/start", "uacstacall/accept_inbound"):
        answer = api.post(endpoint, {"number": ROOM}, token).json()
        assert answer == {"status": "Failed", "errno": "10003"}, (endpoint, answer)


def test_a_room_change_survives_a_restart(tmp_path: Path) -> None:
    with ServerProcess(store=f"sqlite:///{tmp_path / 'state.db'}") as server:
        api = Api2(server.url)
        try:
            token = api.token(version="2.0.0")
            body = {"number": ROOM, "moderators": "1002", "musiconhold": "yes"}
            assert api.call("conference/update", body, token) == {"status": "Success"}
            server.restart()
            token = api.token(version="2.0.0")
            (room,) = api.call("conference/query", {"number": ROOM}, token)["conferences"]
        finally:
            api.close()
    assert (room["moderators"], room["musiconhold"]) == ("1002", "yes")
