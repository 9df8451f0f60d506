"""The registry of hosted PBXs: created, found, listed and removed by name.

Each hosted PBX is a :class:`~yspbx.services.Services` of its own (its settings, clock offset,
sessions, lockouts, journal and seat) on its own namespace of the store
(:meth:`yspbx.store.base.Store.namespace`), built beside the default PBX's services and sharing
the process-wide parts (the store's connection, the report sender, the place in the fleet).
Every hosted PBX has a port of its own (:mod:`.ports`) and the path prefix ``/pbx/<name>``.

The registry itself lives in the store, in the default PBX's documents (``hosted.pbx/<name>``:
the PBX's config text and port; ``hosted.version``: changed by every creation or removal), so a
PBX created at run time survives a restart, and every process sharing the store learns of it:
on demand (a request names a PBX it does not know) and by a check of ``hosted.version`` every
second (:data:`SYNC_INTERVAL`), which also stops serving PBXs another process removed.
Creation and removal run in the process that runs the engine (the control plane hands them
there, as every ``/sim/v1`` request), so a PBX's seat starts and stops where its engine runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from yspbx.hosting.ports import PortListeners
from yspbx.services import HOSTED_PREFIX, Services, ServicesHolder
from yspbx.settings import (
    PBX_NAME_PATTERN,
    ConfigError,
    HostedPbxSettings,
    Settings,
    load_pbx_settings,
)
from yspbx.store.base import StoreUnavailable

log = logging.getLogger(__name__)

PBX_KEY = f"{HOSTED_PREFIX}pbx/"
VERSION_KEY = f"{HOSTED_PREFIX}version"
# How often (wall-clock seconds) a process sharing the store checks for PBXs created or removed
# elsewhere.
SYNC_INTERVAL = 1.0
# How often (seconds) a request for an unknown PBX may make this process look in the store.
LOOK_INTERVAL = 0.05

_NAME = re.compile(PBX_NAME_PATTERN)


class PbxExists(Exception):
    """The name is taken (409)."""


class UnknownPbx(Exception):
    """No PBX by that name (404)."""


class PbxConfigInvalid(ValueError):
    """The name or the configuration is not one a PBX can have (400)."""


class PortUnavailable(Exception):
    """The port asked for cannot be had (409)."""


@dataclass
class HostedPbx:
    name: str
    services: Services
    # The TOML text it was created from (None: the packaged default PBX).
    config: str | None
    # The port it answers on in this process (None: it could not be had here).
    port: int | None
    # Which creation this is: a PBX removed and created again under its name is another.
    created: str = ""


BuildServices = Callable[[Settings, str], Services]


class PbxRegistry:
    def __init__(
        self,
        holder: ServicesHolder,
        build: BuildServices,
        listeners: PortListeners | None,
        on_removed: Callable[[str], None] = lambda name: None,
    ) -> None:
        """``build(settings, name)``: a hosted PBX's services (not started); ``listeners``
        opens the PBXs' ports (None: no ports, the prefix only); ``on_removed`` is told the
        name of each PBX this process stops serving."""
        self._holder = holder
        self._build = build
        self._listeners = listeners
        self._on_removed = on_removed
        self._pbxs: dict[str, HostedPbx] = {}
        # The PBX each hosted port serves: the app looks it up per request.
        self.by_port: dict[int, Services] = {}
        self._version: bytes | None = None
        self._last_look = 0.0
        self._lock = asyncio.Lock()
        self._sync_task: asyncio.Task[None] | None = None
        # A PBX without a config of its own shares these settings (built once).
        self._default_settings: Settings | None = None

    @property
    def _main(self) -> Services:
        return self._holder.default

    @property
    def _shared_store(self) -> bool:
        return bool(self._main.store.shareable)

    # -- reading -----------------------------------------------------------------------------

    def get(self, name: str) -> HostedPbx | None:
        return self._pbxs.get(name)

    async def find(self, name: str) -> HostedPbx | None:
        """The PBX ``name``; one another process created is loaded from the store."""
        hosted = self._pbxs.get(name)
        if hosted is None and self._shared_store and _NAME.match(name):
            # At most one look in the store per interval: requests for names nobody created
            # cost no store reads beyond that.
            now = time.monotonic()
            if now - self._last_look >= LOOK_INTERVAL:
                self._last_look = now
                await self.sync()
                hosted = self._pbxs.get(name)
        return hosted

    def listing(self) -> list[HostedPbx]:
        return sorted(self._pbxs.values(), key=lambda h: h.name)

    def describe(self, hosted: HostedPbx) -> dict[str, str | None]:
        """What the control plane answers for a PBX: its name, its own base URL, its prefix."""
        return {"name": hosted.name, "url": self.url(hosted.port), "prefix": f"/pbx/{hosted.name}"}

    def url(self, port: int | None) -> str | None:
        if port is None:
            return None
        server = self._main.settings.server
        scheme = "https" if server.tls_cert else "http"
        host = server.host
        if host in ("", "0.0.0.0", "::", "localhost"):
            host = "127.0.0.1"
        shown = f"[{host}]" if ":" in host else host
        return f"{scheme}://{shown}:{port}"

    # -- life cycle --------------------------------------------------------------------------

    async def start(self, declared: list[HostedPbxSettings]) -> None:
        """Serve the PBXs the store lists and those the settings declare (declared ones take
        their declared config, and are created when missing)."""
        async with self._lock:
            stored = await self._stored()
            for item in declared:
                config = _declared_config(item)
                before = stored.get(item.name, {}).get("port")
                port = item.port or (before if isinstance(before, int) else None)
                created = _created(stored.get(item.name)) or secrets.token_hex(8)
                stored[item.name] = {"config": config, "port": port, "created": created}
                await self._write(item.name, config, port, created)
            # A declared port must be had; a port chosen before is taken again when free.
            pinned = {d.name for d in declared if d.port}
            names = {d.name for d in declared}
            for name, doc in stored.items():
                if name in names:
                    await self._attach(name, doc, strict=name in pinned)
                    continue
                try:
                    await self._attach(name, doc, strict=False)
                except PbxConfigInvalid as exc:
                    # Created at run time by an older version, say: the others still start.
                    log.error("cannot serve PBX %s: %s", name, exc)
            self._version = await self._main.store.state.get(VERSION_KEY)
            await self._bump()
        if self._shared_store:
            self._sync_task = asyncio.create_task(self._sync_loop(), name="yspbx-pbx-sync")

    async def stop(self) -> None:
        if self._sync_task is not None:
            self._sync_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sync_task
            self._sync_task = None
        async with self._lock:
            for name in list(self._pbxs):
                await self._detach(name)

    # -- changes -----------------------------------------------------------------------------

    async def create(
        self, name: str | None = None, config: str | None = None, port: int | None = None
    ) -> HostedPbx:
        """Build, start and list a new PBX; its port is chosen free unless given."""
        if name is None:
            name = f"pbx-{secrets.token_hex(4)}"
        if not _NAME.match(name):
            raise PbxConfigInvalid(
                f"{name!r} is not a PBX name: lowercase letters, digits, '-' and '_', "
                "starting with a letter or digit, at most 63 characters"
            )
        async with self._lock:
            if name in self._pbxs or (
                self._shared_store and await self._main.store.state.get(PBX_KEY + name)
            ):
                raise PbxExists(f"a PBX named {name!r} exists")
            doc: dict[str, object] = {
                "config": config,
                "port": port,
                "created": secrets.token_hex(8),
            }
            hosted = await self._attach(name, doc, strict=True)
            await self._write(name, config, hosted.port, hosted.created)
            await self._bump()
        return hosted

    async def remove(self, name: str) -> None:
        """Stop the PBX, close its port and forget everything it stored."""
        async with self._lock:
            if name not in self._pbxs:
                if not (self._shared_store and await self._main.store.state.get(PBX_KEY + name)):
                    raise UnknownPbx(f"no PBX named {name!r}")
            else:
                await self._detach(name)
            await self._main.store.forget_namespace(name)
            await self._main.store.state.delete(PBX_KEY + name)
            await self._bump()

    async def sync(self, *, force: bool = False) -> None:
        """Serve what the store lists now: PBXs another process created or removed."""
        async with self._lock:
            version = await self._main.store.state.get(VERSION_KEY)
            if version == self._version and not force:
                return
            stored = await self._stored()
            for name in [n for n in self._pbxs if _created(stored.get(n)) != self._pbxs[n].created]:
                await self._detach(name)
            for name, doc in stored.items():
                if name not in self._pbxs:
                    try:
                        await self._attach(name, doc, strict=False)
                    except (PbxConfigInvalid, PortUnavailable) as exc:
                        log.error("cannot serve PBX %s: %s", name, exc)
            self._version = version

    # -- inside ------------------------------------------------------------------------------

    def _settings_for(self, name: str, config: str | None) -> Settings:
        main = self._main.settings
        try:
            if config is None:
                if self._default_settings is None:
                    self._default_settings = load_pbx_settings(main)
                return self._default_settings
            return load_pbx_settings(main, text=config, origin=f"the config of PBX {name}")
        except ConfigError as exc:
            raise PbxConfigInvalid(str(exc)) from None

    async def _attach(self, name: str, doc: dict[str, object], *, strict: bool) -> HostedPbx:
        """Start serving a PBX in this process. ``strict``: a port that cannot be had is an
        error (else the PBX is served under its prefix only, and the log says why)."""
        raw_config = doc.get("config")
        config = raw_config if isinstance(raw_config, str) else None
        raw_port = doc.get("port")
        wanted = raw_port if isinstance(raw_port, int) and not isinstance(raw_port, bool) else None
        services = self._build(self._settings_for(name, config), name)
        try:
            await services.start()
        except BaseException:
            await services.stop()
            raise
        port: int | None = None
        if self._listeners is not None:
            try:
                port = await self._listeners.open(wanted, shared=self._shared_store)
            except OSError as exc:
                if strict:
                    await services.stop()
                    raise PortUnavailable(f"port {wanted} cannot be had: {exc.strerror}") from None
                log.warning("PBX %s: port %s cannot be had here: %s", name, wanted, exc)
        hosted = HostedPbx(name, services, config, port, _created(doc))
        self._pbxs[name] = hosted
        if port is not None:
            self.by_port[port] = services
        return hosted

    async def _detach(self, name: str) -> None:
        hosted = self._pbxs.pop(name)
        if hosted.port is not None:
            self.by_port.pop(hosted.port, None)
            if self._listeners is not None:
                await self._listeners.close(hosted.port)
        try:
            await hosted.services.stop()
        finally:
            self._on_removed(name)

    async def _stored(self) -> dict[str, dict[str, object]]:
        found: dict[str, dict[str, object]] = {}
        for key, value in await self._main.store.state.scan(PBX_KEY):
            try:
                doc = json.loads(value)
            except ValueError:
                log.error("ignoring an unreadable hosted PBX entry %r", key)
                continue
            if isinstance(doc, dict):
                found[key[len(PBX_KEY) :]] = doc
        return found

    async def _write(self, name: str, config: str | None, port: int | None, created: str) -> None:
        doc = json.dumps({"config": config, "port": port, "created": created}).encode()
        await self._main.store.state.put(PBX_KEY + name, doc)

    async def _bump(self) -> None:
        version = secrets.token_hex(8).encode()
        await self._main.store.state.put(VERSION_KEY, version)
        self._version = version

    async def _sync_loop(self) -> None:
        while True:
            await asyncio.sleep(SYNC_INTERVAL)
            try:
                await self.sync()
            except StoreUnavailable as exc:
                log.warning("hosted PBXs not checked: %s", exc)
            except Exception:
                log.exception("hosted PBXs not checked")


def _declared_config(item: HostedPbxSettings) -> str | None:
    if item.inline is not None:
        return item.inline
    if item.config is not None:
        try:
            return Path(item.config).read_text(encoding="utf-8")
        except OSError as exc:
            raise PbxConfigInvalid(
                f"PBX {item.name}: cannot read {item.config}: {exc.strerror}"
            ) from None
    return None


def _created(doc: dict[str, object] | None) -> str:
    value = None if doc is None else doc.get("created")
    return value if isinstance(value, str) else ""
