"""The call-centre day at ``max`` speed: how long a real server takes to play it whole, with
its reports delivered to a fast local receiver.

``python -m bench scenario_day [--store memory|sqlite|both] [--duration S] [--keepalive]
[--no-receiver] [--scenario NAME] [--smoke]``

What runs: ``yspbx serve`` in a child process (one worker; the memory store, or a SQLite file),
a minimal HTTP receiver in another process (bench/reports.py's: it answers 200 at once and
counts), one API session logged in with its report address there, then
``POST /sim/v1/scenarios {"scenario": "call-centre", "speed": "max"}``, polled until it ends.
Printed: wall seconds of the run as the server measured it, calls, reports queued and
delivered, CDRs, and reports per second. ``--keepalive`` turns ``reports.keepalive`` on (one
kept connection per receiver instead of a new connection per report, as the PBX does);
``--no-receiver`` plays with nobody logged in (the engine alone). Targets (issue #19): the day
in under 60 s on the memory store, under 3 minutes on SQLite.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.reports import ReceiverProcess
from yspbx.testing import ServerProcess


def _login(url: str, port: int) -> None:
    import hashlib

    body = {
        "username": "api",
        "password": hashlib.md5(b"yspbx-demo").hexdigest(),
        "port": str(port),
    }
    answer = httpx.post(url + "/api/v1.1.0/login", json=body, timeout=10).json()
    if answer.get("status") != "Success":
        raise SystemExit(f"login refused: {answer}")


def play(
    store: str,
    directory: Path,
    *,
    scenario: str,
    duration: float | None,
    keepalive: bool,
    receiver: bool,
) -> dict[str, Any]:
    url = (
        "memory://" if store == "memory" else f"sqlite:///{directory / f'day-{time.time_ns()}.db'}"
    )
    config = directory / f"bench-{time.time_ns()}.toml"
    config.write_text(f"[reports]\nkeepalive = {'true' if keepalive else 'false'}\n")
    sink = ReceiverProcess() if receiver else None
    try:
        with ServerProcess(store=url, config=config, startup_timeout=60) as server:
            if sink is not None:
                _login(server.url, sink.port)
            body: dict[str, Any] = {"scenario": scenario, "speed": "max"}
            if duration is not None:
                body["duration"] = duration
            started = time.monotonic()
            run = httpx.post(server.url + "/sim/v1/scenarios", json=body, timeout=60).json()
            while run.get("state") in ("starting", "running"):
                time.sleep(0.5)
                run = httpx.get(f"{server.url}/sim/v1/scenarios/{run['id']}", timeout=60).json()
            elapsed = time.monotonic() - started
    finally:
        if sink is not None:
            sink.stop()
    totals = run["summary"]["totals"]
    sessions = run["summary"]["reports"]["sessions"]
    delivered = sum(s["delivered"] for s in sessions)
    return {
        "store": store,
        "scenario": scenario,
        "duration": run["duration"],
        "keepalive": keepalive,
        "receiver": receiver,
        "state": run["state"],
        "wall_seconds": round(run["wall_seconds"], 2),
        "seconds_seen_by_client": round(elapsed, 2),
        "calls": totals["calls"],
        "answered": totals["answered"],
        "abandoned": totals["abandoned"],
        "reports": totals["reports"],
        "delivered": delivered,
        "cdrs": totals["cdrs"],
        "reports_per_second": round(delivered / run["wall_seconds"]) if run["wall_seconds"] else 0,
        "calls_per_second": round(totals["calls"] / run["wall_seconds"], 1),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scenario_day")
    parser.add_argument("--store", choices=["memory", "sqlite", "both"], default="both")
    parser.add_argument("--scenario", default="call-centre")
    parser.add_argument("--duration", type=float, default=None, help="PBX seconds (whole day)")
    parser.add_argument("--keepalive", action="store_true")
    parser.add_argument("--no-receiver", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="five minutes of the day, memory")
    args = parser.parse_args(argv)
    if args.smoke:
        args.store, args.duration = "memory", 300.0
    stores = ["memory", "sqlite"] if args.store == "both" else [args.store]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for store in stores:
            result = play(
                store,
                Path(tmp),
                scenario=args.scenario,
                duration=args.duration,
                keepalive=args.keepalive,
                receiver=not args.no_receiver,
            )
            results.append(result)
            print(
                f"{store:>6}: {result['scenario']} ({result['duration']:.0f} PBX s) "
                f"{result['state']} in {result['wall_seconds']} s: {result['calls']} calls "
                f"({result['calls_per_second']}/s), {result['delivered']}/{result['reports']} "
                f"reports delivered ({result['reports_per_second']}/s), {result['cdrs']} CDRs",
                flush=True,
            )
    print(json.dumps(results, indent=2))
    return 0
