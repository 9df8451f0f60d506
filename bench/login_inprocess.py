"""A login's CPU cost through the ASGI app, in process: memory against SQLite, optionally against
another checkout in the same minute.

What wrk cannot resolve on a shared machine: the HTTP suite's per-round ratios spread by a
fifth or more, while the store's part of a login is a few tens of microseconds. Here the app is
called directly (no socket, no uvicorn), 32 logins at a time as a loaded server sees them, and
the CPU time of the process per login is taken over blocks of 640; the best block is reported
(CPU-bound code on a shared machine is only ever slowed by its neighbours), with the median.
Each (checkout, store) runs in a process of its own, in alternating rounds. The child runs
this file as a script with the other checkout on its path, so it imports nothing from
``bench`` (whose modules that checkout may not have): its ASGI request helper is its own.

``python -m bench login [--rounds 3] [--other-tree PATH]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOGIN = json.dumps(
    {"username": "api", "password": "8dc34f93e849dab027e77e05a7da40ac", "port": "8260"}
).encode()
AT_ONCE = 32
BLOCKS = 12
PER_BLOCK = 20  # rounds of AT_ONCE logins


def _scope() -> dict[str, Any]:
    path = "/api/v1.1.0/login"
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }


async def _login(app: Any, scope: dict[str, Any]) -> bytes:
    answer: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": LOGIN, "more_body": False}

    async def send(event: dict[str, Any]) -> None:
        if event["type"] == "http.response.body":
            answer.append(event.get("body", b""))

    await app(scope, receive, send)
    return b"".join(answer)


async def measure(
    store: str, blocks_of: int = BLOCKS, per_block: int = PER_BLOCK
) -> tuple[float, float]:
    """(best, median) CPU microseconds per login, in this process."""
    from yspbx.app import create_app
    from yspbx.settings import load_settings

    with tempfile.TemporaryDirectory() as directory:
        url = "memory://" if store == "memory" else f"sqlite:///{Path(directory) / 'state.db'}"
        settings = load_settings(
            overrides={
                "server": {"store": url},
                "api": {"max_sessions": 10**7, "max_sessions_per_ip": 10**7},
            }
        )
        app = create_app(settings)
        async with app.web.router.lifespan_context(app.web):
            scope = _scope()
            await _login(app, scope)
            blocks = []
            for _ in range(blocks_of):
                started = time.process_time()
                for _ in range(per_block):
                    answers = await asyncio.gather(*(_login(app, scope) for _ in range(AT_ONCE)))
                blocks.append((time.process_time() - started) / (per_block * AT_ONCE) * 1e6)
                if not all(b'"token"' in a for a in answers):
                    raise RuntimeError(f"a login failed: {answers[0]!r}")
    blocks.sort()
    return blocks[0], blocks[len(blocks) // 2]


def _child(tree: Path, store: str) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", store],
        env=env,
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    best, median = json.loads(out.strip().splitlines()[-1])
    return float(best), float(median)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--other-tree", type=Path, help="another checkout, in the same rounds")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(measure(args.child))))
        return 0
    trees = [("this", ROOT)]
    if args.other_tree is not None:
        trees.append((args.other_tree.name, args.other_tree.resolve()))
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(args.rounds):
        for name, tree in trees:
            for store in ("memory", "sqlite"):
                results.setdefault((name, store), []).append(_child(tree, store))
    print(f"CPU per login in process, {AT_ONCE} at a time (best block; median block), per round:")
    for (name, store), runs in results.items():
        shown = "  ".join(f"{best:.1f} ({median:.1f})" for best, median in runs)
        print(f"  {name:>12} {store:<6} {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
