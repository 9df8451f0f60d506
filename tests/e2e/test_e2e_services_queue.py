"""End to end: callers in queue 6700 (docs/pbx-api/ivrs-queues-paging.md, calls.md), as the two
application servers receive it.

Queue 6700 of the default config: static agents 1001 and 1002, ``Ring All``, agents ring 30 s
(``agenttimeout``), the next round 30 s later (``retry``), 30 s of wrap-up, agent password
1234; DID 5503303 on ``SIP-Carrier`` reaches it. Prompts play 5 s; a survey waits 10 s for a
key after its prompt.
"""

from __future__ import annotations

from typing import Any

from tests.support.e2e import SN, Line, of

CALLER = "0612345678"
SUPPORT_DID = "5503303"
OUTSIDE = "0698765432"


def queue_status(line: Line) -> tuple[str, list[tuple[str, str]]]:
    """``callercount`` and every agent's ``agentstatus`` of queue 6700."""
    (queue,) = line("queuestatus/query", queueid="6700")["queues"]
    assert queue["queuenumber"] == "6700"
    (status,) = queue["queuestatus"]
    return status["callercount"], [(m["agent"], m["agentstatus"]) for m in status["members"]]


def ringing(line: Line, callid: str) -> list[str]:
    """The parties that ring for the call now, as the control plane shows them."""
    call: dict[str, Any] = next(c for c in line.live_calls() if c["callid"] == callid)
    return [leg["number"] for leg in call["legs"] if leg["state"] == "ringing"]


