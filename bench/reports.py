"""Event-report delivery: how fast yspbx gets reports to a receiver, next to a bare httpx loop.

``python -m bench reports [--count N] [--rate R] [--seconds S] [--store sqlite|memory]``

What runs: the server's real parts in this process (``Services``: store, sessions, engine,
report fan-out, outbox and deliverer, on uvloop as the server uses it), fed through the
engine's event bus with ``ExtensionStatus`` events, delivering to a minimal HTTP receiver in a
separate process that notes the arrival time of every report. Phases:

1. bare httpx loop: one ``AsyncClient`` POSTing the same bodies one after another (keep-alive
   connections, then a new connection per request as the PBX does): the ceiling;
2. burst, one session: ``count`` events emitted at once; reports/s until the last arrives
   (one session's reports go strictly one after another, like the bare loop);
3. burst, eight sessions: the same events reach eight sessions (``8 * count`` reports);
4. fixed rate: one event every ``1/rate`` s for ``seconds`` s to one session; enqueue-to-arrival
   latency p50/p99/max (one monotonic clock: both processes read ``CLOCK_MONOTONIC``).
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
from collections.abc import Awaitable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from yspbx.config import load_settings
from yspbx.pbx.events import ExtensionStatusChanged
from yspbx.reports.formats import render
from yspbx.services import Services
from yspbx.sessions.manager import LoginRequest, SessionManager

WARMUP = 50  # reports sent, unmeasured, before each series (imports, caches, first connections)
ARRIVAL_TIMEOUT = 120.0  # seconds a phase may take to see all its reports arrive
FIRST = 100_000  # extension numbers used as sequence numbers (clear of the config's ones)
_SEQ = re.compile(rb'"extension":"(\d+)"')


# The receiver: its own process, so it never competes with the sender for the event loop.


def _receiver_main(conn: Connection) -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    asyncio.run(_receive(conn))


async def _receive(conn: Connection) -> None:
    arrivals: list[tuple[int, int]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length) if length else b""
                if head.startswith(b"GET /arrivals"):
                    payload = json.dumps(arrivals).encode()
                    arrivals.clear()
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(payload))
                    writer.write(payload)
                else:
                    match = _SEQ.search(body)
                    arrivals.append((time.monotonic_ns(), int(match.group(1)) if match else -1))
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    conn.send(server.sockets[0].getsockname()[1])
    async with server:
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)


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
        got: list[tuple[int, int]] = []
        deadline = time.monotonic() + ARRIVAL_TIMEOUT
        async with httpx.AsyncClient() as client:
            while len(got) < expected:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {len(got)} of {expected} reports arrived in time")
                got += [tuple(a) for a in (await client.get(self.url + "arrivals")).json()]
                if len(got) < expected:
                    await asyncio.sleep(0.02)
        return got

    def stop(self) -> None:
        self._conn.send("stop")
        self._process.join(5)


# The measurements.


@dataclass
class Figures:
    name: str
    reports: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.reports / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        if len(self.latencies_ms) == 1:
            return self.latencies_ms[0]
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(p) - 1]


def _body(seq: int) -> bytes:
    return render(ExtensionStatusChanged(str(seq), "Idle"), "369300000001", well_formed=True)


async def bare_loop(receiver: ReceiverProcess, count: int, keepalive: bool) -> Figures:
    limits = httpx.Limits(max_keepalive_connections=None if keepalive else 0)
    headers = {"User-Agent": "WebAPI", "Content-Type": "application/json"}
    async with httpx.AsyncClient(limits=limits, headers=headers) as client:
        started = time.monotonic_ns()
        for i in range(count):
            response = await client.post(receiver.url, content=_body(FIRST + i))
            assert response.status_code == 200
        elapsed = (time.monotonic_ns() - started) / 1e9
    await receiver.arrivals(count)
    kind = "keep-alive" if keepalive else "new connection each"
    return Figures(f"bare httpx POST loop ({kind})", count, elapsed)


class Stack:
    """The server's parts, started in this process on a store of their own."""

    def __init__(self, store: str, directory: Path, keepalive: bool = False) -> None:
        name = "bench-keepalive.db" if keepalive else "bench.db"
        url = "memory://" if store == "memory" else f"sqlite:///{directory / name}"
        overrides = {"server": {"store": url}, "reports": {"keepalive": keepalive}}
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


