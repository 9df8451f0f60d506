"""Prompts played through the API (docs/pbx-api/call-services.md): the default config has the
custom prompts ``welcome``, ``menu``, ``goodbye``, ``macroform-cold_day``; each plays 5 s."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.calls_http import Pbx as HttpPbx
from tests.support.engine import Pbx
from tests.support.helpers import Api, Sim, failed
from yspbx.pbx.events import ExtParty, PromptFinished, PromptTrunkParty


async def test_a_prompt_to_an_extension(pbx: Pbx) -> None:
    callid = await pbx.calls.play_prompt_to_extension("1001", "welcome+menu", autoanswer=False)
    assert pbx.take() == [("ExtensionStatus", "1001", "Ringing")]
    assert pbx.live()[0]["service"] == {"type": "prompt", "prompt": "welcome+menu"}
    await pbx.advance(3)
    await pbx.calls.answer(callid)
    await pbx.advance(9.9)  # two files: 10 s
    assert pbx.take() == [("ExtensionStatus", "1001", "Busy")]
    await pbx.advance(0.1)
    assert pbx.take() == [
        ("PlayPromptEnd", "welcome+menu", "1001"),
        ("BYE", "1001"),
        ("ExtensionStatus", "1001", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    assert pbx.of(PromptFinished) == [PromptFinished(callid, "welcome+menu", ExtParty("1001"))]
    (cdr,) = pbx.cdrs()
    assert (cdr.type, cdr.callfrom, cdr.callto, cdr.call_duration, cdr.talk_duration) == (
        "Internal",
        "1001",
        "1001",
        13,
        10,
    )


async def test_a_prompt_to_a_number_outside(pbx: Pbx) -> None:
    callid = await pbx.calls.play_prompt_to_number("0698765432", "goodbye", "1002")
    assert pbx.take() == []
    (outbound,) = await pbx.calls.outbound_calls()
    assert (outbound.from_number, outbound.to_number, outbound.status) == (
        "1002",
        "0698765432",
        "Progress",
    )
    await pbx.calls.answer(callid)
    await pbx.advance(5)
    assert pbx.take() == [
        ("PlayPromptEnd", "goodbye", "trunk:SIP-Carrier"),
        ("BYE", "out:0698765432"),
        ("NewCdr", "ANSWERED"),
    ]
    (end,) = pbx.of(PromptFinished)
    assert end == PromptFinished(callid, "goodbye", PromptTrunkParty("SIP-Carrier"))
    (cdr,) = pbx.cdrs()
    assert (cdr.type, cdr.callfrom, cdr.callto, cdr.desttrunkname) == (
        "Outbound",
        "1002",
        "0698765432",
        "SIP-Carrier",
    )


async def test_no_prompt_end_when_the_party_does_not_listen_to_the_end(pbx: Pbx) -> None:
    unanswered = await pbx.calls.play_prompt_to_extension("1009", "welcome", autoanswer=False)
    await pbx.advance(15)  # 1009 rings 15 s
    hung_up = await pbx.calls.play_prompt_to_extension("1002", "welcome", autoanswer=True)
    await pbx.advance(2)
    await pbx.calls.hangup(hung_up)
    assert pbx.of(PromptFinished) == []
    assert [e for e in pbx.calls_only() if e[0] in ("CallFailed", "BYE")] == [
        ("CallFailed", "603 Declined", "1009"),
        ("BYE", "1002"),
    ]
    assert {c.callid: c.status for c in pbx.cdrs()} == {
        unanswered: "NO ANSWER",
        hung_up: "ANSWERED",
    }


# -- over HTTP ----------------------------------------------------------------------------


def test_playprompt_over_http(api: Api, sim: Sim) -> None:
    pbx = HttpPbx(api, sim)
    answer = pbx("extension/playprompt", extid="1003", prompt="welcome", autoanswer="yes")
    assert set(answer) == {"status", "callid"}
    callid = answer["callid"]
    call = pbx.calls()[callid]
    assert (call["state"], call["feature"]) == ("talking", {"type": "prompt", "prompt": "welcome"})
    sim.advance(5)
    assert callid not in pbx.calls()
    outside = pbx("outbound/playprompt", outto="0698765432", prompt="menu")["callid"]
    assert pbx.calls()[outside]["legs"][0]["trunk"] == "SIP-Carrier"
    pbx.answer(outside)
    sim.advance(5)
    assert pbx.calls() == {}


@pytest.mark.parametrize(
    ("endpoint", "body", "errno"),
    [
        ("extension/playprompt", {"extid": "1001"}, "10004"),
        ("extension/playprompt", {"prompt": "welcome"}, "10004"),
        ("extension/playprompt", {"extid": "1999", "prompt": "welcome"}, "10006"),
        ("extension/playprompt", {"extid": "1001", "prompt": "nope"}, "10023"),
        ("extension/playprompt", {"extid": "1001", "prompt": "welcome+nope"}, "10023"),
        ("extension/playprompt", {"extid": "1001", "prompt": "+"}, "10023"),
        ("extension/playprompt", {"extid": "1001", "prompt": "1234"}, "10023"),
        ("outbound/playprompt", {"outto": "0698765432"}, "10004"),
        ("outbound/playprompt", {"outto": "0698", "prompt": "x"}, "10023"),
        ("outbound/playprompt", {"outto": "0698", "prompt": "menu", "fromext": "9"}, "10006"),
        ("outbound/playprompt", {"outto": "5555", "prompt": "menu"}, "10024"),
        ("outbound/playprompt", {"outto": "0698", "prompt": "menu", "fromext": "1006"}, "10024"),
    ],
)
def test_playprompt_errnos(
    api: Api, sim: Sim, endpoint: str, body: dict[str, Any], errno: str
) -> None:
    pbx = HttpPbx(api, sim)
    assert api.call(endpoint, body, pbx.token) == failed(errno)
    assert pbx.calls() == {}


def test_playprompt_to_a_busy_extension(api: Api, sim: Sim) -> None:
    pbx = HttpPbx(api, sim)
    pbx.talking("1001", "1002")
    assert pbx("extension/playprompt", extid="1002", prompt="welcome") == failed("10008")
