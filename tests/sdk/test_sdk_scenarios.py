"""The SDK's scenario methods against the session's server (a hosted PBX of their own)."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from yspbx.client import AsyncSimulator, ScenarioRun, Simulator, SimulatorError
from yspbx.testing import ServerProcess


def test_run_scenario_from_a_file_and_by_name(server: ServerProcess, tmp_path: Path) -> None:
    with Simulator(server.url) as control:
        pbx = control.create_pbx()
        try:
            with Simulator(server.url + pbx.prefix) as sim:
                day = tmp_path / "day.toml"
                day.write_text(
                    'name = "day"\nstart = "10:00"\nduration = 600\n[[inbound]]\n'
                    'trunk = "SIP-Carrier"\ndid = "5503301"\nat = [5, 300]\ntalk = 20\n',
                    encoding="utf-8",
                )
                seen: list[ScenarioRun] = []
                run = sim.run_scenario(day, seed=2, on_progress=seen.append)
                assert run.state == "completed"
                assert run.scenario == "day"
                assert run.totals.line() == {
                    "calls": 2,
                    "answered": 2,
                    "abandoned": 0,
                    "reports": 0,
                    "cdrs": 2,
                }
                assert seen[-1] == run
                started = sim.start_scenario("call-centre", speed="realtime")
                assert started.running
                with pytest.raises(SimulatorError) as refused:
                    sim.start_scenario("burst")
                assert refused.value.status_code == 409
                stopped = sim.stop_scenario(started.id)
                assert stopped.state == "stopped"
                assert [r.id for r in sim.scenario_runs()] == [run.id, started.id]
                assert sim.scenario_run(run.id).totals.calls == 2
                with pytest.raises(SimulatorError) as bad:
                    sim.start_scenario("no-such-scenario")
                assert bad.value.status_code == 400
        finally:
            control.delete_pbx(pbx.name)


def test_async_run_scenario(server: ServerProcess) -> None:
    async def play() -> ScenarioRun:
        async with AsyncSimulator(server.url) as control:
            pbx = await control.create_pbx()
            try:
                async with AsyncSimulator(server.url + pbx.prefix) as sim:
                    return await sim.run_scenario("burst", duration=20, seed=5)
            finally:
                await control.delete_pbx(pbx.name)

    run = anyio.run(play)
    assert run.state == "completed"
    assert run.totals.calls == 400
    assert run.summary["queues"]["6700"]["offered"] == 300
