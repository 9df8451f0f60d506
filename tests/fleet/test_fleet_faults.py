"""Faults in a fleet: Redis going away and coming back, processes killed at the worst moment.

* Redis down: every API request answers errno 20010 and the control plane 503, quickly; when
  Redis is back the server serves again by itself.
* The process delivering reports is SIGKILLed mid-delivery: another process takes the engine
  over and delivers everything, the interrupted report again (at least once), in order.
* The engine's server dies: the other server takes the engine over, with the configuration.
* A SIGKILL in a burst of logins: every token that was answered works, and every stored
  session is whole.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import closing

import pytest
import redis

from tests.support.fleet import (
    LOGIN,
    api_call,
    engine_pid,
    fleet_server,
    fresh,
    kill,
    running,
    token_from,
)
from tests.support.helpers import Sim
from tests.support.polling import wait_until
from tests.support.receivers import HANG, Receiver, log_in
from tests.support.stores import REDIS_URL, RedisServer, forget_prefix, unique_prefix

pytestmark = pytest.mark.slow


@pytest.fixture
def prefix() -> Iterator[str]:
    name = unique_prefix()
    yield name
    forget_prefix(name)


def test_redis_down_answers_20010_then_service_resumes_by_itself() -> None:
    with RedisServer() as redis_server, running(fleet_server(redis_server.url)) as (server,):
        token = token_from(server.url)
        assert api_call(server.url, "extensionlist/query", {}, token)["status"] == "Success"

        redis_server.stop()
        started = time.monotonic()
        assert api_call(server.url, "extensionlist/query", {}, token) == {
            "status": "Failed",
            "errno": "20010",
        }
        assert api_call(server.url, "login", LOGIN)["errno"] == "20010"
        state = fresh(server.url, "GET", "/sim/v1/state")
        assert state.status_code == 503
        assert state.json()["error"] == "unavailable"
        assert fresh(server.url, "GET", "/health").status_code == 503
        assert time.monotonic() - started < 8, "answers while Redis is down must not hang"

        redis_server.start()  # same port, empty: a Redis without persistence lost everything

        def serving() -> bool:
            answer = api_call(server.url, "login", LOGIN)
            if answer["status"] != "Success":
                return False
            query = api_call(server.url, "extensionlist/query", {}, answer["token"])
            return bool(query["status"] == "Success")

        wait_until(serving, timeout=15, what="the server serves again once Redis is back")
        assert fresh(server.url, "GET", "/health").json()["status"] == "ok"
        assert fresh(server.url, "GET", "/sim/v1/state").status_code == 200
        # The old token went with the data Redis lost.
        assert api_call(server.url, "extensionlist/query", {}, token)["errno"] == "20004"


def test_a_worker_killed_mid_delivery_loses_no_report(tmp_path: object) -> None:
    store = f"sqlite:///{tmp_path}/state.db"
    with running(fleet_server(store, workers=2)) as (server,), Receiver("127.0.0.42") as rx:
        with closing(Sim(server.url)) as sim:
            sim.reset()
        rx.queue(HANG)  # the first report is read, never answered: a delivery in flight
        log_in(server.url, rx, version="1.0.2")
        expected = []
        for action in ("unregister", "register", "unregister"):
            assert fresh(server.url, "POST", f"/sim/v1/extensions/1004/{action}").status_code == 200
            expected.append("Unregistered" if action == "unregister" else "Registered")
        rx.wait_for_requests(1)
        deliverer = engine_pid(server.url)
        kill(deliverer)

        def statuses() -> list[str]:
            got = []
            for request in rx.received:
                body = json.loads(request.body)
                if body.get("action") == "ExtensionStatus":
                    got.append(body["status"])
            return got

        rx.wait_until(lambda got: sum(r.acknowledged for r in got) >= 4, timeout=20)
        # The interrupted report went out again; then the rest, in order; nothing lost.
        assert statuses() == ["Unregistered", *expected]
        acknowledged = [json.loads(r.body) for r in rx.acknowledged()]
        assert [b.get("status") for b in acknowledged[:3]] == expected
        # The engine restarted in another process, and said so to the session (after the rest).
        assert acknowledged[3]["action"] == "BootUp"
        assert engine_pid(server.url) != deliverer
        token = token_from(server.url)
        assert api_call(server.url, "extensionlist/query", {}, token)["status"] == "Success"


def test_the_other_server_takes_the_engine_over_when_its_server_dies(prefix: str) -> None:
    with running(
        fleet_server(REDIS_URL, prefix=prefix, lease=1.0),
        fleet_server(REDIS_URL, prefix=prefix, lease=1.0),
    ) as (a, b):
        with closing(Sim(a.url)) as sim:
            sim.reset()
        assert engine_pid(b.url) == a.pid  # A started first and runs the engine
        token = token_from(b.url)
        change = {"extid": "1005", "username": "Kept Across"}
        assert api_call(b.url, "extension/update", change, token)["status"] == "Success"
        assert fresh(b.url, "POST", "/sim/v1/calls", json={"from": "1001", "to": "1002"}).json()
        kill(a.pid)

        def engine_moved() -> bool:
            response = fresh(b.url, "GET", "/sim/v1/state")
            return response.status_code == 200 and response.json()["engine"]["pid"] == b.pid

        wait_until(engine_moved, timeout=15, what="B runs the engine")
        answer = api_call(b.url, "extensionlist/query", {}, token)
        names = {e["extnumber"]: e["username"] for e in answer["extlist"]}
        assert names["1005"] == "Kept Across"
        assert fresh(b.url, "GET", "/sim/v1/calls").json() == []  # live calls die with the engine
        assert (
            api_call(
                b.url, "extension/dial_extension", {"caller": "1001", "callee": "1002"}, token
            )["status"]
            == "Success"
        )


def test_a_sigkill_in_a_burst_of_logins_leaves_no_half_written_session(prefix: str) -> None:
    with running(
        fleet_server(REDIS_URL, prefix=prefix), fleet_server(REDIS_URL, prefix=prefix)
    ) as (a, b):
        with closing(Sim(b.url)) as sim:
            sim.reset()
        tokens: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()

        def burst(url: str) -> None:
            while not stop.is_set():
                try:
                    answer = api_call(url, "login", LOGIN)
                except Exception:
                    continue  # the connection died with the server
                if answer.get("status") == "Success":
                    with lock:
                        tokens.append(answer["token"])

        threads = [threading.Thread(target=burst, args=(url,)) for url in (a.url, a.url, b.url)]
        for thread in threads:
            thread.start()
        wait_until(lambda: len(tokens) >= 20, what="logins under way")
        kill(a.pid)
        time.sleep(0.3)
        stop.set()
        for thread in threads:
            thread.join(15)
        for token in tokens:
            assert api_call(b.url, "heartbeat", {}, token)["status"] == "Success"
        client = redis.Redis.from_url(REDIS_URL)
        try:
            # Session hashes; not the expiry index (s:exp), the reporting list (s:rep) nor the
            # per-IP indexes (s:ip:<ip>).
            keys = [
                k
                for k in client.scan_iter(match=prefix + "s:*")
                if not k.endswith((b":exp", b":rep"))
                and not k.startswith(prefix.encode() + b"s:ip:")
            ]
            stored = [client.hgetall(k) for k in keys]
            # Every session stored is on the reporting list (in the login's one script).
            listed = {
                k.decode() for k in client.zrange(prefix + "s:rep", 0, -1) if isinstance(k, bytes)
            }
        finally:
            client.close()
        assert len(stored) >= len(tokens)
        assert len(listed) == len(stored)
        assert set(tokens) <= listed
        fields = {b"client_ip", b"created_at", b"expires_at", b"ip", b"port", b"version"}
        assert all(fields <= set(session) for session in stored)
