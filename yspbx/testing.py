"""Running a real yspbx server in a child process, for tests (ours, and users' via the plugin).

:class:`SimulatedPbx` and :class:`ReportCollector` at the end are what applications' tests use
(through the pytest plugin, or directly): a server with its credentials and a receiver that
keeps what it receives.

The server is started exactly as a user starts it (``python -m yspbx serve``), on a free
loopback port; :class:`ServerProcess` waits for the ``yspbx listening on`` line and knows the
URL it names. Stopping and starting the same process again (same config, same store) is how
restart behaviour is tested.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yspbx.client import AsyncClient, Client, Event, Simulator, TcpEvents

_LISTENING = re.compile(r"yspbx listening on (https?://\S+)")


class ServerStartError(RuntimeError):
    pass


class ServerProcess:
    def __init__(
        self,
        *,
        config: Path | str | None = None,
        store: str = "memory://",
        host: str = "127.0.0.1",
        port: int = 0,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        startup_timeout: float = 30.0,
    ) -> None:
        self.config = config
        self.store = store
        self.host = host
        self.port = port
        self.extra_args = extra_args
        self.env = env
        self.startup_timeout = startup_timeout
        self.url = ""
        self.output: deque[str] = deque(maxlen=500)
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    @property
    def command(self) -> list[str]:
        args = [sys.executable, "-m", "yspbx", "serve", "--host", self.host]
        args += ["--port", str(self.port), "--store", self.store]
        if self.config is not None:
            args += ["--config", str(self.config)]
        return args + list(self.extra_args)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self) -> ServerProcess:
        env = {**os.environ, **(self.env or {}), "PYTHONUNBUFFERED": "1"}
        self._process = subprocess.Popen(
            self.command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        found = threading.Event()

        def read(stream: subprocess.Popen[str]) -> None:
            assert stream.stdout is not None
            for line in stream.stdout:
                self.output.append(line.rstrip("\n"))
                match = _LISTENING.search(line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()

        self._reader = threading.Thread(target=read, args=(self._process,), daemon=True)
        self._reader.start()
        deadline = time.monotonic() + self.startup_timeout
        while not found.wait(0.05):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise ServerStartError(
                    "yspbx did not start:\n" + "\n".join(list(self.output)[-40:])
                )
        if self.port == 0:
            # Keep the port across restarts, so clients and stored report targets stay valid.
            self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._reader is not None:
            self._reader.join(5)
        return process.returncode

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def restart(self) -> ServerProcess:
        self.stop()
        return self.start()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# -- for applications' tests (the pytest plugin builds on these) ---------------------------


class SimulatedPbx:
    """A yspbx server for an application's tests, with the credentials its config sets.

    ``SimulatedPbx(config=path)`` starts nothing; :meth:`start` (or ``with``) does, on a free
    loopback port and an in-memory store. :meth:`client`, :meth:`async_client` and
    :meth:`simulator` hand out ready SDK objects for it.
    """

    def __init__(
        self, *, config: Path | str | None = None, extra_args: tuple[str, ...] = ()
    ) -> None:
        from yspbx.settings import load_settings

        settings = load_settings(config)
        self.config = config
        self.username = settings.api.username
        self.password = settings.api.password.get_secret_value()
        token = settings.sim.token
        self.sim_token = token.get_secret_value() if token is not None else None
        # API 2.0.0's TCP event port, when the config opens one ([reports] tcp_port).
        self.tcp_port = settings.reports.tcp_port or None
        self.process = ServerProcess(config=config, store="memory://", extra_args=extra_args)

    @property
    def url(self) -> str:
        return self.process.url

    def start(self) -> SimulatedPbx:
        self.process.start()
        return self

    def stop(self) -> None:
        self.process.stop()

    def client(self, **options: Any) -> Client:
        from yspbx.client import Client

        return Client(self.url, username=self.username, password=self.password, **options)

    def async_client(self, **options: Any) -> AsyncClient:
        from yspbx.client import AsyncClient

        return AsyncClient(self.url, username=self.username, password=self.password, **options)

    def tcp_events(self, version: str | None = "2.0.0") -> TcpEvents:
        """A TCP event stream of this PBX (API 2.0.0), logged in once connected (``with``)."""
        from yspbx.client import TcpEvents

        if self.tcp_port is None:
            raise RuntimeError("this PBX's config opens no TCP event port ([reports] tcp_port)")
        return TcpEvents(
            f"127.0.0.1:{self.tcp_port}",
            username=self.username,
            password=self.password,
            version=version,
            timeout=30,
        )

    def simulator(self) -> Simulator:
        from yspbx.client import Simulator

        return Simulator(self.url, token=self.sim_token)

    def fresh_pbx(self, name: str | None = None) -> HostedSimulatedPbx:
        """A new PBX hosted on this server, with this server's config: its own port, sessions,
        lockouts, calls, reports and clock, ready in milliseconds (no process). ``stop()``
        removes it."""
        config = None
        if self.config is not None:
            config = Path(self.config).read_text(encoding="utf-8")
        with self.simulator() as sim:
            hosted = sim.create_pbx(name, config=config)
        assert hosted.url is not None
        return HostedSimulatedPbx(self, hosted.name, hosted.url)

    def __enter__(self) -> SimulatedPbx:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class HostedSimulatedPbx(SimulatedPbx):
    """A PBX hosted on a running :class:`SimulatedPbx`'s server (:meth:`SimulatedPbx.fresh_pbx`):
    the same credentials and helpers, at its own URL; ``stop()`` deletes it."""

    def __init__(self, server: SimulatedPbx, name: str, url: str) -> None:
        self.server = server
        self.name = name
        self.config = server.config
        self.username = server.username
        self.password = server.password
        self.sim_token = server.sim_token
        self.process = server.process
        self._url = url

    @property
    def url(self) -> str:
        return self._url

    def start(self) -> SimulatedPbx:
        return self

    def stop(self) -> None:
        from yspbx.client import SimulatorError

        with self.server.simulator() as sim:
            try:
                sim.delete_pbx(self.name)
            except SimulatorError as exc:
                if exc.status_code != 404:
                    raise


class ReportCollector:
    """A real report receiver on a free loopback port, in a background thread, that keeps every
    event it receives, so a test can wait for the report it expects.

    Log in with ``report_port=collector.port`` and the PBX's reports arrive here.
    ``collector.receiver`` is the :class:`~yspbx.client.ReportReceiver`, for adding handlers.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        from yspbx.client import ReportReceiver

        self.host = host
        self.port = port
        self.receiver = ReportReceiver()
        self.events: list[Event] = []
        self._changed = threading.Condition()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.receiver.on_any(self._collect)

    async def _collect(self, event: Event) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> ReportCollector:
        import socket

        import uvicorn

        sock = socket.create_server((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.receiver, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ServerStartError("the report receiver did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
        self._server = self._thread = None

    def wait_for(
        self,
        action: str | type[Event],
        *,
        timeout: float = 5.0,
        where: Callable[[Event], bool] | None = None,
    ) -> Event:
        """The first event of ``action`` (a name, or an event class) received so far or within
        ``timeout`` seconds; ``where`` narrows it down further."""

        from yspbx.client._events import EVENT_TYPES

        # A known action matches its event class, so "Transfer" finds the PBX's "Tranfer".
        wanted = EVENT_TYPES.get(action) if isinstance(action, str) else action

        def matches(event: Event) -> bool:
            hit = isinstance(event, wanted) if wanted is not None else event.action == action
            return hit and (where is None or where(event))

        with self._changed:
            found = self._changed.wait_for(
                lambda: next((e for e in self.events if matches(e)), None), timeout
            )
        if found is None:
            seen = [e.action for e in self.events]
            raise AssertionError(f"no {action} report within {timeout} s; received: {seen}")
        return found

    def clear(self) -> None:
        with self._changed:
            self.events.clear()

    def __enter__(self) -> ReportCollector:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
