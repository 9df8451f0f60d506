"""The HTTP suite's arithmetic (bench/http_suite.py): ratios are taken round by round against
the bare app, and CPU time is read for a server's whole process tree. No figure is asserted:
the figures are docs/benchmarks.md's."""

from __future__ import annotations

import os
import subprocess
import sys

from bench.http_suite import BASELINE, Sample, cpu_seconds, summarise


def test_ratios_pair_each_round_with_the_bare_apps_round() -> None:
    bare = [Sample(1000.0, 1.0, 2.0, 0, 50.0), Sample(500.0, 1.0, 2.0, 0, 100.0)]
    other = [Sample(900.0, 1.0, 2.0, 0, 60.0), Sample(400.0, 1.0, 2.0, 3, 125.0)]
    results = {
        r.server: r
        for r in summarise({(BASELINE, "login"): bare, ("yspbx sqlite 1w", "login"): other})
    }
    measured = results["yspbx sqlite 1w"]
    assert measured.ratios == [0.9, 0.8]
    assert measured.cpu_ratios == [50.0 / 60.0, 0.8]
    assert measured.requests_per_second == 650.0
    assert measured.errors == 3
    assert results[BASELINE].ratio == 1.0


def test_cpu_time_counts_the_children_of_a_server() -> None:
    """A two-worker server's CPU is in its worker processes: a busy child must be counted."""
    busy = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import subprocess, sys; subprocess.run([sys.executable, '-c', {busy!r}])",
        ]
    )
    try:
        seen = 0.0
        while parent.poll() is None:
            seen = max(seen, cpu_seconds(parent.pid))
        assert seen >= 0.2
    finally:
        parent.wait()
    assert cpu_seconds(os.getpid()) > 0