async def burst(stack: Stack, receiver: ReceiverProcess, count: int, sessions: int) -> Figures:
    await stack.sessions(receiver, sessions)
    started = time.monotonic_ns()
    for i in range(count):
        await stack.emit(FIRST + i)
    arrivals = await receiver.arrivals(count * sessions)
    elapsed = (max(ns for ns, _ in arrivals) - started) / 1e9
    noun = "session" if sessions == 1 else "sessions"
    kind = ", keep-alive" if stack.keepalive else ""
    return Figures(f"yspbx burst, {sessions} {noun}{kind}", count * sessions, elapsed)


async def fixed_rate(
    stack: Stack, receiver: ReceiverProcess, rate: float, seconds: float
) -> Figures:
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
    latencies = sorted((ns - enqueued[seq]) / 1e6 for ns, seq in arrivals)
    elapsed = (max(ns for ns, _ in arrivals) - enqueued[FIRST]) / 1e9
    return Figures(f"yspbx at {rate:g} reports/s, 1 session", count, elapsed, latencies)


async def measure(args: argparse.Namespace) -> list[Figures]:
    receiver = ReceiverProcess()
    results: list[Figures] = []
    try:
        if "bare" in args.phases:
            await bare_loop(receiver, WARMUP, keepalive=True)
            for keepalive in (True, False):
                results.append(await _timed(bare_loop(receiver, args.count, keepalive)))
        with tempfile.TemporaryDirectory(prefix="yspbx-bench-") as directory:
            async with Stack(args.store, Path(directory)) as stack:
                await burst(stack, receiver, WARMUP, 1)
                if "burst" in args.phases:
                    for sessions in (1, 8):
                        results.append(await _timed(burst(stack, receiver, args.count, sessions)))
                if "rate" in args.phases:
                    figures = fixed_rate(stack, receiver, args.rate, args.seconds)
                    results.append(await _timed(figures))
            if "burst" in args.phases:
                async with Stack(args.store, Path(directory), keepalive=True) as stack:
                    await burst(stack, receiver, WARMUP, 1)
                    results.append(await _timed(burst(stack, receiver, args.count, 1)))
    finally:
        receiver.stop()
    return results


async def _timed(phase: Awaitable[Figures]) -> Figures:
    figures = await phase
    print(f"  done: {figures.name}", file=sys.stderr, flush=True)
    return figures


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


def report(results: list[Figures], args: argparse.Namespace) -> str:
    lines = [
        f"machine: {machine()}",
        f"store: {args.store}; {args.count} reports per burst; "
        f"{args.rate:g} reports/s for {args.seconds:g} s",
        "",
        f"{'phase':<46} {'reports':>8} {'reports/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'max':>8}",
    ]
    for f in results:
        latency = (
            f"{f.percentile(50):>8.2f} {f.percentile(99):>8.2f} {max(f.latencies_ms):>8.2f}"
            if f.latencies_ms
            else f"{'':>8} {'':>8} {'':>8}"
        )
        lines.append(f"{f.name:<46} {f.reports:>8} {f.per_second:>10.0f} {latency}")
    rates = {f.name: f.per_second for f in results}
    rated = [f for f in results if f.latencies_ms]
    lines.append("")
    for ours, theirs, goal in (
        ("yspbx burst, 1 session", "bare httpx POST loop (keep-alive)", " (goal: at least 50%)"),
        ("yspbx burst, 1 session", "bare httpx POST loop (new connection each)", ""),
        ("yspbx burst, 1 session, keep-alive", "bare httpx POST loop (keep-alive)", ""),
    ):
        if ours in rates and rates.get(theirs):
            share = rates[ours] / rates[theirs]
            lines.append(f"{ours} / {theirs}: {share:.0%}{goal}")
    if rated:
        p99 = rated[0].percentile(99)
        lines.append(f"p99 at {args.rate:g} reports/s: {p99:.2f} ms (goal: under 50 ms)")
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
    parser.add_argument(
        "--phases",
        type=lambda text: set(text.split(",")),
        default={"bare", "burst", "rate"},
        help="comma-separated subset of bare,burst,rate (default: all)",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny run: checks it works")
    args = parser.parse_args(argv)
    if args.smoke:
        args.count, args.seconds = 20, 0.2
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
