"""``python -m bench [NAME [options]]``: run one benchmark by name, or every one in turn.

Each benchmark is a module with ``main(argv) -> int``; add new ones to :data:`BENCHMARKS`.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "http": (
        "bench.http_suite",
        "login, extensionlist/query: memory, SQLite, Redis (1, 2 workers) vs bare Starlette, "
        "raw ASGI, Prism",
    ),
    "scale": ("bench.scale", "memory with 100k sessions; token and lockout checks vs size"),
    "reports": ("bench.reports", "event-report delivery: throughput and latency vs bare httpx"),
    "pbxs": (
        "bench.pbxs",
        "many PBXs on one server: 1,000 hosted, creation time, idle memory, reset, routing cost",
    ),
    "concurrency": (
        "bench.concurrency",
        "latency at 500 connections: memory vs SQLite vs the bare ASGI app, one run",
    ),
    "fanout": (
        "bench.fanout",
        "fan-out cost per event with 1 to 10,000 sessions whose receiver is down",
    ),
    "pipeline": (
        "bench.pipeline",
        "the report pipeline at full speed vs a bare httpx POST loop to one uvicorn receiver",
    ),
    "scenario_day": (
        "bench.scenario_day",
        "the call-centre day at max speed to a fast local receiver: memory and SQLite",
    ),
    "login": (
        "bench.login_inprocess",
        "a login's CPU through the app in process: memory vs SQLite (vs another checkout)",
    ),
    "randoms": ("bench.randoms", "cdr/get_random with up to 4,000 one-time randoms outstanding"),
    "engine": (
        "bench.engine",
        "call engine: setups/s, per-step cost at 0/1k/10k live calls and long queues, memory",
    ),
}


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        for name, (_, summary) in BENCHMARKS.items():
            print(f"  {name:<10} {summary}")
        return 0
    if not argv:
        status = 0
        for name, (module, _) in BENCHMARKS.items():
            print(f"== {name} ==", flush=True)
            status |= importlib.import_module(module).main([])
        return status
    name, rest = argv[0], argv[1:]
    if name not in BENCHMARKS:
        known = ", ".join(BENCHMARKS)
        print(f"bench: no benchmark named {name!r} (known: {known})", file=sys.stderr)
        return 2
    result: int = importlib.import_module(BENCHMARKS[name][0]).main(rest)
    return result


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
