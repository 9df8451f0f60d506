"""``yspbx init``: write a commented starter configuration, a small PBX of one's own.

The starter (``yspbx/starter.toml``) starts from an empty PBX (``base = "empty"``), so editing
or deleting its tables never leaves a reference to the demo PBX's objects behind.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from yspbx.cli._common import console, fail


def starter_config_text() -> str:
    return resources.files("yspbx").joinpath("starter.toml").read_text(encoding="utf-8")


def init_command(
    path: Annotated[Path, typer.Argument(help="the file to write", show_default=True)] = Path(
        "yspbx.toml"
    ),
    force: Annotated[bool, typer.Option("--force", help="overwrite the file if it exists")] = False,
) -> None:
    """Write a commented starter config: three extensions, a trunk and its routes."""
    if path.exists() and not force:
        fail(f"{path} exists already; choose another file, or add --force to overwrite it", 2)
    try:
        path.write_text(starter_config_text(), encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    console.print(f"wrote {path}: edit it, then run: yspbx serve --config {path}", soft_wrap=True)
