"""One PBX, two dialects: 2.0.0 beside 1.1.0 over the same sessions, engine and calls."""

from __future__ import annotations

import re

from tests.support.helpers import Api, Sim, failed
from tests.v2.support import API2, Api2, Pbx2

CHANNEL = re.compile(r"^PJSIP/\d+-[0-9a-f]{8}$")
TRUNK_CHANNEL = re.compile(r"^PJSIP/trunk-SIP-Carrier-endpoint-[0-9a-f]{8}$")


def test_login_answers_the_transport_and_port_is_optional(api2: Api2) -> None:
    answer = api2.login(version="2.0.0")
    assert set(answer) == {"status", "token", "transport"}
    assert answer["transport"] == "HTTP"
    assert re.fullmatch("[0-9a-f]{32}", answer["token"])
    response = api2.post("login", {"username": "api", "password": "0" * 32})
    assert response.json() == failed("20003")
    assert response.headers["Server"] == "Boa/0.94.14rc21"
    assert response.headers["Accept-Ranges"] == "bytes"


def test_tokens_work_on_either_path(api: Api, api2: Api2) -> None:
    token2 = api2.token(version="2.0.0")
    token1 = api.token()
    assert api.call("deviceinfo/query", {}, token2)["status"] == "Success"
    assert api2.call("deviceinfo/query", {}, token1)["status"] == "Success"
    assert api2.call("logout", None, token1) == {"status": "Success"}
    assert api.call("deviceinfo/query", {}, token1) == failed("20004")


def test_a_malformed_heartbeat_url_still_finds_the_token(api2: Api2) -> None:
    token = api2.token()
    url = f"{API2}heartbeat?{'a' * 32}={'b' * 32}?token={token}"
    assert api2.http.post(url, content=b"{}").json() == {"status": "Success"}
    # A token only in the body is no token.
    assert api2.call("heartbeat", {"token": token}) == failed("20005")


def test_unknown_and_1_1_0_only_endpoints_answer_10003(pbx2: Pbx2) -> None:
    assert pbx2("extension/dial_extension", caller="1001", callee="1002") == failed("10003")
    assert pbx2("no/such") == failed("10003")


def test_a_call_dialled_through_2_0_0_is_controlled_through_1_1_0(
    pbx2: Pbx2, api: Api, sim: Sim
) -> None:
    callid = pbx2("call/dial", caller="1001", callee="1002", autoanswer="no")["callid"]
    token1 = api.token()
    [member] = pbx2.members(callid)
    assert (member["ext"]["number"], member["ext"]["memberstatus"]) == ("1001", "RING")
    assert CHANNEL.match(member["ext"]["channelid"])
    pbx2.answer(callid)  # 1001 picks up, 1002 rings
    assert [m["ext"]["memberstatus"] for m in pbx2.members(callid)] == ["ALERT", "RING"]
    pbx2.answer(callid)  # 1002 picks up
    members = pbx2.members(callid)
    assert [(m["ext"]["number"], m["ext"]["memberstatus"]) for m in members] == [
        ("1001", "ANSWERED"),
        ("1002", "ANSWER"),
    ]
    # The channel stays the leg's for its life.
    assert members[0]["ext"]["channelid"] == member["ext"]["channelid"]
    assert api.call("extension/hangup", {"extid": "1002"}, token1) == {"status": "Success"}
    assert pbx2("call/query", callid=callid) == failed("10005")


def test_a_call_from_outside_is_hung_up_by_channel_and_seen_by_1_1_0(pbx2: Pbx2, api: Api) -> None:
    callid = pbx2.place("0611111111", "1001", "SIP-Carrier")
    token1 = api.token()
    (inbound,) = api.call("inbound/query", {}, token1)["inbound"]
    members = pbx2.members(callid)
    assert list(members[0]) == ["inbound"]
    trunk = members[0]["inbound"]
    assert (trunk["from"], trunk["trunkname"], trunk["memberstatus"]) == (
        "0611111111",
        "SIP-Carrier",
        "ALERT",
    )
    assert TRUNK_CHANNEL.match(trunk["channelid"])
    assert members[1]["ext"]["memberstatus"] == "RING"
    assert inbound["inboundid"]
    listed = pbx2("call/query", type="inbound")
    assert listed["calls"] == listed["Calls"] == [{"callid": callid, "members": members}]
    assert pbx2("call/query", type="outbound")["calls"] == []
    # A callid sent as a bare JSON number keeps its digits.
    raw = pbx2.api.http.post(
        f"{API2}call/query", params={"token": pbx2.token}, content=f'{{"callid": {callid}}}'
    )
    assert raw.json()["calls"][0]["callid"] == callid
    answer = pbx2("call/hangup", channelid=trunk["channelid"])
    assert answer == {"status": "Success", "callid": callid}
    assert pbx2("call/hangup", channelid=trunk["channelid"]) == failed("10007")
    assert api.call("inbound/query", {}, token1)["inbound"] == []


