"""Issue 17.8: on a dual-stack socket (``--host ::``) IPv4 clients are spelt as IPv4
everywhere: the loopback trust, the lockout and its removal, the journal, report targets."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.support.helpers import PASSWORD_MD5, Api, failed
from yspbx.testing import ServerProcess


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return socket.has_dualstack_ipv6()


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine"),
]


@pytest.fixture(scope="module", params=["single", "workers"])
def dual(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    if request.param == "single":
        process = ServerProcess(host="::")
    else:
        state = tmp_path_factory.mktemp("dual") / "state.db"
        process = ServerProcess(
            host="::", store=f"sqlite:///{state}", extra_args=("--workers", "2")
        )
    with process:
        yield process


def ipv4_url(server: ServerProcess) -> str:
    return f"http://127.0.0.1:{server.port}"


def test_ipv4_clients_are_served_and_trusted_as_loopback(dual: ServerProcess) -> None:
    url = ipv4_url(dual)
    assert httpx.post(url + "/sim/v1/reset").status_code == 200
    api = Api(url, "127.0.0.51")
    token = api.token()
    journal = httpx.get(url + "/sim/v1/journal").json()
    assert [e["client_ip"] for e in journal] == ["127.0.0.51"]
    # The report target is spelt as IPv4 too, and a heartbeat naming either spelling is its own.
    for spelling in ("127.0.0.51", "::ffff:127.0.0.51"):
        beat = api.call("heartbeat", {"ipaddr": spelling, "port": "9000"}, token)
        assert beat == {"status": "Success"}
    v6 = httpx.get(f"http://[::1]:{dual.port}/sim/v1/state")
    assert v6.status_code == 200
    api.close()


@pytest.mark.parametrize("spelling", ["127.0.0.52", "::ffff:127.0.0.52", "::FFFF:7f00:34"])
def test_a_lockout_is_lifted_by_either_spelling(dual: ServerProcess, spelling: str) -> None:
    url = ipv4_url(dual)
    assert httpx.post(url + "/sim/v1/reset").status_code == 200
    api = Api(url, "127.0.0.52")
    for _ in range(5):
        assert api.login(password="0" * 32) == failed("20003")
    assert api.login() == failed("20002")
    blocked = httpx.get(url + "/sim/v1/blocked-ips").json()
    assert [b["ip"] for b in blocked] == ["127.0.0.52"]
    lifted = httpx.delete(f"{url}/sim/v1/blocked-ips/{spelling}")
    assert lifted.status_code == 200
    assert lifted.json()["ip"] == "127.0.0.52"
    assert httpx.get(url + "/sim/v1/blocked-ips").json() == []
    assert api.login(password=PASSWORD_MD5)["status"] == "Success"
    api.close()
