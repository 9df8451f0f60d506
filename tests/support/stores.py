"""Stores for tests: each backend opened fresh, and Redis under a prefix of its own.

The Redis tests use the machine's Redis (``YSPBX_TEST_REDIS``, default ``redis://127.0.0.1:6379/0``)
under a unique key prefix, deleted afterwards. Tests that stop Redis start a private
``redis-server`` on a free port (:class:`RedisServer`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
from pathlib import Path
from types import TracebackType

import redis

from tests.support.polling import wait_until
from yspbx.store.base import Store
from yspbx.store.memory import MemoryStore
from yspbx.store.redis import RedisStore
from yspbx.store.sqlite import SqliteStore

REDIS_URL = os.environ.get("YSPBX_TEST_REDIS", "redis://127.0.0.1:6379/0")
BACKENDS = ("memory", "sqlite", "redis")


def unique_prefix() -> str:
    return f"yspbx-test-{secrets.token_hex(6)}:"


def forget_prefix(prefix: str, url: str = REDIS_URL) -> None:
    """Delete every key under ``prefix`` (what a test left in the shared Redis)."""
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=prefix.replace("*", r"\*") + "*", count=1000))
        for start in range(0, len(keys), 500):
            client.unlink(*keys[start : start + 500])
    finally:
        client.close()


def open_backend(kind: str, directory: Path, prefix: str) -> Store:
    if kind == "memory":
        return MemoryStore()
    if kind == "sqlite":
        return SqliteStore(f"sqlite:///{directory / 'store.db'}")
    return RedisStore(REDIS_URL, prefix=prefix, timeout=2.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A private ``redis-server`` on a free loopback port, without persistence: stopping it
    loses everything, as a crashed cache would."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.binary = binary
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self._process = subprocess.Popen(
            [
                self.binary,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        process = self._process

        def answers() -> bool:
            try:
                return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
            except redis.ConnectionError:
                if process.poll() is not None:
                    raise RuntimeError("redis-server exited at start") from None
                return False

        wait_until(answers, timeout=10, what=f"redis-server on port {self.port} to answer")
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait(10)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
