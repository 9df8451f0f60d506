"""One-time randoms expire through an index by expiry (docs/pbx-api/files.md): the ones issued
by this process and the ones it found in the store when it started issuing alike."""

from __future__ import annotations

from yspbx.clock import Clock
from yspbx.pbx.simulated.calls.downloads import PREFIX, VALIDITY, Tickets
from yspbx.store.memory import MemoryState


async def test_expired_randoms_leave_the_store_and_live_ones_stay() -> None:
    state, clock = MemoryState(), Clock()
    earlier = Tickets(state, clock)  # another process, or this one before a restart
    old = await earlier.issue("cdr", "all", ["127.0.0.1"])
    clock.advance(VALIDITY / 2)
    tickets = Tickets(state, clock)
    mid = await tickets.issue("cdr", "all", ["127.0.0.1"])
    spent = await tickets.issue("recording", "a.wav", ["127.0.0.1"])
    assert await tickets.redeem("recording", "a.wav", spent, "::ffff:127.0.0.1")
    clock.advance(VALIDITY / 2 + 1)
    new = await tickets.issue("cdr", "all", ["127.0.0.1"])
    keys = {key for key, _ in await state.scan(PREFIX)}
    assert keys == {PREFIX + mid, PREFIX + new}
    assert old not in "".join(keys)
    clock.advance(VALIDITY)
    await tickets.issue("cdr", "all", ["127.0.0.1"])
    assert len(await state.scan(PREFIX)) == 1
    assert not await tickets.redeem("cdr", "all", new, "127.0.0.1")
