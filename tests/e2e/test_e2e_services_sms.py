"""End to end: ``sms/send`` through ``GSM1`` (docs/pbx-api/call-services.md) and the ``sms-send``
report of its outcome (docs/pbx-api/reports.md), as the two application servers receive it.

The module takes 3 s of the server clock to send; the simulator may settle a message sooner
(``POST /sim/v1/sms/{smsid}/result``). Every refused request answers its errno and sends
nothing: no report, no message in ``GET /sim/v1/sms``.
"""

from __future__ import annotations

from tests.support.e2e import SN, Line

NUMBER = "0611223344"


def test_a_message_sent_is_reported_as_success(line: Line) -> None:
    now = int(line.sim.get("/clock")["now"])
    answer = line("sms/send", trunk="GSM1", phonenumber=NUMBER, message="Your%20code%20is%204821")
    smsid = answer["smsid"]
    assert answer == {"status": "Success", "smsid": smsid}
    number, seconds = smsid.rsplit("-", 1)
    assert number == NUMBER
    assert now <= int(seconds) <= now + 1
    (sent,) = line.sim.get("/sms")
    assert (sent["message"], sent["status"]) == ("Your code is 4821", "sending")
    line.advance(2.5)
    assert line.steps() == []
    line.advance(0.5)
    assert line.steps() == [("sms-send", "Success", smsid)]
    modern, legacy = line.bodies()
    assert modern == [
        f'{{"action":"sms-send","status":"Success","smsid":"{smsid}","sn":"{SN}"}}'.encode()
    ]
    assert legacy == modern  # no party: the same bytes in both formats
    assert line.sim.get("/sms")[0]["status"] == "Success"
    line.advance(10)
    assert line.steps() == []


def test_a_message_that_fails_is_reported_as_failed(line: Line) -> None:
    smsid = line("sms/send", trunk="GSM1", phonenumber="+33611223344", message="hello")["smsid"]
    line.advance(1)
    settled = line.sim.post(f"/sms/{smsid}/result", {"status": "Failed"})
    assert (settled["smsid"], settled["status"]) == (smsid, "Failed")
    assert line.steps() == [("sms-send", "Failed", smsid)]
    modern, legacy = line.bodies()
    assert modern == [
        f'{{"action":"sms-send","status":"Failed","smsid":"{smsid}","sn":"{SN}"}}'.encode()
    ]
    assert legacy == modern  # no party: the same bytes in both formats
    line.advance(5)  # the module's own outcome no longer comes
    assert line.steps() == []
    # The module is free again: the next message goes out.
    again = line("sms/send", trunk="GSM1", phonenumber=NUMBER, message="again")["smsid"]
    line.advance(3)
    assert line.steps() == [("sms-send", "Success", again)]


REFUSED = [
    ({"phonenumber": NUMBER, "message": "hi"}, "10004"),
    ({"trunk": "GSM9", "phonenumber": NUMBER, "message": "hi"}, "10026"),
    ({"trunk": "SIP-Carrier", "phonenumber": NUMBER, "message": "hi"}, "10026"),
    ({"trunk": "GSM1", "message": "hi"}, "10028"),
    ({"trunk": "GSM1", "phonenumber": "  ", "message": "hi"}, "10028"),
    ({"trunk": "GSM1", "phonenumber": "06-11", "message": "hi"}, "10031"),
    ({"trunk": "GSM1", "phonenumber": "12", "message": "hi"}, "10031"),
    ({"trunk": "GSM1", "phonenumber": NUMBER}, "10030"),
    ({"trunk": "GSM1", "phonenumber": NUMBER, "message": "%20%20"}, "10030"),
    ({"trunk": "GSM1", "phonenumber": NUMBER, "message": "100%"}, "10029"),
    ({"trunk": "GSM1", "phonenumber": NUMBER, "message": "%FF%FE"}, "10029"),
    ({"trunk": "GSM1", "phonenumber": NUMBER, "message": "%F0%9F%98%80"}, "10029"),
    ({"trunk": "GSM1", "phonenumber": NUMBER, "message": "a" * 2001}, "10029"),
]


def test_refused_messages_send_nothing(line: Line) -> None:
    """Each errno the request itself can earn (10027 below): the answer, and nothing sent."""
    for body, errno in REFUSED:
        assert line.refused("sms/send", **body) == errno, body
    line.advance(5)
    assert line.steps() == []
    assert line.sim.get("/sms") == []


def test_a_busy_module_is_10027(line: Line) -> None:
    first = line("sms/send", trunk="GSM1", phonenumber=NUMBER, message="one")["smsid"]
    # One message at a time.
    assert line.refused("sms/send", trunk="GSM1", phonenumber="0622334455", message="two") == (
        "10027"
    )
    line.advance(3)
    assert line.steps() == [("sms-send", "Success", first)]
    # A trunk that carries a call cannot send either (route Mobile-GSM: 9 + the number).
    callid = line("extension/dial_outbound", extid="1002", outto="90611223344", autoanswer="yes")[
        "callid"
    ]
    assert line.refused("sms/send", trunk="GSM1", phonenumber=NUMBER, message="three") == "10027"
    line.hangup(callid, "1002")
    line.take()
    later = line("sms/send", trunk="GSM1", phonenumber=NUMBER, message="four")["smsid"]
    line.advance(3)
    assert line.steps() == [("sms-send", "Success", later)]
    assert [sms["message"] for sms in line.sim.get("/sms")] == ["one", "four"]
