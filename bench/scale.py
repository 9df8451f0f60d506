"""Scale figures: memory with 100,000 live sessions, and whether per-request checks stay flat.

1. Resident memory: a real ``yspbx serve`` (memory store, then SQLite) is given at least
   ``--sessions`` logins over HTTP (wrk, 64 connections); its RSS (``/proc/PID/status``) is
   read before and after.
2. Check costs: the session rules and lockout rule run in this process on each store, with
   1,000, 10,000 and 100,000 sessions (or blocked IPs) already in it; the median time of a
   token check (``SessionManager.authenticate``) and of a lockout check (``LockoutPolicy.check``)
   is measured for each size. Flat means the cost does not grow with the size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from yspbx.clock import Clock
from yspbx.sessions.lockout import LockoutPolicy
from yspbx.sessions.manager import Credentials, SessionManager
from yspbx.sessions.models import ReportTarget, Session
from yspbx.store import open_store
from yspbx.testing import ServerProcess

LOGIN = {"username": "api", "password": "8dc34f93e849dab027e77e05a7da40ac", "port": "8260"}
SIZES = (1_000, 10_000, 100_000)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _log_in(url: str, count: int) -> None:
    """Log in until ``count`` sessions are live, with wrk (a Python client is far slower)."""
    script = Path(__file__).resolve().parent / "wrk" / "post.lua"
    env = {**os.environ, "WRK_BODY": json.dumps(LOGIN)}
    while httpx.get(url + "/sim/v1/state", timeout=30).json()["sessions"] < count:
        subprocess.run(
            ["wrk", "-t1", "-c64", "-d2s", "-s", str(script), url + "/api/v1.1.0/login"],
            check=True,
            capture_output=True,
            env=env,
        )


def memory_with_sessions(store: str, count: int) -> tuple[float, float, float]:
    """(RSS before, RSS after, seconds taken) for ``count`` live sessions."""
    # The session bounds (api.max_sessions*) lifted: this measures what sessions cost.
    unbounded = {"YSPBX_API_MAX_SESSIONS": "1000000", "YSPBX_API_MAX_SESSIONS_PER_IP": "1000000"}
    with ServerProcess(store=store, env=unbounded, extra_args=("--log-level", "warning")) as server:
        before = rss_mib(server.pid)
        started = time.perf_counter()
        _log_in(server.url, count)
        taken = time.perf_counter() - started
        state = httpx.get(server.url + "/sim/v1/state", timeout=30).json()
        assert state["sessions"] >= count, state["sessions"]
        return before, rss_mib(server.pid), taken


def _session(index: int, now: float) -> Session:
    token = f"{index:032x}"
    return Session(token, "10.0.0.1", now, now + 1800, ReportTarget("10.0.0.1", 8260))


async def check_costs(url: str, sizes: Sequence[int], probes: int) -> dict[str, list[float]]:
    """Median microseconds of a token check and a lockout check, per size."""
    store = open_store(url)
    clock = Clock()
    lockout = LockoutPolicy(store.lockouts, clock, threshold=1, lock_seconds=3600)
    sessions = SessionManager(
        store.sessions, lockout, clock, Credentials("api", "x" * 32), 1800, 60, ()
    )
    token_us: list[float] = []
    lockout_us: list[float] = []
    filled = 0
    for size in sizes:
        now = clock.now()
        for index in range(filled, size):
            await store.sessions.add(_session(index, now))
            ip = f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"
            await store.lockouts.record_failure(ip, now, 1, 3600)
        filled = size
        # The first pass warms the caches (SQLite's pages, the WAL index); the second is kept.
        for _ in range(2):
            samples_token, samples_lock = await _probe(sessions, lockout, size, probes)
        token_us.append(statistics.median(samples_token))
        lockout_us.append(statistics.median(samples_lock))
    await store.close()
    return {"token": token_us, "lockout": lockout_us}


async def _probe(
    sessions: SessionManager, lockout: LockoutPolicy, size: int, probes: int
) -> tuple[list[float], list[float]]:
    samples_token: list[float] = []
    samples_lock: list[float] = []
    for probe in range(probes):
        token = f"{(probe * 7919) % size:032x}"
        started = time.perf_counter_ns()
        await sessions.authenticate(token)
        samples_token.append((time.perf_counter_ns() - started) / 1000)
        started = time.perf_counter_ns()
        await lockout.check("192.0.2.1")
        samples_lock.append((time.perf_counter_ns() - started) / 1000)
    return samples_token, samples_lock


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--probes", type=int, default=2000)
    parser.add_argument("--no-docs", dest="write_docs", action="store_false")
    args = parser.parse_args(argv)
    results: dict[str, object] = {"sessions": args.sessions, "memory": {}, "checks": {}}
    with tempfile.TemporaryDirectory() as workdir:
        for name, store in (("memory", "memory://"), ("sqlite", f"sqlite:///{workdir}/rss.db")):
            print(f"logging in {args.sessions} sessions on {name} ...", file=sys.stderr)
            before, after, taken = memory_with_sessions(store, args.sessions)
            results["memory"][name] = {"before": before, "after": after, "seconds": taken}  # type: ignore[index]
            print(f"{name}: RSS {before:.0f} MiB -> {after:.0f} MiB ({taken:.0f} s)")
        for name, url in (("memory", "memory://"), ("sqlite", f"sqlite:///{workdir}/checks.db")):
            costs = asyncio.run(check_costs(url, SIZES, args.probes))
            results["checks"][name] = costs  # type: ignore[index]
            print(f"{name}: token {costs['token']} us, lockout {costs['lockout']} us")
    output = Path(__file__).resolve().parent / "results" / "scale.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2))
    if args.write_docs:
        write_docs(results)
    return 0


def write_docs(results: dict[str, object]) -> None:
    from bench import writeup

    memory = results["memory"]
    checks = results["checks"]
    assert isinstance(memory, dict)
    assert isinstance(checks, dict)
    count = results["sessions"]
    rows = [
        [name, f"{m['before']:.0f}", f"{m['after']:.0f}", f"{m['after'] - m['before']:.0f}"]
        for name, m in memory.items()
    ]
    check_rows = []
    for name, costs in checks.items():
        for kind, label in (("token", "token check"), ("lockout", "lockout check")):
            check_rows.append([name, label, *(f"{v:.1f}" for v in costs[kind])])
    body = "\n\n".join(
        [
            "## Scale: sessions in memory, and checks that stay flat",
            f"Command: `python -m bench scale`. Machine: {writeup.machine()}.",
            f"Resident memory of `yspbx serve` before and after {count:,} logins over HTTP "
            "(64 connections), each leaving a live session:",
            writeup.table(["store", "RSS before (MiB)", "RSS after (MiB)", "growth (MiB)"], rows),
            "Median cost of one check, in microseconds, measured in process on each store with "
            "1,000, 10,000 and 100,000 sessions (token check: `SessionManager.authenticate`, "
            "a lookup plus the sliding-expiry rule) or blocked IPs (lockout check: "
            "`LockoutPolicy.check` for an IP that is not blocked) already stored:",
            writeup.table(["store", "check", *(f"{n:,}" for n in SIZES)], check_rows),
            "Both checks are one keyed lookup (a dict, or an SQLite primary key), so they stay "
            "flat as the tables grow; sessions are kept in memory as plain tuples that the "
            "garbage collector does not walk.",
        ]
    )
    writeup.replace_section("scale", body)


if __name__ == "__main__":
    raise SystemExit(main())
