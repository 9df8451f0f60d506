"""``ReportReceiver`` and ``parse_report``, fed the vendor's byte-exact bodies in both
formats, through the ASGI app and over real HTTP."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import httpx
import pytest

from yspbx.client import (
    Alert,
    Answer,
    Answered,
    BootUp,
    Bye,
    CallFailed,
    ConfigChange,
    Dtmf,
    Event,
    ExtensionParty,
    ExtensionStatus,
    InboundParty,
    Incoming,
    Invite,
    NewCdr,
    OutboundParty,
    PlayPromptEnd,
    ReportFormatError,
    ReportReceiver,
    Ring,
    Satisfaction,
    SmsResult,
    Transfer,
    UnknownEvent,
    parse_report,
)
from yspbx.testing import ReportCollector

SN = "369400000123"

# Legacy format (no "version" at login): parties written straight into the report, repeated.
LEGACY_RING = (
    b'{"action":"RING","callid":"1709283555.52","ext":{"extid":"2002"},"ext":{"extid":"2001"}}'
)
LEGACY_TRANSFER = (
    b'{"action":"Tranfer","callid":"1505291815.120","ext":{"extid":"1000"},"inbound":'
    b'{"from":"102","to":"1000","trunk":"Trunk1","inboundid":"1505291815.120"}}'
)
LEGACY_DTMF = (
    b'{"action":"DTMF","callid":"1505292000.130","outbound":{"from":"1002","to":"41000",'
    b'"trunk":"SIP-142","outboundid":"1505292000.131"},"info":"#"}'
)
LEGACY_INVITE = (
    b'{"action":"Invite","callid":"1709284000.90","inbound":{"from":"0612345678","to":"4420001",'
    b'"trunk":"SIP-Carrier","inboundid":"1709284000.90"}}'
)

# Format 1.0.2: parties in a "call" array.
RING_INTERNAL = (
    b'{"action":"RING","callid":"1709283555.52","call":[{"ext":{"extid":"2002"}},'
    b'{"ext":{"extid":"2001"}}],"sn":"369400000123"}'
)
RING_OUTBOUND = (
    b'{"action":"RING","callid":"1709283600.55","call":[\n  {"outbound":{"from":"2001",'
    b'"to":"0698765432","trunk":"SIP-Carrier","outboundid":"1709283600.56"}},\n  '
    b'{"ext":{"extid":"2001"}}],"sn":"369400000123"}'
)
RING_INBOUND = (
    b'{"action":"RING","callid":"1709283700.60","call":[\n  {"ext":{"extid":"2002"}},\n  '
    b'{"inbound":{"from":"0612345678","to":"4420001","trunk":"SIP-Carrier",'
    b'"inboundid":"1709283700.60"}}],\n "sn":"369400000123"}'
)
ALERT = (
    b'{"action":"ALERT","callid":"1709283555.52","call":[{"ext":{"extid":"2001"}}],'
    b'"sn":"369400000123"}'
)
ANSWER = (
    b'{"action":"ANSWER","callid":"1709283555.52","call":[{"ext":{"extid":"2002"}},'
    b'{"ext":{"extid":"2001"}}],"sn":"369400000123"}'
)
ANSWERED = (
    b'{"action":"ANSWERED","callid":"1709283555.52","call":[{"ext":{"extid":"2001"}},'
    b'{"ext":{"extid":"2002"}}],"sn":"369400000123"}'
)
BYE = (
    b'{"action":"BYE","callid":"1709283555.52","call":[{"ext":{"extid":"2002"}},'
    b'{"ext":{"extid":"2001"}}],"sn":"369400000123"}'
)
TRANSFER = (
    b'{"action":"Tranfer","callid":"1709283800.70","call":[{"ext":{"extid":"2001"}},'
    b'{"ext":{"extid":"2003"}}],"sn":"369400000123"}'
)
CALL_FAILED = (
    b'{"action":"CallFailed","reason":"486 Busy Here","callid":"1709283900.80",\n '
    b'"outbound":{"from":"2002","to":"0698765432","trunk":"SIP-Carrier",'
    b'"outboundid":"1709283900.81"},\n "ext":{"extid":"2002"},"sn":"369400000123"}'
)
CALL_FAILED_DND = (
    b'{"action":"CallFailed","reason":"DND","callid":"1709283950.84","ext":{"extid":"2005"},'
    b'"sn":"369400000123"}'
)
INVITE = (
    b'{"action":"Invite","callid":"1709284000.90","call":[{"inbound":{"from":"0612345678",'
    b'"to":"4420001",\n "trunk":"SIP-Carrier","inboundid":"1709284000.90"}}],'
    b'"sn":"369400000123"}'
)
INCOMING = INVITE.replace(b'"Invite"', b'"Incoming"')
DTMF = (
    b'{"action":"DTMF","callid":"1709284100.95","call":[{"ext":{"extid":"2001"}}],"info":"2",'
    b'"flag":"0","sn":"369400000123"}'
)
NEW_CDR = (
    b'{"action":"NewCdr","callid":"1709283700.60","timestart":"2024-03-01 09:21:40",'
    b'"callfrom":"0612345678",\n "callto":"2002","srctrunkname":"SIP-Carrier",'
    b'"callduraction":"61","talkduraction":"50",\n "status":"ANSWERED","type":"Inbound",'
    b'"didnumber":"4420001",\n "recording":"20240301092150-1709283700.60-0612345678-2002-'
    b'Inbound.wav","sn":"369400000123"}'
)
NEW_CDR_INTERNAL = (
    b'{"action":"NewCdr","callid":"1709283555.52","timestart":"2024-03-01 09:19:15",'
    b'"callfrom":"2001",\n "callto":"2002","desttrunkname":"","callduraction":"42",'
    b'"talkduraction":"35","status":"ANSWERED",\n "type":"Internal","sn":"369400000123"}'
)
PROMPT_END_EXT = (
    b'{"action":"PlayPromptEnd","callid":"1709284300.101","ext":{"extid":"2001"},'
    b'"prompt":"welcome","sn":"369400000123"}'
)
PROMPT_END_NUMBER = (
    b'{"action":"PlayPromptEnd","callid":"1709284400.105","outbound":{"trunkname":"SIP-Carrier"},'
    b'"prompt":"welcome","sn":"369400000123"}'
)
BOOT = b'{"action":"BootUp","sn":"369400000123"}'
CONFIG_EXTENSION = (
    b'{"action":"ConfigChange","type":"extension","extid":"2001","operation":"update",'
    b'"sn":"369400000123"}'
)
CONFIG_TRUNK = (
    b'{"action":"ConfigChange","type":"trunk","trunkname":"SIP-Carrier","operation":"del",'
    b'"sn":"369400000123"}'
)
EXTENSION_STATUS = (
    b'{"action":"ExtensionStatus","extension":"2001","status":"Ringing","sn":"369400000123"}'
)
SATISFACTION = (
    b'{"action":"satisfaction","surveyresult":"1","callid":"1709284500.110","sn":"369400000123"}'
)
SMS_OK = (
    b'{"action":"sms-send","status":"Success","smsid":"0611223344-1709284000","sn":"369400000123"}'
)


def ext(number: str) -> ExtensionParty:
    return ExtensionParty(extension=number)


def test_legacy_repeated_keys_are_all_kept_in_order() -> None:
    event = parse_report(LEGACY_RING)
    assert isinstance(event, Ring)
    assert event.callid == "1709283555.52"
    assert event.parties == [ext("2002"), ext("2001")]
    assert event.extensions == ["2002", "2001"]
    assert event.raw["ext"] == [{"extid": "2002"}, {"extid": "2001"}]
    assert event.serial_number == ""
    assert event.body == LEGACY_RING


def test_legacy_mixed_parties() -> None:
    transfer = parse_report(LEGACY_TRANSFER)
    assert isinstance(transfer, Transfer)
    assert transfer.action == "Tranfer"
    assert transfer.parties == [
        ext("1000"),
        InboundParty(from_number="102", to_number="1000", trunk="Trunk1", id="1505291815.120"),
    ]
    dtmf = parse_report(LEGACY_DTMF)
    assert isinstance(dtmf, Dtmf)
    assert dtmf.key == "#"
    assert dtmf.position is None
    assert dtmf.outbound == OutboundParty(
        from_number="1002", to_number="41000", trunk="SIP-142", id="1505292000.131"
    )
    invite = parse_report(LEGACY_INVITE)
    assert isinstance(invite, Invite)
    assert invite.inbound is not None
    assert invite.inbound.id == "1709284000.90"


@pytest.mark.parametrize(
    ("body", "kind", "parties"),
    [
        (RING_INTERNAL, Ring, ["2002", "2001"]),
        (ALERT, Alert, ["2001"]),
        (ANSWER, Answer, ["2002", "2001"]),
        (ANSWERED, Answered, ["2001", "2002"]),
        (BYE, Bye, ["2002", "2001"]),
        (TRANSFER, Transfer, ["2001", "2003"]),
        (DTMF, Dtmf, ["2001"]),
        (CALL_FAILED_DND, CallFailed, ["2005"]),
        (PROMPT_END_EXT, PlayPromptEnd, ["2001"]),
    ],
)
def test_call_reports_in_format_1_0_2(body: bytes, kind: type[Event], parties: list[str]) -> None:
    event = parse_report(body)
    assert type(event) is kind
    assert event.serial_number == SN
    assert event.extensions == parties  # type: ignore[attr-defined]


def test_external_parties_keep_their_place() -> None:
    outbound = parse_report(RING_OUTBOUND)
    assert isinstance(outbound, Ring)
    assert [p.kind for p in outbound.parties] == ["outbound", "ext"]
    assert outbound.outbound is not None
    assert (outbound.outbound.to_number, outbound.outbound.id) == ("0698765432", "1709283600.56")
    inbound = parse_report(RING_INBOUND)
    assert isinstance(inbound, Ring)
    assert [p.kind for p in inbound.parties] == ["ext", "inbound"]
    assert inbound.inbound == InboundParty(
        from_number="0612345678", to_number="4420001", trunk="SIP-Carrier", id="1709283700.60"
    )


def test_call_failed_with_top_level_parties() -> None:
    event = parse_report(CALL_FAILED)
    assert isinstance(event, CallFailed)
    assert event.reason == "486 Busy Here"
    assert [p.kind for p in event.parties] == ["outbound", "ext"]


def test_inbound_control_reports() -> None:
    for body, kind in ((INVITE, Invite), (INCOMING, Incoming)):
        event = parse_report(body)
        assert type(event) is kind
        assert isinstance(event, Invite | Incoming)
        assert event.inbound is not None
        assert (event.inbound.from_number, event.inbound.trunk) == ("0612345678", "SIP-Carrier")


def test_dtmf_fields() -> None:
    event = parse_report(DTMF)
    assert isinstance(event, Dtmf)
    assert (event.key, event.position, event.keys) == ("2", 0, None)


def test_new_cdr_vendor_spellings_become_clear_names() -> None:
    event = parse_report(NEW_CDR)
    assert isinstance(event, NewCdr)
    assert event.time_start == datetime(2024, 3, 1, 9, 21, 40)
    assert (event.caller, event.callee) == ("0612345678", "2002")
    assert (event.call_duration, event.talk_duration) == (61, 50)
    assert event.source_trunk == "SIP-Carrier"
    assert (event.status, event.call_type, event.did_number) == ("ANSWERED", "Inbound", "4420001")
    assert event.recording.endswith("-2002-Inbound.wav")
    internal = parse_report(NEW_CDR_INTERNAL)
    assert isinstance(internal, NewCdr)
    assert internal.destination_trunk == ""
    assert internal.call_type == "Internal"
    table_spelling = parse_report(b'{"action":"NewCdr","callid":"1","dstrunkname":"SIP-Carrier"}')
    assert isinstance(table_spelling, NewCdr)
    assert table_spelling.destination_trunk == "SIP-Carrier"


def test_other_reports() -> None:
    assert type(parse_report(BOOT)) is BootUp
    change = parse_report(CONFIG_EXTENSION)
    assert isinstance(change, ConfigChange)
    assert (change.object_type, change.extension, change.operation) == (
        "extension",
        "2001",
        "update",
    )
    trunk = parse_report(CONFIG_TRUNK)
    assert isinstance(trunk, ConfigChange)
    assert (trunk.trunk, trunk.operation) == ("SIP-Carrier", "del")
    status = parse_report(EXTENSION_STATUS)
    assert isinstance(status, ExtensionStatus)
    assert (status.extension, status.status) == ("2001", "Ringing")
    survey = parse_report(SATISFACTION)
    assert isinstance(survey, Satisfaction)
    assert survey.result == "1"
    sms = parse_report(SMS_OK)
    assert isinstance(sms, SmsResult)
    assert sms.succeeded
    assert sms.sms_id == "0611223344-1709284000"
    prompt = parse_report(PROMPT_END_NUMBER)
    assert isinstance(prompt, PlayPromptEnd)
    assert prompt.prompt == "welcome"
    assert prompt.outbound is not None
    assert prompt.outbound.trunk == "SIP-Carrier"


def test_unknown_and_unreadable_reports_are_kept() -> None:
    unknown = parse_report(b'{"action":"QueueAutoPause","queue":"6700","sn":"1"}')
    assert type(unknown) is UnknownEvent
    assert unknown.raw == {"action": "QueueAutoPause", "queue": "6700", "sn": "1"}
    bad_field = parse_report(b'{"action":"NewCdr","timestart":"yesterday-ish"}')
    assert type(bad_field) is UnknownEvent
    assert bad_field.action == "NewCdr"
    for not_a_report in (b"", b"nope", b"[1,2]", b'{"sn":"1"}', b'{"action":7}'):
        with pytest.raises(ReportFormatError):
            parse_report(not_a_report)


def _headers() -> dict[str, str]:
    # What the PBX sends with every report (docs/pbx-api/reports.md).
    return {
        "User-Agent": "WebAPI",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }


async def _post(receiver: ReportReceiver, body: bytes, path: str = "/") -> httpx.Response:
    transport = httpx.ASGITransport(app=receiver)
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as http:
        return await http.post(path, content=body, headers=_headers())


async def test_handlers_by_class_by_name_and_for_any() -> None:
    receiver = ReportReceiver()
    seen: list[tuple[str, Any]] = []

    @receiver.on(Ring)
    async def by_class(event: Ring) -> None:
        seen.append(("class", event.extensions))

    @receiver.on("RING")
    def by_name(event: Event) -> None:  # a plain function: runs in a worker thread
        seen.append(("name", event.action))

    @receiver.on("Transfer")  # the documented spelling also catches the PBX's "Tranfer"
    async def transfers(event: Event) -> None:
        seen.append(("transfer", event.action))

    @receiver.on_any
    async def everything(event: Event) -> None:
        seen.append(("any", event.action))

    assert (await _post(receiver, LEGACY_RING)).status_code == 200
    assert (await _post(receiver, TRANSFER)).status_code == 200
    assert (await _post(receiver, BOOT)).status_code == 200
    assert seen == [
        ("class", ["2002", "2001"]),
        ("name", "RING"),
        ("any", "RING"),
        ("transfer", "Tranfer"),
        ("any", "Tranfer"),
        ("any", "BootUp"),
    ]


async def test_a_failed_handler_gets_the_report_again() -> None:
    receiver = ReportReceiver()
    calls: list[str] = []

    @receiver.on(NewCdr)
    async def store(event: NewCdr) -> None:
        calls.append(event.callid)
        if len(calls) == 1:
            raise RuntimeError("database down")

    first = await _post(receiver, NEW_CDR)
    assert first.status_code == 500  # not 200: the PBX sends it again
    again = await _post(receiver, NEW_CDR)
    assert again.status_code == 200
    assert calls == ["1709283700.60", "1709283700.60"]


async def test_unknown_actions_are_logged_and_acknowledged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    receiver = ReportReceiver()
    with caplog.at_level(logging.WARNING, logger="yspbx.client.reports"):
        answer = await _post(receiver, b'{"action":"QueueAutoPause","sn":"1"}')
    assert answer.status_code == 200
    assert "QueueAutoPause" in caplog.text


async def test_what_is_not_a_report_is_refused() -> None:
    receiver = ReportReceiver(path="/events/pbx")
    assert (await _post(receiver, b"{not json", "/events/pbx")).status_code == 400
    assert (await _post(receiver, BOOT, "/elsewhere")).status_code == 404
    assert (await _post(receiver, b"x" * (1024 * 1024 + 1), "/events/pbx")).status_code == 413
    transport = httpx.ASGITransport(app=receiver)
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as http:
        assert (await http.get("/events/pbx")).status_code == 405
    assert (await _post(receiver, BOOT, "/events/pbx")).status_code == 200


def test_reports_over_real_http() -> None:
    with ReportCollector() as collector:
        with httpx.Client(base_url=collector.url, headers=_headers()) as http:
            for body in (LEGACY_RING, RING_INBOUND, NEW_CDR):
                assert http.post("/", content=body).status_code == 200
        ring = collector.wait_for(Ring, where=lambda e: e.body == LEGACY_RING)
        assert isinstance(ring, Ring)
        assert ring.extensions == ["2002", "2001"]
        cdr = collector.wait_for("NewCdr")
        assert isinstance(cdr, NewCdr)
        assert cdr.call_duration == 61
        assert [e.action for e in collector.events] == ["RING", "RING", "NewCdr"]
        with pytest.raises(AssertionError, match="no BYE report"):
            collector.wait_for("BYE", timeout=0.05)
