"""The simulated PBX's objects and how they change: the tables, loaded from the config file,
with the API's changes laid over them and written to the state store after each change.

:class:`ConfigTables` is the mechanics every kind of object shares: loading in the PBX's order,
id assignment, validated in-place changes, persistence. What the PBX does with its
objects (the configuration operations, registration, queue agents) is
:class:`~yspbx.pbx.simulated.config.SimulatedConfig`, built on it.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import fields, replace
from typing import Any, TypeVar

from yspbx.errors import Errno, PbxError
from yspbx.pbx.config_ops import Changes, Selection
from yspbx.pbx.models import (
    Conference,
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
from yspbx.pbx.settings import PbxSettings
from yspbx.pbx.simulated import kinds, persistence
from yspbx.pbx.simulated.kinds import Kind
from yspbx.pbx.simulated.queue_agents import QueueAgents
from yspbx.store.base import StateStore

log = logging.getLogger(__name__)

T = TypeVar("T")
# A kind's rules: (tables, object after the change, object before or None, fields set).
Check = Callable[["ConfigTables", Any, Any, Collection[str]], None]
# What follows a new key: (tables, old key, new key).
Rename = Callable[["ConfigTables", str, str], None]

# A trunk whose config gives no status starts in its type's healthy state.
_HEALTHY_TRUNK = {"SIP": "Registered", "IAX": "Registered", "BRI": "Up", "E1": "Up", "T1": "Up"}
_HEALTHY_TRUNK["J1"] = "Up"


def no_rename(tables: ConfigTables, old: str, new: str) -> None:
    return None


def _as_filed(obj: Any) -> Any:
    """A file's object as the PBX holds it: a trunk without a status gets its type's healthy
    one, an object without an id is copied to be given one (the settings stay untouched)."""
    needs_status = isinstance(obj, Trunk) and not obj.status
    has_id = bool(getattr(obj, "id", True))
    if not needs_status and has_id:
        return obj
    obj = copy.deepcopy(obj)
    if needs_status:
        obj.status = _HEALTHY_TRUNK.get(obj.type, "Idle")
    return obj


class ConfigTables:
    def __init__(self, settings: PbxSettings, state: StateStore) -> None:
        self._settings = settings
        self._state = state
        self._lock = asyncio.Lock()
        # Grows with every change to the objects (answers built from them can be cached).
        self._revision = 0
        self._pristine: dict[str, dict[str, Any]] = {}
        # The file's objects as stored documents, to tell what the API changed.
        self._pristine_docs: dict[str, dict[str, persistence.Document]] = {}
        self._next_ids: dict[str, int] = {}
        # The stored document as this process last read or wrote it (None: nothing stored).
        self._seen: bytes | None = None
        self.queue_agents = QueueAgents()
        self.extensions: dict[str, Extension] = {}
        self.extensiongroups: dict[str, ExtensionGroup] = {}
        self.trunks: dict[str, Trunk] = {}
        self.inroutes: dict[str, InboundRoute] = {}
        self.outroutes: dict[str, OutboundRoute] = {}
        self.ivrs: dict[str, Ivr] = {}
        self.queues: dict[str, Queue] = {}
        self.ringgroups: dict[str, RingGroup] = {}
        self.paginggroups: dict[str, PagingGroup] = {}
        self.conferences: dict[str, Conference] = {}
        self.prompts: list[str] = []
        self.load_defaults()

    # Loading and persistence.

    def load_defaults(self) -> None:
        """Take the configuration file's objects (a fresh copy: API changes never leak back)."""
        self._load_file()

    def _load_file(self) -> None:
        # The file's objects stay as the settings hold them (read, never changed: every live
        # object is a copy), so a new seat copies the configuration once, not three times.
        s = self._settings
        for kind in kinds.ALL_KINDS:
            filed = [_as_filed(obj) for obj in getattr(s, kind.table)]
            self._pristine[kind.table] = dict(kinds.arrange(kind, filed))
            self._pristine_docs[kind.table] = {
                key: persistence.document(obj) for key, obj in self._pristine[kind.table].items()
            }
            self._fill(kind, copy.deepcopy(list(self._pristine[kind.table].values())))
        self.prompts[:] = s.prompts
        self._next_ids = {
            kind.table: max((o.id for o in self._pristine[kind.table].values()), default=0) + 1
            for kind in kinds.ALL_KINDS
            if kind.has_id
        }
        self.queue_agents.clear()

    async def start(self) -> None:
        """Lay the changes kept in the store over the file's objects."""
        raw = await self._state.get(persistence.CONFIG_KEY)
        self._seen = raw
        if raw is not None:
            self._restore(persistence.decode(raw))

    def _reload(self, raw: bytes | None) -> None:
        """The file's objects with the stored changes ``raw``, keeping the phones' registration
        (runtime state, not configuration)."""
        registered = {number: e.registered for number, e in self.extensions.items()}
        self._load_file()
        self._seen = raw
        if raw is not None:
            self._restore(persistence.decode(raw))
        for number, extension in self.extensions.items():
            extension.registered = registered.get(number, extension.registered)

    def _restore(self, stored: persistence.Stored) -> None:
        for kind in kinds.ALL_KINDS:
            changes = stored.overlay.get(kind.table)
            if changes:
                pristine = copy.deepcopy(self._pristine[kind.table])
                self._fill(kind, persistence.overlay_objects(kind, pristine, changes))
        for table, next_id in stored.next_ids.items():
            if table in self._next_ids:
                self._next_ids[table] = max(self._next_ids[table], next_id)
        self.queue_agents.load_json(stored.queue_agents, set(self.queues), set(self.extensions))

    async def _save(self) -> None:
        """Store the state; if the store fails, fall back to what it last kept, and fail."""
        overlay = {}
        for kind in kinds.ALL_KINDS:
            changes = persistence.diff(kind, self._table(kind), self._pristine_docs[kind.table])
            if changes:
                overlay[kind.table] = changes
        self._revision += 1
        stored = persistence.Stored(overlay, dict(self._next_ids), self.queue_agents.to_json())
        encoded = persistence.encode(stored)
        try:
            await self._state.put(persistence.CONFIG_KEY, encoded)
            self._seen = encoded
        except Exception:
            log.exception("could not store a configuration change; restoring the stored state")
            self._reload(self._seen)
            raise

    # The tables.

    def _table(self, kind: Kind) -> dict[str, Any]:
        table: dict[str, Any] = getattr(self, kind.table)
        return table

    def _fill(self, kind: Kind, objects: list[Any]) -> None:
        """Put ``objects`` in the kind's dict, in place, in the PBX's order."""
        self._revision += 1
        table = self._table(kind)
        ordered = kinds.arrange(kind, objects)
        table.clear()
        table.update(ordered)

    def _next_id(self, kind: Kind) -> int:
        in_use = max((o.id for o in self._table(kind).values()), default=0)
        next_id = max(self._next_ids.get(kind.table, 1), in_use + 1)
        self._next_ids[kind.table] = next_id + 1
        return next_id

    def number_owner(self, number: str) -> str | None:
        """What uses ``number`` in the dial plan (``"extension 1000"``), or None."""
        for kind in kinds.NUMBERED_KINDS:
            if number in self._table(kind):
                return f"{kind.table.rstrip('s')} {number}"
        return None

    def _change(
        self, kind: Kind, obj: Any, changes: Changes, check: Check, rename: Rename = no_rename
    ) -> None:
        """Validate ``changes`` on a copy, then apply them to ``obj`` itself (in place)."""
        candidate = replace(obj, **changes)
        check(self, candidate, obj, frozenset(changes))
        old_key, new_key = kind.key_of(obj), kind.key_of(candidate)
        for f in fields(obj):
            setattr(obj, f.name, getattr(candidate, f.name))
        if new_key != old_key:
            rename(self, old_key, new_key)
            self._fill(kind, list(self._table(kind).values()))

    def _add(self, kind: Kind, blank: Any, given: Changes, check: Check) -> Any:
        """A new object: ``blank`` with the ``given`` fields, every field checked."""
        obj = replace(blank, **given)
        check(self, obj, None, frozenset(f.name for f in fields(obj)))
        if kind.has_id:
            obj.id = self._next_id(kind)
        table = self._table(kind)
        table[kind.key_of(obj)] = obj
        self._fill(kind, list(table.values()))
        return obj

    def extension_numbers(self, numbers: Iterable[str]) -> list[str]:
        """The numbers asked for, blanks dropped, each once, in order: ``10004`` when none is
        left, ``10006`` for one the PBX does not have."""
        wanted = _unique(n.strip() for n in numbers if n.strip())
        if not wanted:
            raise PbxError(Errno.MISSING_PARAMETER, "extid")
        self._pick(self.extensions, wanted, Errno.EXTENSION_NOT_FOUND)
        return wanted

    @staticmethod
    def _pick(table: dict[str, T], keys: Selection, errno: Errno) -> list[T]:
        """The named objects in the order asked (each once), or all; ``errno`` for a stranger."""
        if keys is None:
            return list(table.values())
        picked = []
        for key in _unique(keys):
            obj = table.get(key)
            if obj is None:
                raise PbxError(errno, key)
            picked.append(obj)
        return picked


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
