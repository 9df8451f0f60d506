"""Engine capacity: call setups per second, what each per-call step costs as live calls and
queues grow, and memory per live call with 10,000 held.

The call engine runs in-process on the memory store with nobody logged in, so the reports it
emits are discarded (the fan-out has no session to queue them for) and the figures are the
engine's own: each operation changes the calls, then flushes its effect queue (events handed
to the bus, the record written to the store). The PBX is generated: ``--live`` "load"
extensions, each of which holds one live call (an inbound caller it answered); probe extension
30000, whose calls are measured; queue 6702 (probe agents 30001 and 30002, Ring All, no
wrap-up), whose calls are measured; queue 6701, with no agent, where callers pile up.

Per step, the median of ``--repeat`` runs of one operation, at 0, 1,000 and 10,000 live
calls, then with 0, 1,000 and 10,000 callers waiting in queue 6701. Memory: the Python heap
(tracemalloc) grown by holding 10,000 calls, per call, in a fresh engine each time.

Then the same path through HTTP, as issue 19 measured it: ``POST /sim/v1/calls`` on a real
server (``yspbx serve``, memory store, the default config) into queue 6700 with 0 and 1,000
callers waiting, and to an extension (``--http-only`` runs only that part, e.g. against
another checkout with ``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.scale import rss_mib
from yspbx.pbx.simulated.calls import SimulatedCalls
from yspbx.services import Services
from yspbx.settings import load_settings
from yspbx.store.memory import MemoryStore
from yspbx.testing import ServerProcess

TRUNK = "SIP-Carrier"
LOAD_FIRST = 20000  # load extensions 20000, 20001, ...
PROBE = "30000"
AGENTS = ("30001", "30002")
MEASURED_QUEUE = "6702"
LONG_QUEUE = "6701"
# Long enough that no timer of a waiting caller fires while the benchmark runs.
QUIET = 86400


def config_text(load: int) -> str:
    """A PBX with ``load`` load extensions, the probes, both queues and one SIP trunk."""
    lines = ['base = "empty"', "[device]", f"max_extensions = {load + 100}"]
    numbers = [str(LOAD_FIRST + i) for i in range(load)] + [PROBE, *AGENTS]
    for number in numbers:
        lines += [
            "[[extensions]]",
            f'number = "{number}"',
            f'registername = "{number}"',
            f'registerpassword = "Pw{number}x"',
            "noanswerforward = false",
            "busyforward = false",
        ]
    lines += [
        "[[trunks]]",
        f'name = "{TRUNK}"',
        'type = "SIP"',
        "id = 1",
        'status = "Registered"',
        'trunktype = "peer"',
        'host = "203.0.113.1"',
        'port = "5060"',
        'domain = "203.0.113.1"',
        "[[queues]]",
        f'number = "{MEASURED_QUEUE}"',
        'name = "Measured"',
        f"agents = {json.dumps(list(AGENTS))}",
        'ringstrategy = "Ring All"',
        "wrapuptime = 0",
        "[[queues]]",
        f'number = "{LONG_QUEUE}"',
        'name = "Long"',
        "agents = []",
        f"retry = {QUIET}",
        f"maxwaittime = {QUIET}",
    ]
    return "\n".join(lines)


@dataclass
class Engine:
    services: Services
    calls: SimulatedCalls
    held: list[str] = field(default_factory=list)  # the live load calls
    waiting: list[str] = field(default_factory=list)  # the callers waiting in the long queue

    @classmethod
    async def open(cls, load: int) -> Engine:
        settings = load_settings(text=config_text(load), origin="bench/engine.py")
        services = Services.build(settings, MemoryStore("memory://"))
        await services.start()
        return cls(services, services.simulator.calls)

    async def close(self) -> None:
        await self.services.stop()

    async def hold(self, count: int) -> list[float]:
        """Bring the live load calls to ``count`` (each answered); the setup times."""
        setups = []
        while len(self.held) < count:
            n = len(self.held)
            started = time.perf_counter()
            callid = await self.calls.place_call(f"06{n:08d}", str(LOAD_FIRST + n), TRUNK)
            setups.append(time.perf_counter() - started)
            await self.calls.answer(callid)
            self.held.append(callid)
        return setups

    async def release_all(self) -> None:
        for callid in self.held + self.waiting:
            await self.calls.hangup(callid)
        self.held.clear()
        self.waiting.clear()

    async def queue_up(self, count: int) -> None:
        """Bring the callers waiting in the long queue to ``count``."""
        while len(self.waiting) < count:
            n = len(self.waiting)
            callid = await self.calls.place_call(f"05{n:08d}", LONG_QUEUE, TRUNK)
            self.waiting.append(callid)


# -- the steps ---------------------------------------------------------------------------

Timings = dict[str, list[float]]


async def timed(timings: Timings, step: str, action: Awaitable[Any]) -> Any:
    started = time.perf_counter()
    result = await action
    timings.setdefault(step, []).append(time.perf_counter() - started)
    return result


def timed_now(timings: Timings, step: str, action: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = action()
    timings.setdefault(step, []).append(time.perf_counter() - started)
    return result


STEPS = (
    "setup: inbound call rings an extension",
    "answer",
    "extension status",
    "inbound/query (one id)",
    "2.0.0 call/query (one callid)",
    "2.0.0 member by channel",
    "hangup: BYEs, record written",
    "queue entry: agents picked and rung",
    "queue: agent answers",
    "queue: hangup, wrap-up, record",
    "queue entry: nobody free, waits",
    "queuestatus/query",
    "caller abandons the queue",
)


async def one_round(engine: Engine, n: int, timings: Timings) -> None:
    """One of each step, in the order a day's calls take them."""
    calls, config = engine.calls, engine.services.simulator.config
    s = iter(STEPS)
    callid = await timed(timings, next(s), calls.place_call(f"07{n:08d}", PROBE, TRUNK))
    await timed(timings, next(s), calls.answer(callid))
    timed_now(timings, next(s), lambda: calls.extension_status(PROBE))
    await timed(timings, next(s), calls.inbound_calls([callid]))
    (view,) = await timed(timings, next(s), calls.call_views([callid]))
    await timed(timings, next(s), calls.member(view.members[-1].channel))
    await timed(timings, next(s), calls.hangup(callid))
    callid = await timed(timings, next(s), calls.place_call(f"08{n:08d}", MEASURED_QUEUE, TRUNK))
    await timed(timings, next(s), calls.answer(callid, AGENTS[n % 2]))
    await timed(timings, next(s), calls.hangup(callid))
    callid = await timed(timings, next(s), calls.place_call(f"09{n:08d}", LONG_QUEUE, TRUNK))
    await timed(timings, next(s), config.queue_status([LONG_QUEUE]))
    await timed(timings, next(s), calls.hangup(callid))


