"""Configuration: the packaged default TOML, the user's TOML on top, environment variables last.

Every key can be overridden by ``YSPBX_<SECTION>_<KEY>`` (``YSPBX_API_PASSWORD``); list-valued
keys take JSON (``YSPBX_API_ALLOWED_IPS='["10.0.0.0/8"]'``). The user's file is merged into the
default one table by table, so a three-line file that only changes the password keeps the
default PBX; an array (``[[extensions]]``, ``allowed_hosts``) in the user's file replaces the
default array as a whole. A file whose top line is ``base = "empty"`` starts from a PBX without
objects instead, so it lists only its own extensions, trunks and routes. Reading happens once,
in :func:`load_settings`, never at import; :mod:`yspbx.config_check` checks the result as a
whole and phrases every error.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from yspbx.config_check import (
    ENV_PREFIX,
    ConfigError,
    check_references,
    check_unique,
    describe,
)
from yspbx.object_tables import PBX_TABLES
from yspbx.pbx.settings import PbxSettings

DEFAULT_STORE = "sqlite:///./.yspbx/state.db"
# What a user's file starts from (its top-level ``base`` key): the packaged default PBX's
# objects, or none of them.
BASES = ("default", "empty")

__all__ = [
    "BASES",
    "ENV_PREFIX",
    "PBX_NAME_PATTERN",
    "ConfigError",
    "HostedPbxSettings",
    "Settings",
    "load_pbx_settings",
    "load_settings",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApiSettings(_Section):
    username: str = "api"
    password: SecretStr = SecretStr("yspbx-demo")
    token_ttl: float = Field(1800, gt=0)
    token_refresh_interval: float = Field(1.0, ge=0)
    lockout_threshold: int = Field(5, ge=1)
    lockout_seconds: float = Field(600, gt=0)
    allowed_ips: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    trust_proxy: bool = False
    max_body_bytes: int = Field(65536, ge=1024)
    # Live sessions at once: in all, and per client IP (a login beyond either answers 20010).
    max_sessions: int = Field(1000, ge=1)
    max_sessions_per_ip: int = Field(500, ge=1)

    @field_validator("allowed_ips", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [canonical_network(str(v)) for v in value]
        return value


def canonical_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A network of ``api.allowed_ips``; an IPv4-mapped IPv6 one (``::ffff:10.0.0.0/104``) as
    the IPv4 network it spells, since client addresses are compared in IPv4 spelling."""
    network = ipaddress.ip_network(text, strict=False)
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96:
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:
            return ipaddress.IPv4Network((mapped, network.prefixlen - 96))
    return network


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8088, ge=0, le=65535)
    store: str = DEFAULT_STORE
    # Every Redis key starts with it: several PBXs (or test runs) can share one Redis.
    store_prefix: str = Field("yspbx:", min_length=1, max_length=64)
    # Every Redis call (and a lease renewal), and a SQLite statement waiting for a file another
    # program locked, gives up after this long: StoreUnavailable.
    store_timeout: float = Field(2.0, gt=0, le=60)
    # SQLite's ``synchronous`` level (WAL mode): "normal" (default) survives a crash or kill of
    # yspbx; "full" also survives a crash of the machine or a power loss, at an fsync per
    # commit. docs/deploy.md, "Durability".
    store_sync: Literal["normal", "full"] = "normal"
    workers: int = Field(1, ge=1, le=64)
    # The engine lease: a process that dies holding it is replaced after at most this long.
    engine_lease: float = Field(3.0, ge=0.3, le=300)
    # A request handed to the engine's process waits at most this long (failover included).
    engine_timeout: float = Field(10.0, gt=0, le=300)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    log_level: str = "info"
    # httptools is fast but writes header names in lowercase; h11 keeps the PBX's casing.
    http: Literal["httptools", "h11"] = "httptools"
    # Connection limits (yspbx/http_guard.py, docs/deploy.md "Security"), per process.
    head_timeout: float = Field(10.0, gt=0, le=3600)
    body_timeout: float = Field(10.0, gt=0, le=3600)
    keepalive_timeout: float = Field(5.0, gt=0, le=3600)
    max_connections: int = Field(1000, ge=1)
    max_head_bytes: int = Field(32768, ge=1024, le=16 * 1024 * 1024)


class ReportSettings(_Section):
    allowed_hosts: list[str] = []
    timeout: float = Field(5.0, gt=0)
    retry_initial: float = Field(1.0, gt=0)
    retry_factor: float = Field(2.0, ge=1)
    retry_max: float = Field(60.0, gt=0)
    refused_attempts: int = Field(5, ge=1)
    concurrency: int = Field(32, ge=1)
    history: int = Field(10000, ge=100)
    # Undelivered reports kept per session; beyond it the oldest are dropped (and counted).
    max_pending: int = Field(1000, ge=1)
    keepalive: bool = False
    # The PBX's report method (2.0.0 login answers it): HTTP posts, or the TCP event stream.
    transport: Literal["http", "tcp"] = "http"
    # Where application servers connect for TCP events; 0: no TCP event listener.
    tcp_port: int = Field(0, ge=0, le=65535)
    tcp_host: str = ""


