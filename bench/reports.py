"""Event-report delivery: how fast yspbx gets reports to a receiver, next to a bare httpx loop.

``python -m bench reports [--count N] [--rounds R] [--rate R] [--seconds S] [--store S]``

What runs: the server's real parts in this process (``Services``: store, sessions, engine,
report fan-out, outbox and deliverer, on uvloop as the server uses it), fed through the
engine's event bus with ``ExtensionStatus`` events, delivering to a minimal HTTP receiver in a
separate process that notes the arrival time of every report.

Throughput phases, interleaved and repeated ``--rounds`` times (medians are reported, so a
neighbour's load slows every phase of a round alike):

* bare httpx loop: one ``AsyncClient`` POSTing the same bodies one after another, with
  keep-alive connections, and with a new connection per request as the PBX does;
* yspbx, one session: ``count`` events emitted at once; reports/s until the last arrives (one
  session's reports go strictly one after another, like the bare loop), with the default new
  connection per report and with ``reports.keepalive``;
* yspbx, eight sessions: each event reaches eight sessions.

Then the fixed-rate phase: one event every ``1/rate`` s for ``seconds`` s to one session;
enqueue-to-arrival latency p50/p99/max (both processes read the one ``CLOCK_MONOTONIC``), and
the bare loop at the same rate (start-of-POST to arrival), which shows what the machine alone
costs: a neighbour's stall shows in both.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

import httptools
import httpx

from yspbx.pbx.events import ExtensionStatusChanged
from yspbx.reports.formats import render
from yspbx.services import Services
from yspbx.sessions.manager import LoginRequest, SessionManager
from yspbx.settings import load_settings

WARMUP = 50  # reports sent, unmeasured, before each series (imports, caches, first connections)
ARRIVAL_TIMEOUT = 120.0  # seconds a phase may take to see all its reports arrive
FIRST = 100_000  # extension numbers used as sequence numbers (clear of the config's ones)
_SEQ = re.compile(rb'"extension":"(\d+)"')


# The receiver: its own process, so it never competes with the sender for the event loop. A
# bare asyncio protocol on uvloop with httptools' parser (llhttp, what uvicorn uses): no
# framework between the socket and the count, so the receiver is never what a benchmark
# measures. It answers 200 with an empty body at once, keeps the connection as HTTP/1.1 says,
# and notes each report's arrival time and sequence number.


class _Arrivals:
    """Every report's (arrival ns, seq), and the long polls waiting for a count of them."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int]] = []
        self.waiting: list[tuple[int, asyncio.Future[None]]] = []

    def add(self, body: bytes) -> None:
        match = _SEQ.search(body)
        self.items.append((time.monotonic_ns(), int(match.group(1)) if match else -1))
        if self.waiting:
            self.wake()

    def wake(self) -> None:
        count = len(self.items)
        for wanted, future in self.waiting:
            if count >= wanted and not future.done():
                future.set_result(None)
        self.waiting = [(w, f) for w, f in self.waiting if not f.done()]

    async def wait(self, wanted: int) -> bytes:
        """Once ``wanted`` reports are in: them, as JSON, and start afresh."""
        if len(self.items) < wanted:
            future = asyncio.get_running_loop().create_future()
            self.waiting.append((wanted, future))
            await future
        payload = json.dumps(self.items).encode()
        self.items = []
        return payload


_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


class _ReceiverProtocol(asyncio.Protocol):
    def __init__(self, arrivals: _Arrivals) -> None:
        self._arrivals = arrivals
        self._parser = httptools.HttpRequestParser(self)
        self._errors = (httptools.HttpParserError, httptools.HttpParserUpgrade)
        self._url = b""
        self._body: list[bytes] = []
        self._transport: asyncio.Transport | None = None
        self._poll: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except self._errors:
            assert self._transport is not None
            self._transport.close()

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        url, body = self._url, b"".join(self._body)
        self._url, self._body = b"", []
        keep = self._parser.should_keep_alive()
        transport = self._transport
        assert transport is not None
        if self._parser.get_method() == b"GET" and url.startswith(b"/arrivals/"):
            # Long poll: answer once that many reports are in, so the benchmark asks once per
            # phase instead of competing with the deliveries it measures.
            self._poll = asyncio.ensure_future(self._answer_poll(int(url.rsplit(b"/", 1)[1]), keep))
            return
        self._arrivals.add(body)
        transport.write(_OK)
        if not keep:
            transport.close()

    async def _answer_poll(self, wanted: int, keep: bool) -> None:
        payload = await self._arrivals.wait(wanted)
        assert self._transport is not None
        self._transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(payload))
        self._transport.write(payload)
        if not keep:
            self._transport.close()


def _receiver_main(conn: Connection) -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    asyncio.run(_receive(conn))


