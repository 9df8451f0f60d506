"""The ``yspbx`` client verbs, ``yspbx sim`` and ``yspbx listen``, through the CLI runner (and,
for ``listen``, as the process a user starts)."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.support.cli_support import bound, creds, run
from tests.support.helpers import Api, Sim, failed
from tests.support.receivers import Receiver, head_attempted, log_in, wait_for_log
from yspbx.cli._common import CliState
from yspbx.cli.sim import parse_duration
from yspbx.testing import ServerProcess

# -- client verbs against the real server -------------------------------------------------


def test_check_logs_in_and_out(server: ServerProcess, sim: Sim) -> None:
    result = run(*creds(server.url), "check")
    assert result.exit_code == 0, result.output
    assert "OK logged in" in result.output
    assert "Yeastar S100" in result.output
    assert "369300000001" in result.output
    assert sim.get("/state")["sessions"] == 0  # logged out again


def test_info_from_environment_variables(server: ServerProcess, sim: Sim) -> None:
    env = {
        "YSPBX_PBX_URL": server.url,
        "YSPBX_PBX_USERNAME": "api",
        "YSPBX_PBX_PASSWORD": "yspbx-demo",
    }
    result = run("info", env=env)
    assert result.exit_code == 0, result.output
    assert "30.11.0.7" in result.output
    as_json = run("info", "--json", env=env)
    assert json.loads(as_json.output)["device_name"] == "Yeastar S100"


def test_password_md5_option(server: ServerProcess, sim: Sim) -> None:
    args = ["--pbx", server.url, "--username", "api"]
    result = run(*args, "--password-md5", "8dc34f93e849dab027e77e05a7da40ac", "check")
    assert result.exit_code == 0, result.output


def test_bad_credentials_say_what_to_do(server: ServerProcess, sim: Sim) -> None:
    result = run(*creds(server.url, "wrong"), "info", state=bound("127.0.0.31"))
    assert result.exit_code == 1
    assert "refused the user name or password (errno 20003)" in result.output
    assert "--password" in result.output
    assert "lock this IP out" in result.output


def test_lockout_says_when_and_how_to_get_out(server: ServerProcess, sim: Sim) -> None:
    raw = Api(server.url, "127.0.0.32")
    for _ in range(5):
        assert raw.login(password="0" * 32) == failed("20003")
    raw.close()
    result = run(*creds(server.url), "check", state=bound("127.0.0.32"))
    assert result.exit_code == 1
    assert "locked out" in result.output
    assert "errno 20002" in result.output
    assert "Wait until" in result.output
    assert "yspbx sim unblock" in result.output


def test_unreachable_pbx_says_what_to_check() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run(*creds(f"http://127.0.0.1:{port}"), "check")
    assert result.exit_code == 1
    assert f"cannot reach http://127.0.0.1:{port}" in result.output
    assert "Check the address and port" in result.output
    assert "Traceback" not in result.output


def test_missing_connection_options_are_usage_errors() -> None:
    result = run("info", env={"YSPBX_PBX_URL": ""})
    assert result.exit_code == 2
    assert "--pbx" in result.output
    result = run("--pbx", "http://127.0.0.1:1", "info", env={"YSPBX_PBX_USERNAME": ""})
    assert result.exit_code == 2
    assert "--username" in result.output


# -- yspbx sim --------------------------------------------------------------------------------


def test_sim_state_advance_reset(server: ServerProcess, sim: Sim) -> None:
    before = sim.get("/clock")["now"]
    result = run("--pbx", server.url, "sim", "advance", "31m")
    assert result.exit_code == 0, result.output
    assert "clock moved 1860 s" in result.output
    assert sim.get("/clock")["now"] >= before + 1860
    state = run("--pbx", server.url, "sim", "state")
    assert state.exit_code == 0, state.output
    assert "1000" in state.output
    assert json.loads(run("--pbx", server.url, "sim", "state", "--json").output)["sessions"] == 0
    assert run("--pbx", server.url, "sim", "reset").exit_code == 0


def test_sim_unblock_and_journal(server: ServerProcess, sim: Sim) -> None:
    raw = Api(server.url, "127.0.0.33")
    for _ in range(5):
        raw.login(password="0" * 32)
    raw.close()
    blocked = run("--pbx", server.url, "sim", "blocked")
    assert "127.0.0.33" in blocked.output
    assert run("--pbx", server.url, "sim", "unblock", "127.0.0.33").exit_code == 0
    assert sim.get("/blocked-ips") == []
    journal = run("--pbx", server.url, "sim", "journal")
    assert "/api/v1.1.0/login" in journal.output
    refused = run("--pbx", server.url, "sim", "unblock", "127.0.0.33")
    assert refused.exit_code == 1
    assert "the simulator refused" in refused.output


def test_sim_phone_registration(server: ServerProcess, sim: Sim) -> None:
    def status() -> str:
        states = {e["number"]: e["status"] for e in sim.get("/state")["extensions"]}
        return str(states["1000"])

    registered = status()
    assert run("--pbx", server.url, "sim", "unregister", "1000").exit_code == 0
    assert status() != registered
    assert run("--pbx", server.url, "sim", "register", "1000").exit_code == 0
    assert status() == registered
    again = run("--pbx", server.url, "sim", "register", "1000")
    assert again.exit_code == 1
    assert "already registered" in again.output


def test_sim_reports_lists_filters_and_shows_each_state(server: ServerProcess, sim: Sim) -> None:
    with Receiver("127.0.0.33") as receiver:
        log_in(server.url, receiver, version="1.0.2")
        receiver.policy = lambda request: 400 if request.json()["status"] == "Unregistered" else 200
        sim.post("/extensions/1001/unregister")
        sim.post("/extensions/1001/register")
        for attempts, delay in ((1, 1), (2, 2), (3, 4), (4, 8)):
            wait_for_log(sim, head_attempted(attempts))
            sim.advance(delay)
        wait_for_log(sim, lambda log: [e["state"] for e in log] == ["refused", "delivered"])
    args = ("--pbx", server.url, "sim", "reports")
    table = run(*args, env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    # The state, the attempts and the last status open each row, after id and action.
    rows = [line.split()[:5] for line in table.output.splitlines() if line[:1].isdigit()]
    assert [row[2:] for row in rows] == [["refused", "5", "400"], ["delivered", "1", "200"]]
    assert "no reports" in run(*args, "--action", "RING").output
    as_json = json.loads(run(*args, "--json").output)
    assert [(r["state"], r["attempts"], r["last_status"]) for r in as_json] == [
        ("refused", 5, 400),
        ("delivered", 1, 200),
    ]


def test_sim_reports_shows_every_body_whole_at_any_width() -> None:
    """A report body is what the application received: it wraps, it is never cut."""
    body = json.dumps(
        {"action": "NewCdr", "callid": "1796216586.1", "recording": "x" * 200},
        separators=(",", ":"),
    )
    reports = [
        {
            "id": 7,
            "action": "NewCdr",
            "target": "http://127.0.0.1:8260/",
            "body": body,
            "attempts": 1,
            "delivered": True,
            "last_status": 200,
        },
    ]

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=reports)

    state = CliState(sim_transport=httpx.MockTransport(handle))
    result = run("sim", "reports", state=state)
    assert result.exit_code == 0, result.output
    header, *rows = result.output.rstrip("\n").splitlines()
    start = header.index("body")
    assert "".join(line[start:].rstrip() for line in rows) == body
    assert "…" not in result.output


def test_sim_without_a_server_says_so() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run("--pbx", f"http://127.0.0.1:{port}", "sim", "state")
    assert result.exit_code == 1
    assert "cannot reach the simulator" in result.output


def test_durations() -> None:
    assert parse_duration("90") == 90
    assert parse_duration("1.5m") == 90
    assert parse_duration("2h") == 7200
    assert parse_duration("1d") == 86400
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("soon")
    assert run("sim", "advance", "soon").exit_code == 2


# -- yspbx listen, as a process ---------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[tuple[str, Callable[[str], str]]]:
    yield from _listener()


def _listener(*options: str) -> Iterator[tuple[str, Callable[[str], str]]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "yspbx", "listen", "--host", "127.0.0.1", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()

    def wait_for(text: str) -> str:
        while True:
            line = lines.get(timeout=10)
            if text in line:
                return line

    try:
        first = wait_for("listening for reports on")
        yield first.rsplit(" ", 1)[1], wait_for
    finally:
        process.terminate()
        process.wait(10)


def test_listen_prints_each_report(listener: tuple[str, Callable[[str], str]]) -> None:
    url, wait_for = listener
    legacy = (
        b'{"action":"RING","callid":"1709283555.52","ext":{"extid":"2002"},"ext":{"extid":"2001"}}'
    )
    with httpx.Client(headers={"User-Agent": "WebAPI"}) as http:
        assert http.post(url, content=legacy).status_code == 200
        line = wait_for("RING")
        assert "call 1709283555.52: 2002, 2001" in line
        assert wait_for('"ext":{"extid":"2002"},"ext":{"extid":"2001"}')
        assert http.post(url, content=b'{"action":"Mystery","x":"1"}').status_code == 200
        assert wait_for("Mystery x=1")
        assert http.post(url, content=b"not json").status_code == 400
        # The PBX resends what was not acknowledged: the listener says how often it came.
        assert http.post(url, content=legacy).status_code == 200
        assert "(again: 2 times)" in wait_for("RING")


@pytest.fixture
def refusing_listener() -> Iterator[tuple[str, Callable[[str], str]]]:
    yield from _listener("--refuse", "ExtensionStatus")


def test_listen_refuses_the_actions_it_is_told_to(
    refusing_listener: tuple[str, Callable[[str], str]],
) -> None:
    url, wait_for = refusing_listener
    status = b'{"action":"ExtensionStatus","extension":"1001","status":"Idle","sn":"369300000001"}'
    ring = b'{"action":"RING","callid":"1.2","call":[{"ext":{"extid":"1001"}}],"sn":"369300000001"}'
    with httpx.Client(headers={"User-Agent": "WebAPI"}) as http:
        assert http.post(url, content=status).status_code == 400
        assert "ExtensionStatus refused (400)" in wait_for("ExtensionStatus")
        assert http.post(url, content=status).status_code == 400
        assert "(again: 2 times)" in wait_for("refused (400)")
        assert http.post(url, content=ring).status_code == 200
        assert "call 1.2: 1001" in wait_for("RING")
