"""Many PBXs on one server: how many, how fast a new one is ready, what one costs idle, how fast
one resets, and what choosing the PBX costs a request.

One real ``yspbx serve`` with the default configuration (its SQLite store, in a temporary
directory), pinned to CPU 0; wrk on CPU 1 (64 connections), as in ``bench http``.

1. **Routing overhead**: ``extensionlist/query`` on the default PBX while the server hosts no
   other PBX (no choice to make), then, once ``--count`` PBXs are hosted, on the default PBX,
   on a hosted PBX's own port and under its ``/pbx/<name>`` prefix, interleaved, ``--rounds``
   times; medians. The overhead is the hosted PBX's rate against the default PBX's.
2. **Creation**: ``--count`` PBXs created one after another through ``POST /sim/v1/pbxs`` (each
   with its own port), each timed from the request to the answer (the PBX answers on its port
   by then); median, p99, max.
3. **Idle memory**: the server's resident memory (``VmRSS``) before and after, per PBX.
4. **Reset**: ``POST /sim/v1/reset`` of one hosted PBX, ``--resets`` times; median and p99.
5. **Routing cost in process** (what wrk cannot resolve on a shared machine): the app itself
   (``YspbxApp``, SQLite store, ``--count`` hosted PBXs) is called directly with
   ``extensionlist/query`` requests, in blocks of 500 alternating between the default PBX,
   a hosted PBX by its port and by its prefix, ``--rounds`` x 20 blocks each; the time per
   request of each address's fastest block (neighbours on a shared machine only ever slow a
   block down). The difference to the default PBX is the cost of choosing the PBX.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.http_suite import wrk
from bench.scale import rss_mib
from yspbx.app import create_app
from yspbx.settings import load_settings
from yspbx.testing import ServerProcess

LOGIN = {"username": "api", "password": "8dc34f93e849dab027e77e05a7da40ac", "port": "8260"}


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _token(base: str) -> str:
    answer = httpx.post(base + "/api/v1.1.0/login", json=LOGIN, timeout=10).json()
    return str(answer["token"])


def _rate(base: str, token: str, seconds: float) -> float:
    url = f"{base}/api/v1.1.0/extensionlist/query?token={token}"
    return wrk(url, "", seconds, 64, "1")[0]


def _pin(pid: int) -> None:
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(pid, {0})


@dataclass
class Results:
    alone: float = 0.0
    created: int = 0
    create_ms: tuple[float, float, float] = (0.0, 0.0, 0.0)
    rss: tuple[float, float, float] = (0.0, 0.0, 0.0)
    reset_ms: tuple[float, float] = (0.0, 0.0)
    rates: dict[str, float] = field(default_factory=dict)


def run(count: int, seconds: float, rounds: int, resets: int) -> Results:
    results = Results()
    with tempfile.TemporaryDirectory() as directory:
        store = f"sqlite:///{Path(directory) / 'state.db'}"
        with ServerProcess(store=store) as server:
            _pin(server.pid)
            main_token = _token(server.url)
            _rate(server.url, main_token, 1)  # warm-up
            alone = [_rate(server.url, main_token, seconds) for _ in range(rounds)]
            results.alone = statistics.median(alone)

            rss_before = rss_mib(server.pid)
            took: list[float] = []
            hosted: list[dict[str, str]] = []
            with httpx.Client(base_url=server.url, timeout=30) as http:
                for n in range(count):
                    started = time.perf_counter()
                    response = http.post("/sim/v1/pbxs", json={"name": f"bench-{n}"})
                    took.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 201:
                        raise RuntimeError(f"PBX {n} not created: {response.text}")
                    hosted.append(response.json())
                time.sleep(2)
                rss_after = rss_mib(server.pid)
                results.created = len(hosted)
                results.create_ms = (
                    statistics.median(took),
                    _percentile(took, 0.99),
                    max(took),
                )
                results.rss = (rss_before, rss_after, (rss_after - rss_before) * 1024 / count)

                one = hosted[len(hosted) // 2]
                reset_ms: list[float] = []
                for _ in range(resets):
                    started = time.perf_counter()
                    answer = http.post(one["prefix"] + "/sim/v1/reset")
                    reset_ms.append((time.perf_counter() - started) * 1000)
                    answer.raise_for_status()
                results.reset_ms = (statistics.median(reset_ms), _percentile(reset_ms, 0.99))

            hosted_token = _token(one["url"])
            prefixed = server.url + one["prefix"]
            rates: dict[str, list[float]] = {"default": [], "port": [], "prefix": []}
            for _ in range(rounds):
                rates["default"].append(_rate(server.url, main_token, seconds))
                rates["port"].append(_rate(one["url"], hosted_token, seconds))
                rates["prefix"].append(_rate(prefixed, hosted_token, seconds))
            results.rates = {k: statistics.median(v) for k, v in rates.items()}
    return results


async def _in_process(
    count: int, blocks: int, per_block: int = 500, dispatches: int = 20_000
) -> dict[str, float]:
    """Microseconds per ``extensionlist/query`` through the whole app, by address: the
    fastest block's (CPU-bound code on a shared machine is only ever slowed by neighbours)."""
    with tempfile.TemporaryDirectory() as directory:
        settings = load_settings(
            overrides={"server": {"store": f"sqlite:///{Path(directory) / 'state.db'}"}}
        )
        app = create_app(settings)
        async with app.web.router.lifespan_context(app.web):
            for n in range(count):
                await app.registry.create(f"bench-{n}")
            hosted = app.registry.get(f"bench-{count // 2}")
            assert hosted is not None
            assert hosted.port is not None
            main_port = settings.server.port
            tokens = {
                "default": await _login(app, main_port, ""),
                "port": await _login(app, hosted.port, ""),
                "prefix": await _login(app, main_port, f"/pbx/{hosted.name}"),
            }
            where = {
                "default": (main_port, ""),
                "port": (hosted.port, ""),
                "prefix": (main_port, f"/pbx/{hosted.name}"),
            }
            samples: dict[str, list[float]] = {k: [] for k in where}
            for _ in range(blocks):
                for name, (port, prefix) in where.items():
                    samples[name].append(
                        await _timed(app, port, prefix, tokens[name], per_block) / per_block * 1e6
                    )
            best = {name: min(values) for name, values in samples.items()}
            # The choice alone: the same calls with the API behind it answering nothing.
            full_api = app.api

            async def nothing(scope: Any, receive: Any, send: Any) -> None:
                return None

            app.api = nothing  # type: ignore[assignment]
            try:
                for name, (port, prefix) in where.items():
                    runs = [
                        await _timed(app, port, prefix, tokens[name], dispatches) / dispatches * 1e6
                        for _ in range(blocks)
                    ]
                    best[f"choice:{name}"] = min(runs)
            finally:
                app.api = full_api
    return best