class SimSettings(_Section):
    enabled: bool = True
    token: SecretStr | None = None
    # Host names (beyond loopback and server.host) under which the control plane answers.
    allowed_hosts: list[str] = []
    journal_size: int = Field(10000, ge=10)


# A hosted PBX's name: what it is reached by (``/pbx/<name>/...``) and what its data is keyed by.
PBX_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class HostedPbxSettings(_Section):
    """One PBX of ``[[pbxs]]``: hosted beside the default PBX from the start."""

    name: str = Field(pattern=PBX_NAME_PATTERN)
    # Its configuration: a TOML file (relative to the file that declares it), or the TOML text
    # itself; neither: the packaged default PBX.
    config: Path | None = None
    inline: str | None = None
    # Its own port (0 or none: a free one is chosen).
    port: int | None = Field(None, ge=0, le=65535)


class Settings(PbxSettings, BaseSettings):
    """The server's sections, and the PBX's (:class:`~yspbx.pbx.settings.PbxSettings`) at the
    file's top level: the engine is handed this object as its slice."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="forbid",
    )

    api: ApiSettings = ApiSettings()
    server: ServerSettings = ServerSettings()
    reports: ReportSettings = ReportSettings()
    sim: SimSettings = SimSettings()
    pbxs: list[HostedPbxSettings] = []

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Highest first: command-line flags (init kwargs), the environment, then the TOML.
        return (init_settings, env_settings, _TomlSource(settings_cls))


_toml_data: ContextVar[dict[str, Any] | None] = ContextVar("yspbx_toml_data", default=None)


class _TomlSource(PydanticBaseSettingsSource):
    """Hands pydantic-settings the TOML that :func:`load_settings` merged and is loading."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return (_toml_data.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_toml_data.get() or {})


def default_config_text() -> str:
    return resources.files("yspbx").joinpath("default.toml").read_text(encoding="utf-8")


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_toml(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config error in {origin}: not valid TOML: {exc}") from None


def _user_file(path: Path | str) -> tuple[dict[str, Any], str]:
    """The user's TOML, less ``base``, and which base it starts from."""
    origin = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"config error in {origin}: cannot read it: {exc.strerror}") from None
    data, base = _user_text(text, origin)
    for hosted in data.get("pbxs") or []:
        # A hosted PBX's file is found beside the file that names it.
        if isinstance(hosted, dict) and isinstance(hosted.get("config"), str):
            hosted["config"] = str(Path(path).parent / hosted["config"])
    return data, base


def _user_text(text: str, origin: str) -> tuple[dict[str, Any], str]:
    data = _read_toml(text, origin)
    base = data.pop("base", "default")
    if base not in BASES:
        raise ConfigError(
            f'config error in {origin}: base: {base!r} is not a base; use "default" (the '
            'packaged demo PBX\'s objects, which your tables replace one by one) or "empty" '
            "(no PBX objects but the ones your file lists)"
        )
    return data, base


def load_settings(
    path: Path | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    text: str | None = None,
    origin: str = "",
) -> Settings:
    """Build the settings from the default config, ``path``, the environment and ``overrides``.

    ``overrides`` are what command-line flags set (``{"server": {"port": 9000}}``); they win
    over everything else. A file with ``base = "empty"`` starts from a PBX without objects: the
    default's settings sections and prompts, none of its extensions, trunks, routes and so on.
    """
    data = _read_toml(default_config_text(), "the packaged default config")
    origin = "the packaged default config"
    given: set[str] = set()
    if path is not None or text is not None:
        if path is not None:
            origin = str(path)
            user, base = _user_file(path)
        else:
            assert text is not None
            user, base = _user_text(text, origin or "the given config")
            origin = origin or "the given config"
        if base == "empty":
            data = {key: value for key, value in data.items() if key not in PBX_TABLES}
        given = set(user)
        data = _merge(data, user)
    given |= {t for t in PBX_TABLES if (ENV_PREFIX + t).upper() in os.environ}
    given |= set(overrides or {})
    token = _toml_data.set(data)
    try:
        settings = Settings(**(overrides or {}))
    except ValidationError as exc:
        lines = [describe(err, origin, Settings) for err in exc.errors()]
        raise ConfigError("config error in " + "; ".join(lines)) from None
    finally:
        _toml_data.reset(token)
    from_default = {t for t in PBX_TABLES if t in data and t not in given}
    check_unique(settings, origin, from_default)
    check_references(settings, origin, given & set(PBX_TABLES), from_default)
    return settings


def load_pbx_settings(
    main: Settings, path: Path | str | None = None, text: str | None = None, origin: str = ""
) -> Settings:
    """A hosted PBX's settings: its own file or text over the packaged default (the PBX, its
    ``api``, ``reports`` and ``sim`` sections), with the server's section the main settings'
    (one process, one store, one host)."""
    return load_settings(
        path, {"server": main.server, "pbxs": []}, text=text, origin=origin or "the PBX's config"
    )
