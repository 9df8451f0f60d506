"""Every per-call step costs the same however many calls are live and however long a queue is:
counted, not timed (bench/engine.py times them).

The measure is the number of lines of yspbx's own code that run for one step (``sys.settrace``,
frames outside the package not traced). A step that looked through every call, leg or waiting
caller would run its loop once more per call, so its count would grow with the load; a step
that uses an index runs the same lines whatever the load. Each step is counted once with a
handful of callers and once with 1,000 waiting in queue 6700 and 1,000 more in IVR 6200, on
the same path (both agents of 6700 paused, so every new caller waits), and must not cost more.
The last test shows the counter does see a scan: the full call listing grows with the calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest

from tests.support.engine import Pbx
from tests.support.line_count import LineCounter
from yspbx.app import YspbxApp
from yspbx.services import Services
from yspbx.settings import load_settings
from yspbx.store.memory import MemoryStore

T = TypeVar("T")
TRUNK = "SIP-Carrier"
QUEUE = "6700"
IVR = "6200"


async def counted(step: Callable[[], Awaitable[T]]) -> tuple[T, int]:
    return await LineCounter().run(step)


async def counted_now(step: Callable[[], T]) -> tuple[T, int]:
    """:func:`counted` for a step that answers at once (nothing to await)."""

    async def run() -> T:
        return step()

    return await LineCounter().run(run)


@dataclass
class Load:
    """Callers kept waiting in queue 6700 and IVR 6200 (each a live call)."""

    pbx: Pbx
    count: int = 0

    async def grow_to(self, count: int) -> None:
        calls = self.pbx.calls
        while self.count < count:
            await calls.place_call(f"05{self.count:08d}", QUEUE, TRUNK)
            await calls.place_call(f"04{self.count:08d}", IVR, TRUNK)
            self.count += 1


async def pause_agents(pbx: Pbx) -> None:
    config = pbx.services.simulator.config
    for agent in ("1001", "1002"):
        await config.pause_agent(QUEUE, agent)


Round = Callable[[int], Awaitable[dict[str, int]]]


def engine_round(pbx: Pbx) -> Round:
    """One of each per-call step on the engine, with its line count."""
    calls = pbx.calls
    config = pbx.services.simulator.config

    async def run(n: int) -> dict[str, int]:
        cost: dict[str, int] = {}
        callid, cost["queue entry"] = await counted(
            lambda: calls.place_call(f"07{n:08d}", QUEUE, TRUNK)
        )
        _, cost["queuestatus/query"] = await counted(lambda: config.queue_status([QUEUE]))
        _, cost["inbound/query"] = await counted(lambda: calls.inbound_calls([callid]))
        _, cost["extension status"] = await counted_now(lambda: calls.extension_status("1003"))
        _, cost["caller abandons the queue"] = await counted(lambda: calls.hangup(callid))
        callid, cost["call rings an extension"] = await counted(
            lambda: calls.place_call(f"08{n:08d}", "1003", TRUNK)
        )
        _, cost["answer"] = await counted(lambda: calls.answer(callid))
        (view,), cost["call/query"] = await counted(lambda: calls.call_views([callid]))
        channel = view.members[-1].channel
        _, cost["member by channel"] = await counted(lambda: calls.member(channel))
        _, cost["hold"] = await counted(lambda: calls.hold("1003"))
        _, cost["hangup, record"] = await counted(lambda: calls.hangup(callid))
        return cost

    return run


async def costs_at(pbx: Pbx, run: Round, levels: tuple[int, ...]) -> dict[int, dict[str, int]]:
    load = Load(pbx)
    found = {}
    for n, level in enumerate(levels):
        await load.grow_to(level)
        found[level] = await run(n)
    return found


def assert_flat(costs: dict[int, dict[str, int]]) -> None:
    few, *more = sorted(costs)
    for level in more:
        grown = {
            step: (costs[few][step], lines)
            for step, lines in costs[level].items()
            if lines > costs[few][step]
        }
        assert not grown, f"steps that cost more with {level} callers waiting: {grown}"


async def test_no_engine_step_grows_with_the_live_calls_and_the_queue(pbx: Pbx) -> None:
    await pause_agents(pbx)
    costs = await costs_at(pbx, engine_round(pbx), (1, 1000))
    assert_flat(costs)
    (status,) = await pbx.services.simulator.config.queue_status([QUEUE])
    assert status.waiting == 1000
    assert len(pbx.live()) == 2000


# -- the same through HTTP: POST /sim/v1/calls and its hangup ------------------------------


@dataclass
class HttpPbx:
    """The real ASGI app in this process (so its lines can be counted), nobody logged in."""

    pbx: Pbx
    http: httpx.AsyncClient


@pytest.fixture
async def http_pbx() -> AsyncIterator[HttpPbx]:
    settings = load_settings()
    store = MemoryStore()
    app = YspbxApp(settings, store)
    services = Services.build(settings, store)
    await services.start()
    app.holder.services = services
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            yield HttpPbx(Pbx(services), http)
    finally:
        await services.stop()


def http_round(target: HttpPbx) -> Round:
    http = target.http

    async def call(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = await http.request(method, path, json=body)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    async def run(n: int) -> dict[str, int]:
        cost: dict[str, int] = {}
        body = {"from": f"07{n:08d}", "to": QUEUE, "trunk": TRUNK}
        placed: dict[str, Any]
        ended: dict[str, Any]
        placed, cost["POST /sim/v1/calls"] = await counted(
            lambda: call("POST", "/sim/v1/calls", body)
        )
        assert placed["state"] == "dialing"
        callid = placed["callid"]
        _, cost["GET /sim/v1/calls/{id}"] = await counted(
            lambda: call("GET", f"/sim/v1/calls/{callid}", {})
        )
        ended, cost["POST /sim/v1/calls/{id}/hangup"] = await counted(
            lambda: call("POST", f"/sim/v1/calls/{callid}/hangup", {})
        )
        assert ended["state"] == "ended"
        return cost

    return run


async def test_placing_and_ending_calls_over_http_does_not_grow_with_the_queue(
    http_pbx: HttpPbx,
) -> None:
    await pause_agents(http_pbx.pbx)
    costs = await costs_at(http_pbx.pbx, http_round(http_pbx), (1, 1000))
    assert_flat(costs)


async def test_the_counter_sees_a_step_that_looks_through_every_call(pbx: Pbx) -> None:
    """The control plane's full listing describes every live call: its count grows with the
    calls, as a scanning step's would."""
    load = Load(pbx)
    listed = {}
    for level in (1, 100):
        await load.grow_to(level)
        _, listed[level] = await counted_now(pbx.live)
    assert listed[100] > 50 * listed[1]
