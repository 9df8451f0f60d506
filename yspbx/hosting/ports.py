"""A hosted PBX's own port: one more listening socket on the server's event loop.

Clients that take only a host and a port reach a hosted PBX on its port, unchanged. Each port is
served by uvicorn's own HTTP protocol, configured as the main port is (TLS included), on the
same event loop as the main port: one socket and one ``asyncio`` server per PBX, no process and
no thread. The app tells the PBX by the port a request arrived on.

Where several processes serve one store (workers, servers on one machine), each binds the same
port with ``SO_REUSEPORT``, so the kernel spreads its connections over them as uvicorn's
supervisor does for the main port.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
from typing import Any

import uvicorn
from uvicorn.server import ServerState

from yspbx.settings import Settings

log = logging.getLogger(__name__)


class PortListeners:
    def __init__(self, app: Any, settings: Settings) -> None:
        self._app = app
        self._settings = settings
        self._config: uvicorn.Config | None = None
        self._open: dict[int, tuple[asyncio.Server, ServerState]] = {}

    @property
    def host(self) -> str:
        return self._settings.server.host

    def _uvicorn(self) -> uvicorn.Config:
        """One configuration for every extra port (the TLS context is built once)."""
        if self._config is None:
            server = self._settings.server
            config = uvicorn.Config(
                self._app,
                host=server.host,
                port=0,
                ssl_certfile=str(server.tls_cert) if server.tls_cert else None,
                ssl_keyfile=str(server.tls_key) if server.tls_key else None,
                log_level=server.log_level,
                access_log=False,
                server_header=False,
                proxy_headers=False,
                lifespan="off",
                http=server.http,
            )
            config.load()
            self._config = config
        return self._config

    async def open(self, port: int | None, *, shared: bool) -> int:
        """Listen on ``port`` (None or 0: a free one) and answer with the app; the port.

        ``shared``: other processes of the same server may bind it too (``SO_REUSEPORT``).
        Raises :class:`OSError` when the port cannot be had.
        """
        config = self._uvicorn()
        host = self.host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if shared and hasattr(socket, "SO_REUSEPORT"):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port or 0))
            sock.listen(config.backlog)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        state = ServerState()
        state.default_headers = list(config.encoded_headers)
        protocol_class: Any = config.http_protocol_class
        protocol = functools.partial(
            protocol_class, config=config, server_state=state, app_state={}
        )
        loop = asyncio.get_running_loop()
        server = await loop.create_server(protocol, sock=sock, ssl=config.ssl)
        actual = int(sock.getsockname()[1])
        self._open[actual] = (server, state)
        return actual

    async def close(self, port: int) -> None:
        """Stop listening on ``port`` and end its connections (their requests finish first)."""
        entry = self._open.pop(port, None)
        if entry is None:
            return
        server, state = entry
        server.close()
        for connection in list(state.connections):
            connection.shutdown()
        for _ in range(50):
            if not state.connections and not state.tasks:
                break
            await asyncio.sleep(0.01)

    async def close_all(self) -> None:
        for port in list(self._open):
            await self.close(port)
