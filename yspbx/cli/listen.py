"""``yspbx listen``: receive a PBX's event reports and print each one as it arrives.

Point a login's report port at it (``report_port=8260`` in the SDK) and watch what the PBX
sends. Each report is acknowledged with ``200 OK`` once printed; ``--refuse ACTION`` answers
``400`` to that action instead, as a receiver that has no use for it would, to see the PBX's
refusal policy at work. A report that arrives again (the PBX resends what was not
acknowledged) is marked with how many times it came.
"""

from __future__ import annotations

import json
import socket
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from yspbx.cli._common import console, fail

if TYPE_CHECKING:
    from yspbx.client import Event, ReportReceiver

# How many distinct report bodies the resend counter remembers.
_REMEMBERED = 10_000


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


class _Seen:
    """How often each report body arrived: the PBX resends the same bytes until it gets 200."""

    def __init__(self) -> None:
        self._counts: Counter[bytes] = Counter()

    def count(self, body: bytes) -> int:
        if len(self._counts) >= _REMEMBERED and body not in self._counts:
            self._counts.clear()
        self._counts[body] += 1
        return self._counts[body]


def _again(times: int) -> str:
    return "" if times == 1 else f" [magenta](again: {times} times)[/]"


def build_receiver(path: str | None, raw: bool, seen: _Seen | None = None) -> ReportReceiver:
    from yspbx.client import ReportReceiver, UnknownEvent

    receiver = ReportReceiver(path=path)
    seen = seen or _Seen()

    @receiver.on_any
    async def show(event: Event) -> None:
        body = event.body.decode("utf-8", "replace")
        times = seen.count(event.body)
        if raw:
            console.print(body, markup=False, soft_wrap=True)
        else:
            stamp = datetime.now().strftime("%H:%M:%S")
            style = "yellow" if isinstance(event, UnknownEvent) else "bold cyan"
            console.print(
                f"{stamp} [{style}]{event.action}[/] {describe(event)}{_again(times)}",
                soft_wrap=True,
            )
            console.print(f"         {body}", markup=False, soft_wrap=True, style="dim")
        console.file.flush()

    return receiver


class Refusing:
    """An ASGI app in front of the receiver that answers ``400`` to the reports whose action
    is in ``actions``, printing that it did, and hands every other request on unchanged."""

    def __init__(
        self, app: Any, actions: set[str], raw: bool, seen: _Seen, path: str | None
    ) -> None:
        self._app = app
        self._path = path
        self._actions = actions
        self._raw = raw
        self._seen = seen

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        elsewhere = self._path is not None and scope.get("path") != self._path
        if scope["type"] != "http" or scope["method"] != "POST" or elsewhere:
            await self._app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        action = _action(body)
        if action in self._actions:
            self._show_refusal(action, body)
            await send({"type": "http.response.start", "status": 400, "headers": []})
            await send({"type": "http.response.body", "body": b"refused"})
            return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                message: dict[str, Any] = await receive()
                return message
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self._app(scope, replay, send)

    def _show_refusal(self, action: str, body: bytes) -> None:
        times = self._seen.count(body)
        text = body.decode("utf-8", "replace")
        if self._raw:
            console.print(text, markup=False, soft_wrap=True)
        else:
            stamp = datetime.now().strftime("%H:%M:%S")
            console.print(
                f"{stamp} [bold red]{action} refused (400)[/]{_again(times)}", soft_wrap=True
            )
            console.print(f"         {text}", markup=False, soft_wrap=True, style="dim")
        console.file.flush()


def _action(body: bytes) -> str | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    action = value.get("action") if isinstance(value, dict) else None
    return action if isinstance(action, str) else None


def _listen_tcp(ctx: typer.Context, address: str, raw: bool, version: str | None) -> None:
    """Connect to the PBX's TCP event port and print each event (API 2.0.0)."""
    from yspbx.cli._common import state_of
    from yspbx.client import TcpEvents, YspbxError

    state = state_of(ctx)
    secret = state.password if state.password is not None else state.password_md5
    if not state.username or secret is None:
        fail("--tcp logs in: give --username and --password (or YSPBX_PBX_*)", 2)
    try:
        with TcpEvents(
            address, username=state.username, password=secret, version=version
        ) as events:
            console.print(f"yspbx reading events from tcp://{events.host}:{events.port}")
            console.file.flush()
            for event in events:
                if raw:
                    console.print(event.body.decode("utf-8", errors="replace"), markup=False)
                else:
                    console.print(
                        f"{datetime.now():%H:%M:%S} {event.action} {describe(event)}",
                        markup=False,
                    )
                console.file.flush()
    except YspbxError as exc:
        fail(str(exc))
    console.print("the PBX closed the event stream")


def listen_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="address to listen on")] = "0.0.0.0",
    port: Annotated[int, typer.Option(help="port the PBX posts reports to (0: any free)")] = 8260,
    path: Annotated[
        str | None, typer.Option(help="only accept reports on this path (default: any)")
    ] = None,
    raw: Annotated[bool, typer.Option("--raw", help="print only each report's body")] = False,
    refuse: Annotated[
        list[str] | None,
        typer.Option(metavar="ACTION", help="answer 400 to reports with this action (repeatable)"),
    ] = None,
    tcp: Annotated[
        str | None,
        typer.Option(
            metavar="HOST:PORT",
            help="instead: connect to the PBX's TCP event port (API 2.0.0) and print its events",
        ),
    ] = None,
    version: Annotated[
        str | None, typer.Option(help="with --tcp: the event format asked for")
    ] = "2.0.0",
) -> None:
    """Run an event-report receiver and print each report as it arrives (or, with --tcp, read
    the PBX's TCP event stream)."""
    if tcp is not None:
        _listen_tcp(ctx, tcp, raw, version)
        return
    import uvicorn

    try:
        sock = socket.create_server((host, port), reuse_port=False)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    bound_port = sock.getsockname()[1]
    seen = _Seen()
    app: Any = build_receiver(path, raw, seen)
    if refuse:
        app = Refusing(app, set(refuse), raw, seen, path)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    console.print(f"yspbx listening for reports on http://{host}:{bound_port}")
    console.file.flush()
    uvicorn.Server(config).run(sockets=[sock])
