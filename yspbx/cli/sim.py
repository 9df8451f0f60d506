"""``yspbx sim <verb>``: drive a running simulator through its control plane (``/sim/v1``).

The simulator's address is ``--pbx`` (``http://127.0.0.1:8088``, what ``yspbx serve`` listens
on, when not given), accepted wherever a user puts it: ``yspbx --pbx URL sim calls``, ``yspbx sim
--pbx URL calls`` and ``yspbx sim calls --pbx URL``. ``--sim-token`` when the server sets
``sim.token``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from yspbx.cli._common import (
    DEFAULT_SIM_URL,
    console,
    explained,
    fail,
    listing,
    open_simulator,
    print_json,
    state_of,
)

app = typer.Typer(name="sim", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
PbxOption = Annotated[
    str | None,
    typer.Option(
        "--pbx",
        help="the simulator's web address (default http://127.0.0.1:8088)",
        show_default=False,
    ),
]
PartyOption = Annotated[str | None, typer.Option(help="the party (a number) that acts")]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``31m``, ``2h``, ``1d`` -> seconds."""
    match = _DURATION.match(text.lower())
    if match is None:
        raise ValueError(f"{text!r} is not a duration (try 90, 90s, 31m, 2h)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


@app.callback()
def _sim(
    ctx: typer.Context,
    pbx: PbxOption = None,
    sim_token: Annotated[
        str | None,
        typer.Option(envvar="YSPBX_SIM_TOKEN", help="bearer token of the control plane"),
    ] = None,
) -> None:
    """Drive a yspbx simulator: calls, phones, the clock; see its reports and journal."""
    state = state_of(ctx)
    if pbx is not None:
        state.pbx = pbx
    if sim_token is not None:
        state.sim_token = sim_token


def _target(ctx: typer.Context, pbx: str | None = None) -> str:
    """Who the verb talks to; ``pbx`` is the verb's own ``--pbx``, which wins."""
    state = state_of(ctx)
    if pbx is not None:
        state.pbx = pbx
    return f"the simulator at {state.pbx or DEFAULT_SIM_URL}"


@app.command()
def state(ctx: typer.Context, as_json: JsonOption = False, pbx: PbxOption = None) -> None:
    """Clock, extensions, calls, sessions and blocked IPs."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        current = sim.state()
    if as_json:
        print_json(current)
        return
    console.print(f"clock {current.now:.0f}, {current.sessions} live session(s)")
    table = Table("extension", "status")
    for ext in current.extensions:
        table.add_row(ext.number, ext.status)
    console.print(table)
    for call in current.calls:
        console.print(f"call {call.callid}: {' -> '.join(call.parties)} ({call.state})")
    for blocked in current.blocked_ips:
        console.print(f"blocked: {blocked.ip} until {blocked.until:.0f}")


@app.command()
def reset(ctx: typer.Context, pbx: PbxOption = None) -> None:
    """Back to the configuration's PBX: no calls, sessions, lockouts or logs."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        sim.reset()
    console.print("[green]reset[/]")


@app.command()
def call(
    ctx: typer.Context,
    caller: Annotated[str, typer.Argument(metavar="FROM", help="who calls")],
    callee: Annotated[str, typer.Argument(metavar="TO", help="who is called")],
    trunk: Annotated[
        str | None, typer.Option(help="an outside call arriving on this trunk")
    ] = None,
    pbx: PbxOption = None,
) -> None:
    """Start a call: an extension dials, or (with --trunk) an outside caller rings in."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        callid = sim.start_call(caller, callee, trunk=trunk)
    console.print(callid)


@app.command()
def calls(ctx: typer.Context, as_json: JsonOption = False, pbx: PbxOption = None) -> None:
    """The live calls."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        live = sim.calls()
    if as_json:
        print_json(live)
        return
    table = listing("callid", "parties", "state", "trunk", wrap="parties")
    for item in live:
        table.add_row(item.callid, ", ".join(item.parties), item.state, item.trunk or "")
    console.print(table if live else "no calls")


@app.command()
def answer(
    ctx: typer.Context, callid: str, party: PartyOption = None, pbx: PbxOption = None
) -> None:
    """The ringing party (or --party) picks up."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        sim.answer(callid, party=party)
    console.print("[green]answered[/]")


@app.command()
def hangup(
    ctx: typer.Context, callid: str, party: PartyOption = None, pbx: PbxOption = None
) -> None:
    """A party (by default the caller) hangs up."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        sim.hang_up(callid, party=party)
    console.print("[green]hung up[/]")


@app.command()
def dtmf(ctx: typer.Context, callid: str, digits: str, pbx: PbxOption = None) -> None:
    """The caller presses DIGITS."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        sim.dtmf(callid, digits)
    console.print("[green]sent[/]")


@app.command()
def transfer(
    ctx: typer.Context,
    callid: str,
    party: Annotated[str, typer.Argument(help="the extension whose phone transfers")],
    to: Annotated[str, typer.Argument(metavar="TO", help="where the other side goes")],
    pbx: PbxOption = None,
) -> None:
    """PARTY blind-transfers the other side of its call to TO from its phone."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        sim.transfer(callid, party, to)
    console.print("[green]transferred[/]")


@app.command()
def advance(
    ctx: typer.Context,
    duration: Annotated[str, typer.Argument(help="seconds, or 90s, 31m, 2h, 1d")],
    pbx: PbxOption = None,
) -> None:
    """Move the simulator's clock forward; every timer due meanwhile fires."""
    try:
        seconds = parse_duration(duration)
    except ValueError as exc:
        fail(str(exc), 2)
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        now = sim.advance(seconds)
    console.print(f"clock moved {seconds:g} s, now {now:.0f}")


@app.command()
def reports(
    ctx: typer.Context,
    action: Annotated[str | None, typer.Option(help="only reports with this action")] = None,
    as_json: JsonOption = False,
    pbx: PbxOption = None,
) -> None:
    """The event reports the simulator produced, oldest first."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        found = [r for r in sim.reports() if action is None or r.action == action]
    if as_json:
        print_json(found)
        return
    # Every column but the body keeps its width; the body takes the rest of the terminal and
    # wraps, never cut: it is what the application received.
    table = listing("id", "action", "state", "attempts", "last status", "target", "body")
    for report in found:
        style = _STATE_STYLES.get(report.state, "")
        table.add_row(
            "-" if report.id is None else str(report.id),
            report.action,
            f"[{style}]{report.state}[/]" if style else report.state,
            str(report.attempts),
            "-" if report.last_status is None else str(report.last_status),
            report.target,
            report.body,
        )
    console.print(table if found else "no reports")


# A refused report means the integrator's receiver said no to it: make it stand out.
_STATE_STYLES = {"refused": "bold red", "dropped": "yellow", "pending": "cyan"}


@app.command()
def journal(ctx: typer.Context, as_json: JsonOption = False, pbx: PbxOption = None) -> None:
    """Every API request the simulator received, oldest first."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        entries = sim.journal()
    if as_json:
        print_json(entries)
        return
    table = Table("time", "client", "path", "answer")
    for entry in entries:
        table.add_row(f"{entry.time:.0f}", entry.client_ip, entry.path, entry.response[:80])
    console.print(table if entries else "no requests")


@app.command()
def blocked(ctx: typer.Context, pbx: PbxOption = None) -> None:
    """The IPs locked out after failed logins."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        found = sim.blocked_ips()
    for item in found:
        console.print(f"{item.ip} until {item.until:.0f}")
    if not found:
        console.print("no blocked IPs")


@app.command()
def unblock(ctx: typer.Context, ip: str, pbx: PbxOption = None) -> None:
    """Lift a login lockout (as deleting the PBX's API-IP block does)."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        sim.unblock(ip)
    console.print(f"[green]{ip} unblocked[/]")


@app.command("register")
def register_phone(ctx: typer.Context, extension: str, pbx: PbxOption = None) -> None:
    """The extension's phone registers."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        sim.register(extension)
    console.print(f"[green]{extension} registered[/]")


@app.command("unregister")
def unregister_phone(ctx: typer.Context, extension: str, pbx: PbxOption = None) -> None:
    """The extension's phone unregisters."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        sim.unregister(extension)
    console.print(f"[green]{extension} unregistered[/]")


pbxs_app = typer.Typer(name="pbxs", help="The PBXs hosted beside the server's default one.")
app.add_typer(pbxs_app)


@pbxs_app.callback(invoke_without_command=True)
def pbxs(ctx: typer.Context, as_json: JsonOption = False, pbx: PbxOption = None) -> None:
    """List the hosted PBXs (their own URL and their path prefix); create, delete them."""
    if ctx.invoked_subcommand is not None:
        if pbx is not None:
            state_of(ctx).pbx = pbx
        return
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        hosted = sim.pbxs()
    if as_json:
        print_json(hosted)
        return
    table = listing("name", "url", "prefix")
    for item in hosted:
        table.add_row(item.name, item.url or "", item.prefix)
    console.print(table if hosted else "no hosted PBXs")


@pbxs_app.command("create")
def pbxs_create(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="its name (default: one is chosen)")] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="its TOML config (default: the default PBX)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="its own port (default: a free one)")] = None,
    as_json: JsonOption = False,
    pbx: PbxOption = None,
) -> None:
    """Create a PBX on the server; prints its name, URL and prefix."""
    text = None
    if config is not None:
        try:
            text = config.read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"cannot read {config}: {exc.strerror}", 2)
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        hosted = sim.create_pbx(name, config=text, port=port)
    if as_json:
        print_json(hosted)
        return
    console.print(f"{hosted.name} {hosted.url or ''} {hosted.prefix}")


