"""Configuration: the packaged default TOML, the user's TOML on top, environment variables last.

Every key can be overridden by ``YSPBX_<SECTION>_<KEY>`` (``YSPBX_API_PASSWORD``); list-valued
keys take JSON (``YSPBX_API_ALLOWED_IPS='["10.0.0.0/8"]'``). The user's file is merged into the
default one table by table, so a three-line file that only changes the password keeps the
default PBX; an array (``[[extensions]]``, ``allowed_hosts``) in the user's file replaces the
default array as a whole. Reading happens once, in :func:`load_settings`, never at import.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Collection, Mapping
from contextvars import ContextVar
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from yspbx.pbx.models import (
    Device,
    Extension,
    ExtensionGroup,
    InboundRoute,
    Ivr,
    OutboundRoute,
    PagingGroup,
    Queue,
    RingGroup,
    Trunk,
)

ENV_PREFIX = "YSPBX_"
DEFAULT_STORE = "sqlite:///./.yspbx/state.db"


class ConfigError(Exception):
    """A configuration problem, phrased for the person who wrote the file."""


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

    @field_validator("allowed_ips", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [ipaddress.ip_network(str(v), strict=False) for v in value]
        return value


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8088, ge=0, le=65535)
    store: str = DEFAULT_STORE
    # Every Redis key starts with it: several PBXs (or test runs) can share one Redis.
    store_prefix: str = Field("yspbx:", min_length=1, max_length=64)
    # Every Redis call (and a lease renewal) gives up after this long: StoreUnavailable.
    store_timeout: float = Field(2.0, gt=0, le=60)
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


class ReportSettings(_Section):
    allowed_hosts: list[str] = []
    timeout: float = Field(5.0, gt=0)
    retry_initial: float = Field(1.0, gt=0)
    retry_factor: float = Field(2.0, ge=1)
    retry_max: float = Field(60.0, gt=0)
    refused_attempts: int = Field(5, ge=1)
    concurrency: int = Field(32, ge=1)
    history: int = Field(10000, ge=100)
    keepalive: bool = False


class SimSettings(_Section):
    enabled: bool = True
    token: SecretStr | None = None
    journal_size: int = Field(10000, ge=10)


class CallSettings(_Section):
    ring_timeout: float = Field(30, gt=0)
    inbound_control_window: float = Field(10, gt=0)
    prompt_seconds: float = Field(5, gt=0)
    sms_seconds: float = Field(3, gt=0)
    survey_seconds: float = Field(10, gt=0)


class Settings(BaseSettings):
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
    calls: CallSettings = CallSettings()
    device: Device = Device()
    prompts: list[str] = []
    extensions: list[Extension] = []
    extensiongroups: list[ExtensionGroup] = []
    trunks: list[Trunk] = []
    inroutes: list[InboundRoute] = []
    outroutes: list[OutboundRoute] = []
    ivrs: list[Ivr] = []
    queues: list[Queue] = []
    ringgroups: list[RingGroup] = []
    paginggroups: list[PagingGroup] = []

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


def _describe(error: Mapping[str, Any], origin: str) -> str:
    key = ".".join(str(part) for part in error["loc"])
    top = [str(part) for part in error["loc"][:2]]
    env_name = (ENV_PREFIX + "_".join(top)).upper()
    source = f"environment variable {env_name}" if env_name in os.environ else origin
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    return f"{source}: {key}: {message}"


def load_settings(
    path: Path | str | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Build the settings from the default config, ``path``, the environment and ``overrides``.

    ``overrides`` are what command-line flags set (``{"server": {"port": 9000}}``); they win
    over everything else.
    """
    data = _read_toml(default_config_text(), "the packaged default config")
    origin = "the packaged default config"
    if path is not None:
        origin = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"config error in {origin}: cannot read it: {exc.strerror}") from None
        data = _merge(data, _read_toml(text, origin))
    token = _toml_data.set(data)
    try:
        settings = Settings(**(overrides or {}))
    except ValidationError as exc:
        lines = [_describe(err, origin) for err in exc.errors()]
        raise ConfigError("config error in " + "; ".join(lines)) from None
    finally:
        _toml_data.reset(token)
    _check_references(settings, origin)
    return settings


