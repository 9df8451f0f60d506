"""The SQLite file failing under a running server: locked, full, deleted, overwritten, damaged.

Each test drives a real ``yspbx serve`` over HTTP on a real file, and breaks the file the way it
breaks in the field: another program holding ``BEGIN EXCLUSIVE`` on it, a file system that is
full, ``rm`` of the file, garbage written over it. The server answers errno 20010 (503 on the
control plane), says so on ``/health``, keeps its log short, stops when told to, and comes back
by itself when the file does.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.helpers import Api, Sim, failed
from tests.support.polling import wait_until
from yspbx.testing import ServerProcess

pytestmark = pytest.mark.slow

UNAVAILABLE = failed("20010")
# A short wait for a locked file, so a test pays fractions of a second per fault.
FAST = {"YSPBX_SERVER_STORE_TIMEOUT": "0.3"}


@contextmanager
def exclusive(path: Path) -> Iterator[sqlite3.Connection]:
    """Another program holding the file's write lock (``BEGIN EXCLUSIVE``) until the block ends."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        yield conn
        conn.execute("COMMIT")
    finally:
        conn.close()


def health(url: str) -> tuple[int, dict[str, Any]]:
    response = httpx.get(url + "/health", timeout=10)
    return response.status_code, response.json()


def timed(call: Any, *args: Any) -> tuple[Any, float]:
    started = time.monotonic()
    answer = call(*args)
    return answer, time.monotonic() - started


def store_lines(server: ServerProcess) -> list[str]:
    return [line for line in server.output if "store" in line or "Traceback" in line]


