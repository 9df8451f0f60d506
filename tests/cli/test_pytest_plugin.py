"""The pytest plugin, as an application's test suite uses it (through ``pytester``)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _quiet_asyncio(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


APP_TESTS = """
import httpx
import pytest

from yspbx import Client
from yspbx.client import Ring, Simulator


def test_client_is_ready(yspbx_client: Client) -> None:
    assert yspbx_client.system.device_info().device_name == "Yeastar S100"


def test_an_ip_locked_in_one_test(yspbx_url: str, yspbx_sim: Simulator) -> None:
    transport = httpx.HTTPTransport(local_address="127.0.0.41")
    with httpx.Client(base_url=yspbx_url, transport=transport) as http:
        for _ in range(5):
            http.post("/api/v1.1.0/login", json={"username": "x", "password": "y", "port": "1"})
    assert [b.ip for b in yspbx_sim.blocked_ips()] == ["127.0.0.41"]
    yspbx_sim.unregister("1000")


def test_is_free_in_the_next(yspbx_sim: Simulator) -> None:
    state = yspbx_sim.state()
    assert state.blocked_ips == []
    assert state.sessions == 0
    assert yspbx_sim.journal() == []


def test_the_clock_moves(yspbx_client: Client, yspbx_sim: Simulator) -> None:
    yspbx_client.login()
    yspbx_sim.advance(1801)
    assert yspbx_client.system.device_info()  # a new login, transparently
    logins = [e for e in yspbx_sim.journal() if e.path.endswith("/login")]
    assert len(logins) == 2


def test_reports_reach_the_collector(yspbx_client, yspbx_reports, yspbx_sim) -> None:
    yspbx_client.login()
    (login,) = [e for e in yspbx_sim.journal() if e.path.endswith("/login")]
    assert f\'"port": "{yspbx_reports.port}"\' in login.body
    body = b\'{"action":"RING","callid":"1.2","ext":{"extid":"1001"},"ext":{"extid":"1000"}}\'
    assert httpx.post(yspbx_reports.url, content=body).status_code == 200
    assert yspbx_reports.wait_for(Ring).extensions == ["1001", "1000"]


@pytest.mark.yspbx_config("other-pbx.toml")
def test_a_pbx_of_its_own(yspbx_client: Client, yspbx_pbx) -> None:
    assert yspbx_pbx.password == "s3cret-Pbx"
    assert yspbx_client.system.device_info().device_name == "Yeastar S300"


@pytest.mark.yspbx_config("other-pbx.toml")
def test_shares_it_with_the_same_config(yspbx_pbx, yspbx_url: str) -> None:
    assert yspbx_url == yspbx_pbx.url
"""

OTHER_PBX = """
[api]
password = "s3cret-Pbx"

[sim]
token = "control-plane-token"

[device]
devicename = "Yeastar S300"
"""


@pytest.mark.slow
def test_the_fixtures_in_an_application_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=APP_TESTS)
    pytester.makefile(".toml", **{"other-pbx": OTHER_PBX})
    # No "-p yspbx.pytest_plugin": the pytest11 entry point loads it; --strict-markers proves
    # the marker is declared.
    result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=7)


@pytest.mark.slow
def test_the_session_config_option(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", **{"other-pbx": OTHER_PBX})
    pytester.makepyfile(
        test_app="""
        def test_configured(yspbx_client, yspbx_server):
            assert yspbx_server.config.endswith("other-pbx.toml")
            assert yspbx_client.system.device_info().device_name == "Yeastar S300"
        """
    )
    result = pytester.runpytest_subprocess("--yspbx-config", "other-pbx.toml")
    result.assert_outcomes(passed=1)


def test_a_bad_marker_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_app="""
        import pytest

        @pytest.mark.yspbx_config()
        def test_nothing(yspbx_pbx):
            pass
        """
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*yspbx_config takes one argument*"])


def test_suites_not_using_the_fixtures_start_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app="def test_plain(): assert True")
    result = pytester.runpytest_inprocess("--fixtures")
    result.stdout.fnmatch_lines(["*yspbx_sim*", "*yspbx_reports*", "*yspbx_client*"])
    plain = pytester.runpytest_inprocess()
    plain.assert_outcomes(passed=1)
    assert "yspbx listening" not in plain.stdout.str()


@pytest.mark.slow
def test_a_pbx_of_ones_own_from_the_docs_alone(pytester: pytest.Pytester) -> None:
    """The three-extension PBX of configuration.md, used as sdk.md shows, passes as written."""
    from tests.support.docs import DOCS, code_blocks

    (config,) = code_blocks(DOCS / "configuration.md", "toml", "Start small: a PBX of your own")
    (test,) = code_blocks(DOCS / "sdk.md", "python", "A PBX of your own")
    pytester.mkdir("tests")
    (pytester.path / "tests" / "pbx.toml").write_text(config, encoding="utf-8")
    (pytester.path / "tests" / "test_app.py").write_text(test, encoding="utf-8")
    result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_fixtures_without_the_server_extra_say_what_to_install(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    pytester.makepyfile(test_app="def test_needs_a_pbx(yspbx_url): pass")
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "the simulated PBX of the yspbx pytest fixtures needs yspbx's 'server' extra "
            "(module 'uvicorn' is missing): pip install 'yspbx?server?'"
        ]
    )
    assert "Traceback" not in result.stdout.str()


@pytest.mark.slow
def test_a_2_0_0_pbx_with_tcp_events(pytester: pytest.Pytester) -> None:
    """An application tests against API 2.0.0: the 2.0.0 client and the TCP event stream."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    pytester.makefile(".toml", **{"pbx2": f'[reports]\ntransport = "tcp"\ntcp_port = {port}\n'})
    pytester.makepyfile(
        test_app="""
        import pytest
        from yspbx.client import CallStatus

        @pytest.mark.yspbx_config("pbx2.toml")
        def test_v2(yspbx_client_v2, yspbx_tcp_events, yspbx_sim):
            callid = yspbx_client_v2.v2.dial("1001", "1002", autoanswer=True)
            assert yspbx_client_v2.transport == "TCP"
            for event in yspbx_tcp_events:
                if isinstance(event, CallStatus) and event.callid == callid:
                    assert [p.status for p in event.parties] == ["ALERT", "RING"]
                    break
        """
    )
    result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
