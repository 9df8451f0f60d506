"""The client's session against the real server over loopback: lazy login, transparent
re-login, logout on close, heartbeats, and never locking its own IP out."""

from __future__ import annotations

import threading
import time

import pytest

from tests.support.helpers import PASSWORD_MD5, Api, Sim, failed
from tests.support.polling import wait_until, wait_until_async
from tests.support.sdk_support import async_client, bodies, exchanges, logins, sync_client
from yspbx.client import (
    ApiError,
    BadCredentialsError,
    DeviceInfo,
    LockoutError,
)
from yspbx.testing import ServerProcess


def test_first_call_logs_in_and_reads_device_info(server: ServerProcess, sim: Sim) -> None:
    with sync_client(server.url) as client:
        assert client.token is None
        info = client.system.device_info()
        assert isinstance(info, DeviceInfo)
        assert info.device_name == "Yeastar S100"
        assert info.serial_number == "369300000001"
        assert info.firmware_version == "30.11.0.7"
        assert info.total_extensions == 100
        assert info.uptime_seconds is not None
        assert client.token is not None
        assert len(client.token) == 32
    assert exchanges(sim) == [("login", None), ("deviceinfo/query", None), ("logout", None)]
    sent = bodies(sim, "login")[0]
    assert sent["username"] == "api"
    assert sent["port"] == "8260"
    assert sent["version"] == "1.0.2"
    assert "url" not in sent
    assert "urltag" not in sent


def test_close_logs_out_so_the_token_stops_working(
    server: ServerProcess, sim: Sim, api: Api
) -> None:
    client = sync_client(server.url)
    token = client.login()
    assert api.call("deviceinfo/query", token=token)["status"] == "Success"
    client.close()
    assert client.token is None
    assert api.call("deviceinfo/query", token=token) == failed("20004")


def test_expired_token_is_replaced_by_one_new_login(server: ServerProcess, sim: Sim) -> None:
    with sync_client(server.url) as client:
        client.system.device_info()
        first = client.token
        sim.advance(1801)
        assert client.system.device_info().device_name == "Yeastar S100"
        assert client.token not in (None, first)
    assert exchanges(sim)[:5] == [
        ("login", None),
        ("deviceinfo/query", None),
        ("deviceinfo/query", "20006"),
        ("login", None),
        ("deviceinfo/query", None),
    ]


def test_token_forgotten_by_the_pbx_is_replaced(server: ServerProcess, sim: Sim, api: Api) -> None:
    with sync_client(server.url) as client:
        token = client.login()
        assert api.call("logout", token=token)["status"] == "Success"
        client.system.device_info()
    assert exchanges(sim)[1:5] == [
        ("logout", None),
        ("deviceinfo/query", "20004"),
        ("login", None),
        ("deviceinfo/query", None),
    ]


