"""The SDK's ``queues`` methods against the real server (both twins): settings, live status,
dynamic agents and pauses, on the default config's queue 6700 "Support" (password 1234,
static agents 1001 and 1002)."""

from __future__ import annotations

import pytest

from tests.support.helpers import Sim
from tests.support.sdk_live import Wire, assert_read_whole
from yspbx.client import (
    AgentStatus,
    ApiError,
    Client,
    InvalidValueError,
    NotFoundError,
    Queue,
    QueueStatus,
    Simulator,
)


def test_queue_query(sdk: Client, wire: Wire) -> None:
    found = sdk.queues.query()
    sent = wire.items("queue/query", "queues")
    assert_read_whole(found, sent)
    assert sent[0]["agents"] == "1001,1002,"  # the PBX's trailing comma
    (support,) = found
    assert isinstance(support, Queue)
    assert (support.number, support.name, support.password) == ("6700", "Support", "1234")
    assert (support.ring_strategy, support.failover_action) == ("Ring All", "Hang up")
    assert (support.agents, support.dynamic_agents) == (["1001", "1002"], [])
    assert (support.agent_timeout, support.wrap_up_time, support.retry) == (30, 30, 30)
    assert (support.max_wait_time, support.ring_in_use) == (1800, True)
    assert (support.join_empty, support.leave_when_empty) == (False, True)
    assert (support.announce_position, support.announce_frequency) == (True, 30)
    assert (support.announce_hold_time, support.user_announcement_frequency) == (True, 30)
    assert (support.agent_announcement, support.music_on_hold) == ("[None]", "[None]")
    assert (support.join_announcement, support.user_announcement) == ("[None]", "[None]")
    assert (support.breakout_key, support.id_announcement, support.satisfaction_survey) == (
        "None",
        "None",
        "None",
    )
    assert sdk.queues.query("6700") == found


def test_queue_update_round_trip(sdk: Client, wire: Wire) -> None:
    sdk.queues.update(
        "6700",
        new_number="6701",
        name="Helpdesk",
        password="4321",
        ring_strategy="RRmemory",  # the other spelling; answered as "Rrmemory"
        failover_action="Extension",
        failover_destination="1000",
        agents=["1003", "1001"],
        agent_timeout=20,
        wrap_up_time=40,
        ring_in_use=False,
        retry=50,
        max_wait_time=600,
        join_empty=True,
        leave_when_empty=False,
        announce_position=False,
        announce_frequency=60,
        announce_hold_time=False,
        user_announcement_frequency=120,
        breakout_key="1",
        breakout_action="IVR",
        breakout_destination="6200",
        id_announcement="welcome",
        satisfaction_survey="goodbye",
    )
    (desk,) = sdk.queues.query(["6701"])
    assert_read_whole([desk], wire.items("queue/query", "queues"))
    assert (desk.number, desk.name, desk.password) == ("6701", "Helpdesk", "4321")
    assert (desk.ring_strategy, desk.agents) == ("Rrmemory", ["1003", "1001"])
    assert (desk.failover_action, desk.failover_destination) == ("Extension", "1000")
    assert (desk.agent_timeout, desk.wrap_up_time, desk.retry, desk.max_wait_time) == (
        20,
        40,
        50,
        600,
    )
    assert (desk.ring_in_use, desk.join_empty, desk.leave_when_empty) == (False, True, False)
    assert (desk.announce_position, desk.announce_hold_time) == (False, False)
    assert (desk.announce_frequency, desk.user_announcement_frequency) == (60, 120)
    assert (desk.breakout_key, desk.breakout_action, desk.breakout_destination) == (
        "1",
        "IVR",
        "6200",
    )
    assert (desk.id_announcement, desk.satisfaction_survey) == ("welcome", "goodbye")
    with pytest.raises(NotFoundError):
        sdk.queues.query("6700")
    assert sdk.inbound_routes.query("Support-Line")[0].destination == "6701"


@pytest.mark.parametrize(
    "changes",
    [
        {"agent_timeout": 35},
        {"max_wait_time": 100},
        {"ring_strategy": "Sometimes"},
        {"agents": ["1001", "9999"]},
        {"failover_action": "Extension", "failover_destination": "9999"},
        {"breakout_key": "A"},
        {"satisfaction_survey": "no-such-prompt"},
        {"password": "12ab"},
        {"name": "two words"},
    ],
)
def test_refused_queue_changes_raise_invalid_value(sdk: Client, changes: dict[str, object]) -> None:
    before = sdk.queues.query()
    with pytest.raises(InvalidValueError) as caught:
        sdk.queues.update("6700", **changes)  # type: ignore[arg-type]
    assert (caught.value.errno, caught.value.endpoint) == ("10019", "queue/update")
    assert sdk.queues.query() == before


