"""IVRs: prompt, keys, time-outs (IVR 6200 of the default config: prompt ``welcome``, keys
1 -> 1001, 2 -> queue 6700, 3 -> ring group 6300, 0 -> 1000, extensions may be dialled,
time-out destination 1000; 3 plays, 3 s to answer, 3 s between digits; prompts last 5 s)."""

from __future__ import annotations

from tests.support.calls_http import Pbx as HttpPbx
from tests.support.engine import Pbx
from tests.support.helpers import Api, Sim
from yspbx.pbx.events import ExtParty, InboundParty, PromptFinished

CALLER = "0612345678"
IVR_DID = "5503302"


async def into_ivr(pbx: Pbx) -> str:
    callid = await pbx.calls.place_call(CALLER, IVR_DID, "SIP-Carrier")
    assert pbx.take() == []
    return callid


async def test_a_caller_walks_the_ivr_by_key_to_an_extension(pbx: Pbx) -> None:
    callid = await into_ivr(pbx)
    await pbx.advance(2)
    await pbx.calls.press_keys(callid, "0")  # nothing longer starts with 0: at once
    assert pbx.take() == [
        ("DTMF", "0", "0", "0"),
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", f"in:{CALLER}"),
    ]
    assert pbx.live()[0]["destination"] is None
    await pbx.calls.answer(callid)
    await pbx.advance(20)
    await pbx.calls.hangup(callid)
    (cdr,) = pbx.cdrs()
    # The IVR answered the call; the record names the extension it reached.
    assert (cdr.callto, cdr.status, cdr.call_duration, cdr.talk_duration) == (
        "1000",
        "ANSWERED",
        22,
        22,
    )


async def test_a_key_that_starts_extension_numbers_waits_for_the_digit_timeout(pbx: Pbx) -> None:
    callid = await into_ivr(pbx)
    await pbx.calls.press_keys(callid, "1")
    assert pbx.live()[0]["feature"] == {"type": "ivr", "number": "6200", "entered": "1"}
    await pbx.advance(2.9)
    assert pbx.calls_only() == [("DTMF", "1", "0", "1")]
    await pbx.advance(0.1)
    assert pbx.calls_only() == [("ALERT", f"in:{CALLER}"), ("RING", "1001", f"in:{CALLER}")]


async def test_dialling_an_extension_number_from_the_ivr(pbx: Pbx) -> None:
    callid = await into_ivr(pbx)
    await pbx.calls.press_keys(callid, "1003")
    assert pbx.calls_only()[-1] == ("RING", "1003", f"in:{CALLER}")
    # "#" ends an entry at once: "10" names nothing, so the menu plays again.
    second = await pbx.calls.place_call("0698765432", IVR_DID, "SIP-Carrier")
    await pbx.calls.press_keys(second, "10#")
    pbx.take()
    await pbx.advance(5)
    assert pbx.take() == [("PlayPromptEnd", "welcome", "in:0698765432")]


async def test_keys_send_the_caller_to_a_queue_or_a_ring_group(pbx: Pbx) -> None:
    to_queue = await into_ivr(pbx)
    await pbx.calls.press_keys(to_queue, "2")
    to_group = await pbx.calls.place_call("0698765432", IVR_DID, "SIP-Carrier")
    await pbx.calls.press_keys(to_group, "3")
    live = {call["callid"]: call for call in pbx.live()}
    assert live[to_queue]["destination"] == {"type": "queue", "number": "6700"}
    assert live[to_group]["destination"] == {"type": "ringgroup", "number": "6300"}


async def test_without_keys_the_menu_repeats_then_the_timeout_destination(pbx: Pbx) -> None:
    callid = await into_ivr(pbx)
    inbound = InboundParty(CALLER, IVR_DID, "SIP-Carrier", callid)
    await pbx.advance(5)
    assert pbx.take() == [("PlayPromptEnd", "welcome", f"in:{CALLER}")]
    assert pbx.of(PromptFinished) == [
        PromptFinished(callid, "welcome", inbound, ivrid="6200", playtonum=CALLER)
    ]
    await pbx.advance(3 + 5 + 3 + 5)  # twice more: 3 s to answer, the prompt again
    assert pbx.take() == [("PlayPromptEnd", "welcome", f"in:{CALLER}")] * 2
    await pbx.advance(2.9)
    assert pbx.take() == []
    await pbx.advance(0.1)
    assert pbx.calls_only() == [("ALERT", f"in:{CALLER}"), ("RING", "1000", f"in:{CALLER}")]


async def test_an_invalid_entry_counts_as_a_play(pbx: Pbx) -> None:
    callid = await into_ivr(pbx)
    await pbx.calls.press_keys(callid, "7")  # no key 7: the menu again (2nd play)
    await pbx.calls.press_keys(callid, "8")  # 3rd play
    await pbx.calls.press_keys(callid, "9")  # no play left: the time-out destination
    assert pbx.calls_only()[-1] == ("RING", "1000", f"in:{CALLER}")


async def test_a_key_to_hangup_ends_the_call_with_one_bye(pbx: Pbx) -> None:
    pbx.services.simulator.config.ivrs["6200"].keys["9"] = "hangup"
    callid = await into_ivr(pbx)
    await pbx.calls.press_keys(callid, "9")
    assert pbx.take() == [("DTMF", "9", "0", "9"), ("BYE", f"in:{CALLER}"), ("NewCdr", "ANSWERED")]


async def test_an_extension_dialled_into_the_ivr_hears_it_and_its_keys_are_reported(
    pbx: Pbx,
) -> None:
    callid = await pbx.calls.dial_ivr_extension("6200", "1001", autoanswer=True)
    pbx.take()
    await pbx.advance(5)
    assert pbx.of(PromptFinished) == [
        PromptFinished(callid, "welcome", ExtParty("1001"), ivrid="6200", playtonum="1001")
    ]
    await pbx.calls.press_keys(callid, "1002")
    assert pbx.calls_only() == [
        ("PlayPromptEnd", "welcome", "1001"),
        ("DTMF", "1", "0", "1"),
        ("DTMF", "0", "1", "10"),
        ("DTMF", "0", "2", "100"),
        ("DTMF", "2", "3", "1002"),
        ("ALERT", "1001"),
        ("RING", "1002", "1001"),
    ]


async def test_an_outside_number_dialled_into_the_ivr(pbx: Pbx) -> None:
    callid = await pbx.calls.dial_ivr_outbound("6200", "0698765432", "1001")
    await pbx.calls.answer(callid)
    await pbx.advance(5)
    (end,) = pbx.of(PromptFinished)
    assert (end.ivrid, end.playtonum) == ("6200", "0698765432")
    await pbx.calls.press_keys(callid, "0")
    assert pbx.calls_only()[-2:] == [
        ("ALERT", "out:0698765432"),
        ("RING", "1000", "out:0698765432"),
    ]


def test_the_ivr_over_http(api: Api, sim: Sim) -> None:
    pbx = HttpPbx(api, sim)
    callid = pbx.place(CALLER, IVR_DID, "SIP-Carrier")
    assert pbx.calls()[callid]["feature"] == {"type": "ivr", "number": "6200", "entered": ""}
    assert sim.post(f"/calls/{callid}/dtmf", {"digits": "1002"})["state"] == "ringing"
    call = pbx.calls()[callid]
    assert (call["parties"], call["feature"], call["digits"]) == ([CALLER, "1002"], None, "1002")
    pbx.answer(callid)
    assert pbx("inbound/query", inboundid=callid)["inbound"][0]["callee"] == [{"extid": "1002"}]