def test_hold_mute_and_query_call(pbx2: Pbx2) -> None:
    callid = pbx2.place("1001", "1002")
    pbx2.answer(callid)
    channel = pbx2.channel(callid, "1001")
    assert pbx2("call/hold", channelid=channel) == {"status": "Success", "callid": callid}
    assert pbx2.members(callid)[0]["ext"]["memberstatus"] == "HOLD"
    assert pbx2("call/unhold", channelid=channel)["status"] == "Success"
    assert pbx2.members(callid)[0]["ext"]["memberstatus"] == "ANSWERED"
    other = pbx2.channel(callid, "1002")
    assert pbx2("call/mute", channelid=f"{channel},{other}")["callid"] == callid
    assert pbx2("call/unmute", channelid=channel)["callid"] == callid
    listed = pbx2("extension/query_call", number="1001,1003,")
    assert [entry["number"] for entry in listed["calllist"]] == ["1001"]
    assert listed["calllist"][0]["numbercalls"][0]["callid"] == callid
    assert pbx2("call/hold", channelid="PJSIP/1001-ffffffff") == failed("10007")
    assert pbx2("call/hold") == failed("10004")


def test_blind_and_attended_transfer_and_add_member(pbx2: Pbx2, sim: Sim) -> None:
    callid = pbx2.place("1001", "1002")
    pbx2.answer(callid)
    caller = pbx2.channel(callid, "1001")
    # 1002 (the transferor) consults 1003 while 1001 waits on hold.
    transferor = pbx2.channel(callid, "1002")
    answer = pbx2("call/attended_transfer", channelid=transferor, tonumber="1003")
    assert answer == {"status": "Success", "callid": callid}
    statuses = {m["ext"]["number"]: m["ext"]["memberstatus"] for m in pbx2.members(callid)}
    assert statuses == {"1001": "HOLD", "1002": "ANSWER", "1003": "RING"}
    pbx2.answer(callid, "1003")
    done = pbx2("call/attended_transfer_operate", channelid=transferor, operate="complete")
    assert done["callid"] == callid
    statuses = {m["ext"]["number"]: m["ext"]["memberstatus"] for m in pbx2.members(callid)}
    assert statuses == {"1001": "ANSWERED", "1003": "ANSWER"}
    assert pbx2("call/attended_transfer_operate", channelid=caller, operate="abort") == failed(
        "10015"
    )
    # 1002 joins again as a third party, leaves; then 1001 is sent on to 1002 (blind).
    assert pbx2("call/add_member", channelid=caller, number="1002")["callid"] == callid
    assert "1002" in {m["ext"]["number"] for m in pbx2.members(callid)}
    sim.post(f"/calls/{callid}/hangup", {"party": "1002"})
    moved = pbx2("call/transfer", channelid=caller, number="1002")
    assert moved == {"status": "Success", "callid": callid}
    statuses = {m["ext"]["number"]: m["ext"]["memberstatus"] for m in pbx2.members(callid)}
    assert statuses == {"1001": "ALERT", "1002": "RING"}


def test_renamed_queries(pbx2: Pbx2) -> None:
    extlist = pbx2("extension/list")["extlist"]
    first = extlist[0]
    assert {"number", "status", "type", "username"} <= set(first)
    assert "extnumber" not in first
    assert first["status"] in {"Registered", "Unavailable", "Idle", "Busy", "Ringing"}
    (info,) = pbx2("extension/query", number="1001")["extinfos"]
    assert info["number"] == "1001"
    assert "mobile" in info
    assert "moblie" not in info
    assert pbx2("extension/query", number="9999") == failed("10006")
    assert pbx2("extension/update", number="1001", username="Ana") == {"status": "Success"}
    trunks = pbx2("trunk/list")["trunklist"]
    carrier = next(t for t in trunks if t["trunkname"] == "SIP-Carrier")
    (sip,) = pbx2("trunk/query_siptrunk", id=carrier["id"])["trunks"]
    assert sip["trunkname"] == "SIP-Carrier"
    assert pbx2("trunk/query_siptrunk", id="999") == failed("10062")
    queues = pbx2("queue/query", number="all")["queues"]
    assert queues
    assert all("number" in q and "queuenumber" not in q for q in queues)
    status = pbx2("queue/query_status", number=queues[0]["number"])
    assert status["queues"][0]["number"] == queues[0]["number"]


def test_the_2_0_0_openapi_document(api2: Api2) -> None:
    document = api2.http.get("/api/v2.0.0/openapi.json").json()
    assert document["info"]["version"] == "2.0.0"
    assert "/api/v2.0.0/call/dial" in document["paths"]
    assert "/api/v2.0.0/extension/dial_extension" not in document["paths"]
    v1 = api2.http.get("/openapi.json").json()
    assert "/api/v1.1.0/extension/dial_extension" in v1["paths"]
    assert not any(path.startswith("/api/v2.0.0/") for path in v1["paths"])
