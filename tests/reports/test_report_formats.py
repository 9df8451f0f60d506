"""Every report of docs/pbx-api/reports.md, rebuilt byte for byte from a typed domain event.

Each case pairs an event with the vendor's 1.0.2 example (``sn`` 369400000123) and the old guide's
legacy body for the same event (parties as repeated keys). Where the vendor prints a legacy
example itself, that exact text is the expectation, with one difference the evidence shows
(docs/fidelity.md): the old guide predates API 1.0.6, which put ``sn`` in every report, and
units send it in legacy reports too, last, as in 1.0.2.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

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
    PromptFinished,
    PromptTrunkParty,
    SmsResult,
    SurveyAnswered,
    SystemStarted,
)
from yspbx.pbx.models import Cdr
from yspbx.reports.formats import ACTIONS, action_of, render

SN = "369400000123"
CARRIER_IN = InboundParty("0612345678", "4420001", "SIP-Carrier", "1709283700.60")
INVITE_IN = InboundParty("0612345678", "4420001", "SIP-Carrier", "1709284000.90")
INVITE_IN_JSON = (
    '{"inbound":{"from":"0612345678","to":"4420001","trunk":"SIP-Carrier",'
    '"inboundid":"1709284000.90"}}'
)
INVITE_IN_MEMBER = INVITE_IN_JSON[1:-1]


def ext(extid: str) -> ExtParty:
    return ExtParty(extid)


# (name, event, 1.0.2 body, legacy body)
EXAMPLES: list[tuple[str, DomainEvent, str, str]] = [
    (
        "BootUp",
        SystemStarted(),
        '{"action":"BootUp","sn":"369400000123"}',
        '{"action":"BootUp"}',
    ),
    (
        "ConfigChange extension",
        ConfigChanged("extension", "update", "2001"),
        '{"action":"ConfigChange","type":"extension","extid":"2001","operation":"update",'
        '"sn":"369400000123"}',
        '{"action":"ConfigChange","type":"extension","extid":"2001","operation":"update"}',
    ),
    (
        "ConfigChange trunk",
        ConfigChanged("trunk", "del", "SIP-Carrier"),
        '{"action":"ConfigChange","type":"trunk","trunkname":"SIP-Carrier","operation":"del",'
        '"sn":"369400000123"}',
        '{"action":"ConfigChange","type":"trunk","trunkname":"SIP-Carrier","operation":"del"}',
    ),
    (
        "ExtensionStatus",
        ExtensionStatusChanged("2001", "Ringing"),
        '{"action":"ExtensionStatus","extension":"2001","status":"Ringing","sn":"369400000123"}',
        '{"action":"ExtensionStatus","extension":"2001","status":"Ringing"}',
    ),
    (
        "ALERT internal",
        CallAlerting("1709283555.52", (ext("2001"),)),
        '{"action":"ALERT","callid":"1709283555.52","call":[{"ext":{"extid":"2001"}}],'
        '"sn":"369400000123"}',
        '{"action":"ALERT","callid":"1709283555.52","ext":{"extid":"2001"}}',
    ),
    (
        "RING internal",
        CallRinging("1709283555.52", (ext("2002"), ext("2001"))),
        '{"action":"RING","callid":"1709283555.52","call":[{"ext":{"extid":"2002"}},'
        '{"ext":{"extid":"2001"}}],"sn":"369400000123"}',
        # The vendor's own legacy example: "ext" twice.
        '{"action":"RING","callid":"1709283555.52","ext":{"extid":"2002"},"ext":{"extid":"2001"}}',
    ),
    (
        "RING outbound",
        CallRinging(
            "1709283600.55",
            (OutboundParty("2001", "0698765432", "SIP-Carrier", "1709283600.56"), ext("2001")),
        ),
        '{"action":"RING","callid":"1709283600.55","call":['
        '{"outbound":{"from":"2001","to":"0698765432","trunk":"SIP-Carrier",'
        '"outboundid":"1709283600.56"}},{"ext":{"extid":"2001"}}],"sn":"369400000123"}',
        '{"action":"RING","callid":"1709283600.55",'
        '"outbound":{"from":"2001","to":"0698765432","trunk":"SIP-Carrier",'
        '"outboundid":"1709283600.56"},"ext":{"extid":"2001"}}',
    ),
    (
        "RING inbound",
        CallRinging("1709283700.60", (ext("2002"), CARRIER_IN)),
        '{"action":"RING","callid":"1709283700.60","call":[{"ext":{"extid":"2002"}},'
        '{"inbound":{"from":"0612345678","to":"4420001","trunk":"SIP-Carrier",'
        '"inboundid":"1709283700.60"}}],"sn":"369400000123"}',
        '{"action":"RING","callid":"1709283700.60","ext":{"extid":"2002"},'
        '"inbound":{"from":"0612345678","to":"4420001","trunk":"SIP-Carrier",'
        '"inboundid":"1709283700.60"}}',
    ),
    (
        "ANSWER",
        CallAnswer("1709283555.52", (ext("2002"), ext("2001"))),
        '{"action":"ANSWER","callid":"1709283555.52","call":[{"ext":{"extid":"2002"}},'
        '{"ext":{"extid":"2001"}}],"sn":"369400000123"}',
        '{"action":"ANSWER","callid":"1709283555.52","ext":{"extid":"2002"},'
        '"ext":{"extid":"2001"}}',
    ),
    (
        "ANSWERED",
        CallAnswered("1709283555.52", (ext("2001"), ext("2002"))),
        '{"action":"ANSWERED","callid":"1709283555.52","call":[{"ext":{"extid":"2001"}},'
        '{"ext":{"extid":"2002"}}],"sn":"369400000123"}',
        '{"action":"ANSWERED","callid":"1709283555.52","ext":{"extid":"2001"},'
        '"ext":{"extid":"2002"}}',
    ),
    (
        "BYE first",
        CallReleased("1709283555.52", (ext("2002"), ext("2001"))),
        '{"action":"BYE","callid":"1709283555.52","call":[{"ext":{"extid":"2002"}},'
        '{"ext":{"extid":"2001"}}],"sn":"369400000123"}',
        '{"action":"BYE","callid":"1709283555.52","ext":{"extid":"2002"},"ext":{"extid":"2001"}}',
    ),
    (
        "BYE second",
        CallReleased("1709283555.52", (ext("2001"), ext("2002"))),
        '{"action":"BYE","callid":"1709283555.52","call":[{"ext":{"extid":"2001"}},'
        '{"ext":{"extid":"2002"}}],"sn":"369400000123"}',
        '{"action":"BYE","callid":"1709283555.52","ext":{"extid":"2001"},"ext":{"extid":"2002"}}',
    ),
    (
        "Tranfer",
        CallTransferred("1709283800.70", (ext("2001"), ext("2003"))),
        '{"action":"Tranfer","callid":"1709283800.70","call":[{"ext":{"extid":"2001"}},'
        '{"ext":{"extid":"2003"}}],"sn":"369400000123"}',
        '{"action":"Tranfer","callid":"1709283800.70","ext":{"extid":"2001"},'
        '"ext":{"extid":"2003"}}',
    ),
    (
        "Tranfer old guide",
        CallTransferred(
            "1505291815.120",
            (ext("1000"), InboundParty("102", "1000", "Trunk1", "1505291815.120")),
        ),
        '{"action":"Tranfer","callid":"1505291815.120","call":[{"ext":{"extid":"1000"}},'
        '{"inbound":{"from":"102","to":"1000","trunk":"Trunk1","inboundid":"1505291815.120"}}],'
        '"sn":"369400000123"}',
        # The old guide's legacy example, verbatim.
        '{"action":"Tranfer","callid":"1505291815.120","ext":{"extid":"1000"},'
        '"inbound":{"from":"102","to":"1000","trunk":"Trunk1","inboundid":"1505291815.120"}}',
    ),
    (
        "CallFailed outbound",
        CallFailed(
            "1709283900.80",
            "486 Busy Here",
            (OutboundParty("2002", "0698765432", "SIP-Carrier", "1709283900.81"), ext("2002")),
        ),
        '{"action":"CallFailed","reason":"486 Busy Here","callid":"1709283900.80",'
        '"outbound":{"from":"2002","to":"0698765432","trunk":"SIP-Carrier",'
        '"outboundid":"1709283900.81"},"ext":{"extid":"2002"},"sn":"369400000123"}',
        '{"action":"CallFailed","reason":"486 Busy Here","callid":"1709283900.80",'
        '"outbound":{"from":"2002","to":"0698765432","trunk":"SIP-Carrier",'
        '"outboundid":"1709283900.81"},"ext":{"extid":"2002"}}',
    ),
    (
        "CallFailed DND",
        CallFailed("1709283950.84", "DND", (ext("2005"),)),
        '{"action":"CallFailed","reason":"DND","callid":"1709283950.84","ext":{"extid":"2005"},'
        '"sn":"369400000123"}',
        '{"action":"CallFailed","reason":"DND","callid":"1709283950.84","ext":{"extid":"2005"}}',
    ),
    (
        "Invite",
        InboundCallOffered("1709284000.90", INVITE_IN),
        f'{{"action":"Invite","callid":"1709284000.90","call":[{INVITE_IN_JSON}],'
        '"sn":"369400000123"}',
        f'{{"action":"Invite","callid":"1709284000.90",{INVITE_IN_MEMBER}}}',
    ),
    (
        "Incoming",
        InboundCallArrived("1709284000.90", INVITE_IN),
        f'{{"action":"Incoming","callid":"1709284000.90","call":[{INVITE_IN_JSON}],'
        '"sn":"369400000123"}',
        f'{{"action":"Incoming","callid":"1709284000.90",{INVITE_IN_MEMBER}}}',
    ),
    (
        "DTMF extension",
        KeyPressed("1709284100.95", (ext("2001"),), info="2", flag=0, infos=""),
        '{"action":"DTMF","callid":"1709284100.95","call":[{"ext":{"extid":"2001"}}],'
        '"info":"2","flag":"0","sn":"369400000123"}',
        '{"action":"DTMF","callid":"1709284100.95","ext":{"extid":"2001"},"info":"2"}',
    ),
    (
        "DTMF inbound",
        KeyPressed(
            "1709284200.99",
            (InboundParty("0612345678", "6500", "SIP-Carrier", "1709284200.99"),),
            info="1",
            flag=0,
            infos="",
        ),
        '{"action":"DTMF","callid":"1709284200.99","call":[{"inbound":{"from":"0612345678",'
        '"to":"6500","trunk":"SIP-Carrier","inboundid":"1709284200.99"}}],"info":"1","flag":"0",'
        '"sn":"369400000123"}',
        '{"action":"DTMF","callid":"1709284200.99","inbound":{"from":"0612345678","to":"6500",'
        '"trunk":"SIP-Carrier","inboundid":"1709284200.99"},"info":"1"}',
    ),
    (
        "DTMF old guide",
        KeyPressed(
            "1495705009.315",
            (OutboundParty("1002", "41000", "SIP-142", "1495705009.316"),),
            info="#",
            flag=0,
            infos="#",
        ),
        '{"action":"DTMF","callid":"1495705009.315","call":[{"outbound":{"from":"1002",'
        '"to":"41000","trunk":"SIP-142","outboundid":"1495705009.316"}}],"info":"#","flag":"0",'
        '"infos":"#","sn":"369400000123"}',
        # The old guide's legacy example, with its ids.
        '{"action":"DTMF","callid":"1495705009.315","outbound":{"from":"1002","to":"41000",'
        '"trunk":"SIP-142","outboundid":"1495705009.316"},"info":"#"}',
    ),
    (
        "NewCdr internal",
        CdrWritten(
            Cdr(
                callid="1709283555.52",
                started_at=1709284755.0,
                timestart="2024-03-01 09:19:15",
                callfrom="2001",
                callto="2002",
                call_duration=42,
                talk_duration=35,
                status="ANSWERED",
                type="Internal",
            )
        ),
        '{"action":"NewCdr","callid":"1709283555.52","timestart":"2024-03-01 09:19:15",'
        '"callfrom":"2001","callto":"2002","desttrunkname":"","callduraction":"42",'
        '"talkduraction":"35","status":"ANSWERED","type":"Internal","sn":"369400000123"}',
        '{"action":"NewCdr","callid":"1709283555.52","timestart":"2024-03-01 09:19:15",'
        '"callfrom":"2001","callto":"2002","desttrunkname":"","callduraction":"42",'
        '"talkduraction":"35","status":"ANSWERED","type":"Internal"}',
    ),
    (
        "NewCdr inbound",
        CdrWritten(
            Cdr(
                callid="1709283700.60",
                started_at=1709284900.0,
                timestart="2024-03-01 09:21:40",
                callfrom="0612345678",
                callto="2002",
                call_duration=61,
                talk_duration=50,
                status="ANSWERED",
                type="Inbound",
                srctrunkname="SIP-Carrier",
                didnumber="4420001",
                recording="20240301092150-1709283700.60-0612345678-2002-Inbound.wav",
            )
        ),
        '{"action":"NewCdr","callid":"1709283700.60","timestart":"2024-03-01 09:21:40",'
        '"callfrom":"0612345678","callto":"2002","srctrunkname":"SIP-Carrier",'
        '"callduraction":"61","talkduraction":"50","status":"ANSWERED","type":"Inbound",'
        '"didnumber":"4420001",'
        '"recording":"20240301092150-1709283700.60-0612345678-2002-Inbound.wav",'
        '"sn":"369400000123"}',
        '{"action":"NewCdr","callid":"1709283700.60","timestart":"2024-03-01 09:21:40",'
        '"callfrom":"0612345678","callto":"2002","srctrunkname":"SIP-Carrier",'
        '"callduraction":"61","talkduraction":"50","status":"ANSWERED","type":"Inbound",'
        '"didnumber":"4420001",'
        '"recording":"20240301092150-1709283700.60-0612345678-2002-Inbound.wav"}',
    ),
    (
        "PlayPromptEnd extension",
        PromptFinished("1709284300.101", "welcome", party=ext("2001")),
        '{"action":"PlayPromptEnd","callid":"1709284300.101","ext":{"extid":"2001"},'
        '"prompt":"welcome","sn":"369400000123"}',
        '{"action":"PlayPromptEnd","callid":"1709284300.101","ext":{"extid":"2001"},'
        '"prompt":"welcome"}',
    ),
    (
        "PlayPromptEnd external",
        PromptFinished("1709284400.105", "welcome", party=PromptTrunkParty("SIP-Carrier")),
        '{"action":"PlayPromptEnd","callid":"1709284400.105",'
        '"outbound":{"trunkname":"SIP-Carrier"},"prompt":"welcome","sn":"369400000123"}',
        '{"action":"PlayPromptEnd","callid":"1709284400.105",'
        '"outbound":{"trunkname":"SIP-Carrier"},"prompt":"welcome"}',
    ),
    (
        "satisfaction",
        SurveyAnswered("1709284500.110", "1"),
        '{"action":"satisfaction","surveyresult":"1","callid":"1709284500.110",'
        '"sn":"369400000123"}',
        '{"action":"satisfaction","surveyresult":"1","callid":"1709284500.110"}',
    ),
    (
        "sms-send success",
        SmsResult("0611223344-1709284000", "Success"),
        '{"action":"sms-send","status":"Success","smsid":"0611223344-1709284000",'
        '"sn":"369400000123"}',
        '{"action":"sms-send","status":"Success","smsid":"0611223344-1709284000"}',
    ),
    (
        "sms-send failed",
        SmsResult("0611223344-1709284000", "Failed"),
        '{"action":"sms-send","status":"Failed","smsid":"0611223344-1709284000",'
        '"sn":"369400000123"}',
        '{"action":"sms-send","status":"Failed","smsid":"0611223344-1709284000"}',
    ),
]

IDS = [name for name, *_ in EXAMPLES]


@pytest.mark.parametrize(("name", "event", "body", "legacy"), EXAMPLES, ids=IDS)
def test_version_1_0_2_body_is_the_documented_example(
    name: str, event: DomainEvent, body: str, legacy: str
) -> None:
    assert render(event, SN, well_formed=True) == body.encode()


def with_sn(old_guide: str) -> bytes:
    """An old-guide legacy example as a unit since API 1.0.6 sends it: ``sn`` last."""
    assert old_guide.endswith("}")
    assert '"sn"' not in old_guide
    return f'{old_guide[:-1]},"sn":"{SN}"}}'.encode()


@pytest.mark.parametrize(("name", "event", "body", "legacy"), EXAMPLES, ids=IDS)
def test_legacy_body_is_the_old_guides_shape_with_the_serial_number(
    name: str, event: DomainEvent, body: str, legacy: str
) -> None:
    assert render(event, SN, well_formed=False) == with_sn(legacy)


# Legacy reports as a unit of the same API family sends them (captured in a public guide of
# that unit, docs/fidelity.md), rebuilt with this suite's own numbers: an external caller
# ringing an extension gives ALERT with the inbound party, then RING, ``sn`` last in each.
CAPTURED_LEGACY_SHAPES = [
    (
        CallAlerting(
            "1589948512.1709", (InboundParty("103", "101", "to-18-16-2", "1589948512.1707"),)
        ),
        '{"action":"ALERT","callid":"1589948512.1709","inbound":{"from":"103","to":"101",'
        '"trunk":"to-18-16-2","inboundid":"1589948512.1707"},"sn":"a09805021987"}',
    ),
    (
        CallRinging(
            "1589948512.1709",
            (ext("101"), InboundParty("103", "101", "to-18-16-2", "1589948512.1707")),
        ),
        '{"action":"RING","callid":"1589948512.1709","ext":{"extid":"101"},"inbound":{'
        '"from":"103","to":"101","trunk":"to-18-16-2","inboundid":"1589948512.1707"},"sn":"a09805021987"}',
    ),
    (
        CallTransferred(
            "1589957892.2030",
            (ext("102"), InboundParty("101", "102", "to-18-16-2", "1589957892.2030")),
        ),
        '{"action":"Tranfer","callid":"1589957892.2030","ext":{"extid":"102"},"inbound":{'
        '"from":"101","to":"102","trunk":"to-18-16-2","inboundid":"1589957892.2030"},'
        '"sn":"a09805021987"}',
    ),
]


@pytest.mark.parametrize(("event", "body"), CAPTURED_LEGACY_SHAPES)
def test_legacy_bodies_have_the_captured_shape(event: DomainEvent, body: str) -> None:
    assert render(event, "a09805021987", well_formed=False) == body.encode()


@pytest.mark.parametrize(("name", "event", "body", "legacy"), EXAMPLES, ids=IDS)
def test_both_formats_carry_the_same_members(
    name: str, event: DomainEvent, body: str, legacy: str
) -> None:
    """1.0.2 is strict JSON; legacy, read pair by pair, holds the same parties in the same order."""
    modern = json.loads(render(event, SN, well_formed=True))
    pairs: list[tuple[str, Any]] = json.loads(
        render(event, SN, well_formed=False), object_pairs_hook=lambda p: p
    )
    assert modern.pop("sn") == SN
    parties = [next(iter(item.items())) for item in modern.pop("call", [])]
    legacy_keys = [key for key, _ in pairs]
    assert legacy_keys.count("action") == 1
    flat = [(k, v if not isinstance(v, list) else dict(v)) for k, v in pairs]
    for key, value in parties:
        assert (key, value) in flat
    if isinstance(event, KeyPressed):
        modern.pop("flag")
        modern.pop("infos", None)
    for key, value in modern.items():
        assert (key, value) in flat


def test_every_documented_action_is_covered() -> None:
    assert sorted(ACTIONS.values()) == sorted(
        [
            "BootUp",
            "ConfigChange",
            "ExtensionStatus",
            "RING",
            "ALERT",
            "ANSWER",
            "ANSWERED",
            "BYE",
            "Tranfer",
            "CallFailed",
            "Invite",
            "Incoming",
            "DTMF",
            "NewCdr",
            "PlayPromptEnd",
            "satisfaction",
            "sms-send",
        ]
    )
    assert {action_of(event) for _, event, _, _ in EXAMPLES} == set(ACTIONS.values())


def test_values_are_escaped_and_utf8() -> None:
    event = ExtensionStatusChanged('20"01\\', "Idle")
    body = render(event, 'S"N', well_formed=True)
    assert json.loads(body) == {
        "action": "ExtensionStatus",
        "extension": '20"01\\',
        "status": "Idle",
        "sn": 'S"N',
    }
    prompt = render(PromptFinished("1.1", "bienvenue-é"), SN, well_formed=False)
    assert prompt == with_sn('{"action":"PlayPromptEnd","callid":"1.1","prompt":"bienvenue-é"}')


def test_ivr_prompt_and_optional_cdr_fields() -> None:
    ivr = PromptFinished("1.2", "menu", party=ext("1000"), ivrid="6200", playtonum="1000")
    assert render(ivr, SN, well_formed=True) == (
        b'{"action":"PlayPromptEnd","callid":"1.2","ext":{"extid":"1000"},'
        b'"ivr":{"ivrid":"6200"},"playtonum":"1000","prompt":"menu","sn":"369400000123"}'
    )
    cdr = Cdr(
        callid="1.3",
        started_at=0.0,
        timestart="2024-03-01 00:00:00",
        callfrom="1000",
        callto="0611",
        call_duration=5,
        talk_duration=0,
        status="NO ANSWER",
        type="Outbound",
        desttrunkname="SIP-Carrier",
        pincode="77",
        agentringtime="3",
        cdrid="12",
    )
    assert render(CdrWritten(cdr), SN, well_formed=False) == with_sn(
        '{"action":"NewCdr","callid":"1.3","cdrid":"12","timestart":"2024-03-01 00:00:00",'
        '"callfrom":"1000","callto":"0611","desttrunkname":"SIP-Carrier","callduraction":"5",'
        '"talkduraction":"0","status":"NO ANSWER","type":"Outbound","pincode":"77",'
        '"agentringtime":"3"}'
    )
