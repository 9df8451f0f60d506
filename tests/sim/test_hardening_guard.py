"""Issue 17.6: the control plane refuses cross-site requests and foreign ``Host`` names (DNS
rebinding), and a request marked as one of the server's own reports; ``/api/`` keeps its CORS."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import write_config
from tests.support.helpers import API, PASSWORD_MD5, Sim
from yspbx.testing import ServerProcess


def authority(server: ServerProcess) -> str:
    return server.url.split("://", 1)[1].rstrip("/")


def advance(server: ServerProcess, **headers: str) -> httpx.Response:
    """What a web page can send without a preflight: a POST with a "simple" content type."""
    return httpx.post(
        server.url + "/sim/v1/clock/advance",
        content=b'{"seconds": 3600}',
        headers={"Content-Type": "text/plain", **headers},
    )


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1"])
def test_a_cross_site_post_moves_no_clock(server: ServerProcess, sim: Sim, origin: str) -> None:
    before = sim.get("/clock")["now"]
    refused = advance(server, Origin=origin)
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"
    assert "access-control-allow-origin" not in refused.headers
    assert sim.get("/clock")["now"] - before < 60


def test_a_same_origin_request_is_let_in(server: ServerProcess, sim: Sim) -> None:
    before = sim.get("/clock")["now"]
    assert advance(server, Origin=f"http://{authority(server)}").status_code == 200
    assert sim.get("/clock")["now"] - before >= 3600


@pytest.mark.parametrize("host", ["evil.example", "rebind.attacker.test:8088", "10.0.0.7"])
def test_a_foreign_host_is_refused(server: ServerProcess, sim: Sim, host: str) -> None:
    before = sim.get("/clock")["now"]
    refused = advance(server, Host=host)
    assert refused.status_code == 403
    assert "sim.allowed_hosts" in refused.json()["detail"]
    assert sim.get("/clock")["now"] - before < 60


@pytest.mark.parametrize("name", ["localhost", "app.localhost", "127.0.0.1", "[::1]"])
def test_loopback_host_names_are_answered(server: ServerProcess, name: str) -> None:
    port = authority(server).rsplit(":", 1)[1]
    answer = httpx.get(server.url + "/sim/v1/clock", headers={"Host": f"{name}:{port}"})
    assert answer.status_code == 200


def test_a_request_marked_as_a_report_is_refused(server: ServerProcess, sim: Sim) -> None:
    refused = httpx.post(server.url + "/sim/v1/reset", headers={"X-Yspbx-Report": "1"})
    assert refused.status_code == 403


def test_the_api_keeps_its_cors(server: ServerProcess, sim: Sim) -> None:
    evil = {"Origin": "http://evil.example", "Host": "evil.example"}
    preflight = httpx.options(
        server.url + API + "login",
        headers={**evil, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    login = {"username": "api", "password": PASSWORD_MD5, "port": "8260"}
    answer = httpx.post(server.url + API + "login", json=login, headers=evil)
    assert answer.json()["status"] == "Success"
    assert answer.headers["access-control-allow-origin"] == "*"


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    path = write_config(tmp_path_factory.mktemp("hosts"), '[sim]\nallowed_hosts = ["pbx.test"]\n')
    with ServerProcess(config=path) as process:
        yield process


@pytest.mark.slow
def test_sim_allowed_hosts_adds_names(configured: ServerProcess) -> None:
    clock = configured.url + "/sim/v1/clock"
    assert httpx.get(clock, headers={"Host": "pbx.test:8088"}).status_code == 200
    assert httpx.get(clock, headers={"Host": "other.test"}).status_code == 403


@pytest.fixture(scope="module")
def tokened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    path = write_config(tmp_path_factory.mktemp("tokened"), '[sim]\ntoken = "letmein"\n')
    with ServerProcess(config=path) as process:
        yield process


@pytest.mark.slow
def test_with_a_token_any_host_but_never_another_origin(tokened: ServerProcess) -> None:
    auth = {"Authorization": "Bearer letmein"}
    clock = tokened.url + "/sim/v1/clock"
    assert httpx.get(clock, headers={**auth, "Host": "pbx.lan:8088"}).status_code == 200
    assert advance(tokened, **auth, Origin="http://evil.example").status_code == 403
    assert advance(tokened, Origin=f"http://{authority(tokened)}").status_code == 401