async def _receive(conn: Connection) -> None:
    arrivals = _Arrivals()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: _ReceiverProtocol(arrivals), "127.0.0.1", 0, backlog=1024
    )
    conn.send(server.sockets[0].getsockname()[1])
    async with server:
        await loop.run_in_executor(None, conn.recv)


class ReceiverProcess:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_receiver_main, args=(child,), daemon=True)
        self._process.start()
        self.port: int = self._conn.recv()
        self.url = f"http://127.0.0.1:{self.port}/"

    async def arrivals(self, expected: int) -> list[tuple[int, int]]:
        """Wait until ``expected`` reports arrived; return (arrival ns, seq) and start afresh."""
        async with httpx.AsyncClient(timeout=ARRIVAL_TIMEOUT) as client:
            answer = await client.get(f"{self.url}arrivals/{expected}")
        return [(int(ns), int(seq)) for ns, seq in answer.json()]

    def stop(self) -> None:
        self._conn.send("stop")
        self._process.join(5)


# The measurements.


def report_body(seq: int) -> bytes:
    """One small report, the same for every benchmark that posts reports (reports, pipeline)."""
    return render(ExtensionStatusChanged(str(seq), "Idle"), "369300000001", well_formed=True)


async def bare_loop(receiver: ReceiverProcess, count: int, keepalive: bool) -> float:
    """Reports/s of one client POSTing the bodies one after another, nothing else."""
    limits = httpx.Limits(max_keepalive_connections=None if keepalive else 0)
    headers = {"User-Agent": "WebAPI", "Content-Type": "application/json"}
    async with httpx.AsyncClient(limits=limits, headers=headers) as client:
        started = time.monotonic_ns()
        for i in range(count):
            response = await client.post(receiver.url, content=report_body(FIRST + i))
            assert response.status_code == 200
        elapsed = (time.monotonic_ns() - started) / 1e9
    await receiver.arrivals(count)
    return count / elapsed


class Stack:
    """The server's parts, started in this process on a store of their own."""

    def __init__(self, store: str, directory: Path, keepalive: bool = False) -> None:
        name = "bench-keepalive.db" if keepalive else "bench.db"
        url = "memory://" if store == "memory" else f"sqlite:///{directory / name}"
        # Bursts are emitted at once: the per-session bound must not shed any of them.
        reports = {"keepalive": keepalive, "max_pending": 1_000_000}
        overrides = {"server": {"store": url}, "reports": reports}
        self.keepalive = keepalive
        self.settings = load_settings(overrides=overrides)
        self.services = Services.build(self.settings)

    async def __aenter__(self) -> Stack:
        await self.services.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.services.stop()

    async def sessions(self, receiver: ReceiverProcess, count: int) -> None:
        await self.services.reset()
        password = SessionManager.hash_password(self.settings.api.password.get_secret_value())
        for _ in range(count):
            await self.services.sessions.login(
                "127.0.0.1",
                LoginRequest(
                    self.settings.api.username, password, str(receiver.port), version="1.0.2"
                ),
            )

    async def emit(self, seq: int) -> None:
        await self.services.simulator.emit(ExtensionStatusChanged(str(seq), "Idle"))


async def burst(stack: Stack, receiver: ReceiverProcess, count: int, sessions: int) -> float:
    """Reports/s from the first event emitted to the last report's arrival."""
    await stack.sessions(receiver, sessions)
    started = time.monotonic_ns()
    for i in range(count):
        await stack.emit(FIRST + i)
    arrivals = await receiver.arrivals(count * sessions)
    return count * sessions / ((max(ns for ns, _ in arrivals) - started) / 1e9)


async def fixed_rate(
    stack: Stack, receiver: ReceiverProcess, rate: float, seconds: float
) -> list[float]:
    """Enqueue-to-arrival latencies (ms, sorted) of one event every ``1/rate`` s."""
    await stack.sessions(receiver, 1)
    count = max(1, int(rate * seconds))
    enqueued: dict[int, int] = {}
    start = time.monotonic()
    for i in range(count):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        enqueued[FIRST + i] = time.monotonic_ns()
        await stack.emit(FIRST + i)
    arrivals = await receiver.arrivals(count)
    return sorted((ns - enqueued[seq]) / 1e6 for ns, seq in arrivals)


async def bare_fixed_rate(receiver: ReceiverProcess, rate: float, seconds: float) -> list[float]:
    """The bare loop's latencies (ms, sorted) at the same rate, new connection each: what the
    network and the machine alone cost, for comparison."""
    count = max(1, int(rate * seconds))
    started: dict[int, int] = {}
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits) as client:
        start = time.monotonic()
        for i in range(count):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            started[FIRST + i] = time.monotonic_ns()
            await client.post(receiver.url, content=report_body(FIRST + i))
    arrivals = await receiver.arrivals(count)
    return sorted((ns - started[seq]) / 1e6 for ns, seq in arrivals)


