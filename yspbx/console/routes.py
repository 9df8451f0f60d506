"""``GET /console`` and its static files, behind the control plane's guard.

The page is plain HTML, ES modules and CSS shipped in the package (no build step, nothing from
another host). It speaks only to the public control plane, by URLs relative to the page, so the
same files serve a PBX mounted under a path prefix. The errno table is written into the page,
so the journal can explain each errno in words without an endpoint of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from yspbx.errors import MEANINGS
from yspbx.services import ServicesHolder
from yspbx.sim.guard import SimGuard

STATIC = Path(__file__).parent / "static"


def _page() -> str:
    meanings = {errno.value: text for errno, text in MEANINGS.items()}
    # Inside <script>, only "</" could end the element early; JSON may write it "<\/".
    table = json.dumps(meanings, sort_keys=True).replace("</", "<\\/")
    return (STATIC / "index.html").read_text("utf-8").replace("{{ERRNOS}}", table)


def build_console_routes(holder: ServicesHolder) -> list[BaseRoute]:
    page = HTMLResponse(_page(), headers={"Cache-Control": "no-store"})

    async def console(scope: Scope, receive: Receive, send: Send) -> None:
        await page(scope, receive, send)

    return [
        Route("/console", SimGuard(console, holder), methods=["GET"]),
        Mount("/console/static", app=SimGuard(StaticFiles(directory=STATIC), holder)),
    ]