def _check_references(settings: Settings, origin: str) -> None:
    """Refuse a PBX whose objects point at things that do not exist or collide."""

    def fail(key: str, message: str) -> None:
        raise ConfigError(f"config error in {origin}: {key}: {message}")

    numbers: dict[str, str] = {}
    numbered: list[tuple[str, list[str]]] = [
        ("extensions", [e.number for e in settings.extensions]),
        ("ivrs", [i.number for i in settings.ivrs]),
        ("queues", [q.number for q in settings.queues]),
        ("ringgroups", [r.number for r in settings.ringgroups]),
        ("paginggroups", [g.number for g in settings.paginggroups]),
    ]
    for kind, kind_numbers in numbered:
        for index, number in enumerate(kind_numbers):
            if not number.isdigit():
                fail(f"{kind}[{index}].number", f"{number!r} is not a number")
            if number in numbers:
                fail(f"{kind}[{index}].number", f"{number} is already used by {numbers[number]}")
            numbers[number] = f"{kind}[{index}]"
    named: list[tuple[str, list[str]]] = [
        ("trunks", [t.name for t in settings.trunks]),
        ("inroutes", [r.name for r in settings.inroutes]),
        ("outroutes", [r.name for r in settings.outroutes]),
        ("extensiongroups", [g.name for g in settings.extensiongroups]),
    ]
    for kind, names in named:
        for index, name in enumerate(names):
            if names.index(name) != index:
                fail(f"{kind}[{index}].name", f"{name!r} is used twice")
    with_ids: list[tuple[str, list[int]]] = [
        ("trunks", [t.id for t in settings.trunks]),
        ("inroutes", [r.id for r in settings.inroutes]),
        ("outroutes", [r.id for r in settings.outroutes]),
        ("paginggroups", [g.id for g in settings.paginggroups]),
    ]
    for kind, ids in with_ids:
        for index, object_id in enumerate(ids):
            if object_id < 0 or (object_id and ids.index(object_id) != index):
                fail(f"{kind}[{index}].id", f"{object_id} is negative or used twice")
    trunk_names, group_names = named[0][1], named[3][1]
    extensions = {e.number for e in settings.extensions}
    trunk, extension, group = "no trunk named {!r}", "no extension {}", "no extension group {!r}"
    # (where, the lists of names it refers to, the names that exist, how to say one is missing)
    references: list[tuple[str, list[list[str]], Collection[str], str]] = [
        ("inroutes[{}].trunks", [r.trunks for r in settings.inroutes], trunk_names, trunk),
        ("outroutes[{}].trunks", [r.trunks for r in settings.outroutes], trunk_names, trunk),
        ("queues[{}].agents", [q.agents for q in settings.queues], extensions, extension),
        ("ringgroups[{}].members", [g.members for g in settings.ringgroups], extensions, extension),
        (
            "extensiongroups[{}].members",
            [g.members for g in settings.extensiongroups],
            extensions,
            extension,
        ),
        (
            "paginggroups[{}].allowexten",
            [g.allowexten for g in settings.paginggroups],
            extensions,
            extension,
        ),
        (
            "paginggroups[{}].allowextengroup",
            [g.allowextengroup for g in settings.paginggroups],
            group_names,
            group,
        ),
        (
            "outroutes[{}].extensions",
            [r.extensions for r in settings.outroutes],
            extensions,
            extension,
        ),
        (
            "outroutes[{}].extensionsgroup",
            [r.extensionsgroup for r in settings.outroutes],
            group_names,
            group,
        ),
    ]
    for where, lists, known, missing in references:
        for index, names in enumerate(lists):
            for name in names:
                if name not in known:
                    fail(where.format(index), missing.format(name))