@pbxs_app.command("delete")
def pbxs_delete(ctx: typer.Context, name: str, pbx: PbxOption = None) -> None:
    """Remove a hosted PBX and everything it stored."""
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        sim.delete_pbx(name)
    console.print(f"[green]deleted[/] {name}")


@app.command("run")
def run_scenario(
    ctx: typer.Context,
    scenario: Annotated[
        str,
        typer.Argument(
            metavar="SCENARIO",
            help="a scenario file, or a built-in: call-centre, small-office, hotel-night, burst",
        ),
    ],
    speed: Annotated[
        str, typer.Option(help="max (event to event), realtime, or <N>x such as 60x")
    ] = "max",
    seed: Annotated[int | None, typer.Option(help="the seed (default: the scenario's)")] = None,
    duration: Annotated[
        str | None,
        typer.Option(help="PBX seconds to play (90, 31m, 2h); default: the scenario's length"),
    ] = None,
    pbx: PbxOption = None,
) -> None:
    """Play a scenario on the simulator: a progress bar, a summary, and as the last line the
    totals as JSON ({"calls", "answered", "abandoned", "reports", "cdrs"})."""
    from yspbx.cli.scenario_view import follow, print_summary

    seconds = None
    if duration is not None:
        try:
            seconds = parse_duration(duration)
        except ValueError as exc:
            fail(str(exc))
    with explained(_target(ctx, pbx)), open_simulator(ctx) as sim:
        run = follow(sim, scenario, speed=speed, seed=seed, duration=seconds)
    print_summary(run)
    if run.state != "completed":
        fail(f"scenario run {run.id} {run.state}" + (f": {run.error}" if run.error else ""))
