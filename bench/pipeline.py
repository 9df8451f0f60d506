"""The report pipeline at full speed against a bare httpx POST loop to the same receiver.

``python -m bench pipeline [--count N] [--rounds R] [--store memory|sqlite ...] [--no-docs]``

Issue 19's target: at ``max`` speed the report pipeline keeps at least half the throughput of
a bare httpx POST loop to the same receiver, measured in the same run.

- **The receiver**: bench/reports.py's, in its own process: a bare asyncio protocol on uvloop
  with httptools' parser that answers ``200`` to every POST at once and counts them; a
  long-polling GET says when a given count has arrived, so the benchmark asks once per phase.
- **yspbx**: the server's real parts in this process (``Services``: store, session rules,
  simulated engine, fan-out, outbox, deliverer, sender; uvloop, as ``yspbx serve`` runs), one
  session logged in with the receiver as its target. ``count`` events are emitted through the
  engine's event bus as fast as the engine takes them (each emit returns once its report is
  stored); the figure is reports/s from the first emit to the last report's arrival. One
  session's reports go one at a time, in order (the PBX's rule), so the fair comparison is:
- **the bare loop**: one ``httpx.AsyncClient`` POSTing the same bodies one after another, with
  a kept-alive connection (the fastest a sequential httpx client gets), in the same process;
  and yspbx's own report sender in the same bare loop, which shows what the pipeline's other
  parts (fan-out, outbox, deliverer) add to the POSTs.

Both run with ``reports.keepalive`` on (as a scenario at ``max`` speed would) and, for the
record, with the default new connection per report against a bare loop that also opens one
per request. Phases are interleaved, ``--rounds`` times; medians and per-round ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.reports import ReceiverProcess, report_body
from yspbx.pbx.events import ExtensionStatusChanged
from yspbx.reports.sender import ReportSender
from yspbx.services import Services
from yspbx.sessions.manager import LoginRequest, SessionManager
from yspbx.settings import load_settings

WARMUP = 200
FIRST = 100_000  # extension numbers of the emitted events (clear of the config's)

# -- the two sides ---------------------------------------------------------------------------


async def bare_loop(receiver: ReceiverProcess, count: int, keepalive: bool) -> float:
    """Reports/s of one client POSTing the bodies one after another, nothing else."""
    limits = httpx.Limits(max_keepalive_connections=None if keepalive else 0)
    headers = {"User-Agent": "WebAPI", "Content-Type": "application/json"}
    bodies = [report_body(FIRST + i) for i in range(count)]
    async with httpx.AsyncClient(limits=limits, headers=headers) as client:
        started = time.perf_counter()
        for body in bodies:
            response = await client.post(receiver.url, content=body)
            assert response.status_code == 200
        assert len(await receiver.arrivals(count)) == count
        return count / (time.perf_counter() - started)


async def sender_loop(receiver: ReceiverProcess, count: int) -> float:
    """Reports/s of yspbx's own report sender (reports.keepalive on) POSTing the bodies one
    after another, nothing else: what the pipeline's other parts add shows against it."""
    sender = ReportSender(timeout=5.0, concurrency=1, keepalive=True)
    bodies = [report_body(FIRST + i) for i in range(count)]
    try:
        started = time.perf_counter()
        for body in bodies:
            result = await sender.post(receiver.url, body)
            assert result.status == 200, result
        assert len(await receiver.arrivals(count)) == count
        return count / (time.perf_counter() - started)
    finally:
        await sender.aclose()


class Pipeline:
    """The server's parts, started in this process on a store of their own."""

    def __init__(self, store: str, directory: Path, keepalive: bool) -> None:
        name = f"pipeline-{int(keepalive)}.db"
        url = "memory://" if store == "memory" else f"sqlite:///{directory / name}"
        # Every event is emitted at once: the per-session bound must not shed any of them.
        reports = {"keepalive": keepalive, "max_pending": 1_000_000}
        overrides = {"server": {"store": url}, "reports": reports}
        self.settings = load_settings(overrides=overrides)
        self.services = Services.build(self.settings)

    async def __aenter__(self) -> Pipeline:
        await self.services.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.services.stop()

    async def run(self, receiver: ReceiverProcess, count: int) -> float:
        """Reports/s from the first event emitted to the last report's arrival."""
        await self.services.reset()
        password = SessionManager.hash_password(self.settings.api.password.get_secret_value())
        await self.services.sessions.login(
            "127.0.0.1",
            LoginRequest(self.settings.api.username, password, str(receiver.port), version="1.0.2"),
        )
        emit = self.services.simulator.emit
        started = time.perf_counter()
        for i in range(count):
            await emit(ExtensionStatusChanged(str(FIRST + i), "Idle"))
        assert len(await receiver.arrivals(count)) == count
        return count / (time.perf_counter() - started)


