"""The call endpoints over HTTP (docs/pbx-api/calls.md): answers field by field, and every errno.

The outside world and the phones act through the control plane (``/sim/v1/calls``), the
application through the API; both must see the same calls.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.calls_http import Pbx
from tests.support.helpers import Api, Sim, failed

CALLID = re.compile(r"^\d+\.\d+$")
SUCCESS = {"status": "Success"}


@pytest.fixture
def pbx(api: Api, sim: Sim) -> Pbx:
    return Pbx(api, sim)


# -- origination ------------------------------------------------------------------------


def test_dial_extension_answers_the_callid_and_rings_the_caller_first(pbx: Pbx) -> None:
    answer = pbx("extension/dial_extension", caller="1001", callee="1002", autoanswer="no")
    assert set(answer) == {"status", "callid"}
    assert answer["status"] == "Success"
    assert CALLID.match(answer["callid"])
    call = pbx.calls()[answer["callid"]]
    assert (call["parties"], call["state"], call["trunk"]) == (["1001"], "ringing", "")
    assert pbx.status("1001") == "Ringing"
    pbx.answer(answer["callid"])
    assert pbx.calls()[answer["callid"]]["parties"] == ["1001", "1002"]
    assert pbx.status("1002") == "Ringing"
    pbx.answer(answer["callid"])
    assert pbx.calls()[answer["callid"]]["state"] == "talking"
    assert pbx.status("1001") == pbx.status("1002") == "Busy"


def test_dial_extension_autoanswer_and_numbers_sent_as_json_numbers(pbx: Pbx) -> None:
    answer = pbx("extension/dial_extension", caller=1001, callee=1002, autoanswer="yes")
    call = pbx.calls()[answer["callid"]]
    assert [leg["state"] for leg in call["legs"]] == ["dialing", "ringing"]


@pytest.mark.parametrize(
    ("body", "errno"),
    [
        ({"callee": "1002"}, "10004"),
        ({"caller": "", "callee": "1002"}, "10004"),
        ({"caller": "1001"}, "10004"),
        ({"caller": "9999", "callee": "1002"}, "10006"),
        ({"caller": "1001", "callee": "1999"}, "10006"),
        ({"caller": "1001", "callee": "6299"}, "10012"),
        ({"caller": "1001", "callee": "1001"}, "10008"),
        ({"caller": ["1001"], "callee": "1002"}, "10004"),
    ],
)
def test_dial_extension_errnos(pbx: Pbx, body: dict[str, Any], errno: str) -> None:
    assert pbx.api.call("extension/dial_extension", body, pbx.token) == failed(errno)
    assert pbx.calls() == {}


def test_an_extension_in_a_call_is_not_idle(pbx: Pbx) -> None:
    pbx.talking("1001", "1002")
    assert pbx("extension/dial_extension", caller="1001", callee="1003") == failed("10008")
    assert pbx("extension/dial_extension", caller="1003", callee="1002") == failed("10008")
    assert pbx("extension/dial_outbound", extid="1002", outto="0698765432") == failed("10008")
    assert pbx("ivr/dial_extension", ivrid="6200", extid="1001") == failed("10008")


def test_dial_outbound(pbx: Pbx) -> None:
    answer = pbx("extension/dial_outbound", extid="1001", outto="0698765432", autoanswer="yes")
    callid = answer["callid"]
    (outbound,) = pbx("outbound/query")["outbound"]
    assert set(outbound) == {"outboundid", "from", "to", "trunk", "status"}
    assert outbound["outboundid"] != callid
    assert (outbound["from"], outbound["to"], outbound["trunk"], outbound["status"]) == (
        "1001",
        "0698765432",
        "SIP-Carrier",
        "Progress",
    )
    pbx.answer(callid, "0698765432")
    assert pbx("outbound/query", outboundid=outbound["outboundid"])["outbound"][0]["status"] == (
        "Talking"
    )
    assert pbx("outbound/hangup", outboundid=outbound["outboundid"]) == SUCCESS
    assert pbx("outbound/query") == {"status": "Success", "outbound": []}


def test_dial_outbound_through_a_route_with_strip(pbx: Pbx) -> None:
    callid = pbx("extension/dial_outbound", extid="1002", outto="90611223344", autoanswer="yes")[
        "callid"
    ]
    leg = pbx.calls()[callid]["legs"][1]
    assert (leg["trunk"], leg["number"], leg["trunk_number"]) == (
        "GSM1",
        "90611223344",
        "0611223344",
    )


@pytest.mark.parametrize(
    ("body", "errno"),
    [
        ({"extid": "1001"}, "10004"),
        ({"extid": "9999", "outto": "0698765432"}, "10006"),
        ({"extid": "1001", "outto": "5555"}, "10024"),  # no route for that number
        ({"extid": "1009", "outto": "90611223344"}, "10024"),  # the GSM route excludes 1009
        ({"extid": "1006", "outto": "0698765432"}, "10024"),  # callrestriction on
    ],
)
def test_dial_outbound_errnos(pbx: Pbx, body: dict[str, Any], errno: str) -> None:
    assert pbx.api.call("extension/dial_outbound", body, pbx.token) == failed(errno)


def test_call_back(pbx: Pbx) -> None:
    callid = pbx("outbound/dial_outbound", caller="0612345678", outto="0698765432", fromext="1001")[
        "callid"
    ]
    assert [o["to"] for o in pbx("outbound/query")["outbound"]] == ["0612345678"]
    pbx.answer(callid)
    statuses = {o["to"]: o["status"] for o in pbx("outbound/query")["outbound"]}
    assert statuses == {"0612345678": "Wait", "0698765432": "Progress"}
    pbx.answer(callid)
    assert pbx.calls()[callid]["state"] == "talking"
    assert pbx("outbound/dial_outbound", caller="0612345678", outto="0698765432") == failed("10004")
    assert pbx("outbound/dial_outbound", caller="061", outto="069", fromext="9999") == failed(
        "10006"
    )
    assert pbx("outbound/dial_outbound", caller="0612", outto="5555", fromext="1001") == failed(
        "10024"
    )


def test_ivr_queue_and_ring_group_dials(pbx: Pbx) -> None:
    ivr = pbx("ivr/dial_extension", ivrid="6200", extid="1003", autoanswer="yes")["callid"]
    assert pbx.calls()[ivr]["destination"] == {"type": "ivr", "number": "6200"}
    out = pbx("ivr/dial_outbound", ivrid="6200", outto="0611111111", fromext="1001")["callid"]
    queue = pbx("queue/dial_outbound", queueid="6700", outto="0622222222", fromext="1001")["callid"]
    group = pbx("ringgroup/dial_outbound", ringgroupid="6300", outto="0633", fromext="1001")[
        "callid"
    ]
    for callid in (out, group, queue):
        pbx.answer(callid)
    calls = pbx.calls()
    assert calls[out]["destination"] == {"type": "ivr", "number": "6200"}
    assert calls[queue]["destination"] == {"type": "queue", "number": "6700"}
    assert calls[group]["destination"] == {"type": "ringgroup", "number": "6300"}
    # Members in a call do not ring: 1003 is in the IVR, 1004 has DND, 1002 rings for the group.
    assert [leg["number"] for leg in calls[group]["legs"]] == ["0633", "1002"]
    assert [leg["number"] for leg in calls[queue]["legs"]] == ["0622222222", "1001"]


@pytest.mark.parametrize(
    ("endpoint", "body", "errno"),
    [
        ("ivr/dial_extension", {"ivrid": "6299", "extid": "1001"}, "10012"),
        ("ivr/dial_extension", {"ivrid": "6200", "extid": "9999"}, "10006"),
        ("ivr/dial_extension", {"ivrid": "6200"}, "10004"),
        ("ivr/dial_outbound", {"ivrid": "6299", "outto": "061", "fromext": "1001"}, "10012"),
        ("ivr/dial_outbound", {"ivrid": "6200", "outto": "5555", "fromext": "1001"}, "10024"),
        ("ivr/dial_outbound", {"ivrid": "6200", "outto": "061", "fromext": "9999"}, "10006"),
        ("queue/dial_outbound", {"queueid": "6799", "outto": "061", "fromext": "1001"}, "10013"),
        ("queue/dial_outbound", {"queueid": "6700", "outto": "061"}, "10004"),
        ("ringgroup/dial_outbound", {"ringgroupid": "6399", "outto": "0", "fromext": "1"}, "10014"),
        (
            "ringgroup/dial_outbound",
            {"ringgroupid": "6300", "outto": "0", "fromext": "1006"},
            "10024",
        ),
    ],
)
def test_ivr_queue_ring_group_errnos(
    pbx: Pbx, endpoint: str, body: dict[str, Any], errno: str
) -> None:
    assert pbx.api.call(endpoint, body, pbx.token) == failed(errno)


# -- queries ----------------------------------------------------------------------------


def test_inbound_query_as_the_spec_example(pbx: Pbx) -> None:
    callid = pbx.place("0612345678", "5503301", "SIP-Carrier")
    pbx.answer(callid)
    answer = pbx("inbound/query")
    assert answer == {
        "status": "Success",
        "inbound": [
            {
                "inboundid": callid,
                "from": "0612345678",
                "to": "5503301",
                "trunk": "SIP-Carrier",
                "status": "Talking",
                "callee": [{"extid": "1000"}],
            }
        ],
    }
    raw = pbx.api.post("inbound/query", {}, pbx.token).content
    assert raw.startswith(b'{"status":"Success","inbound":[{"inboundid":"')


def test_inbound_query_filters_by_id(pbx: Pbx) -> None:
    first = pbx.place("0611111111", "1001", "SIP-Carrier")
    second = pbx.place("0622222222", "1002", "SIP-Carrier")
    assert [c["inboundid"] for c in pbx("inbound/query")["inbound"]] == [first, second]
    assert [c["inboundid"] for c in pbx("inbound/query", inboundid=second)["inbound"]] == [second]
    both = pbx("inbound/query", inboundid=f"{first},{second}")["inbound"]
    assert len(both) == 2
    assert pbx("inbound/query", inboundid="1.2")["inbound"] == []
    assert pbx("inbound/query", inboundid="")["inbound"] != []


def test_inbound_query_status_progress_wait_talking(pbx: Pbx) -> None:
    ringing = pbx.place("0611111111", "1001", "SIP-Carrier")
    ivr = pbx.place("0622222222", "5503302", "SIP-Carrier")
    held = pbx.place("0633333333", "1002", "SIP-Carrier")
    pbx.answer(held)
    assert pbx("extension/hold", extid="1002") == SUCCESS
    statuses = {c["inboundid"]: (c["status"], c["callee"]) for c in pbx("inbound/query")["inbound"]}
    assert statuses == {
        ringing: ("Progress", [{"extid": "1001"}]),
        ivr: ("Wait", [{"ivrid": "6200"}]),
        held: ("Wait", [{"extid": "1002"}]),
    }


# -- hang up, hold, mute ---------------------------------------------------------------


def test_hangups(pbx: Pbx) -> None:
    inbound = pbx.place("0612345678", "1001", "SIP-Carrier")
    internal = pbx.talking("1002", "1003")
    assert pbx("inbound/hangup", inboundid=inbound) == SUCCESS
    assert pbx("extension/hangup", extid="1003") == SUCCESS
    assert pbx.calls() == {}
    assert internal not in pbx.calls()
    assert pbx.status("1002") == pbx.status("1003") == "Registered"


@pytest.mark.parametrize(
    ("endpoint", "body", "errno"),
    [
        ("extension/hangup", {}, "10004"),
        ("extension/hangup", {"extid": "9999"}, "10006"),
        ("extension/hangup", {"extid": "1001"}, "10007"),
        ("inbound/hangup", {"inboundid": "1700000000.1"}, "10007"),
        ("inbound/hangup", {}, "10004"),
        ("outbound/hangup", {"outboundid": "nonsense"}, "10007"),
        ("extension/hold", {"extid": "1001"}, "10007"),
        ("extension/unhold", {"extid": "9999"}, "10006"),
        ("extension/mute", {"extid": "1001"}, "10007"),
        ("extension/unmute", {}, "10004"),
    ],
)
def test_control_errnos_without_a_call(
    pbx: Pbx, endpoint: str, body: dict[str, Any], errno: str
) -> None:
    assert pbx.api.call(endpoint, body, pbx.token) == failed(errno)


def test_an_outbound_id_is_not_an_inbound_id(pbx: Pbx) -> None:
    callid = pbx.place("1001", "0698765432")
    outboundid = pbx.calls()[callid]["legs"][1]["id"]
    assert pbx("inbound/hangup", inboundid=outboundid) == failed("10007")
    assert pbx("outbound/hangup", outboundid=outboundid) == SUCCESS


def test_hold_unhold_mute_unmute(pbx: Pbx) -> None:
    callid = pbx.talking("1001", "1002")
    assert pbx("extension/hold", extid="1001") == SUCCESS
    assert pbx.status("1001") == "Hold"
    assert pbx.calls()[callid]["state"] == "held"
    assert pbx("extension/hold", extid="1001") == SUCCESS
    assert pbx("extension/unhold", extid="1001") == SUCCESS
    assert pbx.status("1001") == "Busy"
    assert pbx("extension/unhold", extid="1001") == SUCCESS
    assert pbx("extension/mute", extid="1002") == SUCCESS
    assert {leg["number"]: leg["muted"] for leg in pbx.calls()[callid]["legs"]} == {
        "1001": False,
        "1002": True,
    }
    assert pbx("extension/unmute", extid="1002") == SUCCESS
    assert not any(leg["muted"] for leg in pbx.calls()[callid]["legs"])


def test_hold_and_mute_need_a_connected_call(pbx: Pbx) -> None:
    pbx.place("1001", "1002")
    assert pbx("extension/hold", extid="1002") == failed("10015")
    assert pbx("extension/mute", extid="1002") == failed("10015")


# -- monitoring -------------------------------------------------------------------------


def test_listen_whisper_barge_success(pbx: Pbx) -> None:
    callid = pbx.talking("1002", "1003")
    assert pbx("extension/listen", listener="1001", listenedext="1002") == SUCCESS
    monitor = pbx.calls()[callid]["legs"][-1]
    assert (monitor["number"], monitor["role"], monitor["monitor_mode"]) == (
        "1001",
        "monitor",
        "Listen",
    )
    assert pbx.status("1001") == "Busy"
    assert pbx("extension/hangup", extid="1001") == SUCCESS
    assert pbx("extension/barge", bargein="1000", bargedext="1003") == SUCCESS
    assert pbx.calls()[callid]["legs"][-1]["monitor_mode"] == "Barge-in"


@pytest.mark.parametrize(
    ("endpoint", "body", "errno"),
    [
        ("extension/listen", {"listener": "1001"}, "10004"),
        ("extension/listen", {"listener": "9999", "listenedext": "1002"}, "10006"),
        ("extension/listen", {"listener": "1001", "listenedext": "9999"}, "10006"),
        # 1009 does not allow being monitored.
        ("extension/listen", {"listener": "1000", "listenedext": "1009"}, "10009"),
        # 1001 may only listen; 1004 has monitoring disabled.
        ("extension/whisper", {"whisperer": "1001", "whisperedext": "1002"}, "10010"),
        ("extension/barge", {"bargein": "1004", "bargedext": "1002"}, "10010"),
        # The monitor is in the call itself.
        ("extension/barge", {"bargein": "1003", "bargedext": "1002"}, "10008"),
        # 1000 may monitor in any mode.
        ("extension/whisper", {"whisperer": "1000", "whisperedext": "1002"}, None),
    ],
)
def test_monitor_errnos(pbx: Pbx, endpoint: str, body: dict[str, Any], errno: str | None) -> None:
    pbx.talking("1002", "1003")
    expected = SUCCESS if errno is None else failed(errno)
    assert pbx.api.call(endpoint, body, pbx.token) == expected


def test_monitor_needs_a_connected_call_and_one_monitor_at_a_time(pbx: Pbx) -> None:
    assert pbx("extension/listen", listener="1000", listenedext="1002") == failed("10007")
    ringing = pbx.place("1002", "1003")
    assert pbx("extension/listen", listener="1000", listenedext="1002") == failed("10015")
    pbx.hangup(ringing)
    callid = pbx.talking("1011", "1001")
    assert pbx("extension/listen", listener="1000", listenedext="1001") == SUCCESS
    assert pbx("extension/barge", bargein="1000", bargedext="1001") == failed("10008")
    assert pbx("extension/barge", bargein="1003", bargedext="1001") == failed("10009")
    assert pbx.calls()[callid]["legs"][-1]["number"] == "1000"


# -- transfers --------------------------------------------------------------------------


def test_calltransfer_keeps_the_callid(pbx: Pbx) -> None:
    callid = pbx.place("0612345678", "1001", "SIP-Carrier")
    pbx.answer(callid)
    answer = pbx("calltransfer", callid=callid, transferor="1001", transferto="1002")
    assert answer == {"status": "Success", "callid": callid}
    call = pbx.calls()[callid]
    assert call["parties"] == ["0612345678", "1002"]
    assert pbx.status("1001") == "Registered"
    pbx.answer(callid)
    assert pbx("inbound/query")["inbound"][0]["callee"] == [{"extid": "1002"}]


def test_calltransfer_to_an_external_number_uses_fromext(pbx: Pbx) -> None:
    callid = pbx.talking("1001", "1002")
    answer = pbx(
        "calltransfer", callid=callid, transferor="1002", transferto="0698765432", fromext="1001"
    )
    assert answer["callid"] == callid
    assert [o["to"] for o in pbx("outbound/query")["outbound"]] == ["0698765432"]


@pytest.mark.parametrize(
    ("body", "errno"),
    [
        ({"callid": "1.1", "transferor": "1001", "transferto": "1003"}, "10007"),
        ({"callid": "", "transferor": "1001", "transferto": "1003"}, "10004"),
        ({"transferor": "1005", "transferto": "1003"}, "10007"),
        ({"transferor": "1001", "transferto": "1999"}, "10006"),
        ({"transferor": "1001", "transferto": "6299"}, "10012"),
        ({"transferor": "1001", "transferto": "6399"}, "10014"),
        ({"transferor": "1001", "transferto": "6799"}, "10013"),
        ({"transferor": "1001", "transferto": "0698765432", "fromext": "1006"}, "10024"),
        ({"transferor": "1001", "transferto": "0698765432", "fromext": "9999"}, "10006"),
        ({"transferor": "1001", "transferto": "1011"}, "10008"),
    ],
)
def test_calltransfer_errnos(pbx: Pbx, body: dict[str, Any], errno: str) -> None:
    callid = pbx.talking("1001", "1002")
    pbx.talking("1011", "1003")
    body = {"callid": callid} | body
    assert pbx.api.call("calltransfer", body, pbx.token) == failed(errno)
    assert pbx.calls()[callid]["state"] == "talking"


def test_calltransfer_needs_a_connected_transferor(pbx: Pbx) -> None:
    callid = pbx.place("1001", "1002")
    answer = pbx("calltransfer", callid=callid, transferor="1002", transferto="1003")
    assert answer == failed("10015")


def test_inbound_transfer_number_on_a_ringing_call(pbx: Pbx) -> None:
    callid = pbx.place("0612345678", "5503301", "SIP-Carrier")
    answer = pbx("inbound/transfer_number", inboundid=callid, number="6300", fromext="")
    assert answer == {"status": "Success", "callid": callid}
    call = pbx.calls()[callid]
    assert call["destination"] == {"type": "ringgroup", "number": "6300"}
    assert pbx.status("1000") == "Registered"
    assert pbx("inbound/transfer_number", inboundid="1.1", number="1001") == failed("10007")
    assert pbx("inbound/transfer_number", inboundid=callid, number="6799") == failed("10013")


def test_outbound_transfer_number(pbx: Pbx) -> None:
    callid = pbx.place("1001", "0698765432")
    outboundid = pbx.calls()[callid]["legs"][1]["id"]
    # The outside party has not answered yet: nothing to transfer.
    assert pbx(
        "outbound/transfer_number", outboundid=outboundid, number="1002", fromext="1001"
    ) == (failed("10015"))
    pbx.answer(callid)
    answer = pbx("outbound/transfer_number", outboundid=outboundid, number="6200", fromext="1001")
    assert answer == {"status": "Success", "callid": callid}
    assert pbx.calls()[callid]["destination"] == {"type": "ivr", "number": "6200"}
    assert pbx("outbound/transfer_number", outboundid=outboundid, number="1002") == failed("10004")