def test_a_paused_agent_never_rings_and_a_dynamic_agent_does(line: Line) -> None:
    assert line("queue/pause_agent", queueid="6700", extid="1001") == {"status": "Success"}
    login = line("queue/add_dynamicagent", queueid="6700", extid="1003", password="1234")
    assert login == {"status": "Success"}
    assert line.steps() == []  # configuration of agents sends no report

    callid = line.place(CALLER, SUPPORT_DID, trunk="SIP-Carrier")
    # Ring All: every free agent at once, the paused one left out.
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", f"in:{CALLER}"),
        ("ExtensionStatus", "1003", "Ringing"),
        ("RING", "1003", f"in:{CALLER}"),
    ]
    assert ringing(line, callid) == ["1002", "1003"]
    call = line.live_calls()[0]
    assert (call["destination"], call["feature"]) == (
        {"type": "queue", "number": "6700"},
        {"type": "queue", "number": "6700"},
    )
    assert queue_status(line) == ("1", [("1001", "9"), ("1002", "6"), ("1003", "6")])
    (inbound,) = line("inbound/query", inboundid=callid)["inbound"]
    assert (inbound["status"], inbound["callee"][0]) == ("Wait", {"queueid": "6700"})

    line.advance(30)  # nobody answers the round: the agents stop ringing, the caller waits
    assert line.steps() == [
        ("ExtensionStatus", "1002", "Idle"),
        ("ExtensionStatus", "1003", "Idle"),
    ]
    assert ringing(line, callid) == []
    assert queue_status(line) == ("1", [("1001", "9"), ("1002", "1"), ("1003", "1")])
    line.advance(30)  # the next round: still not the paused agent
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", f"in:{CALLER}"),
        ("ExtensionStatus", "1003", "Ringing"),
        ("RING", "1003", f"in:{CALLER}"),
    ]
    line.advance(4)
    line.answer(callid, "1003")
    # The agent that answers first, then the others stop ringing.
    assert line.steps() == [
        ("ExtensionStatus", "1003", "Busy"),
        ("ExtensionStatus", "1002", "Idle"),
        ("ANSWERED", f"in:{CALLER}", "1003"),
        ("ANSWER", "1003", f"in:{CALLER}"),
    ]
    assert queue_status(line) == ("0", [("1001", "9"), ("1002", "1"), ("1003", "2")])
    line.advance(25)
    line.hangup(callid)
    assert line.steps() == [
        ("BYE", f"in:{CALLER}", "1003"),
        ("BYE", "1003", f"in:{CALLER}"),
        ("ExtensionStatus", "1003", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    assert queue_status(line) == ("0", [("1001", "9"), ("1002", "1"), ("1003", "10")])
    (cdr,) = of(line.reports(), "NewCdr")
    # The queue took the call at once; it counts as answered when the agent answered.
    assert {
        k: cdr[k]
        for k in ("callto", "callduraction", "talkduraction", "didnumber", "agentringtime")
    } == {
        "callto": "1003",
        "callduraction": "89",
        "talkduraction": "25",
        "didnumber": SUPPORT_DID,
        "agentringtime": "4",
    }


def test_two_waiting_callers_and_an_unpaused_agent(line: Line) -> None:
    line("queue/pause_agent", queueid="6700", extid="1002")
    first = line.place(CALLER, "6700", trunk="SIP-Carrier")
    second = line.place(OUTSIDE, "6700", trunk="SIP-Carrier")
    # 1001 rings for the first caller; nobody is free for the second.
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1001", "Ringing"),
        ("RING", "1001", f"in:{CALLER}"),
    ]
    assert (ringing(line, first), ringing(line, second)) == (["1001"], [])
    assert queue_status(line) == ("2", [("1001", "6"), ("1002", "9")])
    line("queue/unpause_agent", queueid="6700", extid="1002")
    line.answer(first, "1001")
    assert line.steps() == [
        ("ExtensionStatus", "1001", "Busy"),
        ("ANSWERED", f"in:{CALLER}", "1001"),
        ("ANSWER", "1001", f"in:{CALLER}"),
    ]
    assert queue_status(line) == ("1", [("1001", "2"), ("1002", "1")])
    line.advance(30)  # the second caller's next round: the agent back from the pause rings
    assert line.steps() == [
        ("ALERT", f"in:{OUTSIDE}"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", f"in:{OUTSIDE}"),
    ]
    assert ringing(line, second) == ["1002"]
    line.hangup(second)
    line.hangup(first)
    assert [s for s in line.steps() if s[0] in ("CallFailed", "BYE", "NewCdr")] == [
        ("CallFailed", "487 Request Terminated", "1002", f"in:{OUTSIDE}"),
        ("NewCdr", "NO ANSWER"),
        ("BYE", f"in:{CALLER}", "1001"),
        ("BYE", "1001", f"in:{CALLER}"),
        ("NewCdr", "ANSWERED"),
    ]


def test_satisfaction_survey_after_the_agent_hangs_up(line: Line) -> None:
    assert line("queue/update", queueid="6700", satisfactionsurvey="goodbye") == {
        "status": "Success"
    }
    callid = line.place(CALLER, "6700", trunk="SIP-Carrier")
    line.answer(callid, "1001")
    line.advance(40)
    line.take()
    line.hangup(callid, "1001")
    # The conversation is over (two BYE, the agent is free); the caller stays for the survey.
    assert line.steps() == [
        ("BYE", "1001", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", "1001"),
        ("ExtensionStatus", "1001", "Idle"),
    ]
    call = line.live_calls()[0]
    assert (call["parties"], call["feature"]) == (
        [CALLER],
        {"type": "survey", "queue": "6700", "prompt": "goodbye"},
    )
    line.advance(5)  # the survey prompt; the key may come after it
    line.press(callid, "4")
    assert line.steps() == [
        ("DTMF", "4", "0", "4", f"in:{CALLER}"),
        ("satisfaction", "4"),
    ]
    line.press(callid, "5")  # only the first key answers
    assert line.steps() == [("DTMF", "5", "1", "45", f"in:{CALLER}")]
    line.advance(5)  # "thank you", then the PBX hangs up: the record, no third BYE
    assert line.steps() == [("NewCdr", "ANSWERED")]
    assert line.live_calls() == []

    modern, legacy = line.bodies()
    survey = modern.index(
        f'{{"action":"satisfaction","surveyresult":"4","callid":"{callid}","sn":"{SN}"}}'.encode()
    )
    assert legacy[survey] == modern[survey]
    (cdr,) = of(line.reports(), "NewCdr")
    # The record covers the whole call, survey included.
    assert (cdr["callto"], cdr["callduraction"], cdr["talkduraction"]) == ("1001", "50", "50")


def test_a_survey_without_a_key_ends_without_a_result(line: Line) -> None:
    line("queue/update", queueid="6700", satisfactionsurvey="goodbye")
    callid = line.place(CALLER, "6700", trunk="SIP-Carrier")
    line.answer(callid, "1002")
    line.advance(10)
    line.hangup(callid, "1002")
    line.take()
    line.advance(5 + 9.5)  # the prompt, then almost all of the time for a key
    assert line.steps() == []
    line.advance(0.5)
    assert line.steps() == [("NewCdr", "ANSWERED")]
    assert of(line.reports(), "satisfaction") == []
    # When the caller hangs up first there is no survey at all.
    second = line.place(CALLER, "6700", trunk="SIP-Carrier")
    line.answer(second, "1001")
    line.hangup(second)
    assert [s[0] for s in line.steps()][-4:] == ["BYE", "BYE", "ExtensionStatus", "NewCdr"]
    assert line.live_calls() == []


def test_queue_dial_outbound(line: Line) -> None:
    """The PBX calls a number outside through 1003's route; once it answers it waits in the
    queue like an inbound caller, and the agents ring with the ``outbound`` party."""
    line("queue/pause_agent", queueid="6700", extid="1002")
    callid = line("queue/dial_outbound", queueid="6700", outto=OUTSIDE, fromext="1003")["callid"]
    assert line.steps() == []
    assert ringing(line, callid) == [OUTSIDE]
    line.advance(2)
    line.answer(callid, OUTSIDE)
    assert line.steps() == [
        ("ALERT", f"out:{OUTSIDE}"),
        ("ExtensionStatus", "1001", "Ringing"),
        ("RING", "1001", f"out:{OUTSIDE}"),
    ]
    assert queue_status(line) == ("1", [("1001", "6"), ("1002", "9")])
    line.advance(3)
    line.answer(callid, "1001")
    line.advance(8)
    line.hangup(callid, "1001")
    assert line.steps() == [
        ("ExtensionStatus", "1001", "Busy"),
        ("ANSWERED", f"out:{OUTSIDE}", "1001"),
        ("ANSWER", "1001", f"out:{OUTSIDE}"),
        ("BYE", "1001", f"out:{OUTSIDE}"),
        ("BYE", f"out:{OUTSIDE}", "1001"),
        ("ExtensionStatus", "1001", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["callfrom"], cdr["callto"], cdr["desttrunkname"], cdr["agentringtime"]) == (
        "1003",
        "1001",
        "SIP-Carrier",
        "3",
    )
