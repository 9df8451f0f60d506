from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.helpers import Sim
from tests.v2.support import Api2, Pbx2
from yspbx.testing import ServerProcess


@pytest.fixture
def api2(server: ServerProcess, sim: Sim) -> Iterator[Api2]:
    client = Api2(server.url)
    yield client
    client.close()


@pytest.fixture
def pbx2(api2: Api2, sim: Sim) -> Pbx2:
    return Pbx2(api2, sim)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def tcp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    state: Path = tmp_path_factory.mktemp("tcp") / "state.db"
    port = _free_port()
    env = {"YSPBX_REPORTS_TRANSPORT": "tcp", "YSPBX_REPORTS_TCP_PORT": str(port)}
    with ServerProcess(store=f"sqlite:///{state}", env=env) as process:
        process.tcp_port = port  # type: ignore[attr-defined]
        yield process


@pytest.fixture
def tcp_sim(tcp_server: ServerProcess) -> Iterator[Sim]:
    control = Sim(tcp_server.url)
    control.reset()
    yield control
    control.close()
