"""Queues: agents by strategy, pauses, dynamic agents, wrap-up, failover, break-out, the
satisfaction survey, and what ``queuestatus/query`` shows (queue 6700 of the default config:
static agents 1001 and 1002, Ring All, agenttimeout 30, retry 30, wrapuptime 30)."""

from __future__ import annotations

from typing import Any

from tests.support.calls_http import Pbx as HttpPbx
from tests.support.engine import Pbx
from tests.support.helpers import Api, Sim
from yspbx.pbx.events import CallRinging, ExtParty, SurveyAnswered

CALLER = "0612345678"


async def queue_settings(pbx: Pbx, **changes: Any) -> None:
    await pbx.services.simulator.config.update_queue("6700", changes)


def rung(pbx: Pbx) -> list[str]:
    """The agents rung since the last take, in order."""
    return [event[1] for event in pbx.calls_only() if event[0] == "RING"]


async def test_a_paused_agent_is_not_rung_and_a_dynamic_agent_is(pbx: Pbx) -> None:
    config = pbx.services.simulator.config
    await config.pause_agent("6700", "1001")
    await config.add_dynamic_agent("6700", "1003", "1234")
    callid = await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
    assert rung(pbx) == ["1002", "1003"]
    (status,) = await config.queue_status(["6700"])
    assert status.waiting == 1
    assert [(a.agent, int(a.state)) for a in status.agents] == [
        ("1001", 9),  # paused
        ("1002", 6),  # ringing
        ("1003", 6),
    ]
    await config.unpause_agent("6700", "1001")
    await pbx.advance(30 + 30)  # nobody answers; the next round rings the unpaused agent too
    assert rung(pbx) == ["1001", "1002", "1003"]
    await pbx.calls.answer(callid, "1003")
    (status,) = await config.queue_status(["6700"])
    assert status.waiting == 0


async def test_linear_rings_one_agent_after_another(pbx: Pbx) -> None:
    await queue_settings(pbx, ringstrategy="Linear")
    await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
    assert rung(pbx) == ["1001"]
    await pbx.advance(30)  # agenttimeout
    assert rung(pbx) == []
    await pbx.advance(30)  # retry: the next agent
    assert rung(pbx) == ["1002"]
    await pbx.advance(60)  # every agent had a turn: from the first again
    assert rung(pbx) == ["1001"]


async def test_rrmemory_remembers_across_callers(pbx: Pbx) -> None:
    await queue_settings(pbx, ringstrategy="Rrmemory")
    first = await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
    assert rung(pbx) == ["1001"]
    await pbx.calls.hangup(first)
    await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
    assert rung(pbx) == ["1002"]


async def test_least_recent_and_fewest_calls_prefer_the_idle_agent(pbx: Pbx) -> None:
    await queue_settings(pbx, ringstrategy="Ring All", wrapuptime=10)
    callid = await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
    await pbx.calls.answer(callid, "1001")
    await pbx.calls.hangup(callid)
    await pbx.advance(11)  # past 1001's wrap-up
    pbx.take()
    for strategy in ("Least Recent", "Fewest Calls"):
        await queue_settings(pbx, ringstrategy=strategy)
        waiting = await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
        assert rung(pbx) == ["1002"], strategy
        await pbx.calls.hangup(waiting)


async def test_random_rings_one_free_agent(pbx: Pbx) -> None:
    pbx.calls.seed(7)
    await queue_settings(pbx, ringstrategy="Random")
    seen = set()
    for _ in range(8):
        callid = await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
        ringing = rung(pbx)
        assert len(ringing) == 1
        seen.update(ringing)
        await pbx.calls.hangup(callid)
    assert seen == {"1001", "1002"}


async def test_wrap_up_keeps_an_agent_out_of_the_queue_for_a_while(pbx: Pbx) -> None:
    config = pbx.services.simulator.config
    callid = await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
    await pbx.advance(4)
    await pbx.calls.answer(callid, "1002")
    await pbx.advance(60)
    await pbx.calls.hangup(callid, "1002")
    (cdr,) = pbx.cdrs()
    assert (cdr.callto, cdr.agentringtime, cdr.talk_duration) == ("1002", "4", 60)
    (status,) = await config.queue_status(["6700"])
    assert [int(a.state) for a in status.agents] == [1, 10]  # 1002 wraps up
    pbx.take()
    await pbx.calls.place_call("0698765432", "6700", "SIP-Carrier")
    assert rung(pbx) == ["1001"]
    await pbx.advance(30)  # the round ends just as 1002's wrap-up does
    (status,) = await config.queue_status(["6700"])
    assert [int(a.state) for a in status.agents] == [1, 1]
    await pbx.advance(30)
    assert rung(pbx) == ["1001", "1002"]


