"""The report examples of ``docs/pbx-api/reports.md`` are what yspbx sends, byte for byte.

Each example body is read back into the domain event it shows, and that event is written again
by :mod:`yspbx.reports.formats` in the example's format (1.0.2 in a ``json`` block, the older
format in a plain one): the two must be the same bytes. Every report yspbx sends has a section
there, with an example in each format.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.pbx_api_docs import REFERENCE, Section, sections
from yspbx.pbx.events import (
    CallFailed,
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
    Party,
    PromptFinished,
    PromptTrunkParty,
    SmsResult,
    SurveyAnswered,
    SystemStarted,
)
from yspbx.pbx.models import Cdr
from yspbx.reports.formats import ACTIONS, render

EVENT_OF = {action: event for event, action in ACTIONS.items()}
PAGE = REFERENCE / "reports.md"


class Members(list[tuple[str, Any]]):
    """A JSON object as its members in order, repeated keys kept (the older format has them)."""

    def get(self, key: str, default: Any = None) -> Any:
        return next((value for name, value in self if name == key), default)


def _read(text: str) -> Members:
    members: Members = json.loads(text, object_pairs_hook=Members)
    return members


def _party(kind: str, value: Members) -> Party | PromptTrunkParty:
    fields = dict(value)
    if kind == "ext":
        return ExtParty(fields["extid"])
    if kind == "inbound":
        return InboundParty(fields["from"], fields["to"], fields["trunk"], fields["inboundid"])
    if "outboundid" not in fields:
        return PromptTrunkParty(fields["trunkname"])
    return OutboundParty(fields["from"], fields["to"], fields["trunk"], fields["outboundid"])


def _parties(body: Members) -> list[Party | PromptTrunkParty]:
    members = [item for one in body.get("call", []) for item in one] or list(body)
    return [_party(key, value) for key, value in members if key in ("ext", "inbound", "outbound")]


def _calls(body: Members) -> tuple[Party, ...]:
    parties = _parties(body)
    assert not any(isinstance(p, PromptTrunkParty) for p in parties)
    return tuple(p for p in parties if not isinstance(p, PromptTrunkParty))


def _cdr(body: Members) -> Cdr:
    return Cdr(
        callid=body.get("callid"),
        started_at=0.0,
        timestart=body.get("timestart"),
        callfrom=body.get("callfrom"),
        callto=body.get("callto"),
        call_duration=int(body.get("callduraction")),
        talk_duration=int(body.get("talkduraction")),
        status=body.get("status"),
        type=body.get("type"),
        **{
            key: body.get(key, "")
            for key in (
                "srctrunkname",
                "desttrunkname",
                "pincode",
                "recording",
                "didnumber",
                "agentringtime",
                "cdrid",
            )
        },
    )


def event_of(body: Members) -> DomainEvent:
    """The domain event a report body shows."""
    kind = EVENT_OF[body.get("action")]
    callid = body.get("callid")
    if kind is SystemStarted:
        return SystemStarted()
    if kind is ConfigChanged:
        key = body.get("extid") or body.get("trunkname")
        return ConfigChanged(body.get("type"), body.get("operation"), key)
    if kind is ExtensionStatusChanged:
        return ExtensionStatusChanged(body.get("extension"), body.get("status"))
    if kind is CallFailed:
        return CallFailed(callid, body.get("reason"), _calls(body))
    if kind in (InboundCallOffered, InboundCallArrived):
        (inbound,) = _calls(body)
        assert isinstance(inbound, InboundParty)
        return kind(callid, inbound)
    if kind is KeyPressed:
        flag = int(body.get("flag", "0"))
        return KeyPressed(callid, _calls(body), body.get("info"), flag, body.get("infos", ""))
    if kind is CdrWritten:
        return CdrWritten(_cdr(body))
    if kind is PromptFinished:
        parties = _parties(body)
        party = parties[0] if parties else None
        assert not isinstance(party, OutboundParty)  # a prompt names its trunk alone
        ivr = body.get("ivr")
        ivrid = dict(ivr)["ivrid"] if ivr is not None else None
        return PromptFinished(callid, body.get("prompt"), party, ivrid, body.get("playtonum"))
    if kind is SurveyAnswered:
        return SurveyAnswered(callid, body.get("surveyresult"))
    if kind is SmsResult:
        return SmsResult(body.get("smsid"), body.get("status"))
    event: DomainEvent = kind(callid, _calls(body))
    return event


def _report_sections() -> list[Section]:
    return [s for s in sections(PAGE) if s.level == 3 and s.name is not None]


def _examples(section: Section) -> list[tuple[str, bool]]:
    """The section's example bodies, each with its format (True: 1.0.2, a ``json`` block)."""
    return [
        (block.text, block.language == "json")
        for block in section.blocks
        if block.language in ("json", "") and block.text.startswith('{"action"')
    ]


EXAMPLES = [
    pytest.param(text, well_formed, id=f"{section.title.strip('`')}-{n}")
    for section in [*_report_sections(), *[s for s in sections(PAGE) if s.title == "Two formats"]]
    for n, (text, well_formed) in enumerate(_examples(section))
]


@pytest.mark.parametrize(("text", "well_formed"), EXAMPLES)
def test_every_example_is_what_yspbx_sends(text: str, well_formed: bool) -> None:
    body = _read(text)
    assert render(event_of(body), body.get("sn", ""), well_formed) == text.encode()


def test_every_report_has_a_section_with_both_formats() -> None:
    shown = {}
    for section in _report_sections():
        examples = _examples(section)
        assert {_read(text).get("action") for text, _ in examples} == {section.name}
        shown[section.name] = {well_formed for _, well_formed in examples}
    assert shown == {action: {True, False} for action in ACTIONS.values()}
