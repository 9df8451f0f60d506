from __future__ import annotations

from collections.abc import Iterator

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
