"""Running the server: uvicorn configured the way a PBX API needs, and the listening line.

``yspbx serve`` prints the line ``yspbx listening on http://H:P`` (``https`` with TLS), then
``console: http://H:P/console`` when the control plane is on,
once the socket accepts connections; tools and tests wait for it. ``--port 0`` picks a free
port and the line names the real one.

``--host ::`` listens on one dual-stack socket: IPv4 clients are served too.

``--workers N`` runs N worker processes on one listening socket under uvicorn's supervisor,
which replaces a worker that dies. Each worker gets the parent's settings exactly (they travel
with uvicorn's config when the worker is spawned, never through the environment), and the line
is printed by the parent once every worker has finished starting.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
import sys
import threading
import time
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from yspbx.app import create_app
from yspbx.http_guard import PROTOCOLS, ConnectionLimits, GuardedConfig
from yspbx.settings import Settings

log = logging.getLogger(__name__)


def _address(settings: Settings) -> str:
    host = settings.server.host
    return f"[{host}]:{settings.server.port}" if ":" in host else f"{host}:{settings.server.port}"


def listening_line(settings: Settings, port: int) -> str:
    scheme = "https" if settings.server.tls_cert else "http"
    host = settings.server.host
    shown = f"[{host}]" if ":" in host else host
    return f"yspbx listening on {scheme}://{shown}:{port}"


def announcement(settings: Settings, port: int) -> str:
    """The listening line, then (with the control plane on) where the console is: on a
    wildcard host, at the loopback address, the one the console answers without a token."""
    lines = [listening_line(settings, port)]
    if settings.sim.enabled:
        scheme = "https" if settings.server.tls_cert else "http"
        host = settings.server.host.strip("[]")
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        shown = f"[{host}]" if ":" in host else host
        lines.append(f"console: {scheme}://{shown}:{port}/console")
    return "\n".join(lines)


# After SIGTERM/SIGINT, how long the server may take to stop before the process ends anyway.
STOP_DEADLINE = 10.0


def _exit_now() -> None:
    print("yspbx: did not stop within the deadline after the signal; exiting", file=sys.stderr)
    os._exit(1)


class _AnnouncingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, settings: Settings) -> None:
        super().__init__(config)
        self._settings = settings
        self._deadline: threading.Timer | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Stop as uvicorn does, but for sure: a stop that hangs (a store that never answers)
        ends the process after :data:`STOP_DEADLINE`; what was committed is on disk already."""
        super().handle_exit(sig, frame)
        if self._deadline is None:
            self._deadline = threading.Timer(STOP_DEADLINE, _exit_now)
            self._deadline.daemon = True
            self._deadline.start()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            port = self._settings.server.port
            for server in self.servers:
                for sock in server.sockets:
                    port = sock.getsockname()[1]
            print(announcement(self._settings, port), flush=True)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    server = settings.server
    return {
        "host": server.host,
        "port": server.port,
        "ssl_certfile": str(server.tls_cert) if server.tls_cert else None,
        "ssl_keyfile": str(server.tls_key) if server.tls_key else None,
        "log_level": server.log_level,
        "access_log": False,
        "server_header": False,
        # The application server's IP decides lockouts; only api.trust_proxy may change it.
        "proxy_headers": False,
        "lifespan": "on",
        # uvicorn's protocol of that name, with the head and body deadlines, the head size
        # limit and the connection cap added (yspbx/http_guard.py).
        "http": PROTOCOLS[server.http],
        "timeout_keep_alive": server.keepalive_timeout,
        # h11's own bound on an unfinished head: above the guard's by more than one read
        # (256 KiB at most), so the guard, which counts after each read, answers first with
        # its clearer 431 rather than h11's 400.
        "h11_max_incomplete_event_size": server.max_head_bytes + 1024 * 1024,
        "timeout_graceful_shutdown": 5,
    }


def connection_limits(settings: Settings) -> ConnectionLimits:
    server = settings.server
    return ConnectionLimits(
        head_timeout=server.head_timeout,
        body_timeout=server.body_timeout,
        max_head_bytes=server.max_head_bytes,
        max_connections=server.max_connections,
    )


def uvicorn_config(app: Any, settings: Settings, **extra: Any) -> uvicorn.Config:
    return GuardedConfig(app, connection_limits(settings), **uvicorn_options(settings), **extra)


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.server.log_level.upper(),
        format="%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request at INFO; the report sender logs the attempts that matter.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.root.level))


