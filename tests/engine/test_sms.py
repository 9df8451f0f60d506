"""``sms/send`` through the GSM trunk ``GSM1`` (docs/pbx-api/call-services.md) and its report."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.calls_http import Pbx as HttpPbx
from tests.support.engine import Pbx
from tests.support.helpers import Api, Sim, failed
from yspbx.errors import Errno, PbxError
from yspbx.pbx.events import SmsResult


async def test_the_outcome_is_reported_later_on_the_clock(pbx: Pbx) -> None:
    now = int(pbx.services.clock.now())
    smsid = await pbx.calls.send_sms("GSM1", "0611223344", "Your%20code%20is%204821")
    number, seconds = smsid.rsplit("-", 1)
    assert number == "0611223344"
    assert now <= int(seconds) <= now + 1
    await pbx.advance(2.9)
    assert pbx.take() == []
    await pbx.advance(0.1)
    assert pbx.of(SmsResult) == [SmsResult(smsid, "Success")]
    (sent,) = pbx.calls.sms_messages()
    assert (sent["message"], sent["status"], sent["trunk"]) == (
        "Your code is 4821",
        "Success",
        "GSM1",
    )


async def test_the_module_sends_one_message_at_a_time(pbx: Pbx) -> None:
    await pbx.calls.send_sms("GSM1", "0611223344", "one")
    with pytest.raises(PbxError) as busy:
        await pbx.calls.send_sms("GSM1", "0611223355", "two")
    assert busy.value.errno is Errno.GSM_MODULE_BUSY
    await pbx.advance(3)
    await pbx.calls.send_sms("GSM1", "0611223355", "two")


async def test_a_trunk_carrying_a_call_is_busy(pbx: Pbx) -> None:
    await pbx.calls.dial_outbound("1002", "90611223344", autoanswer=True)  # out through GSM1
    with pytest.raises(PbxError) as busy:
        await pbx.calls.send_sms("GSM1", "0611223344", "hello")
    assert busy.value.errno is Errno.GSM_MODULE_BUSY


async def test_the_simulator_can_make_a_send_fail(pbx: Pbx) -> None:
    smsid = await pbx.calls.send_sms("GSM1", "+33611223344", "hello")
    await pbx.calls.settle_sms(smsid, "Failed")
    assert pbx.take() == [("sms-send", smsid, "Failed")]
    await pbx.advance(10)
    assert pbx.take() == []


def test_sms_over_http(api: Api, sim: Sim) -> None:
    pbx = HttpPbx(api, sim)
    answer = pbx("sms/send", trunk="GSM1", phonenumber="0611223344", message="Caf%C3%A9%20ok")
    assert set(answer) == {"status", "smsid"}
    smsid = answer["smsid"]
    assert smsid.startswith("0611223344-")
    (sent,) = sim.get("/sms")
    assert (sent["smsid"], sent["message"], sent["status"]) == (smsid, "Café ok", "sending")
    assert pbx("sms/send", trunk="GSM1", phonenumber="0622", message="x") == failed("10027")
    sim.advance(3)
    assert sim.get("/sms")[0]["status"] == "Success"
    # Settling a message that is no longer being sent, or one that never was.
    result = sim.http.post(f"/sim/v1/sms/{smsid}/result", json={"status": "Failed"})
    assert result.status_code == 409
    assert sim.http.post("/sim/v1/sms/1-1/result", json={"status": "Failed"}).status_code == 404
    second = pbx("sms/send", trunk="GSM1", phonenumber="0611223344", message="again")["smsid"]
    assert sim.http.post(f"/sim/v1/sms/{second}/result", json={"status": "?"}).status_code == 400
    settled = sim.post(f"/sms/{second}/result", {"status": "Failed"})
    assert settled["status"] == "Failed"


@pytest.mark.parametrize(
    ("body", "errno"),
    [
        ({"phonenumber": "0611223344", "message": "hi"}, "10004"),
        ({"trunk": "GSM9", "phonenumber": "0611223344", "message": "hi"}, "10026"),
        ({"trunk": "SIP-Carrier", "phonenumber": "0611223344", "message": "hi"}, "10026"),
        ({"trunk": "GSM1", "message": "hi"}, "10028"),
        ({"trunk": "GSM1", "phonenumber": " ", "message": "hi"}, "10028"),
        ({"trunk": "GSM1", "phonenumber": "06-11", "message": "hi"}, "10031"),
        ({"trunk": "GSM1", "phonenumber": "12", "message": "hi"}, "10031"),
        ({"trunk": "GSM1", "phonenumber": "+" + "1" * 21, "message": "hi"}, "10031"),
        ({"trunk": "GSM1", "phonenumber": "0611223344"}, "10030"),
        ({"trunk": "GSM1", "phonenumber": "0611223344", "message": ""}, "10030"),
        ({"trunk": "GSM1", "phonenumber": "0611223344", "message": "%20%20"}, "10030"),
        ({"trunk": "GSM1", "phonenumber": "0611223344", "message": "100%"}, "10029"),
        ({"trunk": "GSM1", "phonenumber": "0611223344", "message": "%FF%FE"}, "10029"),
        ({"trunk": "GSM1", "phonenumber": "0611223344", "message": "%F0%9F%98%80"}, "10029"),
        ({"trunk": "GSM1", "phonenumber": "0611223344", "message": "a" * 2001}, "10029"),
        ({"trunk": "GSM1", "phonenumber": "0611223344", "message": "%E4%BD%A0" * 1001}, "10029"),
    ],
)
def test_sms_errnos(api: Api, sim: Sim, body: dict[str, Any], errno: str) -> None:
    pbx = HttpPbx(api, sim)
    assert api.call("sms/send", body, pbx.token) == failed(errno)
    assert sim.get("/sms") == []


def test_the_longest_messages_pass(api: Api, sim: Sim) -> None:
    pbx = HttpPbx(api, sim)
    answer = pbx("sms/send", trunk="GSM1", phonenumber="0611223344", message="a" * 2000)
    assert answer["status"] == "Success"
    sim.advance(3)
    wide = "%E4%BD%A0" * 1000
    assert pbx("sms/send", trunk="GSM1", phonenumber="0611223344", message=wide)["status"] == (
        "Success"
    )
