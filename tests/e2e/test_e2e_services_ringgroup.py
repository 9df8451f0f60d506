"""End to end: ring groups by strategy, and ``ringgroup/dial_outbound`` (docs/pbx-api/calls.md), as
the two application servers receive it.

Ring groups are configured in the config file only, so this module runs its own server: group
6300 as in the default config (``ringall``: 1002, 1003 and 1004, which is in DND; 30 s; failover
hang up) and group 6301, ``sequential``: 1003 then 1002, 15 s each, failover to 1000.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.e2e import Line, of
from tests.support.helpers import Sim
from tests.support.hosted import HostedServer, hosted
from yspbx.testing import ServerProcess

CALLER = "0612345678"
OUTSIDE = "0698765432"

GROUPS = """
[[ringgroups]]
number = "6300"
name = "Sales"
strategy = "ringall"
members = ["1002", "1003", "1004"]

[[ringgroups]]
number = "6301"
name = "Desk"
strategy = "sequential"
members = ["1003", "1002"]
ringtimeout = 15
failover_dest = "1000"
"""


@pytest.fixture(scope="module")
def groups_server(server: ServerProcess) -> Iterator[HostedServer]:
    with hosted(server, GROUPS) as pbx:
        yield pbx


@pytest.fixture
def line(groups_server: HostedServer) -> Iterator[Line]:
    """As the ``line`` fixture of ``conftest.py``, on this module's server."""
    sim = Sim(groups_server.url)
    sim.reset()
    both = Line(groups_server.url, sim)
    yield both
    try:
        both.delivered()
    finally:
        both.close()
        sim.close()


def ringing(line: Line, callid: str) -> list[str]:
    call: dict[str, Any] = next(c for c in line.live_calls() if c["callid"] == callid)
    return [leg["number"] for leg in call["legs"] if leg["state"] == "ringing"]


