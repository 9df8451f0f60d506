"""Fan-out cost with many idle sessions whose receiver is down.

A real ``yspbx serve`` (memory store, then SQLite) is given ``--sessions`` logins over HTTP
(wrk) whose report port nobody listens on, so every report to them is refused at once and each
session backs off. Then one session changes an extension (``extension/update``, which reports
``ConfigChange`` to every session) ``--updates`` times; the median answer time and the server's
resident memory growth are what the table shows, next to the same with no idle session.
"""

from __future__ import annotations

import argparse
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

from bench.scale import rss_mib
from yspbx.testing import ServerProcess

# Port 9 (discard) on loopback: nobody listens, a report is refused at once.
LOGIN = {
    "username": "api",
    "password": "8dc34f93e849dab027e77e05a7da40ac",
    "port": "9",
    "version": "1.0.2",
}
# The session bounds lifted; the first retry after a minute, so the figures are the fan-out's
# and not the idle sessions' retries (which, once backed off to reports.retry_max, cost one
# attempt per session per minute whatever happens).
UNBOUNDED = {
    "YSPBX_API_MAX_SESSIONS": "1000000",
    "YSPBX_API_MAX_SESSIONS_PER_IP": "1000000",
    "YSPBX_REPORTS_RETRY_INITIAL": "60",
}


def _log_in(url: str, count: int) -> None:
    script = Path(__file__).resolve().parent / "wrk" / "post.lua"
    env = {**os.environ, "WRK_BODY": json.dumps(LOGIN)}
    while httpx.get(url + "/sim/v1/state", timeout=30).json()["sessions"] < count:
        subprocess.run(
            ["wrk", "-t1", "-c16", "-d1s", "-s", str(script), url + "/api/v1.1.0/login"],
            check=True,
            capture_output=True,
            env=env,
        )


def _all_backing_off(url: str, sessions: int, timeout: float = 120) -> None:
    """Wait until every idle session's first report was attempted (and refused)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = httpx.get(url + "/sim/v1/reports", timeout=60).json()
        if len(log) >= sessions and all(entry["attempts"] >= 1 for entry in log):
            return
        time.sleep(0.5)
    raise RuntimeError("the idle sessions' first reports were not all attempted")


def measure(store: str, sessions: int, updates: int) -> dict[str, float]:
    with ServerProcess(store=store, env=UNBOUNDED, extra_args=("--log-level", "error")) as server:
        url = server.url
        if sessions:
            _log_in(url, sessions)
            httpx.post(url + "/sim/v1/extensions/1001/unregister", json={}, timeout=60)
            live = httpx.get(url + "/sim/v1/state", timeout=30).json()["sessions"]
            _all_backing_off(url, live)
        live = httpx.get(url + "/sim/v1/state", timeout=30).json()["sessions"]
        token = httpx.post(url + "/api/v1.1.0/login", json=LOGIN, timeout=30).json()["token"]
        before = rss_mib(server.pid)
        times = []
        with httpx.Client(timeout=120) as client:
            for n in range(updates):
                body = {"extid": "1002", "username": f"Ben{n}"}
                started = time.perf_counter()
                answer = client.post(
                    url + f"/api/v1.1.0/extension/update?token={token}", json=body
                ).json()
                times.append(time.perf_counter() - started)
                assert answer["status"] == "Success", answer
        return {
            "sessions": float(live),
            "median_ms": statistics.median(times) * 1000,
            "max_ms": max(times) * 1000,
            "rss_growth_mib": rss_mib(server.pid) - before,
        }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, action="append", default=[])
    parser.add_argument("--updates", type=int, default=20)
    parser.add_argument("--no-docs", dest="write_docs", action="store_false")
    args = parser.parse_args(argv)
    sizes = args.sessions or [0, 1000, 10000]
    results: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for name, store in (("memory", "memory://"), ("sqlite", f"sqlite:///{workdir}/f.db")):
            results[name] = []
            for size in sizes:
                if store.startswith("sqlite"):
                    Path(f"{workdir}/f.db").unlink(missing_ok=True)
                figures = measure(store, size, args.updates)
                results[name].append(figures)
                print(
                    f"{name}, {size} idle sessions: extension/update median "
                    f"{figures['median_ms']:.1f} ms, max {figures['max_ms']:.1f} ms, "
                    f"RSS +{figures['rss_growth_mib']:.1f} MiB over {args.updates} updates",
                    flush=True,
                )
    output = Path(__file__).resolve().parent / "results" / "fanout.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2))
    if args.write_docs:
        write_docs(results, args.updates)
    return 0


def write_docs(results: dict[str, list[dict[str, float]]], updates: int) -> None:
    from bench import writeup

    rows = [
        [
            name,
            f"{f['sessions']:,.0f}",
            f"{f['median_ms']:.1f}",
            f"{f['max_ms']:.1f}",
            f"{f['rss_growth_mib']:.1f}",
        ]
        for name, figures in results.items()
        for f in figures
    ]
    body = "\n\n".join(
        [
            "## Fan-out with idle sessions whose receiver is down",
            f"Command: `python -m bench fanout`. Machine: {writeup.machine()}.",
            "Live sessions logged in with a report port nobody listens on (each one's first "
            f"report refused, so it backs off); then {updates} `extension/update` calls, each "
            "reporting `ConfigChange` to every session. Answer time of one update, and the "
            "server's resident memory growth over all of them:",
            writeup.table(
                ["store", "live sessions", "median (ms)", "max (ms)", "RSS growth (MiB)"], rows
            ),
        ]
    )
    writeup.replace_section("fanout", body)


if __name__ == "__main__":
    sys.exit(main())