BARE_KEEPALIVE = "bare httpx POST loop, keep-alive"
BARE_FRESH = "bare httpx POST loop, new connection each"
YSPBX = "yspbx, 1 session (default: new connection each)"
YSPBX_KEEPALIVE = "yspbx, 1 session, reports.keepalive = true"
YSPBX_MANY = "yspbx, 8 sessions (8 reports per event)"
RATIOS = (
    (YSPBX, BARE_KEEPALIVE, "goal: at least 50%"),
    (YSPBX, BARE_FRESH, "like for like"),
    (YSPBX_KEEPALIVE, BARE_KEEPALIVE, "like for like"),
)


@dataclass
class Results:
    rates: dict[str, list[float]] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    bare_latencies_ms: list[float] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after


async def measure(args: argparse.Namespace) -> Results:
    """Every throughput phase once per round, interleaved (a busy machine then slows all of
    them alike), then the fixed-rate phase."""
    results = Results(load=(os.getloadavg()[0], 0.0))
    receiver = ReceiverProcess()
    try:
        with tempfile.TemporaryDirectory(prefix="yspbx-bench-") as directory:
            async with (
                Stack(args.store, Path(directory)) as faithful,
                Stack(args.store, Path(directory), keepalive=True) as reusing,
            ):
                phases: dict[str, Callable[[int], Awaitable[float]]] = {
                    BARE_KEEPALIVE: lambda n: bare_loop(receiver, n, keepalive=True),
                    BARE_FRESH: lambda n: bare_loop(receiver, n, keepalive=False),
                    YSPBX: lambda n: burst(faithful, receiver, n, 1),
                    YSPBX_KEEPALIVE: lambda n: burst(reusing, receiver, n, 1),
                    YSPBX_MANY: lambda n: burst(faithful, receiver, n, 8),
                }
                for phase in phases.values():
                    await phase(WARMUP)
                for round_number in range(1, args.rounds + 1):
                    for name, phase in phases.items():
                        results.rates.setdefault(name, []).append(await phase(args.count))
                    print(f"  round {round_number} done", file=sys.stderr, flush=True)
                results.latencies_ms = await fixed_rate(faithful, receiver, args.rate, args.seconds)
                results.bare_latencies_ms = await bare_fixed_rate(receiver, args.rate, args.seconds)
    finally:
        receiver.stop()
    results.load = (results.load[0], os.getloadavg()[0])
    return results


def percentile(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    loop = "uvloop" if _has_uvloop() else "asyncio"
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {loop}, httpx {httpx.__version__}"
    )


def report(results: Results, args: argparse.Namespace) -> str:
    lines = [
        f"machine: {machine()}",
        f"load average (1 min) before/after: {results.load[0]:.2f} / {results.load[1]:.2f}",
        f"store: {args.store}; bursts of {args.count} events, {args.rounds} rounds "
        f"(median, min-max); fixed rate {args.rate:g}/s for {args.seconds:g} s",
        "",
        f"{'throughput':<50} {'reports/s':>10} {'min':>7} {'max':>7}",
    ]
    for name, rates in results.rates.items():
        lines.append(
            f"{name:<50} {statistics.median(rates):>10.0f} {min(rates):>7.0f} {max(rates):>7.0f}"
        )
    lines.append("")
    for ours, theirs, note in RATIOS:
        shares = [a / b for a, b in zip(results.rates[ours], results.rates[theirs], strict=True)]
        lines.append(f"{ours} / {theirs}: {statistics.median(shares):.0%} ({note})")
    lines.append("")
    for name, latencies, goal in (
        ("yspbx, 1 session", results.latencies_ms, " (goal: p99 under 50 ms)"),
        ("bare httpx, new connection each", results.bare_latencies_ms, ""),
    ):
        lines.append(
            f"at {args.rate:g} reports/s, {name}: p50 {percentile(latencies, 50):.2f} ms, "
            f"p99 {percentile(latencies, 99):.2f} ms, max {max(latencies):.2f} ms{goal}"
        )
    return "\n".join(lines)


def _has_uvloop() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench reports", description=__doc__)
    parser.add_argument("--count", type=int, default=2000, help="reports per burst")
    parser.add_argument("--rate", type=float, default=200.0, help="reports/s, fixed-rate phase")
    parser.add_argument("--seconds", type=float, default=10.0, help="fixed-rate phase length")
    parser.add_argument("--store", choices=("sqlite", "memory"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the throughput phases")
    parser.add_argument("--smoke", action="store_true", help="tiny run: checks it works")
    args = parser.parse_args(argv)
    if args.smoke:
        args.count, args.seconds, args.rounds = 20, 0.2, 1
    runner: Any
    if _has_uvloop():
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    else:
        runner = asyncio.Runner()
    with runner:
        results = runner.run(measure(args))
    print(report(results, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
