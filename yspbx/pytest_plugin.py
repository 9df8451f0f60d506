"""yspbx's pytest plugin: a simulated PBX, an SDK client and the control plane for your tests.

Installed with yspbx (entry point ``pytest11``); nothing starts until a test asks for a fixture.

* ``yspbx_pbx``: the :class:`~yspbx.testing.SimulatedPbx` of this test. One server (on a free
  loopback port, in-memory state) serves the whole session, and each test gets a fresh PBX
  hosted on it (its own port, sessions, lockouts, calls, reports and clock; milliseconds, not
  a process), removed after the test. Tests marked ``@pytest.mark.yspbx_config("path.toml")``
  get a server loaded from that file instead (shared by every test naming the same file, and
  reset before each). ``--yspbx-config`` / the ``yspbx_config`` ini option change the
  session's default (the fresh PBXs take that config too).
* ``yspbx_url``: its base URL.
* ``yspbx_sim``: a :class:`~yspbx.client.Simulator` (the control plane) for it.
* ``yspbx_client``: a :class:`~yspbx.client.Client` with the PBX's credentials, closed after
  the test (which logs it out). With ``yspbx_reports`` in the same test, it asks for reports
  to go to that collector.
* ``yspbx_reports``: a :class:`~yspbx.testing.ReportCollector`, a real report receiver on a
  free port that keeps what it receives: ``yspbx_reports.wait_for("RING")``.
* ``yspbx_client_v2``: like ``yspbx_client``, logged in on API 2.0.0 (2.0.0 events; the
  typed 2.0.0 calls on ``.v2``). Every yspbx PBX serves 1.1.0 and 2.0.0 at once.
* ``yspbx_tcp_events``: a :class:`~yspbx.client.TcpEvents` stream of a PBX whose config opens a
  TCP event port (``[reports] tcp_port``), connected and logged in for the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from yspbx.client import Client, Simulator, TcpEvents
    from yspbx.testing import ReportCollector, SimulatedPbx

MARKER = "yspbx_config"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("yspbx", "simulated Yeastar PBX (yspbx)")
    group.addoption(
        "--yspbx-config",
        dest="yspbx_config",
        default=None,
        help="TOML config of the simulated PBX that the yspbx fixtures start",
    )
    parser.addini("yspbx_config", "TOML config of the simulated PBX (relative to rootdir)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(path): run the test against a simulated PBX loaded from this TOML file",
    )


class _Servers:
    """The simulated PBXs of the session, one per config, started on first use."""

    def __init__(self, rootdir: Path) -> None:
        self._rootdir = rootdir
        self._running: dict[str | None, SimulatedPbx] = {}

    def get(self, config: str | None) -> SimulatedPbx:
        from yspbx._extras import MissingExtra, require

        try:
            require("server", "the simulated PBX of the yspbx pytest fixtures")
        except MissingExtra as exc:
            pytest.fail(str(exc), pytrace=False)
        from yspbx.testing import SimulatedPbx

        key = None if config is None else str((self._rootdir / config).resolve())
        if key not in self._running:
            self._running[key] = SimulatedPbx(config=key).start()
        return self._running[key]

    def stop(self) -> None:
        for pbx in self._running.values():
            pbx.stop()
        self._running.clear()


@pytest.fixture(scope="session")
def _yspbx_servers(pytestconfig: pytest.Config) -> Iterator[_Servers]:
    servers = _Servers(Path(pytestconfig.rootpath))
    yield servers
    servers.stop()


def _default_config(config: pytest.Config) -> str | None:
    option = config.getoption("yspbx_config")
    value = option or config.getini("yspbx_config")
    return str(value) if value else None


@pytest.fixture(scope="session")
def yspbx_server(pytestconfig: pytest.Config, _yspbx_servers: _Servers) -> SimulatedPbx:
    """The session's shared simulated PBX (not reset: use ``yspbx_pbx`` in tests)."""
    return _yspbx_servers.get(_default_config(pytestconfig))


@pytest.fixture
def yspbx_pbx(request: pytest.FixtureRequest, _yspbx_servers: _Servers) -> Iterator[SimulatedPbx]:
    """This test's simulated PBX, as its configuration describes it (no calls, sessions,
    lockouts): a fresh PBX on the session's server, or the marked config's server, reset."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        if len(marker.args) != 1:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes one argument: a TOML file")
        pbx = _yspbx_servers.get(str(marker.args[0]))
        with pbx.simulator() as sim:
            sim.reset()
        yield pbx
        return
    server: SimulatedPbx = request.getfixturevalue("yspbx_server")
    fresh = server.fresh_pbx()
    try:
        yield fresh
    finally:
        fresh.stop()


@pytest.fixture
def yspbx_url(yspbx_pbx: SimulatedPbx) -> str:
    """The base URL of this test's simulated PBX (``http://127.0.0.1:<port>``)."""
    return yspbx_pbx.url


@pytest.fixture
def yspbx_sim(yspbx_pbx: SimulatedPbx) -> Iterator[Simulator]:
    """The control plane of this test's simulated PBX: calls, phones, clock, reports."""
    with yspbx_pbx.simulator() as sim:
        yield sim


@pytest.fixture
def yspbx_reports() -> Iterator[ReportCollector]:
    """A report receiver on a free loopback port that keeps every event it receives."""
    from yspbx.testing import ReportCollector

    with ReportCollector() as collector:
        yield collector


@pytest.fixture
def yspbx_client(request: pytest.FixtureRequest, yspbx_pbx: SimulatedPbx) -> Iterator[Client]:
    """A client of this test's PBX; it logs in on its first call and out after the test."""
    if "yspbx_reports" in request.fixturenames:
        collector: ReportCollector = request.getfixturevalue("yspbx_reports")
        client = yspbx_pbx.client(report_port=collector.port)
    else:
        client = yspbx_pbx.client()
    with client:
        yield client


@pytest.fixture
def yspbx_client_v2(request: pytest.FixtureRequest, yspbx_pbx: SimulatedPbx) -> Iterator[Client]:
    """A client of this test's PBX on API 2.0.0; out after the test."""
    if "yspbx_reports" in request.fixturenames:
        collector: ReportCollector = request.getfixturevalue("yspbx_reports")
        client = yspbx_pbx.client(report_port=collector.port, api_version="2.0.0")
    else:
        client = yspbx_pbx.client(api_version="2.0.0")
    with client:
        yield client


@pytest.fixture
def yspbx_tcp_events(yspbx_pbx: SimulatedPbx) -> Iterator[TcpEvents]:
    """The PBX's TCP event stream (its config must set ``[reports] tcp_port``)."""
    if yspbx_pbx.tcp_port is None:
        raise pytest.UsageError("yspbx_tcp_events needs a config with [reports] tcp_port")
    with yspbx_pbx.tcp_events() as events:
        yield events