BARE = "bare httpx POST loop, keep-alive"
YSPBX = "yspbx pipeline, reports.keepalive = true"
BARE_FRESH = "bare httpx POST loop, new connection each"
YSPBX_FRESH = "yspbx pipeline, default (new connection each)"
SENDER = "bare loop of yspbx's report sender, keep-alive"
RATIOS = (
    (YSPBX, BARE, "target: at least 0.5"),
    (YSPBX, SENDER, "what fan-out, outbox and delivery add to the sender"),
    (YSPBX_FRESH, BARE, "the faithful default against the fastest loop"),
    (YSPBX_FRESH, BARE_FRESH, "like for like"),
)


async def measure(store: str, count: int, rounds: int, receiver: ReceiverProcess) -> dict[str, Any]:
    rates: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="yspbx-pipeline-") as directory:
        async with (
            Pipeline(store, Path(directory), keepalive=True) as reusing,
            Pipeline(store, Path(directory), keepalive=False) as faithful,
        ):
            phases: dict[str, Callable[[int], Awaitable[float]]] = {
                BARE: lambda n: bare_loop(receiver, n, keepalive=True),
                YSPBX: lambda n: reusing.run(receiver, n),
                BARE_FRESH: lambda n: bare_loop(receiver, n, keepalive=False),
                YSPBX_FRESH: lambda n: faithful.run(receiver, n),
                SENDER: lambda n: sender_loop(receiver, n),
            }
            for phase in phases.values():
                await phase(WARMUP)
            for number in range(1, rounds + 1):
                for name, phase in phases.items():
                    rates.setdefault(name, []).append(await phase(count))
                print(f"  {store}: round {number} done", file=sys.stderr, flush=True)
    ratios = {
        f"{ours} / {theirs}": [a / b for a, b in zip(rates[ours], rates[theirs], strict=True)]
        for ours, theirs, _ in RATIOS
    }
    return {"rates": rates, "ratios": ratios}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pipeline", description=__doc__)
    parser.add_argument("--count", type=int, default=3000, help="reports per phase")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--store", action="append", choices=("memory", "sqlite"), default=[])
    parser.add_argument("--no-docs", dest="write_docs", action="store_false")
    parser.add_argument("--smoke", action="store_true", help="tiny run: checks it works")
    args = parser.parse_args(argv)
    stores = args.store or ["memory", "sqlite"]
    if args.smoke:
        args.count, args.rounds, args.write_docs = 20, 1, False
    runner: Any = asyncio.Runner()
    with contextlib.suppress(ImportError):
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    receiver = ReceiverProcess()
    results: dict[str, dict[str, Any]] = {}
    try:
        with runner:
            for store in stores:
                results[store] = runner.run(measure(store, args.count, args.rounds, receiver))
    finally:
        receiver.stop()
    for store, figures in results.items():
        print(f"store: {store}; {args.count} reports per phase, {args.rounds} rounds (median)")
        for name, rates in figures["rates"].items():
            print(f"  {name:<48} {statistics.median(rates):>8.0f} reports/s")
        for (name, shares), (_, _, note) in zip(figures["ratios"].items(), RATIOS, strict=True):
            print(f"  {name}: {statistics.median(shares):.2f} ({note})")
    output = Path(__file__).resolve().parent / "results" / "pipeline.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2))
    if args.write_docs:
        write_docs(results, args.count, args.rounds)
    return 0


def write_docs(results: dict[str, dict[str, Any]], count: int, rounds: int) -> None:
    from bench import writeup

    rows = []
    for store, figures in results.items():
        for name, rates in figures["rates"].items():
            median, low, high = statistics.median(rates), min(rates), max(rates)
            rows.append([store, name, f"{median:,.0f}", f"{low:,.0f}", f"{high:,.0f}"])
    ratio_rows = []
    for store, figures in results.items():
        for (name, shares), (_, _, note) in zip(figures["ratios"].items(), RATIOS, strict=True):
            spread = f"{min(shares):.2f}-{max(shares):.2f}"
            ratio_rows.append([store, name, f"**{statistics.median(shares):.2f}**", spread, note])
    body = "\n\n".join(
        [
            "## The report pipeline at full speed (`python -m bench pipeline`)",
            f"Command: `python -m bench pipeline`. Machine: {writeup.machine()}.",
            "Engine events emitted through the engine's event bus as fast as it takes them, "
            "to one session, delivered by the real path (fan-out, outbox, deliverer, sender) "
            "to a bare asyncio receiver (httptools) answering 200 in another process; against "
            "a bare httpx loop POSTing the same bodies one after another to the same receiver, in "
            f"the same run. {count} reports per phase, {rounds} interleaved rounds:",
            writeup.table(["store", "phase", "reports/s (median)", "min", "max"], rows),
            writeup.table(["store", "ratio", "median", "per round", "note"], ratio_rows),
        ]
    )
    writeup.replace_section("pipeline", body)


if __name__ == "__main__":
    sys.exit(main())
