"""Ring groups by strategy (ring group 6300 of the default config: 1002, 1003, 1004 (in DND),
ring all, 30 s, failover hang up)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.engine import Pbx
from tests.support.helpers import Sim
from tests.support.hosted import HostedServer, hosted
from yspbx.testing import ServerProcess

CALLER = "0612345678"


def sequential(pbx: Pbx, failover: str = "hangup") -> None:
    group = pbx.services.simulator.config.ringgroups["6300"]
    group.strategy = "sequential"
    group.failover_dest = failover


async def test_sequential_rings_members_one_after_another(pbx: Pbx) -> None:
    sequential(pbx)
    callid = await pbx.calls.dial_ringgroup_outbound("6300", "0698765432", "1001")
    await pbx.calls.answer(callid, "0698765432")
    assert pbx.calls_only() == [("ALERT", "out:0698765432"), ("RING", "1002", "out:0698765432")]
    await pbx.advance(30)
    assert pbx.take() == [
        ("ExtensionStatus", "1002", "Idle"),
        ("ExtensionStatus", "1003", "Ringing"),
        ("RING", "1003", "out:0698765432"),
    ]
    # 1004 is in DND: skipped. Nobody is left when 1003 stops ringing.
    await pbx.advance(30)
    assert pbx.calls_only() == [
        ("CallFailed", "603 Declined", "1003", "out:0698765432"),
        ("NewCdr", "NO ANSWER"),
    ]


async def test_sequential_skips_a_member_that_declines(pbx: Pbx) -> None:
    sequential(pbx)
    callid = await pbx.calls.place_call(CALLER, "6300", "SIP-Carrier")
    await pbx.calls.hangup(callid, "1002")  # 1002 declines: the next member rings at once
    assert pbx.live()[0]["parties"] == [CALLER, "6300", "1003"]
    await pbx.calls.answer(callid)
    await pbx.calls.hangup(callid)
    assert pbx.cdrs()[0].callto == "1003"


async def test_nobody_answering_goes_to_the_failover_destination(pbx: Pbx) -> None:
    sequential(pbx, failover="1000")
    await pbx.calls.place_call(CALLER, "6300", "SIP-Carrier")
    await pbx.advance(60)
    live = pbx.live()[0]
    assert (live["parties"], live["destination"]) == ([CALLER, "1000"], None)


async def test_ring_all_with_nobody_free_fails_busy_or_fails_over(pbx: Pbx) -> None:
    for member in ("1002", "1003"):
        pbx.services.simulator.config.extensions[member].dnd = True
    await pbx.calls.place_call(CALLER, "6300", "SIP-Carrier")
    assert pbx.calls_only() == [("CallFailed", "486 Busy Here", f"in:{CALLER}"), ("NewCdr", "BUSY")]
    pbx.services.simulator.config.ringgroups["6300"].failover_dest = "6200"
    await pbx.calls.place_call(CALLER, "6300", "SIP-Carrier")
    assert pbx.live()[0]["destination"] == {"type": "ivr", "number": "6200"}


SEQUENTIAL_GROUP = """
[[ringgroups]]
number = "6300"
name = "Sales"
strategy = "sequential"
members = ["1003", "1002"]
ringtimeout = 15
failover_dest = "1000"
"""


@pytest.fixture(scope="module")
def sequential_server(server: ServerProcess) -> Iterator[HostedServer]:
    with hosted(server, SEQUENTIAL_GROUP) as pbx:
        yield pbx


def test_sequential_ring_group_over_http(sequential_server: HostedServer) -> None:
    sim = Sim(sequential_server.url)
    try:
        callid = sim.post("/calls", {"from": CALLER, "to": "6300", "trunk": "SIP-Carrier"})[
            "callid"
        ]

        def ringing() -> list[str]:
            legs = sim.get(f"/calls/{callid}")["legs"]
            return [leg["number"] for leg in legs if leg["state"] == "ringing"]

        assert ringing() == ["1003"]
        sim.advance(15)
        assert ringing() == ["1002"]
        sim.advance(15)
        assert ringing() == ["1000"]
        assert sim.post(f"/calls/{callid}/answer", {})["party"] == "1000"
    finally:
        sim.close()
