"""One-time download randoms: does ``cdr/get_random`` cost the same with 4,000 outstanding?

1. Over HTTP: a real ``yspbx serve`` (memory store, then SQLite) is asked for ``--count`` CDR
   randoms in a row, on one kept-alive connection, all within their 30 s validity, none spent:
   call ``n`` runs with ``n`` randoms outstanding. The median latency of the first, middle and
   last 500 calls is reported. Flat means issuing a random does not grow with the randoms
   outstanding (each issue forgets the expired ones through an index by expiry).
2. In process, on an SQLite state store, with the clock standing still (every random stays
   outstanding): the same issues through ``Tickets`` as it is, and through a baseline that
   finds the expired randoms the way it used to, by reading every outstanding one from the
   store on each issue.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from yspbx.clock import Clock
from yspbx.pbx.simulated.calls.downloads import PREFIX, Tickets
from yspbx.store import open_store
from yspbx.testing import ServerProcess

LOGIN = {"username": "api", "password": "8dc34f93e849dab027e77e05a7da40ac", "port": "8260"}
WINDOW = 500
VALIDITY = 30.0


def latencies(url: str, count: int) -> tuple[list[float], float]:
    """Milliseconds per ``cdr/get_random`` call, in order, and the seconds the run took."""
    with httpx.Client(base_url=url, timeout=30) as http:
        token = http.post("/api/v1.1.0/login", json=LOGIN).json()["token"]
        body = {
            "extid": "all",
            "starttime": "2024-03-01 00:00:00",
            "endtime": "2024-03-01 23:59:59",
        }
        samples: list[float] = []
        began = time.perf_counter()
        for _ in range(count):
            started = time.perf_counter()
            answer = http.post("/api/v1.1.0/cdr/get_random", params={"token": token}, json=body)
            samples.append((time.perf_counter() - started) * 1000)
            if answer.json().get("status") != "Success":
                raise RuntimeError(f"cdr/get_random answered {answer.text}")
        return samples, time.perf_counter() - began


class ScanningTickets(Tickets):
    """The baseline: expired randoms found by reading every outstanding one, on each issue."""

    async def _forget_expired(self, now: float) -> None:
        for key, raw in await self._state.scan(PREFIX):
            if json.loads(raw)["expires_at"] < now:
                await self._state.delete(key)


async def in_process(path: str, count: int) -> dict[str, list[float]]:
    """Microseconds per issue, in order, for the index and for the scanning baseline."""
    found: dict[str, list[float]] = {}
    for name, kind in (("index", Tickets), ("scan", ScanningTickets)):
        store = open_store(f"sqlite:///{path}-{name}.db")
        try:
            # The clock stands still, so every random stays outstanding however long it takes.
            tickets = kind(store.state, Clock(wall=functools.partial(float, time.time())))
            samples: list[float] = []
            for _ in range(count):
                started = time.perf_counter()
                await tickets.issue("cdr", "all", ["127.0.0.1"])
                samples.append((time.perf_counter() - started) * 1_000_000)
            found[name] = samples
        finally:
            await store.close()
    return found


def windows(samples: Sequence[float]) -> dict[str, float]:
    """Median of the first, middle and last :data:`WINDOW` calls."""
    middle = len(samples) // 2
    return {
        "first": statistics.median(samples[:WINDOW]),
        "middle": statistics.median(samples[middle - WINDOW // 2 : middle + WINDOW // 2]),
        "last": statistics.median(samples[-WINDOW:]),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--no-docs", dest="write_docs", action="store_false")
    args = parser.parse_args(argv)
    if args.count < 2 * WINDOW:
        parser.error(f"--count must be at least {2 * WINDOW}")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for name, store in (("memory", "memory://"), ("sqlite", f"sqlite:///{workdir}/r.db")):
            with ServerProcess(store=store) as server:
                samples, seconds = latencies(server.url, args.count)
            if seconds > VALIDITY:
                print(f"{name}: the run took {seconds:.0f} s, longer than a random lives")
            results[name] = {**windows(samples), "seconds": seconds}
            shown = ", ".join(f"{k} {v:.2f} ms" for k, v in windows(samples).items())
            print(f"{name}: cdr/get_random median, {shown} ({args.count} calls, {seconds:.1f} s)")
        for name, samples in asyncio.run(in_process(f"{workdir}/tickets", args.count)).items():
            results[f"in process, {name}"] = windows(samples)
            shown = ", ".join(f"{k} {v:.0f} us" for k, v in windows(samples).items())
            print(f"in process, SQLite, {name}: one issue, median {shown}")
    output = Path(__file__).resolve().parent / "results" / "randoms.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"count": args.count, "stores": results}, indent=2))
    if args.write_docs:
        write_docs(args.count, results)
    return 0


def write_docs(count: int, results: dict[str, dict[str, float]]) -> None:
    from bench import writeup

    def row(name: str, r: dict[str, float], scale: float, digits: int) -> list[str]:
        shown = [f"{r[k] * scale:.{digits}f}" for k in ("first", "middle", "last")]
        return [name, *shown, f"{r['last'] / r['first']:.2f}"]

    http_rows = [row(n, r, 1, 2) for n, r in results.items() if not n.startswith("in process")]
    local_rows = [
        row(n.removeprefix("in process, "), r, 1, 0)
        for n, r in results.items()
        if n.startswith("in process")
    ]
    body = "\n\n".join(
        [
            "## One-time randoms: `cdr/get_random` with thousands outstanding",
            f"Command: `python -m bench randoms`. Machine: {writeup.machine()}.",
            f"{count:,} `cdr/get_random` calls in a row over HTTP (one kept-alive connection), "
            "all within the randoms' 30 s validity and none spent, so call *n* runs with *n* "
            "randoms outstanding. Median latency in milliseconds of the first, middle and last "
            f"{WINDOW} calls:",
            writeup.table(["store", "first", "middle", "last", "last / first"], http_rows),
            "Issuing a random forgets the expired ones. It used to find them by reading every "
            "outstanding random from the store on each call; it now reads an index by expiry "
            "kept in the engine's process. The same issues in process on an SQLite state store "
            "(the clock standing still, so all stay outstanding), median microseconds of one "
            "issue, through the index and through a baseline that reads every outstanding "
            "random as before:",
            writeup.table(["way", "first", "middle", "last", "last / first"], local_rows),
        ]
    )
    writeup.replace_section("randoms", body)


if __name__ == "__main__":
    sys.exit(main())