class _WorkerConfig(GuardedConfig):
    """uvicorn's config for worker processes, carrying yspbx's settings with it: the supervisor
    pickles it into every worker it spawns, and the worker builds the app from them."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(create_app, connection_limits(settings), factory=True, **kwargs)
        self.yspbx_settings = settings

    def load(self) -> None:
        configure_logging(self.yspbx_settings)
        self.app = functools.partial(create_app, self.yspbx_settings)
        super().load()


class _AnnouncingSupervisor(Multiprocess):
    """uvicorn's supervisor, printing the listening line once all the workers have started."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], line: str) -> None:
        super().__init__(config, sockets)
        self._line = line
        self.announced = False

    def init_processes(self) -> None:
        super().init_processes()
        for process in self.processes:
            if not process.wait_until_ready(self.config.timeout_worker_healthcheck * 6):
                print("yspbx: a worker process did not start", file=sys.stderr)
                self.should_exit.set()
                return
        print(self._line, flush=True)
        self.announced = True

    def join_all(self) -> None:
        """Wait for the workers to stop, each as a single server would (:data:`STOP_DEADLINE`),
        then end those that still hang: a stop always completes."""
        deadline = time.monotonic() + STOP_DEADLINE
        for process in self.processes:
            process.process.join(max(0.0, deadline - time.monotonic()))
            if process.process.is_alive():
                print(
                    f"yspbx: worker {process.pid} did not stop in time; killing it", file=sys.stderr
                )
                process.kill()
                process.process.join()


def _serve_workers(settings: Settings) -> int:
    if not settings.server.store.startswith(("sqlite:", "redis://", "rediss://", "unix://")):
        print(
            "yspbx: --workers above 1 needs a store the workers can share "
            "(sqlite:///PATH or redis://HOST:PORT/DB), not memory://",
            file=sys.stderr,
        )
        return 2
    worker_config = _WorkerConfig(
        settings, **uvicorn_options(settings), workers=settings.server.workers
    )
    try:
        sock = dual_stack_socket(settings) or worker_config.bind_socket()
    except OSError as exc:
        print(f"yspbx: cannot listen on {_address(settings)}: {exc}", file=sys.stderr)
        return 1
    supervisor = _AnnouncingSupervisor(
        worker_config, [sock], announcement(settings, sock.getsockname()[1])
    )
    supervisor.run()
    return 0 if supervisor.announced else 1


def dual_stack_socket(settings: Settings) -> socket.socket | None:
    """For ``host = "::"``, one socket that takes IPv6 and IPv4 clients alike (these appear as
    ``::ffff:a.b.c.d``, which the server spells as IPv4 everywhere); asyncio's own socket for
    ``::`` would be IPv6-only. None for any other host: uvicorn binds it."""
    if settings.server.host.strip("[] ") != "::" or not socket.has_dualstack_ipv6():
        return None
    sock = socket.create_server(
        ("::", settings.server.port),
        family=socket.AF_INET6,
        dualstack_ipv6=True,
        backlog=2048,
        reuse_port=False,
    )
    sock.set_inheritable(True)
    return sock


def store_answers(settings: Settings) -> str | None:
    """None when the configured store answers; otherwise why not, for the person starting it."""
    from yspbx.store import StoreFileError, StoreUnavailable, open_store

    server = settings.server

    async def ping() -> None:
        from yspbx.store.sqlite import SqliteStore

        store = open_store(
            server.store,
            prefix=server.store_prefix,
            timeout=server.store_timeout,
            sync=server.store_sync,
        )
        try:
            await store.ping()
            if isinstance(store, SqliteStore):
                await store.verify()
        finally:
            await store.close()

    try:
        asyncio.run(ping())
    except StoreFileError as exc:
        return str(exc)
    except (StoreUnavailable, OSError) as exc:
        return f"the store {server.store} does not answer: {exc}"
    return None


# Descriptors a process needs besides its clients' connections: the store, the report
# sender's connections (reports.concurrency), the fleet's links, logs.
_SPARE_DESCRIPTORS = 256


def raise_file_limit(settings: Settings) -> None:
    """Lift the soft limit on open files to what ``server.max_connections`` needs (up to the
    hard limit), so the cap, not the descriptor table, is what a flood of connections meets."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    wanted = settings.server.max_connections + _SPARE_DESCRIPTORS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        if target > soft:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < wanted:
            log.warning(
                "open-file limit %d is below server.max_connections (%d) plus %d spare: "
                "raise it (ulimit -n) or lower the cap",
                target,
                settings.server.max_connections,
                _SPARE_DESCRIPTORS,
            )


def serve(settings: Settings) -> int:
    configure_logging(settings)
    raise_file_limit(settings)
    problem = store_answers(settings)
    if problem is not None:
        print(f"yspbx: {problem}", file=sys.stderr)
        return 1
    if settings.server.workers > 1:
        return _serve_workers(settings)
    server = _AnnouncingServer(uvicorn_config(create_app(settings), settings), settings)
    try:
        sock = dual_stack_socket(settings)
    except OSError as exc:
        print(f"yspbx: cannot listen on {_address(settings)}: {exc}", file=sys.stderr)
        return 1
    server.run(sockets=None if sock is None else [sock])
    return 0 if server.started else 1
