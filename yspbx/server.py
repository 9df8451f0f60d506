"""Running the server: uvicorn configured the way a PBX API needs, and the listening line.

``yspbx serve`` prints exactly one line, ``yspbx listening on http://H:P`` (``https`` with TLS),
once the socket accepts connections; tools and tests wait for it. ``--port 0`` picks a free
port and the line names the real one.
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any

import uvicorn

from yspbx.app import create_app
from yspbx.config import Settings

log = logging.getLogger(__name__)


def listening_line(settings: Settings, port: int) -> str:
    scheme = "https" if settings.server.tls_cert else "http"
    host = settings.server.host
    shown = f"[{host}]" if ":" in host else host
    return f"yspbx listening on {scheme}://{shown}:{port}"


class _AnnouncingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, settings: Settings) -> None:
        super().__init__(config)
        self._settings = settings

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            port = self._settings.server.port
            for server in self.servers:
                for sock in server.sockets:
                    port = sock.getsockname()[1]
            print(listening_line(self._settings, port), flush=True)


def uvicorn_config(app: Any, settings: Settings, **extra: Any) -> uvicorn.Config:
    server = settings.server
    return uvicorn.Config(
        app,
        host=server.host,
        port=server.port,
        ssl_certfile=str(server.tls_cert) if server.tls_cert else None,
        ssl_keyfile=str(server.tls_key) if server.tls_key else None,
        log_level=server.log_level,
        access_log=False,
        server_header=False,
        # The application server's IP decides lockouts; only api.trust_proxy may change it.
        proxy_headers=False,
        lifespan="on",
        http=server.http,
        timeout_graceful_shutdown=5,
        **extra,
    )


def serve(settings: Settings) -> int:
    logging.basicConfig(
        level=settings.server.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request at INFO; the report sender logs the attempts that matter.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.root.level))
    if settings.server.workers > 1:
        print("yspbx: --workers above 1 is not available yet", file=sys.stderr)
        return 2
    server = _AnnouncingServer(uvicorn_config(create_app(settings), settings), settings)
    server.run()
    return 0 if server.started else 1
