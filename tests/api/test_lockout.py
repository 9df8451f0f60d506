"""Login lockout per client IP: 5 failures lock for 10 minutes, counted atomically."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from tests.support.helpers import API, PASSWORD_MD5, Api, Sim, failed
from yspbx.testing import ServerProcess

BAD = "0" * 32


@pytest.fixture
def host2(server: ServerProcess, sim: Sim) -> Iterator[Api]:
    client = Api(server.url, local_address="127.0.0.2")
    yield client
    client.close()


@pytest.fixture
def host3(server: ServerProcess, sim: Sim) -> Iterator[Api]:
    client = Api(server.url, local_address="127.0.0.3")
    yield client
    client.close()


def lock(client: Api) -> None:
    for attempt in range(5):
        assert client.login(password=BAD) == failed("20003"), attempt


def test_fifth_failure_locks_the_ip_and_the_other_ip_still_logs_in(
    host2: Api, host3: Api, sim: Sim
) -> None:
    lock(host2)
    assert host2.login(password=BAD) == failed("20002")
    # While locked, even the right password is refused.
    assert host2.login() == failed("20002")
    assert host3.login()["status"] == "Success"
    blocked = sim.get("/blocked-ips")
    assert [entry["ip"] for entry in blocked] == ["127.0.0.2"]
    assert blocked[0]["until"] == pytest.approx(sim.get("/clock")["now"] + 600, abs=5)


def test_a_success_resets_the_count(host2: Api) -> None:
    for _ in range(4):
        assert host2.login(password=BAD) == failed("20003")
    assert host2.login()["status"] == "Success"
    for _ in range(4):
        assert host2.login(password=BAD) == failed("20003")
    assert host2.login()["status"] == "Success"


def test_a_locked_ip_keeps_its_tokens(host2: Api) -> None:
    token = host2.token()
    lock(host2)
    assert host2.call("deviceinfo/query", None, token)["status"] == "Success"


def test_lock_ends_after_ten_minutes_on_the_clock(host2: Api, sim: Sim) -> None:
    lock(host2)
    sim.advance(599)
    assert host2.login() == failed("20002")
    sim.advance(2)
    assert host2.login()["status"] == "Success"
    assert sim.get("/blocked-ips") == []


def test_after_the_lock_ends_the_count_starts_again(host2: Api, sim: Sim) -> None:
    lock(host2)
    sim.advance(601)
    for _ in range(4):
        assert host2.login(password=BAD) == failed("20003")
    assert host2.login(password=BAD) == failed("20003")
    assert host2.login() == failed("20002")


def test_deleting_the_blocked_ip_unblocks_it(host2: Api, server: ServerProcess, sim: Sim) -> None:
    lock(host2)
    response = sim.http.delete("/sim/v1/blocked-ips/127.0.0.2")
    assert response.status_code == 200
    assert host2.login()["status"] == "Success"
    # The count was reset too: four more failures do not lock.
    for _ in range(4):
        assert host2.login(password=BAD) == failed("20003")
    assert host2.login()["status"] == "Success"


def test_deleting_an_ip_that_is_not_blocked_is_404(sim: Sim) -> None:
    response = sim.http.delete("/sim/v1/blocked-ips/127.0.0.9")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert sim.http.delete("/sim/v1/blocked-ips/not-an-ip").status_code == 400


def test_state_lists_blocked_ips(host2: Api, sim: Sim) -> None:
    lock(host2)
    assert [b["ip"] for b in sim.get("/state")["blocked_ips"]] == ["127.0.0.2"]


def test_twenty_concurrent_bad_logins_lock_exactly_once(server: ServerProcess, sim: Sim) -> None:
    async def burst() -> list[str]:
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        limits = httpx.Limits(max_connections=20)
        async with httpx.AsyncClient(
            base_url=server.url, transport=transport, limits=limits, timeout=10
        ) as http:
            body = {"username": "api", "password": BAD, "port": "8260"}
            answers = await asyncio.gather(
                *(http.post(API + "login", json=body) for _ in range(20))
            )
        return [a.json()["errno"] for a in answers]

    errnos = Counter(asyncio.run(burst()))
    assert errnos == {"20003": 5, "20002": 15}
    assert [entry["ip"] for entry in sim.get("/blocked-ips")] == ["127.0.0.2"]


def test_a_correct_login_among_a_burst_never_slips_through_a_lock(
    server: ServerProcess, sim: Sim
) -> None:
    async def burst() -> list[dict[str, str]]:
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(base_url=server.url, transport=transport, timeout=10) as http:
            bad = {"username": "api", "password": BAD, "port": "8260"}
            await asyncio.gather(*(http.post(API + "login", json=bad) for _ in range(5)))
            good = {"username": "api", "password": PASSWORD_MD5, "port": "8260"}
            answers = await asyncio.gather(*(http.post(API + "login", json=good) for _ in range(5)))
        return [a.json() for a in answers]

    assert asyncio.run(burst()) == [failed("20002")] * 5
