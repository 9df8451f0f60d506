"""``yspbx listen``: receive a PBX's event reports and print each one as it arrives.

Point a login's report port at it (``report_port=8260`` in the SDK) and watch what the PBX
sends. Each report is acknowledged with ``200 OK`` once printed.
"""

from __future__ import annotations

import socket
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from yspbx.cli._common import console, fail

if TYPE_CHECKING:
    from yspbx.client import Event, ReportReceiver


def describe(event: Event) -> str:
    """One line: who the report is about, in the PBX's order."""
    from yspbx.client import CallEvent

    if isinstance(event, CallEvent):
        parties = []
        for party in event.parties:
            if party.kind == "ext":
                parties.append(party.extension)
            else:
                parties.append(f"{party.kind} {party.from_number}->{party.to_number}")
        return f"call {event.callid}: " + ", ".join(parties)
    fields = {k: v for k, v in event.raw.items() if k not in ("action", "sn")}
    return " ".join(f"{k}={v}" for k, v in fields.items())


def build_receiver(path: str | None, raw: bool) -> ReportReceiver:
    from yspbx.client import ReportReceiver, UnknownEvent

    receiver = ReportReceiver(path=path)

    @receiver.on_any
    async def show(event: Event) -> None:
        body = event.body.decode("utf-8", "replace")
        if raw:
            console.print(body, markup=False, soft_wrap=True)
        else:
            stamp = datetime.now().strftime("%H:%M:%S")
            style = "yellow" if isinstance(event, UnknownEvent) else "bold cyan"
            console.print(f"{stamp} [{style}]{event.action}[/] {describe(event)}", soft_wrap=True)
            console.print(f"         {body}", markup=False, soft_wrap=True, style="dim")
        console.file.flush()

    return receiver


def listen_command(
    host: Annotated[str, typer.Option(help="address to listen on")] = "0.0.0.0",
    port: Annotated[int, typer.Option(help="port the PBX posts reports to (0: any free)")] = 8260,
    path: Annotated[
        str | None, typer.Option(help="only accept reports on this path (default: any)")
    ] = None,
    raw: Annotated[bool, typer.Option("--raw", help="print only each report's body")] = False,
) -> None:
    """Run an event-report receiver and print each report as it arrives."""
    import uvicorn

    try:
        sock = socket.create_server((host, port), reuse_port=False)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        build_receiver(path, raw), log_level="warning", lifespan="on", access_log=False
    )
    console.print(f"yspbx listening for reports on http://{host}:{bound_port}")
    console.file.flush()
    uvicorn.Server(config).run(sockets=[sock])
