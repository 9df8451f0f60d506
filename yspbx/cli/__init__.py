"""The ``yspbx`` console script.

The command line (Typer and Rich) is an extra: ``pip install yspbx`` is the SDK alone. So the
entry point imports the commands (:mod:`yspbx.cli.commands`) only when it runs, and a missing
extra is one line saying what to install, not a traceback.
"""

from __future__ import annotations

import sys

from yspbx._extras import MissingExtra, require


def main() -> None:
    try:
        require("cli", "the yspbx command line")
    except MissingExtra as exc:
        # Typer and Rich are what is missing, so nothing fancier than stderr can say so.
        print(f"yspbx: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    from yspbx.cli.commands import app

    app()
