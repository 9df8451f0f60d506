"""``yspbx serve``: run the S-Series API in front of the simulated PBX.

Everything that can be wrong before the server starts (the config, the TLS files, the store's
URL, a missing ``server`` extra) is said in one line on stderr, with exit status 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from yspbx._extras import MissingExtra, require

if TYPE_CHECKING:
    from yspbx.settings import Settings


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
    pbx: Annotated[
        list[str] | None,
        typer.Option(
            "--pbx",
            help="host one more PBX: NAME=config.toml (repeatable; NAME alone: the default PBX)",
        ),
    ] = None,
) -> None:
    """Run the PBX API server (prints 'yspbx listening on URL' once it accepts connections)."""
    try:
        require("server", "yspbx serve")
    except MissingExtra as exc:
        typer.echo(f"yspbx: {exc}", err=True)
        raise typer.Exit(2) from None
    from yspbx.server import serve
    from yspbx.settings import ConfigError, load_settings
    from yspbx.store import StoreUrlError, check_store_url
    from yspbx.tls import TlsFileError, check_tls_files

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
    try:
        settings = _with_hosted(settings, pbx or [])
    except ConfigError as exc:
        typer.echo(f"yspbx: {exc}", err=True)
        raise typer.Exit(2) from None
    cert_file, key_file = settings.server.tls_cert, settings.server.tls_key
    if (cert_file is None) != (key_file is None):
        typer.echo(
            "yspbx: --tls-cert and --tls-key go together: give the certificate and its key",
            err=True,
        )
        raise typer.Exit(2)
    if cert_file is not None and key_file is not None:
        try:
            check_tls_files(cert_file, key_file)
        except TlsFileError as exc:
            typer.echo(f"yspbx: {exc}", err=True)
            raise typer.Exit(2) from None
    try:
        check_store_url(settings.server.store)
    except StoreUrlError as exc:
        typer.echo(f"yspbx: {exc}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(serve(settings))


def _with_hosted(settings: Settings, given: list[str]) -> Settings:
    """The settings with the ``--pbx`` PBXs added to ``[[pbxs]]``, every hosted PBX's config
    checked now (a bad one stops the server before it starts) and no name twice."""
    from yspbx.settings import ConfigError, HostedPbxSettings, load_pbx_settings

    hosted = list(settings.pbxs)
    for option in given:
        name, _, path = option.partition("=")
        try:
            hosted.append(HostedPbxSettings(name=name, config=Path(path) if path else None))
        except ValueError:
            raise ConfigError(
                f"--pbx {option}: give NAME=config.toml, NAME in lowercase letters, digits, "
                "'-' and '_'"
            ) from None
    names = [h.name for h in hosted]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"PBX {name!r} is declared twice")
    for item in hosted:
        if item.config is not None and item.inline is None:
            load_pbx_settings(settings, item.config)
        elif item.inline is not None:
            load_pbx_settings(
                settings, text=item.inline, origin=f"the inline config of {item.name}"
            )
    return settings.model_copy(update={"pbxs": hosted})
