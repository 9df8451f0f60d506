"""Several processes, one PBX: ``--workers 2`` on SQLite and on Redis, and two servers on one
Redis, behave as one server would (docs/deploy.md: a token from one process works on every other,
a lockout counts across all of them, every report goes out once per session).

Each test starts its own processes (a few seconds each); Redis tests use the machine's Redis
under a key prefix of their own.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.support.calls_http import download_cdrs
from tests.support.fleet import (
    LOGIN,
    api_call,
    eventually,
    fleet_server,
    fresh,
    running,
    token_from,
    worker_pids,
)
from tests.support.helpers import API, PASSWORD_MD5, Api, Sim, client
from tests.support.receivers import Receiver, log_in
from tests.support.stores import REDIS_URL, forget_prefix, free_port, unique_prefix
from yspbx.store import StoreUrlError, check_store_url
from yspbx.testing import ServerProcess


@pytest.fixture
def prefix() -> Iterator[str]:
    name = unique_prefix()
    yield name
    forget_prefix(name)


@pytest.fixture
def two_servers(prefix: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Servers A and B, separate processes on their own ports, sharing one Redis."""
    with running(
        fleet_server(REDIS_URL, prefix=prefix), fleet_server(REDIS_URL, prefix=prefix)
    ) as (a, b):
        with closing(Sim(a.url)) as sim:
            sim.reset()
        yield a, b


def store_url(kind: str, tmp_path: Path) -> str:
    return REDIS_URL if kind == "redis" else f"sqlite:///{tmp_path / 'state.db'}"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_two_workers_answer_200_requests_on_fresh_connections(
    kind: str, tmp_path: Path, prefix: str
) -> None:
    with running(fleet_server(store_url(kind, tmp_path), prefix=prefix, workers=2)) as (server,):
        assert len(worker_pids(server.url, 2)) == 2, "the requests never reached two workers"
        with closing(Sim(server.url)) as sim:
            sim.reset()
        token = token_from(server.url)
        answers = []
        for n in range(200):
            if n % 4 == 0:
                answers.append(api_call(server.url, "login", LOGIN))
            elif n % 4 == 1:
                answers.append(api_call(server.url, "heartbeat", {}, token))
            else:
                answers.append(api_call(server.url, "extensionlist/query", {}, token))
        assert [a["status"] for a in answers] == ["Success"] * 200
        listing = answers[2]["extlist"]
        assert [e["extnumber"] for e in listing][:3] == ["1000", "1001", "1002"]
        # Every request is in the one journal, whichever worker took it.
        journal = fresh(server.url, "GET", "/sim/v1/journal").json()
        assert len(journal) == 201
        assert sum(1 for e in journal if e["path"].endswith("/extensionlist/query")) == 100


