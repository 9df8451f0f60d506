"""Latency under 500 concurrent connections: the memory store against SQLite, in one run.

The bare ASGI app (the Python ceiling), then ``yspbx serve`` on ``memory://`` and on SQLite,
each alone on CPU 0, wrk on CPU 1 with ``--connections`` connections and a 20-second time-out
(wrk's default of 2 s would count the slowest answers as errors and leave them out of the
percentiles). Each server gets ``login`` then ``extensionlist/query`` for ``--seconds``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence

from bench.http_suite import (
    LOGIN_BODY,
    ROOT,
    ServerSpec,
    free_port,
    pinned,
    running,
    token_for,
    uvicorn_command,
    yspbx_command,
)

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")


def run_wrk(target: str, body: str, seconds: int, connections: int) -> dict[str, float]:
    command = pinned(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "20s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "wrk" / "post.lua"),
            target,
        ],
        "1",
    )
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, "WRK_BODY": body}
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "p50": _ms(out, "50"),
        "p90": _ms(out, "90"),
        "p99": _ms(out, "99"),
        "timeouts": float(timeouts.group(1)) if timeouts else 0.0,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--no-docs", dest="write_docs", action="store_false")
    args = parser.parse_args(argv)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as workdir:
        servers: list[tuple[str, Callable[[int], list[str]], bool]] = [
            ("raw ASGI", lambda p: uvicorn_command("bench.servers.raw_asgi:app", p), False),
            ("yspbx memory", lambda p: yspbx_command(p, "memory://"), True),
            ("yspbx sqlite", lambda p: yspbx_command(p, f"sqlite:///{workdir}/c.db"), True),
        ]
        for name, command, needs_token in servers:
            port = free_port()
            spec = ServerSpec(name, command(port), needs_token)
            with running(spec, port) as live:
                url = live.url
                token = token_for(url, spec)
                for endpoint, target, body in (
                    ("login", url + "/api/v1.1.0/login", LOGIN_BODY),
                    (
                        "extensionlist/query",
                        url + f"/api/v1.1.0/extensionlist/query?token={token}",
                        "",
                    ),
                ):
                    figures = run_wrk(target, body, args.seconds, args.connections)
                    rows.append({"server": name, "endpoint": endpoint, **figures})
                    print(
                        f"{name} {endpoint}: {figures['rps']:.0f} req/s, p50 "
                        f"{figures['p50']:.0f} ms, p90 {figures['p90']:.0f} ms, p99 "
                        f"{figures['p99']:.0f} ms, {figures['timeouts']:.0f} time-outs",
                        flush=True,
                    )
    output = ROOT / "bench" / "results" / "concurrency.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(rows, indent=2))
    if args.write_docs:
        write_docs(rows, args.seconds, args.connections)
    return 0


def write_docs(rows: list[dict[str, object]], seconds: int, connections: int) -> None:
    from bench import writeup

    def ms(value: object) -> str:
        assert isinstance(value, float)
        return f"{value:,.0f}"

    table = writeup.table(
        ["server", "endpoint", "req/s", "p50 ms", "p90 ms", "p99 ms", "time-outs (20 s)"],
        [
            [
                str(r["server"]),
                f"`{r['endpoint']}`",
                ms(r["rps"]),
                ms(r["p50"]),
                ms(r["p90"]),
                ms(r["p99"]),
                ms(r["timeouts"]),
            ]
            for r in rows
        ],
    )
    body = "\n\n".join(
        [
            f"## {connections} concurrent connections: memory against SQLite",
            f"Command: `python -m bench concurrency --seconds {seconds} --connections "
            f"{connections}`. Machine: {writeup.machine()}.",
            f"Each server alone on CPU 0, wrk on CPU 1 (`-t1 -c{connections}`, `--timeout 20s`), "
            f"{seconds} s per endpoint, one run:",
            table,
        ]
    )
    writeup.replace_section("concurrency", body)


if __name__ == "__main__":
    sys.exit(main())