def test_ring_all_rings_every_member_that_can_ring_at_once(line: Line) -> None:
    callid = line.place(CALLER, "6300", trunk="SIP-Carrier")
    # 1004 is in DND: left out without a report.
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", f"in:{CALLER}"),
        ("ExtensionStatus", "1003", "Ringing"),
        ("RING", "1003", f"in:{CALLER}"),
    ]
    assert ringing(line, callid) == ["1002", "1003"]
    assert line.live_calls()[0]["feature"] == {"type": "ringgroup", "number": "6300"}
    (inbound,) = line("inbound/query", inboundid=callid)["inbound"]
    assert inbound["callee"] == [{"ringgroupid": "6300"}, {"extid": "1002"}, {"extid": "1003"}]
    line.advance(6)
    line.answer(callid, "1003")
    assert line.steps() == [
        ("ExtensionStatus", "1003", "Busy"),
        ("ExtensionStatus", "1002", "Idle"),
        ("ANSWERED", f"in:{CALLER}", "1003"),
        ("ANSWER", "1003", f"in:{CALLER}"),
    ]
    line.advance(12)
    line.hangup(callid, "1003")
    assert line.steps() == [
        ("BYE", "1003", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", "1003"),
        ("ExtensionStatus", "1003", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["callto"], cdr["callduraction"], cdr["talkduraction"]) == ("1003", "18", "12")


def test_ring_all_unanswered_fails_when_the_group_times_out(line: Line) -> None:
    callid = line.place(CALLER, "6300", trunk="SIP-Carrier")
    line.take()
    line.advance(29.5)
    assert line.steps() == []
    line.advance(0.5)
    # The failure names the last member to stop ringing, then the caller.
    assert line.steps() == [
        ("ExtensionStatus", "1002", "Idle"),
        ("CallFailed", "603 Declined", "1003", f"in:{CALLER}"),
        ("ExtensionStatus", "1003", "Idle"),
        ("NewCdr", "NO ANSWER"),
    ]
    assert line.live_calls() == []
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["callid"], cdr["callto"], cdr["callduraction"]) == (callid, "6300", "30")


def test_sequential_rings_members_in_turn_then_fails_over(line: Line) -> None:
    callid = line.place(CALLER, "6301", trunk="SIP-Carrier")
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1003", "Ringing"),
        ("RING", "1003", f"in:{CALLER}"),
    ]
    assert ringing(line, callid) == ["1003"]
    line.advance(14.5)
    assert line.steps() == []
    line.advance(0.5)  # 1003's turn is over: the next member
    assert line.steps() == [
        ("ExtensionStatus", "1003", "Idle"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", f"in:{CALLER}"),
    ]
    assert ringing(line, callid) == ["1002"]
    line.advance(3)
    line.hangup(callid, "1002")  # 1002 declines: nobody is left, the failover destination
    assert line.steps() == [
        ("ExtensionStatus", "1002", "Idle"),
        ("ALERT", f"in:{CALLER}"),  # ring-back again, for the new destination
        ("ExtensionStatus", "1000", "Ringing"),
        ("RING", "1000", f"in:{CALLER}"),
    ]
    assert ringing(line, callid) == ["1000"]
    assert line.live_calls()[0]["feature"] is None
    line.answer(callid, "1000")
    line.advance(5)
    line.hangup(callid)
    assert line.steps() == [
        ("ExtensionStatus", "1000", "Busy"),
        ("ANSWERED", f"in:{CALLER}", "1000"),
        ("ANSWER", "1000", f"in:{CALLER}"),
        ("BYE", f"in:{CALLER}", "1000"),
        ("BYE", "1000", f"in:{CALLER}"),
        ("ExtensionStatus", "1000", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["callto"], cdr["callduraction"], cdr["talkduraction"]) == ("1000", "23", "5")


def test_sequential_answered_by_the_second_member(line: Line) -> None:
    callid = line.place(CALLER, "6301", trunk="SIP-Carrier")
    line.hangup(callid, "1003")  # declining passes to the next member at once
    assert line.steps() == [
        ("ALERT", f"in:{CALLER}"),
        ("ExtensionStatus", "1003", "Ringing"),
        ("RING", "1003", f"in:{CALLER}"),
        ("ExtensionStatus", "1003", "Idle"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", f"in:{CALLER}"),
    ]
    line.answer(callid)
    line.hangup(callid)
    steps = line.steps()
    assert steps[:3] == [
        ("ExtensionStatus", "1002", "Busy"),
        ("ANSWERED", f"in:{CALLER}", "1002"),
        ("ANSWER", "1002", f"in:{CALLER}"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    assert cdr["callto"] == "1002"


def test_ringgroup_dial_outbound(line: Line) -> None:
    """The PBX calls a number outside through 1001's route; once it answers, the group rings
    for it as an API-placed call (``ALERT`` for the outside party, then ``RING``)."""
    answer = line("ringgroup/dial_outbound", ringgroupid="6300", outto=OUTSIDE, fromext="1001")
    callid = answer["callid"]
    assert answer == {"status": "Success", "callid": callid}
    assert line.steps() == []
    assert ringing(line, callid) == [OUTSIDE]
    line.advance(2)
    line.answer(callid, OUTSIDE)
    assert line.steps() == [
        ("ALERT", f"out:{OUTSIDE}"),
        ("ExtensionStatus", "1002", "Ringing"),
        ("RING", "1002", f"out:{OUTSIDE}"),
        ("ExtensionStatus", "1003", "Ringing"),
        ("RING", "1003", f"out:{OUTSIDE}"),
    ]
    line.answer(callid, "1002")
    line.advance(7)
    line.hangup(callid, OUTSIDE)
    assert line.steps() == [
        ("ExtensionStatus", "1002", "Busy"),
        ("ExtensionStatus", "1003", "Idle"),
        ("ANSWERED", f"out:{OUTSIDE}", "1002"),
        ("ANSWER", "1002", f"out:{OUTSIDE}"),
        ("BYE", f"out:{OUTSIDE}", "1002"),
        ("BYE", "1002", f"out:{OUTSIDE}"),
        ("ExtensionStatus", "1002", "Idle"),
        ("NewCdr", "ANSWERED"),
    ]
    (cdr,) = of(line.reports(), "NewCdr")
    assert (cdr["callfrom"], cdr["callto"], cdr["type"], cdr["desttrunkname"]) == (
        "1001",
        "1002",
        "Outbound",
        "SIP-Carrier",
    )
    assert (cdr["callduraction"], cdr["talkduraction"]) == ("9", "7")
