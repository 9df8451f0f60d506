"""``yspbx sim run``: following a scenario run with a progress bar (on a terminal, on stderr)
and writing its summary, whose last line is the totals as JSON (docs/scenarios.md)."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from yspbx.cli._common import console, errors
from yspbx.client import ScenarioRun, Simulator
from yspbx.client._simulator import POLL


def follow(
    sim: Simulator,
    scenario: str,
    *,
    speed: str,
    seed: int | None,
    duration: float | None,
) -> ScenarioRun:
    """Play the scenario to its end; Ctrl-C stops the run on the server too."""
    with ExitStack() as stack:
        bar: Progress | None = None
        task: Any = None
        if errors.is_terminal:
            bar = stack.enter_context(
                Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    TextColumn("{task.percentage:>3.0f}%"),
                    TextColumn("{task.fields[calls]} calls"),
                    TimeElapsedColumn(),
                    console=errors,
                    transient=True,
                )
            )
            task = bar.add_task(scenario, total=1.0, calls=0)

        def show(run: ScenarioRun) -> None:
            if bar is not None:
                calls = run.summary.get("totals", {}).get("calls", 0)
                bar.update(task, completed=run.progress.fraction, calls=calls)

        run = sim.start_scenario(scenario, speed=speed, seed=seed, duration=duration)
        try:
            while run.running:
                show(run)
                time.sleep(POLL)
                run = sim.scenario_run(run.id)
        except KeyboardInterrupt:
            run = sim.stop_scenario(run.id)
        show(run)
    return run


def print_summary(run: ScenarioRun) -> None:
    summary = run.summary
    calls = summary.get("calls", {})
    console.print(
        f"scenario {run.scenario} (run {run.id}, seed {run.seed}, {run.speed}): {run.state}, "
        f"{run.progress.done:.0f} of {run.progress.total:.0f} PBX seconds in "
        f"{run.wall_seconds:.1f} s"
    )
    console.print(
        f"calls: {calls.get('offered', 0)} offered ({calls.get('inbound', 0)} inbound, "
        f"{calls.get('outbound', 0)} outbound, {calls.get('wakeups', 0)} wake-up), "
        f"{calls.get('answered', 0)} answered, {calls.get('abandoned', 0)} abandoned; "
        f"{summary.get('sms', 0)} SMS; {summary.get('cdrs', 0)} CDRs"
    )
    queues = summary.get("queues", {})
    if queues:
        table = Table("queue", "offered", "answered", "abandoned")
        for number, counts in queues.items():
            table.add_row(
                number, str(counts["offered"]), str(counts["answered"]), str(counts["abandoned"])
            )
        console.print(table)
    reports = summary.get("reports", {})
    sessions = reports.get("sessions", [])
    if sessions:
        table = Table("reports to", "queued", "delivered", "refused")
        for session in sessions:
            table.add_row(
                session["target"],
                str(session["queued"]),
                str(session["delivered"]),
                str(session["refused"]),
            )
        console.print(table)
    else:
        console.print("reports: no session was logged in to receive them")
    if reports.get("dropped"):
        console.print(f"reports dropped (their session ended): {reports['dropped']}")
    # The last line: plain JSON, never wrapped (outside tests parse it).
    print(json.dumps(run.totals.line()), flush=True)
