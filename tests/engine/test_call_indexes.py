"""The engine's indexes answer what a look through every live call would: callers waiting per
queue (``queuestatus/query``), trunk legs by id (``inbound/query``, ``outbound/query``),
members by channel (2.0.0), and whether a trunk carries a call. Each is checked against the
full call listing, the one place that still looks through every call."""

from __future__ import annotations

import pytest

from tests.support.engine import Pbx
from yspbx.errors import PbxError

TRUNK = "SIP-Carrier"
QUEUE = "6700"


async def queue_settings(pbx: Pbx, **changes: object) -> None:
    await pbx.services.simulator.config.update_queue(QUEUE, changes)


async def waiting(pbx: Pbx) -> int:
    """What queuestatus/query says, checked against the calls the listing shows in 6700."""
    (status,) = await pbx.services.simulator.config.queue_status([QUEUE])
    listed = [c for c in pbx.live() if c["feature"] == {"type": "queue", "number": QUEUE}]
    assert status.waiting == len(listed)
    return status.waiting


async def test_the_waiting_count_follows_every_way_out_of_the_queue(pbx: Pbx) -> None:
    await queue_settings(
        pbx,
        breakoutkey="0",
        breakoutaction="IVR",
        breakoutdest="6200",
        maxwaittime=300,
        failoveraction="Extension",
        failoverdest="1003",
    )
    calls = pbx.calls
    first = await calls.place_call("0600000001", QUEUE, TRUNK)  # rings 1001 and 1002
    leaving = await calls.place_call("0600000002", QUEUE, TRUNK)
    breaking_out = await calls.place_call("0600000003", QUEUE, TRUNK)
    assert await waiting(pbx) == 3
    await calls.hangup(leaving)  # gives up
    assert await waiting(pbx) == 2
    await calls.press_keys(breaking_out, "0")  # off to the IVR
    assert await waiting(pbx) == 1
    await calls.answer(first, "1001")
    assert await waiting(pbx) == 0
    late = await calls.place_call("0600000004", QUEUE, TRUNK)
    assert await waiting(pbx) == 1
    await pbx.advance(300)  # its maximum wait: to the failover extension
    assert await waiting(pbx) == 0
    await calls.hangup(late)
    await calls.hangup(first)
    assert await waiting(pbx) == 0


async def test_a_transferred_caller_no_longer_waits(pbx: Pbx) -> None:
    calls = pbx.calls
    callid = await calls.place_call("0600000001", QUEUE, TRUNK)
    assert await waiting(pbx) == 1
    await calls.transfer_inbound(callid, "1003", "")
    assert await waiting(pbx) == 0
    assert pbx.live()[0]["parties"] == ["0600000001", "1003"]


async def test_inbound_and_outbound_queries_by_id_answer_as_the_full_list_filtered(
    pbx: Pbx,
) -> None:
    calls = pbx.calls
    inbound = [await calls.place_call(f"06000000{n:02d}", "6200", TRUNK) for n in range(5)]
    outbound = await calls.dial_outbound("1003", "0698765432", True)
    await calls.hangup(inbound[2])
    everything = await calls.inbound_calls()
    wanted = [inbound[4], "nonsense", inbound[0], inbound[2], inbound[4], outbound]
    found = await calls.inbound_calls(wanted)
    # In the order of the calls (not of the request), each once, live inbound legs only.
    assert found == [c for c in everything if c.inboundid in wanted]
    assert [c.inboundid for c in found] == [inbound[0], inbound[4]]
    (out,) = await calls.outbound_calls()
    assert await calls.outbound_calls([out.outboundid, inbound[0]]) == [out]
    assert await calls.outbound_calls([inbound[0]]) == []


async def test_members_are_found_by_channel_while_they_are_in_the_call(pbx: Pbx) -> None:
    calls = pbx.calls
    callid = await calls.place_call("0600000001", "1003", TRUNK)
    (view,) = await calls.call_views([callid])
    channels = {m.number: m.channel for m in view.members}
    for number, channel in channels.items():
        assert await calls.member(channel) == (
            callid,
            next(m for m in view.members if m.number == number),
        )
    await calls.answer(callid)
    await calls.transfer_from_phone(callid, "1003", "1006")  # 1003 leaves, 1006 rings
    with pytest.raises(PbxError) as left:
        await calls.member(channels["1003"])
    assert left.value.errno.value == "10007"
    (view,) = await calls.call_views([callid])
    ringing = next(m for m in view.members if m.number == "1006")
    assert await calls.member(ringing.channel) == (callid, ringing)
    await calls.hangup(callid)
    for channel in (channels["0600000001"], ringing.channel):
        with pytest.raises(PbxError):
            await calls.member(channel)


async def test_a_trunk_is_in_use_while_a_call_has_a_leg_on_it(pbx: Pbx) -> None:
    in_use = pbx.services.simulator.config.hooks.trunk_in_use
    first = await pbx.calls.place_call("0600000001", "6200", TRUNK)
    second = await pbx.calls.place_call("0600000002", "6200", TRUNK)
    assert in_use(TRUNK)
    assert not in_use("SIP-Screened")
    await pbx.calls.hangup(first)
    assert in_use(TRUNK)
    await pbx.calls.hangup(second)
    assert not in_use(TRUNK)
    await pbx.calls.dial_outbound("1003", "0698765432", True)  # out on SIP-Carrier
    assert in_use(TRUNK)
    await pbx.calls.hangup_extension("1003")
    assert not in_use(TRUNK)
