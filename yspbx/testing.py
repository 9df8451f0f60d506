"""Running a real yspbx server in a child process, for tests (ours, and users' via the plugin).

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
from pathlib import Path
from types import TracebackType

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
