"""Running the ``yspbx`` command line in process, through Typer's runner."""

from __future__ import annotations

import httpx
from typer.testing import CliRunner, Result

from yspbx.cli._common import CliState
from yspbx.cli.commands import app

runner = CliRunner()


def run(*args: str, state: CliState | None = None, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, list(args), obj=state, env=env)


def creds(url: str, password: str = "yspbx-demo") -> list[str]:
    """The connection options of the client verbs."""
    return ["--pbx", url, "--username", "api", "--password", password]


def bound(address: str) -> CliState:
    """Root options whose client requests come from ``address`` (each 127.0.0.x a host)."""
    return CliState(transport=httpx.HTTPTransport(local_address=address))
