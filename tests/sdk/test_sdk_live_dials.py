"""The SDK's originating and transferring methods against the real server (both twins):
every dial and transfer of docs/pbx-api/calls.md, with their refusals as the SDK's
exceptions. The phones and the far ends answer through the SDK's ``Simulator``.

Default config: 1006 has call restriction on; 1009 may not use the GSM route (prefix 9); 5555
matches no outbound route; IVR 6200, ring group 6300 (1002, 1003, 1004 with DND), queue 6700
(agents 1001, 1002).
"""

from __future__ import annotations

import re

import pytest

from tests.support.sdk_live import FAR_END, OUTSIDE, raised, talking
from yspbx.client import (
    ApiError,
    BusyError,
    Client,
    InvalidValueError,
    NotFoundError,
    NotPermittedError,
    SimDestination,
    Simulator,
)

CALLID = re.compile(r"^\d+\.\d+$")


# -- originate (12) -------------------------------------------------------------------------


def test_dial_extension_rings_the_caller_then_the_callee(sdk: Client, simulator: Simulator) -> None:
    callid = sdk.calls.dial_extension("1001", "1002")
    assert CALLID.match(callid)
    call = simulator.call(callid)
    assert (call.parties, call.state, call.type) == (["1001"], "ringing", "Internal")
    assert simulator.answer(callid) == "1001"
    assert simulator.call(callid).parties == ["1001", "1002"]
    assert simulator.answer(callid) == "1002"
    call = simulator.call(callid)
    assert call.state == "talking"
    assert call.answered_at is not None
    assert call.started_at is not None
    assert call.answered_at >= call.started_at
    statuses = {e.number: e.status for e in sdk.extensions.list()}
    assert statuses["1001"] == statuses["1002"] == "Busy"


def test_dial_extension_auto_answer(sdk: Client, simulator: Simulator) -> None:
    callid = sdk.calls.dial_extension("1001", "1002", auto_answer=True)
    assert [(leg.number, leg.state) for leg in simulator.call(callid).legs] == [
        ("1001", "dialing"),
        ("1002", "ringing"),
    ]


def test_dial_extension_refusals(sdk: Client, simulator: Simulator) -> None:
    dial = sdk.calls.dial_extension
    raised(lambda: dial("9999", "1002"), NotFoundError, "10006", "extension/dial_extension")
    raised(lambda: dial("1001", "1999"), NotFoundError, "10006")
    raised(lambda: dial("1001", "6299"), NotFoundError, "10012")
    raised(lambda: dial("1001", "1001"), BusyError, "10008")
    raised(lambda: dial("", "1002"), InvalidValueError, "10004")
    talking(simulator, "1002", "1003")
    raised(lambda: dial("1001", "1002"), BusyError, "10008")
    raised(lambda: dial("1003", "1001"), BusyError, "10008")
    assert len(simulator.calls()) == 1


def test_dial_outbound(sdk: Client, simulator: Simulator) -> None:
    callid = sdk.calls.dial_outbound("1001", FAR_END, auto_answer=True)
    (outbound,) = sdk.calls.outbound()
    assert (outbound.from_number, outbound.to_number, outbound.status) == (
        "1001",
        FAR_END,
        "Progress",
    )
    assert outbound.id == simulator.call(callid).leg(FAR_END).id
    assert simulator.answer(callid) == FAR_END
    assert sdk.calls.outbound()[0].status == "Talking"
    # Through the GSM route, which strips the 9.
    gsm = sdk.calls.dial_outbound("1002", "90611223344", auto_answer=True)
    leg = simulator.call(gsm).leg("90611223344")
    assert (leg.trunk, leg.trunk_number) == ("GSM1", "0611223344")


def test_dial_outbound_refusals(sdk: Client, simulator: Simulator) -> None:
    dial = sdk.calls.dial_outbound
    raised(lambda: dial("9999", FAR_END), NotFoundError, "10006", "extension/dial_outbound")
    raised(lambda: dial("1001", "5555"), NotPermittedError, "10024", "extension/dial_outbound")
    raised(lambda: dial("1009", "90611223344"), NotPermittedError, "10024")
    raised(lambda: dial("1006", FAR_END), NotPermittedError, "10024")  # call restriction
    talking(simulator, "1001", "1002")
    raised(lambda: dial("1001", FAR_END), BusyError, "10008")
    assert sdk.calls.outbound() == []