def _scope(port: int, path: str, query: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", port),
    }


async def _request(app: Any, scope: dict[str, Any], body: bytes) -> bytes:
    answer: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(event: dict[str, Any]) -> None:
        if event["type"] == "http.response.body":
            answer.append(event.get("body", b""))

    await app(scope, receive, send)
    return b"".join(answer)


async def _login(app: Any, port: int, prefix: str) -> str:
    body = json.dumps(LOGIN).encode()
    answer = await _request(app, _scope(port, prefix + "/api/v1.1.0/login", b""), body)
    return str(json.loads(answer)["token"])


async def _timed(app: Any, port: int, prefix: str, token: str, count: int) -> float:
    scope = _scope(port, prefix + "/api/v1.1.0/extensionlist/query", f"token={token}".encode())
    started = time.perf_counter()
    for _ in range(count):
        await _request(app, scope, b"")
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pbxs", description=__doc__)
    parser.add_argument("--count", type=int, default=1000, help="PBXs to host (1000)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per wrk run (5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (3)")
    parser.add_argument("--resets", type=int, default=200, help="resets timed (200)")
    parser.add_argument("--smoke", action="store_true", help="a tiny run (seconds)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.count, args.seconds, args.rounds, args.resets = 20, 1.0, 1, 10
    r = run(args.count, args.seconds, args.rounds, args.resets)
    if args.smoke:
        inside = asyncio.run(_in_process(args.count, 2, per_block=50, dispatches=500))
    else:
        inside = asyncio.run(_in_process(args.count, args.rounds * 20))
    median, p99, worst = r.create_ms
    before, after, per_pbx = r.rss
    reset_median, reset_p99 = r.reset_ms
    rates = r.rates
    alone = r.alone
    print(f"hosted PBXs: {r.created}")
    print(f"new PBX ready: median {median:.2f} ms, p99 {p99:.2f} ms, max {worst:.2f} ms")
    print(f"resident memory: {before:.1f} MiB -> {after:.1f} MiB, {per_pbx:.0f} KiB per PBX")
    print(f"reset of one PBX: median {reset_median:.2f} ms, p99 {reset_p99:.2f} ms")
    print("extensionlist/query, requests/s (median):")
    print(f"  default PBX, no hosted PBX: {alone:.0f}")
    print(f"  default PBX, {r.created} hosted: {rates['default']:.0f}")
    print(f"  hosted PBX, own port: {rates['port']:.0f}")
    print(f"  hosted PBX, /pbx/<name> prefix: {rates['prefix']:.0f}")
    for what in ("port", "prefix"):
        overhead = (1 - rates[what] / rates["default"]) * 100
        print(f"routing overhead ({what}) vs the default PBX: {overhead:+.1f}%")
    print("in process, extensionlist/query through the app, microseconds per request (best):")
    for what in ("default", "port", "prefix"):
        print(f"  {what}: {inside[what]:.1f}")
    for what in ("port", "prefix"):
        overhead = (inside[what] / inside["default"] - 1) * 100
        print(f"routing overhead in process ({what}) vs the default PBX: {overhead:+.1f}%")
    print("the app's dispatch alone (the API answering nothing), microseconds per request (best):")
    for what in ("default", "port", "prefix"):
        print(f"  {what}: {inside['choice:' + what]:.2f}")
    for what in ("port", "prefix"):
        extra = inside["choice:" + what] - inside["choice:default"]
        share = extra / inside["default"] * 100
        print(
            f"choosing the PBX ({what}): {extra:+.2f} us per request, "
            f"{share:+.1f}% of a default extensionlist/query"
        )
    return 0
