"""``SimulatedConfig.add_objects``: a scenario's ``[pbx]`` objects added to a running PBX where
they are missing (all or none, checked like the config file's objects, stored like any other
change), over the real engine on the default configuration."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.support.engine import Pbx
from tests.support.helpers import Api, Sim
from yspbx.pbx.simulated.additions import ObjectsRefused
from yspbx.scenarios import builtin_names, load_builtin
from yspbx.services import Services
from yspbx.settings import load_settings
from yspbx.store.sqlite import SqliteStore
from yspbx.testing import ServerProcess

CALLER = "+4930555123"


def agent(number: str) -> dict[str, Any]:
    """An extension as a scenario may write it: names and passwords left to the defaults."""
    return {"number": number, "username": f"Agent {number}"}


@pytest.mark.parametrize("name", builtin_names())
async def test_every_builtin_fits_the_default_pbx_and_a_second_run_changes_nothing(
    pbx: Pbx, name: str
) -> None:
    config = pbx.services.simulator.config
    objects = load_builtin(name).pbx_objects()
    done = await config.add_objects(objects)
    wanted = {
        table: [str(o.get("number", o.get("name"))) for o in items]
        for table, items in objects.items()
    }
    assert done.added == wanted
    assert done.kept == {}
    for table, keys in wanted.items():
        assert set(keys) <= set(getattr(config, table))
    again = await config.add_objects(objects)
    assert again.added == {}
    assert again.kept == wanted


@pytest.mark.parametrize("name", builtin_names())
async def test_every_number_a_builtin_names_exists_on_the_default_pbx_once_added(
    pbx: Pbx, name: str
) -> None:
    config = pbx.services.simulator.config
    scenario = load_builtin(name)
    await config.add_objects(scenario.pbx_objects())
    phones = scenario.phones
    extensions = [
        *phones.dnd,
        *(n for g in phones.groups for n in g.extensions),
        *(n for a in scenario.agents for n in a.extensions),
        *(n for o in scenario.outbound for n in o.from_),
        *(n for w in scenario.wakeups for n in w.rooms),
    ]
    assert [n for n in extensions if n not in config.extensions] == []
    targets = [*phones.transfer_to, *phones.forward_to]
    for group in phones.groups:
        targets += [*(group.transfer_to or []), *(group.forward_to or [])]
    assert [n for n in targets if config.number_owner(n) is None] == []
    assert [a.queue for a in scenario.agents if a.queue not in config.queues] == []
    trunks = [s.trunk for s in scenario.inbound if s.trunk is not None]
    trunks += [s.trunk for s in scenario.sms]
    assert [t for t in trunks if t not in config.trunks] == []
    routed = {r.did for r in config.inroutes.values()} | {t.did for t in config.trunks.values()}
    assert [s.did for s in scenario.inbound if s.did not in routed] == []


async def test_a_call_reaches_the_call_centre_ivr_and_a_logged_in_agent(pbx: Pbx) -> None:
    config = pbx.services.simulator.config
    await config.add_objects(load_builtin("call-centre").pbx_objects())
    await config.add_dynamic_agent("6710", "2003", None)
    callid = await pbx.calls.place_call(CALLER, "5503340", "SIP-Carrier")
    (call,) = pbx.live()
    assert call["destination"] == {"type": "ivr", "number": "6210"}
    pbx.take()
    await pbx.calls.press_keys(callid, "1")
    assert ("RING", "2003") in [event[:2] for event in pbx.take()]
    await pbx.calls.answer(callid, "2003")
    assert pbx.status("2003") == "Busy"


async def test_an_object_the_pbx_has_is_left_as_it_is(pbx: Pbx) -> None:
    config = pbx.services.simulator.config
    before = copy.deepcopy(config.queues["6700"])
    done = await config.add_objects(
        {"queues": [{"number": "6700", "name": "Other", "agents": ["1003"]}]}
    )
    assert done.kept == {"queues": ["6700"]}
    assert done.added == {}
    assert config.queues["6700"] == before


@pytest.mark.parametrize(
    ("objects", "message"),
    [
        (
            {"extensions": [agent("2500")], "queues": [{"number": "6790", "agents": ["2599"]}]},
            "queues[0]",
        ),
        ({"extensions": [agent("2500")], "queues": [{"number": "1000"}]}, "queues[0].number"),
        ({"extensions": [agent("2500"), {"number": "2501", "colour": "red"}]}, "extensions[1]"),
        ({"extensions": [agent("2500"), agent("2500")]}, "extensions[1].number"),
        (
            {
                "extensions": [agent("2500")],
                "inroutes": [
                    {
                        "name": "X",
                        "did": "1",
                        "trunks": ["Nope"],
                        "desttype": "extension",
                        "dest": "2500",
                    }
                ],
            },
            "inroutes[0]",
        ),
        ({"extensions": [agent("2500")], "robots": [{}]}, "robots"),
    ],
)
async def test_a_bad_batch_is_refused_whole(
    pbx: Pbx, objects: dict[str, Any], message: str
) -> None:
    config = pbx.services.simulator.config
    tables = {table: dict(getattr(config, table)) for table in ("extensions", "queues", "inroutes")}
    with pytest.raises(ObjectsRefused) as refused:
        await config.add_objects(objects)
    assert str(refused.value).startswith(message + ":")
    assert {table: dict(getattr(config, table)) for table in tables} == tables


async def test_a_misspelt_key_gets_a_suggestion(pbx: Pbx) -> None:
    with pytest.raises(ObjectsRefused) as refused:
        await pbx.services.simulator.config.add_objects(
            {"queues": [{"number": "6790", "ringstrategi": "Linear"}]}
        )
    assert (
        str(refused.value) == "queues[0]: ringstrategi: unknown key; did you mean 'ringstrategy'?"
    )


async def test_the_batch_may_refer_to_itself(pbx: Pbx) -> None:
    config = pbx.services.simulator.config
    done = await config.add_objects(
        {
            "inroutes": [
                {
                    "name": "Q",
                    "did": "777",
                    "trunks": ["SIP-Carrier"],
                    "desttype": "queue",
                    "dest": "6799",
                }
            ],
            "queues": [{"number": "6799", "name": "Q", "agents": ["2600"]}],
            "extensions": [agent("2600")],
        }
    )
    assert done.count == 3
    assert config.inroutes["Q"].id == max(r.id for r in config.inroutes.values())
    await pbx.calls.place_call(CALLER, "777", "SIP-Carrier")
    assert ("RING", "2600") in [event[:2] for event in pbx.take()]


async def test_the_extension_limit_holds(pbx: Pbx) -> None:
    config = pbx.services.simulator.config
    room = 100 - len(config.extensions)
    with pytest.raises(ObjectsRefused, match=r"^extensions: the PBX holds at most 100"):
        await config.add_objects({"extensions": [agent(str(3000 + n)) for n in range(room + 1)]})
    done = await config.add_objects({"extensions": [agent(str(3000 + n)) for n in range(room)]})
    assert len(done.added["extensions"]) == room


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state.db'}"


async def _services(url: str) -> Services:
    services = Services.build(load_settings(), SqliteStore(url))
    await services.start()
    return services


async def test_added_objects_survive_a_restart(sqlite_url: str) -> None:
    services = await _services(sqlite_url)
    try:
        await services.simulator.config.add_objects(load_builtin("call-centre").pbx_objects())
    finally:
        await services.stop()
    services = await _services(sqlite_url)
    try:
        config = services.simulator.config
        assert {"2000", "2049"} <= set(config.extensions)
        assert config.queues["6710"].name == "CC-Sales"
        assert config.inroutes["CC-Hotline"].dest == "6210"
    finally:
        await services.stop()


@pytest.mark.slow
async def test_a_server_on_the_store_reaches_an_added_extension_over_http(sqlite_url: str) -> None:
    services = await _services(sqlite_url)
    try:
        await services.simulator.config.add_objects(load_builtin("hotel-night").pbx_objects())
    finally:
        await services.stop()
    with ServerProcess(store=sqlite_url) as server:
        api, sim = Api(server.url), Sim(server.url)
        listed = api.call("extensionlist/query", None, api.token())
        assert ("3105", "Room 3105") in [(e["extnumber"], e["username"]) for e in listed["extlist"]]
        callid = sim.post("/calls", {"from": CALLER, "to": "5503350", "trunk": "SIP-Carrier"})[
            "callid"
        ]
        (call,) = [c for c in sim.get("/calls") if c["callid"] == callid]
        assert call["parties"] == [CALLER, "1011"]  # the added route, not the Default (1000)
        internal = sim.post("/calls", {"from": "1000", "to": "3105"})["callid"]
        (call,) = [c for c in sim.get("/calls") if c["callid"] == internal]
        assert "3105" in call["parties"]
        api.close()
        sim.close()
