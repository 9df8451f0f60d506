"""How the simulated PBX keeps API changes in the state store.

Layout (keys of the :class:`~yspbx.store.base.StateStore`):

``pbx.config``
    One JSON document holding what the API changed relative to the config file::

        {"format": 1,
         "objects": {"<table>": {"<key>": {<fields>} | null, ...}, ...},
         "next_ids": {"<table>": <int>, ...},
         "queue_agents": {"<queue>": {"dynamic": [...], "paused": [...]}, ...}}

    ``objects`` lists, per table (``extensions``, ``trunks``, ``inroutes``...), every object
    whose fields differ from the file's, every object the API added (its whole field set), and
    ``null`` for every file object that is gone (deleted, or renamed: the new key appears
    beside it). ``next_ids`` is the next id to assign per id-carrying table, so an id is never
    handed out twice, even after a restart. ``queue_agents`` holds the dynamic agents and
    pauses of each queue (:mod:`yspbx.pbx.simulated.queue_agents`). Fields are the model's;
    the runtime-only ``registered`` flag is not stored (phones register again after a
    restart).

The document is computed from the whole state after each change and written with one ``put``,
so a change that touches several objects (a rename updates every reference) is stored all or
nothing. At start the file's objects are loaded and the overlay laid over them; objects the
API never touched follow the file, so editing the config file still shows for them. A reset
forgets the key with the rest of what the PBX stored. Only the process running the engine
reads and writes it (one authority, :mod:`yspbx.fleet`): it reads it when it takes the engine
over and never again after that.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, fields
from typing import Any

from pydantic import TypeAdapter, ValidationError

from yspbx.pbx.simulated.kinds import ALL_KINDS, Kind

log = logging.getLogger(__name__)

CONFIG_KEY = "pbx.config"
FORMAT = 1
# Fields that describe what is happening, not how the PBX is configured.
RUNTIME_FIELDS = frozenset({"registered"})

Document = dict[str, Any]
Overlay = dict[str, dict[str, Document | None]]

_ADAPTERS: dict[str, TypeAdapter[Any]] = {k.table: TypeAdapter(k.model) for k in ALL_KINDS}


_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def _stored_fields(model: type[Any]) -> tuple[str, ...]:
    names = _FIELDS.get(model)
    if names is None:
        names = _FIELDS[model] = tuple(
            f.name for f in fields(model) if f.name not in RUNTIME_FIELDS
        )
    return names


def document(obj: Any) -> Document:
    """The object's stored fields. Values are shared, not copied: the document is compared or
    encoded at once, never kept."""
    return {name: getattr(obj, name) for name in _stored_fields(type(obj))}


def diff(kind: Kind, current: dict[str, Any], pristine: dict[str, Document]) -> dict[str, Any]:
    """What differs between the live objects of one table and the file's (as documents)."""
    changes: dict[str, Document | None] = {}
    for key, obj in current.items():
        doc = document(obj)
        if pristine.get(key) != doc:
            changes[key] = doc
    for key in pristine:
        if key not in current:
            changes[key] = None
    return changes


@dataclass
class Stored:
    overlay: Overlay = field(default_factory=dict)
    next_ids: dict[str, int] = field(default_factory=dict)
    queue_agents: dict[str, Any] = field(default_factory=dict)


def encode(stored: Stored) -> bytes:
    body = {
        "format": FORMAT,
        "objects": stored.overlay,
        "next_ids": stored.next_ids,
        "queue_agents": stored.queue_agents,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def decode(raw: bytes) -> Stored:
    """The stored changes; an unreadable document counts as none (and is logged)."""
    try:
        body = json.loads(raw)
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            raise ValueError("unknown format")
        objects, next_ids, agents = body["objects"], body["next_ids"], body["queue_agents"]
        if not all(isinstance(part, dict) for part in (objects, next_ids, agents)):
            raise ValueError("objects, next_ids and queue_agents must be objects")
        ids = {str(k): int(v) for k, v in next_ids.items()}
        tables = {t: c for t, c in objects.items() if isinstance(c, dict)}
        return Stored(tables, ids, agents)
    except (ValueError, KeyError, TypeError) as exc:
        log.error("ignoring the stored PBX configuration changes: %s", exc)
        return Stored()


def overlay_objects(
    kind: Kind, pristine: dict[str, Any], changes: dict[str, Document | None]
) -> list[Any]:
    """The file's objects of one table with the stored changes laid over them."""
    adapter = _ADAPTERS[kind.table]
    result: dict[str, Any] = dict(pristine)
    for key, doc in changes.items():
        if doc is None:
            result.pop(key, None)
            continue
        try:
            obj = adapter.validate_python(doc)
        except ValidationError as exc:
            log.error("ignoring the stored %s %r: %s", kind.table, key, exc)
            continue
        previous = pristine.get(key)
        if previous is not None and hasattr(previous, "registered"):
            obj.registered = previous.registered
        result[key] = obj
    return list(result.values())
