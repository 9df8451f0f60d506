"""Client verbs against any PBX: ``yspbx --pbx URL --username U --password P <verb>``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from yspbx.cli._common import (
    console,
    explained,
    fail,
    listing,
    open_client,
    open_simulator,
    print_json,
    state_of,
)

if TYPE_CHECKING:
    from yspbx.client import CallParty, SimCall

JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def check(ctx: typer.Context) -> None:
    """Log in (and out again): are the address and the credentials right?"""
    state = state_of(ctx)
    with explained(state.pbx or "the PBX"), open_client(ctx) as client:
        client.login()
        info = client.system.device_info()
    console.print(
        f"[green]OK[/] logged in to {state.pbx} as {state.username}: {info.device_name} "
        f"(serial {info.serial_number}, firmware {info.firmware_version})"
    )


def info(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the PBX's model, serial number, versions, time and uptime."""
    with explained(state_of(ctx).pbx or "the PBX"), open_client(ctx) as client:
        device = client.system.device_info()
    if as_json:
        print_json(device)
        return
    table = Table(show_header=False, box=None)
    for label, value in (
        ("model", device.device_name),
        ("serial number", device.serial_number),
        ("hardware", device.hardware_version),
        ("firmware", device.firmware_version),
        ("time", device.system_time),
        ("uptime", device.uptime),
        ("extensions registered", device.extension_status),
    ):
        table.add_row(f"[bold]{label}[/]", value)
    console.print(table)


def extensions(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the extensions and their status."""
    with explained(state_of(ctx).pbx or "the PBX"), open_client(ctx) as client:
        found = client.extensions.list()
    if as_json:
        print_json(found)
        return
    table = listing("number", "name", "status", "type", "agent id")
    for ext in found:
        table.add_row(ext.number, ext.name, ext.status, ext.type, ext.agent_id)
    console.print(table)


def calls(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the calls through a trunk (the API's inbound and outbound calls); on a yspbx
    simulator, the calls between extensions too (from its control plane)."""
    with explained(state_of(ctx).pbx or "the PBX"), open_client(ctx) as client:
        inbound = client.calls.inbound()
        outbound = client.calls.outbound()
    internal = _internal_calls(ctx)
    if as_json:
        listed: dict[str, Any] = {
            "inbound": [c.model_dump(mode="json") for c in inbound],
            "outbound": [c.model_dump(mode="json") for c in outbound],
        }
        if internal is not None:
            listed["internal"] = [c.model_dump(mode="json") for c in internal]
        print_json(listed)
        return
    table = listing("dir", "id", "from", "to", "trunk", "status", "with")
    for call in inbound:
        held_by = ", ".join(_party(p) for p in call.callee)
        table.add_row(
            "in", call.id, call.from_number, call.to_number, call.trunk, call.status, held_by
        )
    for out in outbound:
        table.add_row("out", out.id, out.from_number, out.to_number, out.trunk, out.status, "")
    for own in internal or []:
        caller, *others = own.parties or [""]
        table.add_row("int", own.callid, caller, ", ".join(others), "", own.state, "")
    if inbound or outbound or internal:
        console.print(table)
    elif internal is None:
        console.print(
            "no calls through a trunk in progress (the PBX's API lists inbound and outbound "
            "calls only: calls between extensions do not show)",
            soft_wrap=True,
        )
    else:
        console.print("no calls in progress")
    if internal is not None and internal:
        console.print(
            "[dim]int: a call between extensions, which the API does not list; shown from "
            "the simulator's control plane[/]",
            soft_wrap=True,
        )


def _internal_calls(ctx: typer.Context) -> list[SimCall] | None:
    """The simulator's calls through no trunk, or None when the PBX is not a yspbx simulator
    (a real PBX has no control plane) or its control plane does not answer us."""
    from yspbx.client import SimulatorError, YspbxError

    try:
        with open_simulator(ctx) as sim:
            live = sim.calls()
    except (SimulatorError, YspbxError):
        return None
    return [call for call in live if not call.trunk]


def _party(party: CallParty) -> str:
    """An extension as its number; an IVR, queue, ring group or trunk leg named as such."""
    kind = party.kind
    if kind in ("extension", ""):
        return party.id
    return f"{kind.replace('_', ' ')} {party.id}"


def dial(
    ctx: typer.Context,
    caller: Annotated[str, typer.Argument(help="the extension that rings first")],
    callee: Annotated[str, typer.Argument(help="the extension (or, with --external, number)")],
    external: Annotated[
        bool, typer.Option("--external", help="CALLEE is an outside number")
    ] = False,
    auto_answer: Annotated[
        bool, typer.Option("--auto-answer", help="the caller's phone picks up by itself")
    ] = False,
) -> None:
    """Ring CALLER; once it answers, ring CALLEE. Prints the call id."""
    with explained(state_of(ctx).pbx or "the PBX"), open_client(ctx) as client:
        if external:
            callid = client.calls.dial_outbound(caller, callee, auto_answer=auto_answer)
        else:
            callid = client.calls.dial_extension(caller, callee, auto_answer=auto_answer)
    console.print(callid)


def hangup(
    ctx: typer.Context,
    extension: Annotated[
        str | None, typer.Argument(help="end this extension's current call")
    ] = None,
    inbound: Annotated[str | None, typer.Option(help="end this inbound call (its id)")] = None,
    outbound: Annotated[str | None, typer.Option(help="end this outbound call (its id)")] = None,
) -> None:
    """Hang up an extension's call, or an inbound or outbound call by id."""
    if sum(x is not None for x in (extension, inbound, outbound)) != 1:
        fail("name exactly one of EXTENSION, --inbound ID or --outbound ID", 2)
    with explained(state_of(ctx).pbx or "the PBX"), open_client(ctx) as client:
        if extension is not None:
            client.calls.hang_up(extension)
        elif inbound is not None:
            client.calls.hang_up_inbound(inbound)
        elif outbound is not None:
            client.calls.hang_up_outbound(outbound)
    console.print("[green]OK[/]")


def transfer(
    ctx: typer.Context,
    callid: Annotated[str, typer.Argument(help="the call")],
    transferor: Annotated[str, typer.Argument(help="the party that hands the call over")],
    destination: Annotated[
        str, typer.Argument(help="extension, IVR, queue, ring group or outside number")
    ],
    from_extension: Annotated[
        str | None,
        typer.Option("--from-ext", help="whose outbound permissions apply to an outside number"),
    ] = None,
) -> None:
    """Transfer a call to DESTINATION; TRANSFEROR leaves it."""
    with explained(state_of(ctx).pbx or "the PBX"), open_client(ctx) as client:
        new_callid = client.calls.transfer(
            callid, transferor, destination, from_extension=from_extension
        )
    console.print(new_callid)


def register(app: typer.Typer) -> None:
    for command in (check, info, extensions, calls, dial, hangup, transfer):
        app.command(rich_help_panel="Client (any PBX)")(command)