@pytest.mark.slow
def test_a_token_from_one_server_works_on_the_other(
    two_servers: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = two_servers
    token = token_from(a.url)
    assert api_call(b.url, "extensionlist/query", {}, token)["status"] == "Success"
    assert api_call(b.url, "logout", {}, token)["status"] == "Success"
    assert api_call(a.url, "extensionlist/query", {}, token) == {
        "status": "Failed",
        "errno": "20004",
    }


@pytest.mark.slow
def test_a_lockout_counts_failures_on_both_servers(
    two_servers: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = two_servers
    bad = {**LOGIN, "password": "0" * 32}
    answers = []
    for n in range(5):
        url = a.url if n % 2 == 0 else b.url
        with client(url, "127.0.0.7") as http:
            answers.append(http.post(API + "login", json=bad).json()["errno"])
    assert answers == ["20003"] * 5
    for url in (a.url, b.url):
        with client(url, "127.0.0.7") as http:
            good = http.post(API + "login", json={**LOGIN, "password": PASSWORD_MD5}).json()
        assert good == {"status": "Failed", "errno": "20002"}
        blocked = fresh(url, "GET", "/sim/v1/blocked-ips").json()
        assert [entry["ip"] for entry in blocked] == ["127.0.0.7"]
    assert fresh(b.url, "DELETE", "/sim/v1/blocked-ips/127.0.0.7").status_code == 200
    assert token_from(a.url, "127.0.0.7")


@pytest.mark.slow
def test_a_call_dialled_through_one_server_is_hung_up_through_the_other(
    two_servers: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = two_servers
    token_a, token_b = token_from(a.url), token_from(b.url)
    dial = {"caller": "1001", "callee": "1002", "autoanswer": "yes"}
    answer = api_call(a.url, "extension/dial_extension", dial, token_a)
    assert answer["status"] == "Success", answer
    callid = answer["callid"]
    for url in (a.url, b.url):
        calls = fresh(url, "GET", "/sim/v1/calls").json()
        assert [c["callid"] for c in calls] == [callid]
    statuses = {
        e["extnumber"]: e["status"]
        for e in api_call(b.url, "extensionlist/query", {}, token_b)["extlist"]
    }
    assert statuses["1001"] == "Busy"
    assert api_call(b.url, "extension/hangup", {"extid": "1001"}, token_b)["status"] == "Success"
    assert fresh(a.url, "GET", "/sim/v1/calls").json() == []


@pytest.mark.slow
def test_one_clock_for_both_servers(two_servers: tuple[ServerProcess, ServerProcess]) -> None:
    a, b = two_servers
    token = token_from(a.url)
    before = fresh(a.url, "GET", "/sim/v1/clock").json()["now"]
    moved = fresh(b.url, "POST", "/sim/v1/clock/advance", json={"seconds": 1801}).json()["now"]
    assert moved >= before + 1801
    assert fresh(a.url, "GET", "/sim/v1/clock").json()["now"] >= moved
    # The token expired for both: the rule ran on the advanced clock wherever it was checked.
    for url in (a.url, b.url):
        assert api_call(url, "extensionlist/query", {}, token)["errno"] == "20006"
    # A body over the control plane's limit is refused where it arrives, forwarded or not.
    huge = b'{"seconds": 1' + b"0" * 70_000 + b"}"
    for url in (a.url, b.url):
        refused = fresh(url, "POST", "/sim/v1/clock/advance", content=huge)
        assert (refused.status_code, refused.json()["error"]) == (413, "too_large")
    assert fresh(a.url, "GET", "/sim/v1/clock").json()["now"] < moved + 60


@pytest.mark.slow
def test_every_report_is_delivered_once_in_order_while_both_servers_run(
    two_servers: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = two_servers
    with Receiver("127.0.0.41") as receiver:
        log_in(a.url, receiver, version="1.0.2")
        expected = []
        for n in range(6):
            url = (a.url, b.url)[n % 2]
            action = "unregister" if n % 2 == 0 else "register"
            response = fresh(url, "POST", f"/sim/v1/extensions/1003/{action}")
            assert response.status_code == 200, response.text
            expected.append("Unregistered" if n % 2 == 0 else "Registered")
        reports = receiver.wait_for_acknowledged(6)
        statuses = [json.loads(r.body)["status"] for r in reports]
        assert statuses == expected
        eventually(
            lambda: all(e["delivered"] for e in fresh(b.url, "GET", "/sim/v1/reports").json()),
            what="every report marked delivered",
        )
        log = fresh(b.url, "GET", "/sim/v1/reports").json()
        assert [e["attempts"] for e in log] == [1] * 6
        assert len(receiver.received) == 6  # none twice


def test_store_urls_are_checked_before_anything_starts() -> None:
    check_store_url("redis://127.0.0.1:6379/0")
    check_store_url("rediss://cache.example:6380/2")
    check_store_url("unix:///run/redis.sock?db=1")
    with pytest.raises(StoreUrlError, match="Redis URL"):
        check_store_url("redis://127.0.0.1:notaport/0")
    with pytest.raises(StoreUrlError, match="unknown store URL"):
        check_store_url("postgres://db/pbx")


@pytest.mark.slow
def test_serve_refuses_workers_on_the_memory_store_and_an_absent_redis() -> None:
    refused = ServerProcess(store="memory://", extra_args=("--workers", "2"), startup_timeout=15)
    with pytest.raises(RuntimeError, match="memory://"):
        refused.start()
    absent = ServerProcess(store=f"redis://127.0.0.1:{free_port()}/0", startup_timeout=15)
    with pytest.raises(RuntimeError, match="does not answer"):
        absent.start()


@pytest.mark.slow
def test_records_download_through_the_server_without_the_engine(
    two_servers: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = two_servers
    call = fresh(a.url, "POST", "/sim/v1/calls", json={"from": "1001", "to": "1002"}).json()
    callid = call["callid"]
    answered = fresh(b.url, "POST", f"/sim/v1/calls/{callid}/answer", json={})
    assert answered.json()["party"] == "1002"
    fresh(b.url, "POST", "/sim/v1/clock/advance", json={"seconds": 5})
    fresh(a.url, "POST", f"/sim/v1/calls/{callid}/hangup", json={})
    with closing(Api(b.url)) as api, closing(Sim(b.url)) as sim:
        response = download_cdrs(api, sim, api.token())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    (row,) = list(csv.DictReader(io.StringIO(response.text)))
    assert (row["callid"], row["callfrom"], row["callto"]) == (callid, "1001", "1002")
