"""The benchmarks run (a tiny run, seconds): the figures themselves are docs/benchmarks.md's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_report_benchmark_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "reports", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for phase in ("bare httpx POST loop", "yspbx, 1 session", "at 200 reports/s, yspbx"):
        assert phase in done.stdout


def test_unknown_benchmark_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "nope"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "reports" in done.stderr


async def test_scale_check_costs_run_on_every_local_store(tmp_path: Path) -> None:
    from bench.scale import check_costs

    for url in ("memory://", f"sqlite:///{tmp_path / 'checks.db'}"):
        costs = await check_costs(url, (10, 100), probes=20)
        assert len(costs["token"]) == len(costs["lockout"]) == 2
        assert all(value > 0 for value in costs["token"] + costs["lockout"])


async def test_login_benchmark_measures_sqlite_logins_in_process() -> None:
    from bench.login_inprocess import measure

    best, median = await measure("sqlite", blocks_of=2, per_block=1)
    assert 0 < best <= median


def test_pbxs_benchmark_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "pbxs", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for line in ("hosted PBXs: 20", "new PBX ready", "reset of one PBX", "routing overhead"):
        assert line in done.stdout


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("scenario_day", ("memory: call-centre (300 PBX s) completed",)),
        ("fanout", ("memory, 5 sessions backing off", "sqlite, 5 sessions backing off")),
        ("pipeline", ("bare httpx POST loop, keep-alive", "yspbx pipeline, reports.keepalive")),
        ("engine", ("queue entry: agents picked and rung", "memory per live call", "queue 6700")),
    ],
)
def test_each_smoke_benchmark_runs(name: str, lines: tuple[str, ...]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", name, "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for line in lines:
        assert line in done.stdout
