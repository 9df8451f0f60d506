"""HTTP throughput of yspbx against its ceilings and its peer, measured with wrk in one run.

Measured the way an application server's load generator sees it: every server is started with
its defaults (yspbx on its default store, SQLite in ``./.yspbx``), logs in for a fresh token
before each run, and is warmed up before anything counts. Every server runs for the whole
measurement, pinned to CPU 0 (``taskset``; two-worker servers to CPUs 0 and 1); wrk runs on
CPU 1 with 64 connections. Rounds alternate: each round measures every server in turn, and the
ratio to the bare Starlette app is taken within each round, so a busy neighbour or a slow minute
weighs on both sides of a ratio alike; the table keeps the medians of the rounds.
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
from contextlib import ExitStack, contextmanager
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
BASELINE = "bare Starlette"


@dataclass
class ServerSpec:
    name: str
    command: list[str]
    needs_token: bool = True
    env: dict[str, str] = field(default_factory=dict)
    cpus: str = "0"
    # Where the server starts (a yspbx without --store keeps its default ./.yspbx/state.db there).
    cwd: Path = ROOT


@dataclass
class Measurement:
    server: str
    endpoint: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    runs: list[float]
    errors: int
    # Against the bare Starlette app, round by round (same order as ``runs``).
    ratios: list[float] = field(default_factory=list)
    # The server's CPU time per request (median of the rounds), and the bare app's CPU time
    # per request divided by this server's, round by round: the throughput ratio the two would
    # show each alone on an idle core, steadier than ``ratios`` on a shared machine.
    cpu_us: float = float("nan")
    cpu_ratios: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        return statistics.median(self.ratios) if self.ratios else None

    @property
    def cpu_ratio(self) -> float | None:
        return statistics.median(self.cpu_ratios) if self.cpu_ratios else None


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


def yspbx_command(port: int, store: str | None, workers: int = 1) -> list[str]:
    """``yspbx serve``; without ``store``, the default one (SQLite in ./.yspbx/state.db)."""
    return [
        sys.executable,
        "-m",
        "yspbx",
        "serve",
        "--port",
        str(port),
        *(["--store", store] if store else []),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]


def pinned(command: Sequence[str], cpus: str) -> list[str]:
    if shutil.which("taskset") is None:
        return list(command)
    return ["taskset", "-c", cpus, *command]


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by ``pid`` and every process under it (workers), every thread
    counted, from the scheduler's own nanosecond accounting (``/proc/PID/task/TID/schedstat``)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(text[text.rindex(")") + 2 :].split()[1])
    wanted = {pid}
    for candidate in sorted(parents):  # a child's pid is usually above its parent's
        if parents[candidate] in wanted:
            wanted.add(candidate)
    total = 0
    for process in wanted:
        try:
            threads = list(Path(f"/proc/{process}/task").iterdir())
        except OSError:
            continue
        for thread in threads:
            try:
                total += int((thread / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
    return total / 1e9


@dataclass(frozen=True)
class Live:
    url: str
    pid: int


@contextmanager
def running(spec: ServerSpec, port: int) -> Iterator[Live]:
    process = subprocess.Popen(
        pinned(spec.command, spec.cpus),
        cwd=spec.cwd,
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
        yield Live(url, process.pid)
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
) -> tuple[float, float, float, int, int]:
    """One wrk run: (requests/s, p50 ms, p99 ms, socket errors + non-2xx, requests)."""
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
    done = re.search(r"(\d+) requests in", output)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors += int(non2xx.group(1)) if non2xx else 0
    return (
        float(rate.group(1)) if rate else 0.0,
        _latency(output, "50"),
        _latency(output, "99"),
        errors,
        int(done.group(1)) if done else 0,
    )


def token_for(url: str, spec: ServerSpec) -> str:
    if not spec.needs_token:
        return "0" * 32
    answer = httpx.post(url + "/api/v1.1.0/login", content=LOGIN_BODY, timeout=5).json()
    return str(answer["token"])


ENDPOINTS = ("login", "extensionlist/query")


def target(url: str, endpoint: str, token: str) -> tuple[str, str]:
    """The URL and body wrk sends for ``endpoint``."""
    if endpoint == "login":
        return url + "/api/v1.1.0/login", LOGIN_BODY
    return url + f"/api/v1.1.0/{endpoint}?token={token}", ""


@dataclass(frozen=True)
class Sample:
    """One measured wrk run against one server."""

    rate: float
    p50_ms: float
    p99_ms: float
    errors: int
    # The server's CPU time (all its processes) per request answered, in microseconds.
    cpu_us: float


def sample(live: Live, address: str, body: str, seconds: float, connections: int) -> Sample:
    before = cpu_seconds(live.pid)
    rate, p50, p99, errors, requests = wrk(address, body, seconds, connections, "1")
    used = cpu_seconds(live.pid) - before
    return Sample(rate, p50, p99, errors, used / requests * 1e6 if requests else float("nan"))


def measure_alternating(
    specs: Sequence[tuple[ServerSpec, int]],
    seconds: float,
    rounds: int,
    warmup: float,
    connections: int,
) -> list[Measurement]:
    """Every server up at once; ``rounds`` rounds, each measuring every server in turn.

    A user's load generator logs in and uses its token: each measured run of a token endpoint
    uses a token logged in just before it (never one token for the whole run). A busy neighbour
    or a slow minute slows one round of every server alike, so the ratio to the bare app is
    taken within each round and the table keeps the median of the rounds.
    """
    samples: dict[tuple[str, str], list[Sample]] = {}
    with ExitStack() as stack:
        servers = [(spec, stack.enter_context(running(spec, port))) for spec, port in specs]
        for spec, live in servers:
            for endpoint in ENDPOINTS:
                if warmup > 0:
                    address, body = target(live.url, endpoint, token_for(live.url, spec))
                    wrk(address, body, warmup, connections, "1")
        for number in range(rounds):
            print(f"round {number + 1} of {rounds} ...", file=sys.stderr, flush=True)
            for spec, live in servers:
                for endpoint in ENDPOINTS:
                    address, body = target(live.url, endpoint, token_for(live.url, spec))
                    measured = sample(live, address, body, seconds, connections)
                    samples.setdefault((spec.name, endpoint), []).append(measured)
    return summarise(samples)


def summarise(samples: dict[tuple[str, str], list[Sample]]) -> list[Measurement]:
    baseline = {key[1]: runs for key, runs in samples.items() if key[0] == BASELINE}
    results = []
    for (server, endpoint), runs in samples.items():
        base = baseline.get(endpoint, [])
        pairs = list(zip(runs, base, strict=False))
        results.append(
            Measurement(
                server=server,
                endpoint=endpoint,
                requests_per_second=statistics.median(s.rate for s in runs),
                p50_ms=statistics.median(s.p50_ms for s in runs),
                p99_ms=statistics.median(s.p99_ms for s in runs),
                runs=[s.rate for s in runs],
                errors=sum(s.errors for s in runs),
                ratios=[s.rate / b.rate for s, b in pairs if b.rate > 0],
                cpu_us=statistics.median(s.cpu_us for s in runs),
                cpu_ratios=[b.cpu_us / s.cpu_us for s, b in pairs if s.cpu_us > 0],
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
        cwd: Path = ROOT,
    ) -> None:
        port = free_port()
        assert callable(command_for)
        spec = ServerSpec(name, command_for(port), needs_token, env or {}, cpus, cwd)
        servers.append((spec, port))

    add(BASELINE, lambda p: uvicorn_command("bench.servers.bare_starlette:app", p))
    add("raw ASGI", lambda p: uvicorn_command("bench.servers.raw_asgi:app", p))
    add("yspbx memory", lambda p: yspbx_command(p, "memory://"))
    for workers in (1, 2):
        # The default store, as `make run` and `yspbx serve` use it: SQLite in ./.yspbx.
        home = workdir / f"sqlite-{workers}w"
        home.mkdir()
        add(
            f"yspbx sqlite {workers}w",
            lambda p, w=workers: yspbx_command(p, None, w),
            cpus="0" if workers == 1 else "0,1",
            cwd=home,
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


def other_tree_servers(tree: Path, workdir: Path) -> list[tuple[ServerSpec, int]]:
    """yspbx as another checkout has it (say, main before a change), for a before/after in
    one run: memory and the default store, one worker each."""
    env = {"PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    home = Path(tempfile.mkdtemp(prefix="other-tree-", dir=workdir))
    servers = []
    for name, store in (("memory", "memory://"), ("sqlite 1w", None)):
        port = free_port()
        command = yspbx_command(port, store)
        spec = ServerSpec(f"yspbx {name} ({tree.name})", command, True, env, "0", home)
        servers.append((spec, port))
    return servers


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5, help="length of one measured run")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--no-prism", action="store_true")
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/0", help="Redis for the redis servers"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="measure only servers whose name has this (and the bare Starlette app)",
    )
    parser.add_argument(
        "--other-tree",
        type=Path,
        action="append",
        default=[],
        help="also run yspbx (memory, default store) from this checkout, in the same rounds "
        "(repeat for several: say, main and each step of a change)",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "http.json")
    parser.add_argument(
        "--no-docs", dest="write_docs", action="store_false", help="leave docs/benchmarks.md alone"
    )
    args = parser.parse_args(argv)
    names = [tree.resolve().name for tree in args.other_tree]
    if len(set(names)) < len(names):
        parser.error("each --other-tree needs a folder name of its own (it names the servers)")
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
    with tempfile.TemporaryDirectory() as workdir:
        try:
            specs = default_servers(Path(workdir), include_prism, redis_url, prefix)
            for tree in args.other_tree:
                specs += other_tree_servers(tree.resolve(), Path(workdir))
            specs = [
                (spec, port)
                for spec, port in specs
                if not args.only
                or spec.name == BASELINE
                or any(part in spec.name for part in args.only)
            ]
            results = measure_alternating(
                specs, args.seconds, args.rounds, args.warmup, args.connections
            )
        finally:
            if redis_url is not None:
                forget_redis_prefix(redis_url, prefix)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps([asdict(r) for r in results], indent=2))
    for r in results:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "-"
        cpu_ratio = f"{r.cpu_ratio:.2f}x" if r.cpu_ratio is not None else "-"
        print(
            f"{r.server:24} {r.endpoint:20} {r.requests_per_second:7.0f} req/s "
            f"{ratio:>6} ({' '.join(f'{x:.2f}' for x in r.ratios)})  "
            f"{r.cpu_us:6.1f} us/req {cpu_ratio:>6} ({' '.join(f'{x:.2f}' for x in r.cpu_ratios)})"
            f"  p99 {r.p99_ms:7.2f} ms  errors {r.errors}"
        )
    if args.write_docs and not args.only and not args.other_tree:
        write_docs(results, args)
    return 0


def write_docs(results: Sequence[Measurement], args: argparse.Namespace) -> None:
    from bench import writeup

    rows = [
        [
            r.server,
            f"`{r.endpoint}`",
            f"{r.requests_per_second:,.0f}",
            f"{r.p50_ms:.2f}",
            f"{r.p99_ms:.2f}",
            f"{r.ratio:.2f}x" if r.ratio is not None else "",
            " ".join(f"{x:.2f}" for x in r.ratios),
            f"{r.cpu_us:.1f}",
            f"{r.cpu_ratio:.2f}x" if r.cpu_ratio is not None else "",
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
        f"python -m bench http --seconds {args.seconds:g} --rounds {args.rounds} "
        f"--warmup {args.warmup:g} --connections {args.connections}"
    )
    body = "\n\n".join(
        [
            "## HTTP throughput: yspbx against its ceilings and its peer",
            f"Command: `make bench` (this part: `{command}`). Machine: {writeup.machine()}; "
            f"{writeup.tool_version(['wrk', '--version'])}.",
            "Every server runs for the whole measurement, each on CPU 0 (`taskset -c 0`); wrk "
            "runs on CPU 1 (`-t1 -c64`). The two-worker servers (`2w`) are on CPUs 0 and 1 "
            "(`taskset -c 0,1`: the machine has two), so their second worker shares a core with "
            "wrk. The Redis servers use the machine's Redis (unpinned). yspbx runs with its "
            "default settings; `sqlite` is the default store (`./.yspbx/state.db`, no "
            "`--store`). After a warm-up of every server, "
            f"{args.rounds} rounds each measure every server in turn for {args.seconds:g} s per "
            "endpoint; each run of `extensionlist/query` uses a token logged in just before it. "
            "req/s and latencies are the medians of the rounds; the ratio is taken against the "
            "bare Starlette app within each round (listed per round) and its median shown, so "
            "a busy neighbour slows both sides of a ratio alike. CPU µs/req is the server's own "
            "CPU time (every process and thread, from the scheduler's accounting) per request "
            "answered; *CPU vs bare* divides the bare app's by it, round by round (median "
            "shown): the throughput ratio the two would have each alone on an idle core, and "
            "the steadier figure on a shared machine (for Redis it leaves out the Redis "
            "server's own CPU). The bare Starlette app answers "
            "the same bytes with tokens in a dict and no rules: the framework ceiling. The raw "
            "ASGI app is the Python ceiling; Prism mocks an OpenAPI file with the same example "
            "bodies.",
            writeup.table(
                [
                    "server",
                    "endpoint",
                    "req/s",
                    "p50 ms",
                    "p99 ms",
                    "vs bare Starlette",
                    "per round",
                    "CPU µs/req",
                    "CPU vs bare",
                    "errors",
                ],
                rows,
            ),
            "![throughput per server](img/http-throughput.png)",
        ]
    )
    writeup.replace_section("http", body)


if __name__ == "__main__":
    raise SystemExit(main())