async def step_costs(engine: Engine, repeat: int) -> dict[str, float]:
    """The median of each step, in microseconds."""
    timings: Timings = {}
    for n in range(repeat):
        await one_round(engine, n, timings)
    return {step: statistics.median(times) * 1e6 for step, times in timings.items()}


async def call_rate(engine: Engine, count: int, batches: int = 5) -> float:
    """Whole calls per second: an inbound call rings, is answered, hangs up (record written).
    The median of ``batches`` batches, so a neighbour's burst on a shared machine does not
    decide the figure."""
    rates = []
    size = max(1, count // batches)
    for batch in range(batches):
        started = time.perf_counter()
        for n in range(batch * size, (batch + 1) * size):
            callid = await engine.calls.place_call(f"04{n:08d}", PROBE, TRUNK)
            await engine.calls.answer(callid)
            await engine.calls.hangup(callid)
        rates.append(size / (time.perf_counter() - started))
    return statistics.median(rates)


async def memory_per_call(live: int, kind: str) -> float:
    """Python heap grown by holding ``live`` calls, per call (fresh engine, tracemalloc)."""
    engine = await Engine.open(live if kind == "talking" else 0)
    try:
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        if kind == "talking":
            await engine.hold(live)
        else:
            await engine.queue_up(live)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        return grown / live
    finally:
        await engine.close()


def levels(top: int) -> tuple[int, ...]:
    """The loads measured: none, a tenth of the most, the most (0, 1,000, 10,000)."""
    return (0, top // 10, top)


async def engine_figures(repeat: int, rate_calls: int, top: int) -> dict[str, Any]:
    engine = await Engine.open(top)
    figures: dict[str, Any] = {"live": {}, "queued": {}}
    try:
        rss_before = rss_mib_self()
        setups: list[float] = []
        for level in levels(top):
            setups += await engine.hold(level)
            figures["live"][level] = await step_costs(engine, repeat)
            figures.setdefault("rate", {})[level] = await call_rate(engine, rate_calls)
            print(f"  {level:>6,} live calls: {figures['rate'][level]:,.0f} calls/s", flush=True)
        figures["rss_mib_per_1000_live"] = (rss_mib_self() - rss_before) * 1000 / max(1, top)
        figures["setups_per_second"] = len(setups) / sum(setups) if setups else 0.0
        await engine.release_all()
        for level in levels(top):
            await engine.queue_up(level)
            figures["queued"][level] = await step_costs(engine, repeat)
            print(f"  {level:>6,} callers waiting: measured", flush=True)
        await engine.release_all()
    finally:
        await engine.close()
    figures["memory"] = {
        kind: await memory_per_call(top, kind) for kind in ("talking", "waiting in a queue")
    }
    return figures


def rss_mib_self() -> float:
    import os

    return rss_mib(os.getpid())


# -- through HTTP ------------------------------------------------------------------------


def http_figures(calls: int, waiting_levels: Sequence[int]) -> dict[str, dict[int, float]]:
    """Milliseconds per ``POST /sim/v1/calls`` (and per hangup) on a real server."""
    found: dict[str, dict[int, float]] = {}
    with (
        ServerProcess(store="memory://", extra_args=("--log-level", "error")) as server,
        httpx.Client(base_url=server.url + "/sim/v1", timeout=120) as client,
    ):

        def place(caller: str, dialled: str) -> str:
            body = {"from": caller, "to": dialled, "trunk": TRUNK}
            answer = client.post("/calls", json=body)
            answer.raise_for_status()
            callid: str = answer.json()["callid"]
            return callid

        waiting = 0
        for level in waiting_levels:
            while waiting < level:
                place(f"06{waiting:08d}", "6700")
                waiting += 1
            for label, dialled in (("queue 6700", "6700"), ("extension 1003", "1003")):
                placed, released = [], []
                for n in range(calls):
                    started = time.perf_counter()
                    callid = place(f"07{n:08d}", dialled)
                    placed.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    client.post(f"/calls/{callid}/hangup", json={}).raise_for_status()
                    released.append(time.perf_counter() - started)
                found.setdefault(f"{label}: call", {})[level] = statistics.median(placed)
                found.setdefault(f"{label}: hangup", {})[level] = statistics.median(released)
            print(f"  HTTP, {level:,} callers waiting in 6700: measured", flush=True)
    return {step: {k: v * 1000 for k, v in values.items()} for step, values in found.items()}


# -- the page ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200, help="runs of each step per level")
    parser.add_argument("--live", type=int, default=10000, help="the most live calls held")
    parser.add_argument("--rate-calls", type=int, default=2000)
    parser.add_argument("--http-calls", type=int, default=100)
    parser.add_argument("--http-only", action="store_true")
    parser.add_argument("--no-docs", dest="write_docs", action="store_false")
    parser.add_argument("--smoke", action="store_true", help="a tiny run (tests), no docs")
    parser.add_argument(
        "--before",
        type=Path,
        help="results/engine.json of a run on an older checkout: its grown steps on the page",
    )
    parser.add_argument("--before-name", default="the older checkout")
    args = parser.parse_args(argv)
    if args.smoke:
        args.live, args.repeat, args.rate_calls, args.http_calls = 200, 5, 50, 5
        args.write_docs = False
    results: dict[str, Any] = {}
    if not args.http_only:
        print("engine, in-process, memory store, reports discarded:", flush=True)
        results["engine"] = asyncio.run(engine_figures(args.repeat, args.rate_calls, args.live))
    results["http"] = http_figures(args.http_calls, levels(args.live)[:2])
    print_results(results)
    output = Path(__file__).resolve().parent / "results" / "engine.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2))
    if args.write_docs and not args.http_only:
        write_docs(results, args)
    return 0


def _engine_table(costs: dict[int, dict[str, float]], what: str) -> str:
    levels = sorted(costs)
    header = ["step (µs, median)", *(f"{level:,} {what}" for level in levels)]
    rows = [[step, *(f"{costs[level][step]:.0f}" for level in levels)] for step in STEPS]
    from bench import writeup

    return writeup.table(header, rows)


def _http_table(http: dict[str, dict[int, float]]) -> str:
    from bench import writeup

    waiting = sorted(next(iter(http.values())))
    header = ["`POST /sim/v1/calls` (ms, median)", *(f"{lv:,} waiting" for lv in waiting)]
    rows = [[step, *(f"{values[lv]:.2f}" for lv in waiting)] for step, values in http.items()]
    return writeup.table(header, rows)


def print_results(results: dict[str, Any]) -> None:
    engine = results.get("engine")
    if engine is not None:
        print(_engine_table(engine["live"], "live calls"))
        print(_engine_table(engine["queued"], "waiting"))
        rates = ", ".join(f"{lv:,} live: {r:,.0f}/s" for lv, r in engine["rate"].items())
        print(f"whole calls per second: {rates}")
        print(f"setups per second while filling: {engine['setups_per_second']:,.0f}")
        for kind, size in engine["memory"].items():
            print(f"memory per live call ({kind}): {size / 1024:.1f} KiB")
    print(_http_table(results["http"]))


def write_docs(results: dict[str, Any], args: argparse.Namespace) -> None:
    from bench import writeup

    engine = results["engine"]
    rates = engine["rate"]
    memory = engine["memory"]
    body = "\n\n".join(
        [
            "## Engine capacity (`python -m bench engine`)",
            f"Command: `python -m bench engine`. Machine: {writeup.machine()}.",
            "The call engine in-process on the memory store, nobody logged in (reports "
            "discarded: the figures are the engine's own). Each operation includes flushing "
            "its effect queue: events handed to the bus, the record written to the store. "
            f"The PBX holds up to {args.live:,} live calls, each an inbound caller answered "
            "by its own extension; the measured calls ring a probe extension, or a queue with "
            "two probe agents (Ring All), or wait in a queue without agents "
            "(bench/engine.py's docstring has the set-up).",
            "**Whole calls per second** (an inbound call rings an extension, is answered, "
            "hangs up, its record is written): "
            + ", ".join(f"{rates[lv]:,.0f} with {lv:,} live calls" for lv in sorted(rates))
            + f". **Setups per second** while going from 0 to {args.live:,} live calls: "
            f"{engine['setups_per_second']:,.0f}.",
            f"**Memory per live call**, {args.live:,} held (Python heap, tracemalloc, fresh "
            "engine): "
            + ", ".join(f"{size / 1024:.1f} KiB {kind}" for kind, size in memory.items())
            + f"; the process's resident memory grew {engine['rss_mib_per_1000_live']:.1f} MiB "
            "per 1,000 live calls (talking, with the measured rounds).",
            "What each step costs as live calls grow (median of "
            f"{args.repeat} runs at each level):",
            _engine_table(engine["live"], "live calls"),
            "And as one queue grows (callers waiting in queue 6701, no other live call):",
            _engine_table(engine["queued"], "waiting"),
            "Through HTTP, as issue 19 measured it: `POST /sim/v1/calls` on `yspbx serve` "
            "(memory store, default config) into queue 6700 with callers waiting there, and "
            "to an extension; each call is hung up after it is placed "
            f"(median of {args.http_calls}):",
            _http_table(results["http"]),
        ]
    )
    if args.before is not None:
        body += "\n\n" + _before(json.loads(args.before.read_text()), args.before_name)
    writeup.replace_section("engine", body)


def _before(before: dict[str, Any], name: str) -> str:
    """The steps that grew with the load on an older checkout (a run just before this one)."""
    from bench import writeup

    rows = []
    for what, unit in (("live", "live calls"), ("queued", "waiting")):
        costs = {int(level): steps for level, steps in before["engine"][what].items()}
        low, high = min(costs), max(costs)
        for step in STEPS:
            if costs[high][step] > 3 * costs[low][step]:
                rows.append(
                    [
                        step,
                        f"{costs[low][step]:,.0f} µs with {low:,} {unit}",
                        f"{costs[high][step]:,.0f} µs with {high:,} {unit}",
                    ]
                )
    for step, values in before["http"].items():
        low, high = (values[k] for k in sorted(values, key=int))
        rows.append([f"`POST /sim/v1/calls`, {step}", f"{low:.2f} ms", f"{high:.2f} ms"])
    return "\n\n".join(
        [
            f"The same benchmark on {name}, run just before on the same machine: the steps "
            "that grew with the load (each looked through every live call), and the HTTP path "
            "(0, then 1,000 callers waiting):",
            writeup.table(["step", "few", "many"], rows),
        ]
    )
