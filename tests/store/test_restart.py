"""A restart keeps tokens, lockouts and the clock when the store is SQLite (not with memory)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.support.fleet import LOGIN, api_call, kill
from tests.support.helpers import Api, Sim, failed
from tests.support.polling import wait_until
from yspbx.testing import ServerProcess

pytestmark = pytest.mark.slow


def test_sqlite_restart_keeps_tokens_lockouts_and_clock(tmp_path: Path) -> None:
    with ServerProcess(store=f"sqlite:///{tmp_path / 'state.db'}") as server:
        api, locked, sim = Api(server.url), Api(server.url, "127.0.0.2"), Sim(server.url)
        token = api.token()
        for _ in range(5):
            locked.login(password="0" * 32)
        now = sim.advance(100)
        server.restart()
        assert api.call("deviceinfo/query", None, token)["status"] == "Success"
        assert locked.login() == failed("20002")
        assert [b["ip"] for b in sim.get("/blocked-ips")] == ["127.0.0.2"]
        assert sim.get("/clock")["now"] >= now
        # The restored session still expires on time.
        sim.advance(1801)
        assert api.call("deviceinfo/query", None, token) == failed("20006")


def test_memory_store_forgets_on_restart() -> None:
    with ServerProcess(store="memory://") as server:
        api = Api(server.url)
        token = api.token()
        server.restart()
        assert api.call("deviceinfo/query", None, token) == failed("20004")


def test_a_store_url_without_a_backend_is_refused(tmp_path: Path) -> None:
    process = ServerProcess(store="postgres://localhost/yspbx", startup_timeout=15)
    with pytest.raises(RuntimeError, match="unknown store URL"):
        process.start()


def test_every_login_answered_before_a_sigkill_works_after_the_restart(tmp_path: Path) -> None:
    """A login is answered only once its group transaction is committed to the file: killed in
    the middle of a burst of logins, the server forgets none of the tokens it handed out."""
    store = f"sqlite:///{tmp_path / 'state.db'}"
    tokens: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    with ServerProcess(store=store) as server:

        def burst() -> None:
            while not stop.is_set():
                try:
                    answer = api_call(server.url, "login", LOGIN)
                except Exception:
                    continue  # the connection died with the server
                if answer.get("status") == "Success":
                    with lock:
                        tokens.append(answer["token"])

        threads = [threading.Thread(target=burst) for _ in range(4)]
        for thread in threads:
            thread.start()
        try:
            wait_until(lambda: len(tokens) >= 40, what="logins under way")
            kill(server.pid)
        finally:
            stop.set()
            for thread in threads:
                thread.join(15)
    answered = list(tokens)
    with ServerProcess(store=store) as again:
        for token in answered:
            assert api_call(again.url, "heartbeat", {}, token)["status"] == "Success", token
