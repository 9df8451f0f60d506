"""The engine benchmark runs (a tiny run); its figures are docs/benchmarks.md's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_engine_benchmark_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "engine", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for line in ("queue entry: agents picked and rung", "memory per live call", "queue 6700"):
        assert line in done.stdout