def test_callback_bridges_two_outside_numbers(sdk: Client, simulator: Simulator) -> None:
    callid = sdk.calls.callback(OUTSIDE, FAR_END, "1001")
    assert [o.to_number for o in sdk.calls.outbound()] == [OUTSIDE]
    assert simulator.answer(callid) == OUTSIDE
    assert {o.to_number: o.status for o in sdk.calls.outbound()} == {
        OUTSIDE: "Wait",
        FAR_END: "Progress",
    }
    assert simulator.answer(callid) == FAR_END
    call = simulator.call(callid)
    assert (call.state, call.type, call.parties) == ("talking", "Callback", [OUTSIDE, FAR_END])
    raised(lambda: sdk.calls.callback("061", "069", "9999"), NotFoundError, "10006")
    raised(
        lambda: sdk.calls.callback("0612", "5555", "1001"),
        NotPermittedError,
        "10024",
        "outbound/dial_outbound",
    )


def test_ivr_queue_and_ring_group_dials(sdk: Client, simulator: Simulator) -> None:
    ivr = sdk.calls.dial_extension_to_ivr("6200", "1003", auto_answer=True)
    assert simulator.call(ivr).destination == SimDestination(type="ivr", number="6200")
    out = sdk.calls.dial_number_to_ivr("6200", "0611111111", "1001")
    group = sdk.calls.dial_number_to_ring_group("6300", "0633333333", "1001")
    queue = sdk.calls.dial_number_to_queue("6700", "0622222222", "1001")
    for callid in (out, group, queue):
        assert simulator.call(callid).destination is None  # the number rings first
        assert simulator.call(callid).legs[0].kind == "outbound"
        simulator.answer(callid)
    assert simulator.call(out).destination == SimDestination(type="ivr", number="6200")
    assert simulator.call(group).destination == SimDestination(type="ringgroup", number="6300")
    assert simulator.call(queue).destination == SimDestination(type="queue", number="6700")
    # 1003 is in the IVR and 1004 has DND: the group rings 1002, the queue its other agent.
    assert simulator.call(group).parties == ["0633333333", "6300", "1002"]
    assert simulator.call(queue).parties == ["0622222222", "6700", "1001"]
    assert simulator.answer(queue) == "1001"
    assert simulator.call(queue).state == "talking"


def test_ivr_dial_and_key_presses(sdk: Client, simulator: Simulator) -> None:
    callid = sdk.calls.dial_extension_to_ivr("6200", "1003")
    assert simulator.answer(callid) == "1003"
    simulator.dtmf(callid, "12")
    simulator.dtmf(callid, "#")
    assert simulator.call(callid).digits == "12#"


def test_ivr_queue_and_ring_group_refusals(sdk: Client) -> None:
    calls = sdk.calls
    raised(lambda: calls.dial_extension_to_ivr("6299", "1001"), NotFoundError, "10012")
    raised(lambda: calls.dial_extension_to_ivr("6200", "9999"), NotFoundError, "10006")
    raised(lambda: calls.dial_number_to_ivr("6299", "061", "1001"), NotFoundError, "10012")
    raised(lambda: calls.dial_number_to_ivr("6200", "061", "9999"), NotFoundError, "10006")
    raised(lambda: calls.dial_number_to_ivr("6200", "5555", "1001"), NotPermittedError, "10024")
    raised(lambda: calls.dial_number_to_queue("6799", "061", "1001"), NotFoundError, "10013")
    raised(
        lambda: calls.dial_number_to_queue("6700", "061", "1006"),
        NotPermittedError,
        "10024",
        "queue/dial_outbound",
    )
    raised(
        lambda: calls.dial_number_to_ring_group("6399", "061", "1001"),
        NotFoundError,
        "10014",
        "ringgroup/dial_outbound",
    )
    raised(lambda: calls.dial_number_to_ring_group("6300", "061", ""), InvalidValueError, "10004")


# -- transfer (13) --------------------------------------------------------------------------


def test_transfer_keeps_the_callid(sdk: Client, simulator: Simulator) -> None:
    callid = talking(simulator, OUTSIDE, "1001", trunk="SIP-Carrier")
    assert sdk.calls.transfer(callid, "1001", "1002") == callid
    assert simulator.call(callid).parties == [OUTSIDE, "1002"]
    assert {e.number: e.status for e in sdk.extensions.list()}["1001"] == "Registered"
    assert simulator.answer(callid) == "1002"
    assert [p.id for p in sdk.calls.inbound()[0].callee] == ["1002"]
    # The phone transfers it on (a blind transfer from the handset).
    simulator.transfer(callid, "1002", "1003")
    assert simulator.call(callid).parties == [OUTSIDE, "1003"]
    assert [p.id for p in sdk.calls.inbound()[0].callee] == ["1003"]


