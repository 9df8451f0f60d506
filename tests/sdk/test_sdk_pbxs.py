"""The SDK and the command line on hosted PBXs: ``Simulator``/``AsyncSimulator``
``create_pbx``/``pbxs``/``delete_pbx``, ``yspbx sim pbxs`` (list, create, delete), and a
client pointed at a hosted PBX's URL working as against any PBX."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli_support import run
from yspbx.client import AsyncClient, AsyncSimulator, Client, Simulator, SimulatorError
from yspbx.testing import ServerProcess


def test_simulator_creates_lists_and_deletes_pbxs(server: ServerProcess) -> None:
    with Simulator(server.url) as sim:
        hotel = sim.create_pbx("sdk-hotel", config='[device]\ndevicename = "Yeastar S300"\n')
        try:
            assert hotel.prefix == "/pbx/sdk-hotel"
            assert "sdk-hotel" in [p.name for p in sim.pbxs()]
            with pytest.raises(SimulatorError) as taken:
                sim.create_pbx("sdk-hotel")
            assert taken.value.status_code == 409
            assert hotel.url is not None
            with Client(hotel.url, username="api", password="yspbx-demo") as pbx:
                assert pbx.system.device_info().device_name == "Yeastar S300"
            with Client(server.url, username="api", password="yspbx-demo") as pbx:
                assert pbx.system.device_info().device_name == "Yeastar S100"
            with Simulator(server.url + hotel.prefix) as inside:
                assert inside.state().sessions == 0
        finally:
            sim.delete_pbx("sdk-hotel")
        assert "sdk-hotel" not in [p.name for p in sim.pbxs()]
        with pytest.raises(SimulatorError) as gone:
            sim.delete_pbx("sdk-hotel")
        assert gone.value.status_code == 404


async def test_async_simulator_creates_lists_and_deletes_pbxs(server: ServerProcess) -> None:
    async with AsyncSimulator(server.url) as sim:
        crm = await sim.create_pbx()
        assert crm.name in [p.name for p in await sim.pbxs()]
        assert crm.url is not None
        async with AsyncClient(crm.url, username="api", password="yspbx-demo") as pbx:
            await pbx.login()
        async with AsyncSimulator(crm.url) as inside:
            assert (await inside.state()).sessions == 0
            before = await inside.now()
            assert await inside.advance(60) >= before + 60
        await sim.delete_pbx(crm.name)
        assert crm.name not in [p.name for p in await sim.pbxs()]


def test_cli_sim_pbxs(server: ServerProcess, tmp_path: Path) -> None:
    config = tmp_path / "cli.toml"
    config.write_text('[api]\npassword = "cli-secret"\n', encoding="utf-8")
    made = run("sim", "pbxs", "create", "cli-pbx", "--config", str(config), "--pbx", server.url)
    assert made.exit_code == 0, made.output
    assert made.output.split()[0] == "cli-pbx"
    listed = run("sim", "--pbx", server.url, "pbxs", "--json")
    assert listed.exit_code == 0, listed.output
    assert "cli-pbx" in [p["name"] for p in json.loads(listed.output)]
    table = run("sim", "--pbx", server.url, "pbxs")
    assert "/pbx/cli-pbx" in table.output
    deleted = run("sim", "pbxs", "delete", "cli-pbx", "--pbx", server.url)
    assert deleted.exit_code == 0, deleted.output
    again = run("sim", "pbxs", "delete", "cli-pbx", "--pbx", server.url)
    assert again.exit_code == 1
    assert "no PBX named 'cli-pbx'" in again.output