def test_a_locked_file_answers_20010_at_once_and_the_server_recovers(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with ServerProcess(store=f"sqlite:///{path}", env=FAST) as server:
        api, sim = Api(server.url), Sim(server.url)
        token = api.token()
        with exclusive(path):
            # The first write waits for the lock (bounded), then the store is failing.
            answer, took = timed(api.login)
            assert answer == UNAVAILABLE
            assert took < 5
            for _ in range(50):
                assert api.call("heartbeat", None, token) == UNAVAILABLE
                assert api.call("extensionlist/query", None, token) == UNAVAILABLE
                answer, took = timed(api.login)
                assert answer == UNAVAILABLE
                assert took < 0.5, "a request must not wait for the locked file again"
            assert sim.http.get("/sim/v1/state").status_code == 503
            status, body = health(server.url)
            assert status == 503
            assert body["status"] == "unavailable"
            assert "locked" in body["detail"]
        wait_until(lambda: health(server.url)[0] == 200, timeout=10, what="health is ok again")
        assert api.call("heartbeat", None, token)["status"] == "Success"
        assert api.call("extensionlist/query", None, token)["status"] == "Success"
        assert api.login()["status"] == "Success"
        # 150 refused requests: a handful of lines, no traceback.
        lines = store_lines(server)
        assert not any("Traceback" in line for line in lines)
        assert 2 <= len(lines) <= 10, lines


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_stops_the_server_while_another_program_locks_the_file(
    tmp_path: Path, workers: int
) -> None:
    path = tmp_path / "state.db"
    # The default wait for a locked file (server.store_timeout).
    server = ServerProcess(
        store=f"sqlite:///{path}", extra_args=("--workers", str(workers))
    ).start()
    try:
        api = Api(server.url)
        token = api.token()
        with exclusive(path):
            assert api.call("heartbeat", None, token) in (UNAVAILABLE, {"status": "Success"})
            started = time.monotonic()
            code = server.stop(signal.SIGTERM, timeout=30)
            took = time.monotonic() - started
        assert code is not None
        assert code != -signal.SIGKILL
        assert took < 8, f"SIGTERM took {took:.1f} s"
    finally:
        server.stop(signal.SIGKILL)


def _hanging_port() -> socket.socket:
    """A port that accepts connections and never answers: reports to it stay pending."""
    sink = socket.socket()
    sink.bind(("127.0.0.1", 0))
    sink.listen(4096)
    return sink


def _insert_sessions(path: Path, count: int, port: int) -> None:
    far = time.time() + 10**7
    target = ("127.0.0.1", port, "", 0, "", 0)
    rows = [
        (secrets.token_hex(16), "127.0.0.1", time.time(), far, *target, "1.0.2")
        for _ in range(count)
    ]
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO sessions (token, client_ip, created_at, expires_at, target_ip, "
            "target_port, target_url, target_absolute, target_host, target_host_port, version) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        conn.execute("COMMIT")


def _bootups(conn: sqlite3.Connection) -> tuple[int, int]:
    """BootUp reports queued, and the sessions they went to."""
    row = conn.execute(
        "SELECT count(*), count(DISTINCT token) FROM reports WHERE action = 'BootUp'"
    ).fetchone()
    return int(row[0]), int(row[1])


def _lease(conn: sqlite3.Connection) -> tuple[str, float]:
    row = conn.execute("SELECT owner, expires_at FROM leases WHERE name = 'engine'").fetchone()
    return (str(row[0]), float(row[1])) if row else ("", 0.0)


def test_take_overs_after_a_stalled_store_keep_the_lease_and_queue_one_bootup(
    tmp_path: Path,
) -> None:
    sessions = 20_000
    path = tmp_path / "state.db"
    store = f"sqlite:///{path}"
    ServerProcess(store=store).start().stop()  # the file, with its tables
    with closing(_hanging_port()) as sink:
        _insert_sessions(path, sessions, sink.getsockname()[1])
        env = {**FAST, "YSPBX_SERVER_ENGINE_LEASE": "0.5"}
        with (
            ServerProcess(store=store, env=env) as server,
            closing(sqlite3.connect(path, isolation_level=None)) as look,
        ):
            wait_until(lambda: _bootups(look), until=lambda n: n == (sessions, sessions))
            for _ in range(3):
                # The store refuses writes for longer than the lease: the engine stops...
                with exclusive(path):
                    wait_until(
                        lambda: health(server.url)[1]["engine"],
                        until=lambda engine: engine is False,
                        what="the engine stops when its lease cannot be renewed",
                    )
                # ...and is taken over again once the store answers.
                wait_until(
                    lambda: health(server.url),
                    until=lambda answer: answer[0] == 200 and answer[1]["engine"] is True,
                    what="the engine runs again",
                )
            owner, expires = _lease(look)
            # Renewed again and again (every third of the lease), by the same process.
            wait_until(
                lambda: _lease(look),
                until=lambda lease: lease[0] == owner and lease[1] > expires + 1.0,
                what="the lease keeps being renewed",
            )
            assert health(server.url)[1]["engine"] is True
            # Every take-over announced the boot, but a session whose BootUp is still
            # undelivered gets no second one.
            assert _bootups(look) == (sessions, sessions)
            assert not any("Traceback" in line for line in server.output)


@contextmanager
def small_filesystem(directory: Path, size: str = "4m") -> Iterator[Path]:
    """A file system of its own (tmpfs), to fill up for real."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    directory.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)], check=True
    )
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=False)


def _fill(directory: Path) -> Path:
    filler = directory / "filler"
    with open(filler, "wb") as file:
        try:
            while True:
                file.write(b"\0" * 65536)
                file.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_answers_20010_and_writes_again_once_there_is_room(tmp_path: Path) -> None:
    small = tmp_path / "small"
    with (
        small_filesystem(small),
        ServerProcess(store=f"sqlite:///{small / 'state.db'}", env=FAST) as server,
    ):
        api = Api(server.url)
        token = api.token()
        filler = _fill(small)

        def refused() -> bool:
            return api.login() == UNAVAILABLE

        wait_until(refused, what="logins refused on a full disk")
        assert api.call("heartbeat", None, token) == UNAVAILABLE
        status, body = health(server.url)
        assert status == 503
        assert "full" in body["detail"] or "I/O" in body["detail"], body
        for _ in range(100):
            assert api.login() == UNAVAILABLE
        filler.unlink()
        wait_until(lambda: api.login().get("status") == "Success", what="logins again")
        assert api.call("heartbeat", None, token)["status"] == "Success"
        assert health(server.url)[0] == 200
        lines = store_lines(server)
        assert not any("Traceback" in line for line in lines)
        assert len(lines) <= 10, lines


class LimitedServer(ServerProcess):
    """A server whose files may be kept from growing: with the soft ``RLIMIT_FSIZE`` set (and
    lifted again) on its process, a write that reaches past the limit fails with ``EFBIG``,
    which SQLite reports as a disk I/O error."""

    def limit_files(self, max_bytes: int) -> None:
        subprocess.run(
            ["prlimit", "--pid", str(self.pid), f"--fsize={max_bytes}:unlimited"], check=True
        )

    def lift_limit(self) -> None:
        subprocess.run(
            ["prlimit", "--pid", str(self.pid), "--fsize=unlimited:unlimited"], check=True
        )


def test_an_io_error_answers_20010_and_the_server_writes_again_once_it_is_gone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.db"
    server = LimitedServer(store=f"sqlite:///{path}", env=FAST)
    with server:
        api = Api(server.url)
        token = api.token()
        # No write may reach past the files' first byte: every write fails until the limit is
        # lifted, the fault watcher's probes and the checkpoints too. (A limit the files grow
        # into is no lasting fault: a checkpoint starts the write-ahead log over below it, and
        # the store answers again at the watcher's next round, which would race this test.)
        server.limit_files(0)
        answers = [api.login() for _ in range(50)]
        assert answers == [UNAVAILABLE] * 50
        assert api.call("heartbeat", None, token) == UNAVAILABLE
        status, body = health(server.url)
        assert status == 503
        assert "I/O" in body["detail"] or "full" in body["detail"], body
        server.lift_limit()
        wait_until(lambda: api.login().get("status") == "Success", what="logins again")
        assert api.call("heartbeat", None, token)["status"] == "Success"
        lines = store_lines(server)
        assert not any("Traceback" in line for line in lines)
        assert len(lines) <= 10, lines


def test_a_state_file_deleted_while_running_is_said_and_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with ServerProcess(store=f"sqlite:///{path}") as server:
        api = Api(server.url)
        token = api.token()
        path.unlink()
        status, body = health(server.url)
        assert status == 503
        assert str(path) in body["detail"]
        assert "deleted" in body["detail"]
        # Nothing is accepted that a restart would lose.
        assert api.login() == UNAVAILABLE
        assert api.call("heartbeat", None, token) == UNAVAILABLE
        assert not path.exists()


def test_garbage_written_over_the_file_is_said_and_a_restart_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    server = ServerProcess(store=f"sqlite:///{path}").start()
    try:
        api = Api(server.url)
        token = api.token()
        with open(path, "r+b") as file:
            file.write(os.urandom(8192))
        status, body = health(server.url)
        assert status == 503
        assert "overwritten" in body["detail"]
        assert api.login() == UNAVAILABLE
        assert api.call("heartbeat", None, token) == UNAVAILABLE
    finally:
        server.stop()
    damaged = path.read_bytes()
    result = _serve_once(path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0]
    assert "move it aside" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert path.read_bytes() == damaged  # never started over


def test_damaged_pages_behind_a_sound_header_stop_the_start_with_one_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.db"
    with ServerProcess(store=f"sqlite:///{path}") as server:
        api = Api(server.url)
        for _ in range(200):
            api.token()
    with open(path, "r+b") as file:
        file.seek(4096)  # page 1 (the header and the schema) stays sound
        file.write(os.urandom(os.path.getsize(path) - 4096))
    damaged = path.read_bytes()
    result = _serve_once(path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert str(path) in result.stderr
    assert "damaged" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert path.read_bytes() == damaged


def _serve_once(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yspbx", "serve", "--port", "0", "--store", f"sqlite:///{path}"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_file_that_is_no_database_stops_the_start_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_text("these are not the sessions you are looking for\n" * 100)
    before = path.read_bytes()
    result = _serve_once(path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert str(path) in result.stderr
    assert "no SQLite database" in result.stderr
    assert path.read_bytes() == before
