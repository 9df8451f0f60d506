"""``yspbx serve``: run the S-Series API in front of the simulated PBX."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from yspbx.settings import ConfigError, load_settings
from yspbx.store import StoreUrlError, check_store_url


def serve_command(
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML file merged over the default config")
    ] = None,
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on (0: any free port)")] = None,
    store: Annotated[
        str | None,
        typer.Option(help="memory://, sqlite:///PATH (default ./.yspbx/state.db) or redis://..."),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes")] = None,
    tls_cert: Annotated[
        Path | None, typer.Option("--tls-cert", help="certificate (PEM): serve HTTPS")
    ] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help="private key (PEM)")] = None,
    log_level: Annotated[str | None, typer.Option(help="debug, info, warning, error")] = None,
) -> None:
    """Run the PBX API server (prints 'yspbx listening on URL' once it accepts connections)."""
    from yspbx.server import serve

    overrides: dict[str, Any] = {}
    for key, value in (
        ("host", host),
        ("port", port),
        ("store", store),
        ("workers", workers),
        ("tls_cert", tls_cert),
        ("tls_key", tls_key),
        ("log_level", log_level),
    ):
        if value is not None:
            overrides[key] = value
    try:
        settings = load_settings(config, {"server": overrides} if overrides else None)
    except ConfigError as exc:
        typer.echo(f"yspbx: {exc}", err=True)
        raise typer.Exit(2) from None
    if (settings.server.tls_cert is None) != (settings.server.tls_key is None):
        typer.echo("yspbx: --tls-cert and --tls-key go together", err=True)
        raise typer.Exit(2)
    try:
        check_store_url(settings.server.store)
    except StoreUrlError as exc:
        typer.echo(f"yspbx: {exc}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(serve(settings))
