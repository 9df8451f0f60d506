"""The SDK's ``Simulator`` (the control plane's call helpers) against the real server: what it
reads is exactly what ``/sim/v1`` answers, and the control plane's refusals are
``SimulatorError`` with the status and code the control plane documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel

from tests.support.helpers import Sim
from tests.support.polling import wait_until
from tests.support.sdk_live import FAR_END, OUTSIDE, talking
from tests.support.sdk_support import sync_client
from yspbx.client import ExtensionStatus, SimCall, SimDestination, Simulator, SimulatorError
from yspbx.testing import ReportCollector, ServerProcess


def assert_same_call(model: SimCall, sent: dict[str, Any]) -> None:
    """Every key of the control plane's call (and of each leg) is a field of the model, with
    the value sent."""
    assert model.model_extra == {}
    assert all(leg.model_extra == {} for leg in model.legs)
    assert model.model_dump(exclude_unset=True) == sent


def assert_same(models: list[Any], sent: list[dict[str, Any]]) -> None:
    """Each object the control plane sent became a model holding every key, with its value."""
    assert len(models) == len(sent)
    for model, keys in zip(models, sent, strict=True):
        assert isinstance(model, BaseModel)
        assert model.model_extra == {}
        assert model.model_dump(by_alias=True, exclude_unset=True) == keys


def test_a_call_from_start_to_end(simulator: Simulator, sim: Sim) -> None:
    callid = simulator.start_call("1001", "1002")
    (ringing,) = simulator.calls()
    assert_same_call(ringing, sim.get("/calls")[0])
    assert (ringing.callid, ringing.parties, ringing.state, ringing.trunk) == (
        callid,
        ["1001", "1002"],
        "ringing",
        "",
    )
    assert (ringing.type, ringing.destination, ringing.digits) == ("Internal", None, "")
    assert ringing.answered_at is None
    assert [(leg.number, leg.role, leg.state) for leg in ringing.legs] == [
        ("1001", "caller", "dialing"),
        ("1002", "callee", "ringing"),
    ]
    assert simulator.answer(callid) == "1002"
    answered = simulator.call(callid)
    assert_same_call(answered, sim.get(f"/calls/{callid}"))
    assert answered.state == "talking"
    assert simulator.state().calls == [answered]
    simulator.dtmf(callid, "0*#")
    assert simulator.call(callid).digits == "0*#"
    assert simulator.hang_up(callid, party="1002") == "1002"
    assert simulator.calls() == []
    assert {e.number: e.status for e in simulator.state().extensions}["1002"] == "Registered"


def test_trunk_legs_and_destinations(simulator: Simulator, sim: Sim) -> None:
    inbound = simulator.start_call(OUTSIDE, "5503302", trunk="SIP-Carrier")  # to IVR 6200
    outbound = simulator.start_call("1002", "90611223344")  # GSM route, strips the 9
    monitored = talking(simulator, "1003", "1001")
    sent = {call["callid"]: call for call in sim.get("/calls")}
    calls = {call.callid: call for call in simulator.calls()}
    for callid, call in calls.items():
        assert_same_call(call, sent[callid])

    ivr = calls[inbound]
    assert (ivr.trunk, ivr.type, ivr.state) == ("SIP-Carrier", "Inbound", "talking")
    assert ivr.destination == SimDestination(type="ivr", number="6200")
    assert ivr.parties == [OUTSIDE, "6200"]
    caller = ivr.leg(OUTSIDE)
    assert (caller.kind, caller.id, caller.trunk, caller.status) == (
        "inbound",
        inbound,
        "SIP-Carrier",
        "Wait",
    )
    out = calls[outbound].leg("90611223344")
    assert (out.kind, out.trunk, out.trunk_number, out.status) == (
        "outbound",
        "GSM1",
        "0611223344",
        "Progress",
    )
    with pytest.raises(KeyError):
        calls[outbound].leg("1009")

    with Simulator(simulator.base_url) as other:  # a second helper sees the same PBX
        assert [c.callid for c in other.calls()] == [inbound, outbound, monitored]


def test_a_phone_transfer(simulator: Simulator) -> None:
    callid = talking(simulator, "1001", "1002")
    simulator.transfer(callid, "1002", FAR_END)
    call = simulator.call(callid)
    assert call.parties == ["1001", FAR_END]
    assert call.leg(FAR_END).kind == "outbound"


@pytest.mark.parametrize(
    ("action", "status", "error"),
    [
        (lambda s: s.call("1.1"), 404, "not_found"),
        (lambda s: s.answer("1.1"), 404, "not_found"),
        (lambda s: s.hang_up("1.1"), 404, "not_found"),
        (lambda s: s.dtmf("1.1", "1"), 404, "not_found"),
        (lambda s: s.start_call("9999", "1002"), 404, "not_found"),  # no such extension
        (lambda s: s.start_call(OUTSIDE, "1000", trunk="Nowhere"), 404, "not_found"),
        (lambda s: s.start_call("1007", "1002"), 409, "conflict"),  # 1007 is unregistered
        (lambda s: s.start_call("1001", "call me"), 400, "bad_request"),
        (lambda s: s.register("1000"), 409, "conflict"),  # already registered
        (lambda s: s.unregister("9999"), 404, "not_found"),
    ],
)
def test_refusals_are_simulator_errors(
    simulator: Simulator, action: Callable[[Simulator], object], status: int, error: str
) -> None:
    with pytest.raises(SimulatorError) as caught:
        action(simulator)
    assert (caught.value.status_code, caught.value.error) == (status, error)
    assert caught.value.detail


def test_refusals_on_a_live_call(simulator: Simulator) -> None:
    callid = simulator.start_call("1001", "1002")
    cases: list[tuple[Callable[[], object], int, str]] = [
        (lambda: simulator.answer(callid, party="1001"), 409, "conflict"),  # not ringing
        (lambda: simulator.answer(callid, party="1005"), 404, "not_found"),  # not in the call
        (lambda: simulator.dtmf(callid, "12a"), 400, "bad_request"),
        (lambda: simulator.transfer(callid, "1002", "1003"), 409, "conflict"),  # not connected
        (lambda: simulator.start_call("1001", "1003"), 409, "conflict"),  # already in a call
    ]
    for action, status, error in cases:
        with pytest.raises(SimulatorError) as caught:
            action()
        assert (caught.value.status_code, caught.value.error) == (status, error)
    assert simulator.call(callid).state == "ringing"


def test_registration_follows_the_phone(simulator: Simulator) -> None:
    def status(number: str) -> str:
        return {e.number: e.status for e in simulator.state().extensions}[number]

    simulator.unregister("1003")
    assert status("1003") == "Unavailable"
    callid = simulator.start_call("1002", "1003")
    # An unregistered phone cannot be reached (1003 forwards nothing when it cannot answer).
    assert simulator.calls() == []
    with pytest.raises(SimulatorError):
        simulator.call(callid)
    simulator.register("1003")
    assert status("1003") == "Registered"
    # 1001 keeps a new unit's settings: unreachable, it sends the call to its voicemail.
    simulator.unregister("1001")
    to_voicemail = simulator.start_call("1002", "1001")
    (call,) = simulator.calls()
    assert (call.callid, call.state) == (to_voicemail, "talking")
    assert call.destination is not None
    assert (call.destination.type, call.destination.number) == ("voicemail", "1001")


def test_sms_and_how_they_end(simulator: Simulator, sim: Sim, server: ServerProcess) -> None:
    with sync_client(server.url) as client:
        first = client.sms.send("GSM1", "0611223344", "hello")
        sending = simulator.sms()
        assert_same(sending, sim.get("/sms"))
        assert (sending[0].smsid, sending[0].message, sending[0].status) == (
            first,
            "hello",
            "sending",
        )
        settled = simulator.settle_sms(first)  # by default it fails
        assert (settled.smsid, settled.status) == (first, "Failed")
        assert simulator.sms() == [settled]
        second = client.sms.send("GSM1", "0622334455", "again")
        assert simulator.settle_sms(second, "Success").status == "Success"
        third = client.sms.send("GSM1", "0633445566", "once more")
        cases: list[tuple[Callable[[], object], int, str]] = [
            (lambda: simulator.settle_sms(first), 409, "conflict"),  # already ended
            (lambda: simulator.settle_sms("0611223344-1"), 404, "not_found"),
            (lambda: simulator.settle_sms(third, "Maybe"), 400, "bad_request"),  # type: ignore[arg-type]
        ]
    for action, status, error in cases:
        with pytest.raises(SimulatorError) as caught:
            action()
        assert (caught.value.status_code, caught.value.error) == (status, error)
    assert [s.status for s in simulator.sms()] == ["Failed", "Success", "sending"]


def test_a_voicemail_box(simulator: Simulator, sim: Sim, server: ServerProcess) -> None:
    assert simulator.voicemail("1003") == []
    with sync_client(server.url) as client:
        client.inbound_routes.add(
            "Box", trunks="SIP-Carrier", destination_type="voicemail", destination="1003", did="55"
        )
    first = simulator.start_call(OUTSIDE, "55", trunk="SIP-Carrier")
    assert simulator.call(first).destination == SimDestination(type="voicemail", number="1003")
    simulator.advance(12)
    simulator.hang_up(first)
    second = simulator.start_call(FAR_END, "55", trunk="SIP-Carrier")
    simulator.hang_up(second)
    box = simulator.voicemail("1003")
    assert_same(box, sim.get("/extensions/1003/voicemail"))
    assert [(m.callid, m.from_number, m.seconds) for m in box] == [
        (first, OUTSIDE, 12),
        (second, FAR_END, 0),
    ]
    with pytest.raises(SimulatorError) as caught:
        simulator.voicemail("9999")
    assert (caught.value.status_code, caught.value.error) == (404, "not_found")


def test_the_report_log(
    simulator: Simulator, sim: Sim, server: ServerProcess, collector: ReportCollector
) -> None:
    collector.clear()
    with sync_client(server.url, report_port=collector.port) as client:
        client.login()
        simulator.unregister("1001")
        collector.wait_for(ExtensionStatus)
        # The receiver has it; the server marks it delivered once it has read the answer.
        wait_until(lambda: simulator.reports()[0].delivered, timeout=5, what="delivered")
    logged = simulator.reports()
    assert_same(logged, sim.get("/reports"))
    (report,) = logged
    assert (report.action, report.target, report.attempts) == (
        "ExtensionStatus",
        collector.url,
        1,
    )
    assert (report.delivered, report.last_status, report.dropped) == (True, 200, False)
    assert (report.state, report.refused) == ("delivered", False)
    assert '"extension":"1001"' in report.body
