"""Issue 17.1: every way a report target is set goes through one rule, and a report the server
sends never gets into its own control plane through the loopback trust."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import write_config
from tests.support.helpers import API, PASSWORD_MD5, Api, Sim, failed
from tests.support.polling import wait_until
from yspbx.testing import ServerProcess


def attempts_to(sim: Sim, target: str) -> list[dict[str, Any]]:
    return [e for e in sim.get("/reports") if e["target"] == target and e.get("attempts")]


def phone_status(sim: Sim, number: str = "1001") -> str:
    return str(next(e["status"] for e in sim.get("/state")["extensions"] if e["number"] == number))


def test_a_heartbeat_aiming_reports_at_the_control_plane_resets_nothing(
    server: ServerProcess, sim: Sim
) -> None:
    bystander = Api(server.url, "127.0.0.41")
    kept = bystander.token()
    own = server.url.rsplit(":", 1)[1].rstrip("/")
    aim = {"ipaddr": "127.0.0.1", "port": own, "url": "sim/v1/reset", "urlflag": "0"}
    # From another address, the rule refuses the target outright ...
    outsider = Api(server.url, "127.0.0.42")
    assert outsider.call("heartbeat", aim, outsider.token()) == failed("20015")
    outsider.close()
    # ... and the one client it may not refuse (the server's own address) gets its reports
    # refused by the control plane.
    attacker = Api(server.url, "127.0.0.1")
    token = attacker.token(version="1.0.2")
    assert attacker.call("heartbeat", aim, token) == {"status": "Success"}
    registered = phone_status(sim)
    sim.post("/extensions/1001/unregister")  # a report for every session, the attacker's too
    target = f"http://127.0.0.1:{own}/sim/v1/reset"
    (entry,) = wait_until(lambda: attempts_to(sim, target), what="the report to be attempted")
    assert entry["last_status"] == 403
    assert entry["delivered"] is False
    # Nothing was reset: both sessions live, the phone still unregistered, the log kept.
    assert sim.get("/state")["sessions"] == 3
    assert bystander.call("deviceinfo/query", None, kept)["status"] == "Success"
    assert phone_status(sim) != registered
    bystander.close()
    attacker.close()


def test_an_absolute_report_url_at_the_control_plane_resets_nothing(
    server: ServerProcess, sim: Sim
) -> None:
    api = Api(server.url)
    own = server.url.rsplit(":", 1)[1].rstrip("/")
    token = api.token(url=f"127.0.0.1:{own}/sim/v1/reset", urltag="1", version="1.0.2")
    sim.post("/extensions/1001/unregister")
    target = f"http://127.0.0.1:{own}/sim/v1/reset"
    (entry,) = wait_until(lambda: attempts_to(sim, target), what="the report to be attempted")
    assert entry["last_status"] == 403
    assert sim.get("/state")["sessions"] == 1
    assert api.call("deviceinfo/query", None, token)["status"] == "Success"
    api.close()


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server that takes the client IP from X-Forwarded-For, so a test can be a client that
    is not on loopback; 10.9.0.0/16 and crm.example are the operator's allowed report hosts."""
    path = write_config(
        tmp_path_factory.mktemp("proxied"),
        '[api]\ntrust_proxy = true\n[reports]\nallowed_hosts = ["10.9.0.0/16", "crm.example"]\n',
    )
    with ServerProcess(config=path) as process:
        yield process


class Remote:
    """An application server at ``ip`` (as the proxy says), speaking the raw API."""

    def __init__(self, url: str, ip: str) -> None:
        self.http = httpx.Client(base_url=url, headers={"X-Forwarded-For": ip}, timeout=10)

    def call(self, endpoint: str, body: Any, token: str | None = None) -> dict[str, Any]:
        params = {"token": token} if token else None
        answer: dict[str, Any] = self.http.post(API + endpoint, json=body, params=params).json()
        return answer

    def token(self) -> str:
        login = {"username": "api", "password": PASSWORD_MD5, "port": "8260"}
        answer = self.call("login", login)
        assert answer["status"] == "Success", answer
        return str(answer["token"])


@pytest.fixture
def remote(behind_proxy: ServerProcess) -> Iterator[Remote]:
    Sim(behind_proxy.url).reset()
    client = Remote(behind_proxy.url, "10.1.2.3")
    yield client
    client.http.close()


@pytest.mark.slow
@pytest.mark.parametrize("ipaddr", ["127.0.0.1", "169.254.169.254", "0.0.0.0", "::1", "10.1.2.4"])
def test_a_heartbeat_may_not_move_reports_to_another_host(remote: Remote, ipaddr: str) -> None:
    token = remote.token()
    assert remote.call("heartbeat", {"ipaddr": ipaddr, "port": "8088"}, token) == failed("20015")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("ipaddr", "url"),
    [
        ("127.0.0.1", "127.0.0.1:8088/sim/v1/reset"),
        ("169.254.169.254", "169.254.169.254/latest"),
        ("::1", "[::1]:8088/sim/v1/reset"),
    ],
)
def test_login_and_heartbeat_refuse_the_same_absolute_urls(
    remote: Remote, ipaddr: str, url: str
) -> None:
    login = {"username": "api", "password": PASSWORD_MD5, "port": "8260", "url": url, "urltag": "1"}
    assert remote.call("login", login) == failed("20015")
    token = remote.token()
    assert remote.call("heartbeat", {"url": url, "urlflag": "1"}, token) == failed("20015")
    # Nor through a heartbeat that first moves ipaddr, then the URL names that ipaddr.
    body = {"ipaddr": ipaddr, "url": url, "urlflag": "1"}
    assert remote.call("heartbeat", body, token) == failed("20015")


@pytest.mark.slow
@pytest.mark.parametrize("ipaddr", ["10.1.2.3", "::ffff:10.1.2.3", "10.9.4.5"])
def test_a_heartbeat_may_name_its_own_ip_or_an_allowed_one(remote: Remote, ipaddr: str) -> None:
    token = remote.token()
    assert remote.call("heartbeat", {"ipaddr": ipaddr, "port": "9000"}, token)["status"] == (
        "Success"
    )
    body = {"url": "crm.example:8080/hook", "urlflag": "1"}
    assert remote.call("heartbeat", body, token)["status"] == "Success"
