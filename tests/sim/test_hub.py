"""The event hub under a slow listener: publishing never waits, the laggard is dropped."""

from __future__ import annotations

import asyncio

from yspbx.hub import QUEUE_SIZE, EventHub


def test_a_listener_that_falls_behind_is_dropped_and_told() -> None:
    async def scenario() -> None:
        hub = EventHub()
        slow, keeping_up = hub.listen(), hub.listen()
        for n in range(QUEUE_SIZE + 5):
            hub.publish("clock", {"n": n})
            # One listener reads as events come; the other never reads.
            event = keeping_up.queue.get_nowait()
            assert event is not None
            assert event.data == {"n": n}
        assert slow.dropped
        assert not keeping_up.dropped
        assert hub.dropped_total == 1
        assert hub.listening
        # The laggard is left with the end marker alone: its stream closes, no gap shown.
        queued = [slow.queue.get_nowait() for _ in range(slow.queue.qsize())]
        assert queued == [None]

    asyncio.run(scenario())


def test_nobody_listening_costs_no_event() -> None:
    hub = EventHub()
    assert hub.publish("clock", {}) is None
    listener = hub.listen()
    assert hub.publish("clock", {}) is not None
    hub.leave(listener)
    assert not hub.listening