def test_queue_status_follows_agents(sdk: Client, wire: Wire, sim: Sim) -> None:
    status = sdk.queues.status("6700")
    assert isinstance(status, QueueStatus)
    (sent,) = wire.items("queuestatus/query", "queues")
    assert status.model_extra == {}
    assert (status.number, status.waiting_callers) == (sent["queuenumber"], 0)
    (block,) = sent["queuestatus"]
    assert block["callercount"] == "0"
    assert_read_whole(status.members, block["members"])
    assert [(m.agent, m.status) for m in status.members] == [
        ("1001", AgentStatus.IDLE),
        ("1002", AgentStatus.IDLE),
    ]

    sdk.queues.add_dynamic_agent("6700", "1003", "1234")
    assert sdk.queues.query("6700")[0].dynamic_agents == ["1003"]
    sdk.queues.pause_agent("6700", "1003")
    sdk.queues.pause_agent("6700", "1001")  # static agents can pause too
    sim.post("/extensions/1002/unregister")
    assert [(m.agent, m.status) for m in sdk.queues.status("6700").members] == [
        ("1001", AgentStatus.PAUSED),
        ("1002", AgentStatus.UNAVAILABLE),
        ("1003", AgentStatus.PAUSED),
    ]
    sdk.queues.unpause_agent("6700", "1003")
    assert sdk.queues.status("6700").members[2].status is AgentStatus.IDLE
    sdk.queues.remove_dynamic_agent("6700", "1003", "1234")
    assert [m.agent for m in sdk.queues.status("6700").members] == ["1001", "1002"]
    assert sdk.queues.query("6700")[0].dynamic_agents == []


def test_queue_agent_refusals(sdk: Client) -> None:
    with pytest.raises(ApiError) as wrong:
        sdk.queues.add_dynamic_agent("6700", "1003", "0000")
    assert (type(wrong.value), wrong.value.errno) == (ApiError, "10032")
    with pytest.raises(ApiError) as left_out:  # the queue has a password: left out, wrong
        sdk.queues.add_dynamic_agent("6700", "1003")
    assert (type(left_out.value), left_out.value.errno) == (ApiError, "10032")
    with pytest.raises(NotFoundError) as unknown:
        sdk.queues.add_dynamic_agent("6700", "9999", "1234")
    assert unknown.value.errno == "10006"
    with pytest.raises(NotFoundError) as not_an_agent:
        sdk.queues.pause_agent("6700", "1004")
    assert (not_an_agent.value.errno, not_an_agent.value.endpoint) == ("10006", "queue/pause_agent")
    with pytest.raises(NotFoundError) as not_an_agent:
        sdk.queues.unpause_agent("6700", "1004")
    assert not_an_agent.value.errno == "10006"
    assert sdk.queues.query("6700")[0].dynamic_agents == []


def test_unknown_queues_are_not_found(sdk: Client) -> None:
    for call in (
        lambda: sdk.queues.query(["6700", "6799"]),
        lambda: sdk.queues.update("6799", name="Gone"),
        lambda: sdk.queues.status("6799"),
        lambda: sdk.queues.add_dynamic_agent("6799", "1003", "1234"),
        lambda: sdk.queues.remove_dynamic_agent("6799", "1003", "1234"),
        lambda: sdk.queues.pause_agent("6799", "1001"),
        lambda: sdk.queues.unpause_agent("6799", "1001"),
    ):
        with pytest.raises(NotFoundError) as caught:
            call()
        assert caught.value.errno == "10013"


def test_queue_status_counts_waiting_callers(sdk: Client, wire: Wire, simulator: Simulator) -> None:
    """Callers ringing in on a trunk for queue 6700 wait until an agent answers; the count is
    ``callercount`` on the wire, ``waiting_callers`` in the SDK."""
    first = simulator.start_call("0611111111", "6700", trunk="SIP-Carrier")
    second = simulator.start_call("0622222222", "6700", trunk="SIP-Carrier")
    third = simulator.start_call("0633333333", "5503303", trunk="SIP-Carrier")  # the queue's DID
    assert {c.callid: c.destination.number for c in simulator.calls() if c.destination} == {
        first: "6700",
        second: "6700",
        third: "6700",
    }
    status = sdk.queues.status("6700")
    (block,) = wire.items("queuestatus/query", "queues")[0]["queuestatus"]
    assert block["callercount"] == "3"
    assert status.waiting_callers == 3
    # Both agents ring for the first caller.
    assert [(m.agent, m.status) for m in status.members] == [
        ("1001", AgentStatus.RINGING),
        ("1002", AgentStatus.RINGING),
    ]

    assert simulator.answer(first, party="1001") == "1001"  # an agent takes the first caller
    assert sdk.queues.status("6700").waiting_callers == 2
    simulator.hang_up(second)  # a caller gives up
    assert sdk.queues.status("6700").waiting_callers == 1
    sdk.calls.hang_up_inbound(third)
    status = sdk.queues.status("6700")
    assert status.waiting_callers == 0
    assert [(m.agent, m.status) for m in status.members] == [
        ("1001", AgentStatus.IN_USE),
        ("1002", AgentStatus.IDLE),
    ]
