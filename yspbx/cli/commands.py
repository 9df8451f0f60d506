"""The ``yspbx`` commands: serve the PBX, listen for reports, drive a PBX or the simulator.

The root options (``--pbx``, ``--username``, ``--password``, ...) are read by the client verbs
and by ``yspbx sim``; each also comes from an environment variable (``YSPBX_PBX_URL``, ...).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated

import typer

from yspbx.cli import pbx, sim
from yspbx.cli._common import CliState, console
from yspbx.cli.init import init_command
from yspbx.cli.listen import listen_command
from yspbx.cli.serve import serve_command

app = typer.Typer(
    name="yspbx",
    help="Yeastar S-Series PBX API: a simulated PBX server, its control plane, and a client.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("serve", rich_help_panel="Server")(serve_command)
app.command("init", rich_help_panel="Server")(init_command)
app.command("listen", rich_help_panel="Client (any PBX)")(listen_command)
pbx.register(app)
app.add_typer(sim.app, name="sim", rich_help_panel="Simulator")


def _show_version(asked: bool) -> None:
    if asked:
        try:
            console.print(f"yspbx {version('yspbx')}")
        except PackageNotFoundError:
            console.print("yspbx (version unknown: not installed as a package)")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    pbx_url: Annotated[
        str | None,
        typer.Option(
            "--pbx",
            envvar="YSPBX_PBX_URL",
            help="the PBX's web address, e.g. https://192.168.5.150:8088 (sim: the simulator's)",
        ),
    ] = None,
    username: Annotated[
        str | None, typer.Option(envvar="YSPBX_PBX_USERNAME", help="the API user name")
    ] = None,
    password: Annotated[
        str | None, typer.Option(envvar="YSPBX_PBX_PASSWORD", help="the API password")
    ] = None,
    password_md5: Annotated[
        str | None,
        typer.Option(envvar="YSPBX_PBX_PASSWORD_MD5", help="the password's MD5, instead"),
    ] = None,
    insecure: Annotated[
        bool,
        typer.Option(
            "--insecure",
            envvar="YSPBX_PBX_INSECURE",
            help="do not verify the PBX's TLS certificate (its factory one is self-signed)",
        ),
    ] = False,
    ca_file: Annotated[
        Path | None,
        typer.Option(
            "--ca-file",
            envvar="YSPBX_PBX_CA_FILE",
            help="trust the PBX's TLS certificate in this PEM file (or the CA that signed it)",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option(envvar="YSPBX_PBX_TIMEOUT", help="seconds to wait for an answer")
    ] = 10.0,
    sim_token: Annotated[
        str | None,
        typer.Option(envvar="YSPBX_SIM_TOKEN", help="bearer token of the control plane"),
    ] = None,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="print the version and exit"
        ),
    ] = False,
) -> None:
    """Yeastar S-Series PBX API tools."""
    state = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
    state.pbx = pbx_url
    state.username = username
    state.password = password
    state.password_md5 = password_md5
    state.verify = not insecure
    state.ca_file = ca_file
    state.timeout = timeout
    state.sim_token = sim_token
    ctx.obj = state