async def test_max_wait_sends_the_caller_to_the_failover_destination(pbx: Pbx) -> None:
    await queue_settings(pbx, maxwaittime=300, failoveraction="Extension", failoverdest="1003")
    callid = await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
    await pbx.advance(300)
    live = pbx.live()[0]
    assert (live["destination"], live["parties"]) == (None, [CALLER, "1003"])
    await pbx.calls.answer(callid)
    await pbx.calls.hangup(callid)
    assert pbx.cdrs()[0].callto == "1003"


async def test_max_wait_to_voicemail_leaves_a_message(pbx: Pbx) -> None:
    await queue_settings(pbx, maxwaittime=300, failoveraction="Voicemail", failoverdest="1003")
    callid = await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
    await pbx.advance(300)
    assert pbx.live()[0]["destination"] == {"type": "voicemail", "number": "1003"}
    await pbx.advance(12)
    await pbx.calls.hangup(callid)
    assert pbx.cdrs()[0].status == "VOICEMAIL"
    (message,) = await pbx.calls.voicemail("1003")
    assert (message["callid"], message["from"], message["seconds"]) == (callid, CALLER, 12)


async def test_the_breakout_key_leaves_the_queue(pbx: Pbx) -> None:
    await queue_settings(pbx, breakoutkey="0", breakoutaction="IVR", breakoutdest="6200")
    callid = await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
    await pbx.calls.press_keys(callid, "5")  # any other key: still waiting
    assert pbx.live()[0]["destination"] == {"type": "queue", "number": "6700"}
    await pbx.calls.press_keys(callid, "0")
    live = pbx.live()[0]
    assert (live["destination"], live["parties"]) == (
        {"type": "ivr", "number": "6200"},
        [CALLER, "6200"],
    )


async def test_satisfaction_survey_after_the_agent_hangs_up(pbx: Pbx) -> None:
    await queue_settings(pbx, satisfactionsurvey="goodbye")
    callid = await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
    await pbx.calls.answer(callid, "1001")
    await pbx.advance(40)
    pbx.take()
    await pbx.calls.hangup(callid, "1001")
    assert pbx.take() == [
        ("BYE", "1001", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", "1001"),
        ("ExtensionStatus", "1001", "Idle"),
    ]
    live = pbx.live()[0]
    assert live["feature"] == {"type": "survey", "queue": "6700", "prompt": "goodbye"}
    assert live["parties"] == [CALLER]
    await pbx.advance(5)  # the survey prompt; the key may come after it
    await pbx.calls.press_keys(callid, "4")
    assert pbx.take() == [("DTMF", "4", "0", "4"), ("satisfaction", "4")]
    assert pbx.of(SurveyAnswered) == [SurveyAnswered(callid, "4")]
    await pbx.calls.press_keys(callid, "5")  # only the first key answers the survey
    assert pbx.take() == [("DTMF", "5", "1", "45")]
    await pbx.advance(5)  # "thank you", then the PBX hangs up
    assert pbx.take() == [("NewCdr", "ANSWERED")]
    (cdr,) = pbx.cdrs()
    assert (cdr.callto, cdr.talk_duration) == ("1001", 50)


async def test_no_survey_when_the_caller_hangs_up_first_or_never_answers(pbx: Pbx) -> None:
    await queue_settings(pbx, satisfactionsurvey="goodbye")
    first = await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
    await pbx.calls.answer(first, "1001")
    await pbx.calls.hangup(first)  # the caller leaves: the call just ends
    assert pbx.live() == []
    second = await pbx.calls.place_call(CALLER, "6700", "SIP-Carrier")
    await pbx.calls.answer(second, "1002")
    await pbx.calls.hangup(second, "1002")
    await pbx.advance(5 + 10)  # the prompt, then no key within survey_seconds
    assert pbx.live() == []
    assert pbx.of(SurveyAnswered) == []
    assert len(pbx.cdrs()) == 2


async def test_queue_dial_outbound_follows_the_queue(pbx: Pbx) -> None:
    await pbx.services.simulator.config.pause_agent("6700", "1002")
    callid = await pbx.calls.dial_queue_outbound("6700", "0698765432", "1003")
    await pbx.calls.answer(callid, "0698765432")
    assert pbx.of(CallRinging)[-1].parties[0] == ExtParty("1001")


def test_queue_status_over_http(api: Api, sim: Sim) -> None:
    pbx = HttpPbx(api, sim)
    assert pbx("queue/pause_agent", queueid="6700", extid="1002")["status"] == "Success"
    pbx.place(CALLER, "6700", "SIP-Carrier")
    pbx.place("0698765432", "6700", "SIP-Carrier")  # 1001 rings for the first caller
    answer = pbx("queuestatus/query", queueid="6700")
    assert answer == {
        "status": "Success",
        "queues": [
            {
                "queuenumber": "6700",
                "queuestatus": [
                    {
                        "callercount": "2",
                        "members": [
                            {"agent": "1001", "agentstatus": "6"},
                            {"agent": "1002", "agentstatus": "9"},
                        ],
                    }
                ],
            }
        ],
    }
