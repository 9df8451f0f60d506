"""Fan-out cost per event against the number of live sessions whose receiver is down.

``python -m bench fanout [--sessions N ...] [--events E] [--store memory|sqlite] [--no-docs]``

What runs: the server's real parts in this process (``Services``: store, sessions, engine,
report fan-out, outbox and deliverer, on uvloop as the server uses it). ``N`` sessions log in
(through the session rules, as a login does) with a report port nobody listens on (port 9 on
loopback: a report is refused at once); one event makes every one of them attempt its first
report, which fails, so each backs off (the first retry a minute later, out of the measured
window). Then ``E`` ``ExtensionStatus`` events are emitted through the engine's event bus one
after another; the figure is the time the engine's ``emit`` takes per event (the fan-out
returns once the event is stored for everyone it concerns), the store's growth (rows of
the report log) over those events, and the sessions the fan-out reads per event: the store's
reporting list (live sessions that are not parked, ``SessionStore.reporting``), which the
parked sessions are not on, so the time per event stays flat however many there are.
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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from yspbx.pbx.events import ExtensionStatusChanged
from yspbx.services import Services
from yspbx.sessions.manager import LoginRequest, SessionManager
from yspbx.settings import load_settings

SIZES = (1, 100, 1000, 10000)


async def measure(store: str, directory: Path, sessions: int, events: int) -> dict[str, float]:
    url = "memory://" if store == "memory" else f"sqlite:///{directory / f'fanout-{sessions}.db'}"
    settings = load_settings(
        overrides={
            "server": {"store": url},
            "api": {"max_sessions": sessions + 10, "max_sessions_per_ip": sessions + 10},
            "reports": {"retry_initial": 60.0, "concurrency": 64},
        }
    )
    services = Services.build(settings)
    await services.start()
    try:
        password = SessionManager.hash_password(settings.api.password.get_secret_value())
        request = LoginRequest(settings.api.username, password, "9", version="1.0.2")
        for _ in range(sessions):
            await services.sessions.login("127.0.0.1", request)
        seat = services.seat
        await services.simulator.emit(ExtensionStatusChanged("1001", "Unregistered"))
        # Every session's first report attempted (refused) and its retry timer armed.
        deadline = time.monotonic() + 300
        while seat.reports.deliverer.backing_off < sessions:
            if time.monotonic() > deadline:
                raise RuntimeError("the sessions' first reports were not all attempted")
            await asyncio.sleep(0.05)
        rows_before = len(await services.store.outbox.reports())
        times = []
        for n in range(events):
            started = time.perf_counter()
            await services.simulator.emit(
                ExtensionStatusChanged("1001", "Registered" if n % 2 else "Unregistered")
            )
            times.append(time.perf_counter() - started)
        rows_after = len(await services.store.outbox.reports())
        # What each event's fan-out read: the reporting list (the same at every event here).
        read = len(await services.store.sessions.reporting(services.clock.now()))
    finally:
        await services.stop()
    return {
        "sessions": float(sessions),
        "median_us": statistics.median(times) * 1e6,
        "p90_us": statistics.quantiles(times, n=10)[-1] * 1e6 if len(times) > 1 else times[0],
        "per_session_us": statistics.median(times) * 1e6 / sessions,
        "rows_per_event": (rows_after - rows_before) / events,
        "sessions_read": float(read),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench fanout", description=__doc__)
    parser.add_argument("--sessions", type=int, action="append", default=[])
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--store", action="append", choices=("memory", "sqlite"), default=[])
    parser.add_argument("--label", default="", help="a name for this run in the results file")
    parser.add_argument("--no-docs", dest="write_docs", action="store_false")
    parser.add_argument("--smoke", action="store_true", help="tiny run: checks it works")
    args = parser.parse_args(argv)
    sizes = args.sessions or list(SIZES)
    stores = args.store or ["memory", "sqlite"]
    if args.smoke:
        sizes, args.events, args.write_docs = [1, 5], 3, False
    runner: Any = asyncio.Runner()
    with contextlib.suppress(ImportError):
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    results: dict[str, list[dict[str, float]]] = {}
    with runner, tempfile.TemporaryDirectory(prefix="yspbx-fanout-") as workdir:
        for store in stores:
            results[store] = []
            for size in sizes:
                figures = runner.run(measure(store, Path(workdir), size, args.events))
                results[store].append(figures)
                print(
                    f"{store}, {size} sessions backing off: {figures['median_us']:.0f} us per "
                    f"event (p90 {figures['p90_us']:.0f}), {figures['per_session_us']:.2f} us "
                    f"per session, {figures['rows_per_event']:.0f} report rows per event, "
                    f"{figures['sessions_read']:.0f} sessions read per event",
                    flush=True,
                )
    output = Path(__file__).resolve().parent / "results" / f"fanout{args.label}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2))
    if args.write_docs:
        write_docs(results, args.events)
    return 0


def write_docs(results: dict[str, list[dict[str, float]]], events: int) -> None:
    from bench import writeup

    rows = [
        [
            name,
            f"{f['sessions']:,.0f}",
            f"{f['median_us']:,.0f}",
            f"{f['p90_us']:,.0f}",
            f"{f['per_session_us']:.2f}",
            f"{f['rows_per_event']:,.0f}",
            f"{f.get('sessions_read', 0):,.0f}",
        ]
        for name, figures in results.items()
        for f in figures
    ]
    body = "\n\n".join(
        [
            "## Fan-out with sessions whose receiver is down (`python -m bench fanout`)",
            f"Command: `python -m bench fanout`. Machine: {writeup.machine()}.",
            "Live sessions logged in with a report port nobody listens on, each one's first "
            f"report refused, so each backs off; then {events} `ExtensionStatus` events emitted "
            "through the engine one after another. Time the engine's emit takes per event "
            "(the fan-out returns once the event is stored), the report rows each event "
            "adds to the store, and the sessions each event's fan-out reads (the store's "
            "reporting list: live sessions that are not parked):",
            writeup.table(
                [
                    "store",
                    "sessions",
                    "median (µs)",
                    "p90 (µs)",
                    "µs per session",
                    "rows/event",
                    "sessions read/event",
                ],
                rows,
            ),
        ]
    )
    writeup.replace_section("fanout", body)


if __name__ == "__main__":
    sys.exit(main())