def test_transfer_to_an_outside_number(sdk: Client, simulator: Simulator) -> None:
    callid = talking(simulator, "1001", "1002")
    assert sdk.calls.transfer(callid, "1002", FAR_END, from_extension="1001") == callid
    assert [o.to_number for o in sdk.calls.outbound()] == [FAR_END]


@pytest.mark.parametrize(
    ("transferor", "destination", "from_extension", "kind", "errno"),
    [
        ("1005", "1003", None, NotFoundError, "10007"),  # not a party of the call
        ("1001", "1999", None, NotFoundError, "10006"),
        ("1001", "6299", None, NotFoundError, "10012"),
        ("1001", "6799", None, NotFoundError, "10013"),
        ("1001", "6399", None, NotFoundError, "10014"),
        ("1001", FAR_END, "1006", NotPermittedError, "10024"),
        ("1001", FAR_END, "9999", NotFoundError, "10006"),
        ("1001", "1011", None, BusyError, "10008"),  # in another call
    ],
)
def test_transfer_refusals(
    sdk: Client,
    simulator: Simulator,
    transferor: str,
    destination: str,
    from_extension: str | None,
    kind: type[ApiError],
    errno: str,
) -> None:
    callid = talking(simulator, "1001", "1002")
    talking(simulator, "1011", "1003")
    with pytest.raises(kind) as caught:
        sdk.calls.transfer(callid, transferor, destination, from_extension=from_extension)
    assert (type(caught.value), caught.value.errno, caught.value.endpoint) == (
        kind,
        errno,
        "calltransfer",
    )
    assert simulator.call(callid).state == "talking"


def test_transfer_needs_a_live_connected_call(sdk: Client, simulator: Simulator) -> None:
    raised(lambda: sdk.calls.transfer("1.1", "1001", "1003"), NotFoundError, "10007")
    ringing = simulator.start_call("1001", "1002")
    raised(lambda: sdk.calls.transfer(ringing, "1002", "1003"), BusyError, "10015")


def test_transfer_inbound(sdk: Client, simulator: Simulator) -> None:
    ringing = simulator.start_call(OUTSIDE, "5503301", trunk="SIP-Carrier")
    assert sdk.calls.transfer_inbound(ringing, "6300") == ringing
    assert simulator.call(ringing).destination == SimDestination(type="ringgroup", number="6300")
    assert {e.number: e.status for e in sdk.extensions.list()}["1000"] == "Registered"
    answered = talking(simulator, "0611111111", "1001", trunk="SIP-Carrier")
    assert sdk.calls.transfer_inbound(answered, "6200") == answered
    assert sdk.calls.inbound(answered)[0].callee[0].ivr == "6200"
    raised(
        lambda: sdk.calls.transfer_inbound("1.1", "1001"),
        NotFoundError,
        "10007",
        "inbound/transfer_number",
    )
    raised(lambda: sdk.calls.transfer_inbound(ringing, "6799"), NotFoundError, "10013")
    raised(
        lambda: sdk.calls.transfer_inbound(ringing, FAR_END, from_extension="1006"),
        NotPermittedError,
        "10024",
    )


def test_transfer_outbound(sdk: Client, simulator: Simulator) -> None:
    callid = simulator.start_call("1001", FAR_END)
    outboundid = simulator.call(callid).leg(FAR_END).id
    assert outboundid is not None
    # The outside party has not answered yet: nothing to transfer.
    raised(
        lambda: sdk.calls.transfer_outbound(outboundid, "1002", "1001"),
        BusyError,
        "10015",
        "outbound/transfer_number",
    )
    simulator.answer(callid)
    assert sdk.calls.transfer_outbound(outboundid, "6200", "1001") == callid
    assert simulator.call(callid).destination == SimDestination(type="ivr", number="6200")
    raised(lambda: sdk.calls.transfer_outbound("1.1", "1002", "1001"), NotFoundError, "10007")
    raised(lambda: sdk.calls.transfer_outbound(outboundid, "1002", ""), InvalidValueError, "10004")
