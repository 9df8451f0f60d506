"""HTTP throughput of yspbx against its ceilings and its peer, measured with wrk in one run.

Each server runs alone, pinned to CPU 0 (``taskset``); wrk runs on CPU 1 with 64 connections.
A server with two workers is pinned to CPUs 0 and 1 (the machine has two), so its second worker
shares CPU 1 with wrk. yspbx runs on the memory store (one process), on SQLite and on Redis (the
machine's, under a key prefix of the run's own), with one and two workers. For each endpoint: a
warm-up, then ``runs`` measured runs; the table keeps the medians. Ratios are taken against the
bare Starlette app of the same run, so a noisy machine shifts every figure alike and the ratios
stay meaningful.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
LOGIN_BODY = json.dumps(
    {"username": "api", "password": "8dc34f93e849dab027e77e05a7da40ac", "port": "8260"}
)
PRISM = ROOT / "bench" / "node_modules" / ".bin" / "prism"
UNBOUNDED_SESSIONS = {
    "YSPBX_API_MAX_SESSIONS": "1000000",
    "YSPBX_API_MAX_SESSIONS_PER_IP": "1000000",
}


@dataclass
class ServerSpec:
    name: str
    command: list[str]
    needs_token: bool = True
    env: dict[str, str] = field(default_factory=dict)
    cpus: str = "0"


@dataclass
class Measurement:
    server: str
    endpoint: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    runs: list[float]
    errors: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def uvicorn_command(app: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--http",
        "httptools",
        "--loop",
        "uvloop",
    ]


def yspbx_command(port: int, store: str, workers: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "yspbx",
        "serve",
        "--port",
        str(port),
        "--store",
        store,
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]


def pinned(command: Sequence[str], cpus: str) -> list[str]:
    if shutil.which("taskset") is None:
        return list(command)
    return ["taskset", "-c", cpus, *command]


@contextmanager
def running(spec: ServerSpec, port: int) -> Iterator[str]:
    process = subprocess.Popen(
        pinned(spec.command, spec.cpus),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # The session bounds lifted: the login benchmark leaves tens of thousands of sessions.
        env={**os.environ, **UNBOUNDED_SESSIONS, **spec.env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.post(url + "/api/v1.1.0/login", content=LOGIN_BODY, timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{spec.name} did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _latency(text: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")


def wrk(
    url: str, body: str, seconds: float, connections: int, cpus: str
) -> tuple[float, float, float, int]:
    """One wrk run: (requests/s, p50 ms, p99 ms, socket errors + non-2xx)."""
    command = pinned(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, int(seconds))}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "wrk" / "post.lua"),
            url,
        ],
        cpus,
    )
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, "WRK_BODY": body}
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors += int(non2xx.group(1)) if non2xx else 0
    return (
        float(rate.group(1)) if rate else 0.0,
        _latency(output, "50"),
        _latency(output, "99"),
        errors,
    )


def token_for(url: str, spec: ServerSpec) -> str:
    if not spec.needs_token:
        return "0" * 32
    answer = httpx.post(url + "/api/v1.1.0/login", content=LOGIN_BODY, timeout=5).json()
    return str(answer["token"])


def measure(
    spec: ServerSpec, port: int, seconds: float, runs: int, warmup: float, connections: int
) -> list[Measurement]:
    results = []
    with running(spec, port) as url:
        token = token_for(url, spec)
        endpoints = {
            "login": (url + "/api/v1.1.0/login", LOGIN_BODY),
            "extensionlist/query": (url + f"/api/v1.1.0/extensionlist/query?token={token}", ""),
        }
        for endpoint, (target, body) in endpoints.items():
            if warmup > 0:
                wrk(target, body, warmup, connections, "1")
            samples = [wrk(target, body, seconds, connections, "1") for _ in range(runs)]
            results.append(
                Measurement(
                    server=spec.name,
                    endpoint=endpoint,
                    requests_per_second=statistics.median(s[0] for s in samples),
                    p50_ms=statistics.median(s[1] for s in samples),
                    p99_ms=statistics.median(s[2] for s in samples),
                    runs=[s[0] for s in samples],
                    errors=sum(s[3] for s in samples),
                )
            )
    return results


def prism_document() -> dict[str, object]:
    """An OpenAPI file whose examples are exactly the bytes yspbx answers, for Prism to mock."""
    from bench.servers.reference_answers import extension_list_body

    def operation(example: object, token: bool) -> dict[str, object]:
        op: dict[str, object] = {
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {
                "200": {
                    "description": "the PBX's answer",
                    "content": {"application/json": {"example": example}},
                }
            },
        }
        if token:
            op["parameters"] = [
                {"name": "token", "in": "query", "required": True, "schema": {"type": "string"}}
            ]
        return op

    return {
        "openapi": "3.1.0",
        "info": {"title": "S-Series API (two endpoints)", "version": "1.1.0"},
        "paths": {
            "/api/v1.1.0/login": {
                "post": operation(
                    {"status": "Success", "token": "48a7d7481a5355aa4fb5dc285edeb40e"}, False
                )
            },
            "/api/v1.1.0/extensionlist/query": {
                "post": operation(json.loads(extension_list_body()), True)
            },
        },
    }


def redis_reachable(url: str) -> bool:
    try:
        import redis
    except ImportError:
        return False
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


def forget_redis_prefix(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    for start in range(0, len(keys), 500):
        client.unlink(*keys[start : start + 500])
    client.close()


def default_servers(
    workdir: Path, include_prism: bool, redis_url: str | None, prefix: str
) -> list[tuple[ServerSpec, int]]:
    servers: list[tuple[ServerSpec, int]] = []

    def add(
        name: str,
        command_for: object,
        needs_token: bool = True,
        cpus: str = "0",
        env: dict[str, str] | None = None,
    ) -> None:
        port = free_port()
        assert callable(command_for)
        servers.append((ServerSpec(name, command_for(port), needs_token, env or {}, cpus), port))

    add("bare Starlette", lambda p: uvicorn_command("bench.servers.bare_starlette:app", p))
    add("raw ASGI", lambda p: uvicorn_command("bench.servers.raw_asgi:app", p))
    add("yspbx memory", lambda p: yspbx_command(p, "memory://"))
    for workers in (1, 2):
        sqlite = f"sqlite:///{workdir / f'bench-{workers}.db'}"
        add(
            f"yspbx sqlite {workers}w",
            lambda p, s=sqlite, w=workers: yspbx_command(p, s, w),
            cpus="0" if workers == 1 else "0,1",
        )
    if redis_url is not None:
        for workers in (1, 2):
            add(
                f"yspbx redis {workers}w",
                lambda p, w=workers: yspbx_command(p, redis_url, w),
                cpus="0" if workers == 1 else "0,1",
                env={"YSPBX_SERVER_STORE_PREFIX": f"{prefix}{workers}:"},
            )
    if include_prism:
        spec_file = workdir / "s-series-openapi.json"
        spec_file.write_text(json.dumps(prism_document()))
        add(
            "Prism mock",
            lambda p: [str(PRISM), "mock", str(spec_file), "-p", str(p), "-h", "127.0.0.1"],
            needs_token=False,
        )
    return servers


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--no-prism", action="store_true")
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/0", help="Redis for the redis servers"
    )
    parser.add_argument(
        "--only", action="append", default=[], help="measure only servers whose name has this"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "http.json")
    parser.add_argument(
        "--no-docs", dest="write_docs", action="store_false", help="leave docs/benchmarks.md alone"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install -y wrk)", file=sys.stderr)
        return 2
    include_prism = not args.no_prism and PRISM.exists()
    if not include_prism and not args.no_prism:
        print("Prism is not installed (make bench installs it); skipping it", file=sys.stderr)
    redis_url: str | None = args.redis
    if redis_url is not None and not redis_reachable(redis_url):
        print(f"Redis is not reachable at {redis_url}; skipping the redis servers", file=sys.stderr)
        redis_url = None
    prefix = f"yspbx-bench-{secrets.token_hex(4)}:"
    results: list[Measurement] = []
    with tempfile.TemporaryDirectory() as workdir:
        try:
            for spec, port in default_servers(Path(workdir), include_prism, redis_url, prefix):
                if args.only and not any(part in spec.name for part in args.only):
                    continue
                print(f"measuring {spec.name} ...", file=sys.stderr, flush=True)
                results += measure(
                    spec, port, args.seconds, args.runs, args.warmup, args.connections
                )
        finally:
            if redis_url is not None:
                forget_redis_prefix(redis_url, prefix)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps([asdict(r) for r in results], indent=2))
    for r in results:
        print(
            f"{r.server:18} {r.endpoint:22} {r.requests_per_second:10.0f} req/s  "
            f"p50 {r.p50_ms:7.2f} ms  p99 {r.p99_ms:7.2f} ms  errors {r.errors}"
        )
    if args.write_docs and not args.only:
        write_docs(results, args)
    return 0


def write_docs(results: Sequence[Measurement], args: argparse.Namespace) -> None:
    from bench import writeup

    baseline = {r.endpoint: r.requests_per_second for r in results if r.server == "bare Starlette"}
    rows = [
        [
            r.server,
            f"`{r.endpoint}`",
            f"{r.requests_per_second:,.0f}",
            f"{r.p50_ms:.2f}",
            f"{r.p99_ms:.2f}",
            f"{r.requests_per_second / baseline[r.endpoint]:.2f}x"
            if baseline.get(r.endpoint)
            else "",
            str(r.errors),
        ]
        for r in results
    ]
    chart = writeup.ROOT / "docs" / "img" / "http-throughput.png"
    servers = list(dict.fromkeys(r.server for r in results))
    endpoints = list(dict.fromkeys(r.endpoint for r in results))
    by_key = {(r.server, r.endpoint): r.requests_per_second for r in results}
    writeup.bar_chart(
        chart,
        "S-Series API throughput (64 connections; 1w: one core, 2w: two)",
        servers,
        {e: [by_key.get((s, e), 0.0) for s in servers] for e in endpoints},
        "requests / second (median)",
    )
    command = (
        f"python -m bench http --seconds {args.seconds:g} --runs {args.runs} "
        f"--warmup {args.warmup:g} --connections {args.connections}"
    )
    body = "\n\n".join(
        [
            "## HTTP throughput: yspbx against its ceilings and its peer",
            f"Command: `make bench` (this part: `{command}`). Machine: {writeup.machine()}; "
            f"{writeup.tool_version(['wrk', '--version'])}.",
            "Each server alone on CPU 0 (`taskset -c 0`), wrk on CPU 1 (`-t1 -c64`); the "
            "two-worker servers (`2w`) on CPUs 0 and 1 (`taskset -c 0,1`: the machine has two), "
            "so their second worker shares a core with wrk. The Redis servers use the machine's "
            "Redis (unpinned). A warm-up, "
            f"then {args.runs} runs of {args.seconds:g} s per endpoint; medians. The ratio is "
            "against the bare Starlette app of the same run (same bytes, tokens in a dict, no "
            "rules): the framework ceiling. The raw ASGI app is the Python ceiling; Prism mocks "
            "an OpenAPI file with the same example bodies.",
            writeup.table(
                ["server", "endpoint", "req/s", "p50 ms", "p99 ms", "vs bare Starlette", "errors"],
                rows,
            ),
            "![throughput per server](img/http-throughput.png)",
        ]
    )
    writeup.replace_section("http", body)


if __name__ == "__main__":
    raise SystemExit(main())
