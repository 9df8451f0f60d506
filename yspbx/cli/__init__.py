"""The ``yspbx`` command: serve the PBX, listen for reports, drive a PBX or the simulator."""

from __future__ import annotations

import typer

from yspbx.cli.serve import serve_command

app = typer.Typer(
    name="yspbx",
    help="Yeastar S-Series PBX API: a simulated PBX server, its control plane, and a client.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("serve")(serve_command)


@app.callback()
def _root() -> None:
    """Yeastar S-Series PBX API tools."""


def main() -> None:
    app()