def test_concurrent_first_calls_share_one_login(server: ServerProcess, sim: Sim) -> None:
    with sync_client(server.url) as client:
        barrier = threading.Barrier(8)
        results: list[DeviceInfo] = []

        def call() -> None:
            barrier.wait()
            results.append(client.system.device_info())

        threads = [threading.Thread(target=call) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(results) == 8
    assert logins(sim) == 1


def test_bad_credentials_are_sent_once_then_fail_fast(server: ServerProcess, sim: Sim) -> None:
    with sync_client(server.url, "127.0.0.21", password="wrong") as client:
        with pytest.raises(BadCredentialsError) as first:
            client.system.device_info()
        assert first.value.errno == "20003"
        assert "invalid username or password" in first.value.meaning
        for _ in range(6):
            with pytest.raises(BadCredentialsError) as again:
                client.system.device_info()
            assert again.value.errno == "20003"
        assert logins(sim) == 1
        client.set_credentials("api", "yspbx-demo")
        assert client.system.device_info().device_name == "Yeastar S100"
    assert logins(sim) == 2
    assert sim.get("/blocked-ips") == []


def test_the_client_never_sends_the_login_that_would_lock_its_ip(
    server: ServerProcess, sim: Sim
) -> None:
    with sync_client(server.url, "127.0.0.22", password="wrong-0") as client:
        for attempt in range(1, 5):
            with pytest.raises(BadCredentialsError):
                client.login()
            client.set_credentials("api", f"wrong-{attempt}")
        # Four refusals in a row: a fifth bad login would lock 127.0.0.22. Even the right
        # password is held back, because the client cannot know it is right.
        client.set_credentials("api", password_md5=PASSWORD_MD5)
        with pytest.raises(BadCredentialsError, match="would lock this IP out"):
            client.login()
        assert logins(sim) == 4
        assert sim.get("/blocked-ips") == []
        client.forget_login_failures()
        assert client.login()
    assert logins(sim) == 5


def test_lockout_error_says_when_to_retry(server: ServerProcess, sim: Sim) -> None:
    raw = Api(server.url, "127.0.0.23")
    for _ in range(5):
        assert raw.login(password="0" * 32) == failed("20003")
    raw.close()
    with sync_client(server.url, "127.0.0.23") as client:
        before = time.time()
        with pytest.raises(LockoutError) as caught:
            client.system.device_info()
        assert caught.value.errno == "20002"
        assert before + 600 <= caught.value.retry_at <= time.time() + 600
        assert 590 < caught.value.retry_after <= 600
        # Until then the client does not knock again.
        with pytest.raises(LockoutError):
            client.system.device_info()
        assert logins(sim) == 6
        # An administrator lifts the block; the client is told to try again.
        sim.http.delete("/sim/v1/blocked-ips/127.0.0.23")
        client.forget_login_failures()
        assert client.system.device_info().device_name == "Yeastar S100"


def test_heartbeat_keeps_the_token_and_moves_the_report_target(
    server: ServerProcess, sim: Sim
) -> None:
    with sync_client(server.url) as client:
        client.login()
        sim.advance(1700)
        client.heartbeat()
        sim.advance(1700)  # 3400 s after login, but only 1700 after the heartbeat
        client.system.device_info()
        client.heartbeat(port=9000, url="hooks/yeastar")
        sim.advance(1801)
        client.system.device_info()  # expired: the new login keeps the new target
    assert bodies(sim, "heartbeat") == [
        {},
        {"port": "9000", "url": "hooks/yeastar", "urlflag": "0"},
    ]
    second_login = bodies(sim, "login")[1]
    assert (second_login["port"], second_login["url"], second_login["urltag"]) == (
        "9000",
        "hooks/yeastar",
        "0",
    )
    assert ("deviceinfo/query", "20006") in exchanges(sim)


def test_report_target_options_reach_the_login(server: ServerProcess, sim: Sim) -> None:
    with sync_client(
        server.url, report_port=9100, report_url="/events/pbx", report_version=None
    ) as client:
        client.login()
    assert bodies(sim, "login")[0] | {"password": ""} == {
        "username": "api",
        "password": "",
        "port": "9100",
        "url": "events/pbx",
        "urltag": "0",
    }


def test_refusals_raise_api_errors_with_the_errno_as_sent(server: ServerProcess, sim: Sim) -> None:
    with sync_client(server.url) as client:
        with pytest.raises(ApiError) as caught:
            client.heartbeat(ip="not-an-ip")
        assert type(caught.value) is ApiError
        assert caught.value.errno == "20011"
        assert caught.value.meaning == "heartbeat configuration request failed"
        assert caught.value.endpoint == "heartbeat"
        with pytest.raises(ApiError) as caught:
            client.heartbeat(port=70000)
        assert caught.value.errno == "20008"
        assert "20008" in str(caught.value)
    assert ("heartbeat", "20011") in exchanges(sim)


def test_keepalive_sends_heartbeats_while_idle_and_stops_on_close(
    server: ServerProcess, sim: Sim
) -> None:
    client = sync_client(server.url, keepalive_interval=0.05)
    with client.keepalive():
        assert client.token is not None  # logged in at once
        wait_until(lambda: ("heartbeat", None) in exchanges(sim), timeout=5, what="a heartbeat")
    assert client._keepalive is None
    client.start_keepalive()
    client.logout()  # ends the keep-alive with the session
    assert client._keepalive is None
    client.start_keepalive()
    heartbeats = client._keepalive
    client.close()
    assert heartbeats is not None
    assert not heartbeats.is_alive()
    assert exchanges(sim)[-1] == ("logout", None)


async def test_async_client_lazy_login_and_relogin(server: ServerProcess, sim: Sim) -> None:
    async with async_client(server.url) as client:
        assert (await client.system.device_info()).device_name == "Yeastar S100"
        sim.advance(1801)
        assert (await client.system.device_info()).serial_number == "369300000001"
    assert exchanges(sim) == [
        ("login", None),
        ("deviceinfo/query", None),
        ("deviceinfo/query", "20006"),
        ("login", None),
        ("deviceinfo/query", None),
        ("logout", None),
    ]


async def test_async_client_bad_credentials_fail_fast(server: ServerProcess, sim: Sim) -> None:
    async with async_client(server.url, "127.0.0.24", password="wrong") as client:
        for _ in range(3):
            with pytest.raises(BadCredentialsError):
                await client.system.device_info()
    assert logins(sim) == 1


async def test_async_keepalive_context(server: ServerProcess, sim: Sim) -> None:
    import anyio

    async def heartbeat_sent() -> bool:
        return ("heartbeat", None) in exchanges(sim)  # the journal, on the server

    async with async_client(server.url, keepalive_interval=0.05) as client:
        async with client.keepalive():
            with anyio.fail_after(5):
                await wait_until_async(heartbeat_sent)
        await client.start_keepalive()
        task = client._keepalive
    assert task is not None
    assert task.done()
    assert exchanges(sim)[-1] == ("logout", None)


async def test_errors_inside_the_async_keepalive_block_are_not_wrapped(
    server: ServerProcess, sim: Sim
) -> None:
    async with async_client(server.url) as client:
        with pytest.raises(ApiError) as caught:
            async with client.keepalive():
                await client.heartbeat(port=70000)
        assert caught.value.errno == "20008"
        assert client._keepalive is None
