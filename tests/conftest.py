from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.e2e import Line
from tests.support.engine import pbx  # noqa: F401  (the in-process PBX fixture)
from tests.support.helpers import Api, Sim
from tests.support.sdk_live import Wire, twin
from yspbx.client import Client, Simulator
from yspbx.testing import ReportCollector, ServerProcess


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server for the session, on SQLite; tests reset it through the control plane."""
    state = tmp_path_factory.mktemp("state") / "state.db"
    with ServerProcess(store=f"sqlite:///{state}") as process:
        yield process


@pytest.fixture
def sim(server: ServerProcess) -> Iterator[Sim]:
    control = Sim(server.url)
    control.reset()
    yield control
    control.close()


@pytest.fixture
def line(server: ServerProcess, sim: Sim) -> Iterator[Line]:
    """Two application servers logged in to the session's server (reset first), one per
    report format, each a real receiver (``tests/support/e2e.py``)."""
    both = Line(server.url, sim)
    yield both
    try:
        both.delivered()  # whatever the test read from the log also arrived, in order
    finally:
        both.close()


@pytest.fixture
def api(server: ServerProcess, sim: Sim) -> Iterator[Api]:
    client = Api(server.url)
    yield client
    client.close()


def write_config(directory: Path, text: str) -> Path:
    path = directory / "yspbx.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def server_url(server: ServerProcess) -> str:
    return server.url


@pytest.fixture
def token(api: Api) -> str:
    """A fresh API token on the session's server (reset before the test)."""
    return api.token()


@pytest.fixture
def wire() -> Wire:
    """The answers ``sdk`` received."""
    return Wire()


@pytest.fixture(params=["sync", "async"])
def sdk(
    request: pytest.FixtureRequest, server: ServerProcess, sim: Sim, wire: Wire
) -> Iterator[Client]:
    """The SDK on the session's server (reset first): a ``Client``, then an ``AsyncClient``
    driven through the same calls (see ``tests/support/sdk_live.py``)."""
    with twin(request.param, server.url, wire) as client:
        yield client


@pytest.fixture
def simulator(server: ServerProcess, sim: Sim) -> Iterator[Simulator]:
    """The SDK's control-plane helper on the session's server (reset first, by ``sim``)."""
    with Simulator(server.url) as control:
        yield control


@pytest.fixture(scope="session")
def collector() -> Iterator[ReportCollector]:
    """A real :class:`~yspbx.client.ReportReceiver` on a free loopback port, for the session."""
    with ReportCollector() as receiver:
        yield receiver


@pytest.fixture
def reports(sdk: Client, collector: ReportCollector) -> ReportCollector:
    """The reports the PBX sends ``sdk`` from now on: its heartbeat moved its report target to
    ``collector`` (emptied first), as an application moves it to its own receiver."""
    sdk.heartbeat(port=collector.port)
    collector.clear()
    return collector
