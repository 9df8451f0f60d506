"""Adding a batch of objects to a running simulated PBX where they are missing: what a scenario
needs (fifty agents, a call-centre queue, an inbound route) on top of whatever the PBX has.

The objects come in the configuration file's format (``{"queues": [{...}], ...}``). They are
checked as the file's objects are (the same models, numbers unique across the dial plan, names
unique within a kind, references to objects that exist), and by the rules the API applies to
an object it adds (value ranges, route destinations): all of them against the PBX as it will
be with the whole batch in it, so the batch may refer to itself. Nothing is added unless
everything passes. An object whose key (number or name) the PBX already has is left as it is:
running a scenario twice, or on a PBX that already has its queue, changes nothing.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from yspbx.errors import PbxError
from yspbx.pbx.models import Trunk
from yspbx.pbx.simulated import kinds
from yspbx.pbx.simulated.kinds import Kind
from yspbx.pbx.simulated.rules.conferences import check_conference
from yspbx.pbx.simulated.rules.extensions import check_extension
from yspbx.pbx.simulated.rules.ivrs import check_ivr
from yspbx.pbx.simulated.rules.paging import check_paging_group
from yspbx.pbx.simulated.rules.queues import check_queue
from yspbx.pbx.simulated.rules.routes import check_inroute, check_outroute
from yspbx.pbx.simulated.rules.trunks import check_sip_trunk

if TYPE_CHECKING:
    from yspbx.pbx.simulated.tables import ConfigTables

Check = Callable[["ConfigTables", Any, Any, Collection[str]], None]

_BY_TABLE: dict[str, Kind] = {k.table: k for k in kinds.ALL_KINDS}
_ADAPTERS: dict[str, TypeAdapter[Any]] = {k.table: TypeAdapter(k.model) for k in kinds.ALL_KINDS}


class ObjectsRefused(ValueError):
    """The batch cannot be added; ``str(e)`` is ``"<table>[<i>].<key>: <problem>"``."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"{key}: {problem}")


@dataclass
class Added:
    """What :meth:`SimulatedConfig.add_objects` did, by table: keys added, keys already there."""

    added: dict[str, list[str]] = field(default_factory=dict)
    kept: dict[str, list[str]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(keys) for keys in self.added.values())


def _check_trunk(
    config: ConfigTables, trunk: Trunk, current: Any, changed: Collection[str]
) -> None:
    # The API adds SIP trunks only; other types are checked by their model alone.
    if trunk.type == "SIP":
        check_sip_trunk(config, trunk, current, changed)


def _members_exist(what: str) -> Check:
    def check(config: ConfigTables, obj: Any, current: Any, changed: Collection[str]) -> None:
        missing = [m for m in obj.members if m not in config.extensions]
        if missing:
            raise ObjectsRefused("members", f"no extension {', '.join(missing)} for {what}")

    return check


# The API's rules for each kind (the ones the API has no add for get the file's reference check).
CHECKS: dict[str, Check] = {
    "extensions": check_extension,
    "extensiongroups": _members_exist("the extension group"),
    "trunks": _check_trunk,
    "inroutes": check_inroute,
    "outroutes": check_outroute,
    "ivrs": check_ivr,
    "queues": check_queue,
    "ringgroups": _members_exist("the ring group"),
    "paginggroups": check_paging_group,
    "conferences": check_conference,
}


def _limits(config: ConfigTables) -> dict[str, tuple[Callable[[], int], int]]:
    device = config._settings.device
    return {
        "extensions": (lambda: len(config.extensions), device.max_extensions),
        "trunks": (
            lambda: sum(1 for t in config.trunks.values() if t.type == "SIP"),
            device.max_sip_trunks,
        ),
        "inroutes": (lambda: len(config.inroutes), device.max_inroutes),
        "outroutes": (lambda: len(config.outroutes), device.max_outroutes),
    }


def parse(objects: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[tuple[Kind, str, Any]]:
    """The batch as model objects, each with its place (``queues[0]``), in table order."""
    parsed: list[tuple[Kind, str, Any]] = []
    for table, items in objects.items():
        kind = _BY_TABLE.get(table)
        if kind is None:
            known = ", ".join(_BY_TABLE)
            raise ObjectsRefused(table, f"not a kind of PBX object (one of {known})")
        if not isinstance(items, Sequence) or isinstance(items, str | bytes):
            raise ObjectsRefused(table, "must be a list of objects")
        for index, item in enumerate(items):
            place = f"{table}[{index}]"
            try:
                fields = dict(item)
                if table == "extensions":
                    fields = _extension_defaults(fields)
                obj = _ADAPTERS[table].validate_python(fields)
            except (ValidationError, TypeError, ValueError) as exc:
                raise ObjectsRefused(place, _first_problem(exc, kind)) from None
            parsed.append((kind, place, obj))
    return parsed


def _extension_defaults(given: dict[str, Any]) -> dict[str, Any]:
    """What a scenario may leave out of an extension: its names default to its number, its
    passwords to ones made from it (the API's rules want all four set)."""
    number = str(given.get("number", ""))
    if not number:
        return given
    defaults = {
        "callerid": number,
        "registername": number,
        "registerpassword": f"Sc{number}x9",
        "loginpassword": f"scen{number}",
    }
    filled = dict(given)
    for key, value in defaults.items():
        if not filled.get(key):
            filled[key] = value
    return filled


def _first_problem(exc: Exception, kind: Kind) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        message = error["msg"]
        if error["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            known = [f.name for f in fields(kind.model)]
            close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1, cutoff=0.6)
            message = "unknown key" + (f"; did you mean {close[0]!r}?" if close else "")
        return f"{where}: {message}" if where else str(message)
    return str(exc)


def add_objects(
    config: ConfigTables, objects: Mapping[str, Sequence[Mapping[str, Any]]]
) -> tuple[Added, list[tuple[Kind, Any]]]:
    """Put the missing objects of the batch in ``config``'s tables (the caller holds the lock
    and stores the result); :class:`ObjectsRefused` leaves the tables as they were."""
    result = Added()
    new: list[tuple[Kind, str, Any]] = []
    seen: dict[str, set[str]] = {}
    for kind, place, obj in parse(objects):
        key = kind.key_of(obj)
        table = config._table(kind)
        if key in table:
            result.kept.setdefault(kind.table, []).append(key)
            continue
        if key in seen.setdefault(kind.table, set()):
            raise ObjectsRefused(f"{place}.{kind.key}", f"{key!r} is given twice")
        seen[kind.table].add(key)
        new.append((kind, place, _as_new(obj)))
    snapshot = {k.table: dict(config._table(k)) for k in kinds.ALL_KINDS}
    next_ids = dict(config._next_ids)
    try:
        _insert(config, new)
        _check_all(config, new)
    except BaseException:
        for kind in kinds.ALL_KINDS:
            table = config._table(kind)
            table.clear()
            table.update(snapshot[kind.table])
        config._next_ids = next_ids
        raise
    for kind, _, obj in new:
        result.added.setdefault(kind.table, []).append(kind.key_of(obj))
    return result, [(kind, obj) for kind, _, obj in new]


def _as_new(obj: Any) -> Any:
    if isinstance(obj, Trunk) and not obj.status:
        obj = copy.deepcopy(obj)
        obj.status = "Registered" if obj.type in ("SIP", "IAX") else "Idle"
    return obj


def _insert(config: ConfigTables, new: list[tuple[Kind, str, Any]]) -> None:
    used_ids: dict[str, set[int]] = {}
    for kind, _, obj in new:
        table = config._table(kind)
        if kind.has_id:
            ids = used_ids.setdefault(kind.table, {o.id for o in table.values()})
            if not obj.id or obj.id in ids:
                obj.id = config._next_id(kind)
            ids.add(obj.id)
            config._next_ids[kind.table] = max(config._next_ids.get(kind.table, 1), obj.id + 1)
        table[kind.key_of(obj)] = obj
    for name, (count, limit) in _limits(config).items():
        if any(k.table == name for k, _, _ in new) and count() > limit:
            problem = f"the PBX holds at most {limit} (this batch makes {count()})"
            raise ObjectsRefused(name, problem)


def _check_all(config: ConfigTables, new: list[tuple[Kind, str, Any]]) -> None:
    """Each new object against the PBX with the whole batch in it (but itself out of its
    table while it is checked, so it does not collide with its own number)."""
    for kind, place, obj in new:
        table = config._table(kind)
        key = kind.key_of(obj)
        del table[key]
        try:
            if kind in kinds.NUMBERED_KINDS:
                owner = config.number_owner(key)
                if owner is not None:
                    raise ObjectsRefused(kind.key, f"{key} is already used by {owner}")
            CHECKS[kind.table](config, obj, None, frozenset(f.name for f in fields(obj)))
        except PbxError as exc:
            raise ObjectsRefused(place, exc.detail or str(exc)) from None
        except ObjectsRefused as exc:
            raise ObjectsRefused(f"{place}.{exc.key}", exc.problem) from None
        finally:
            table[key] = obj
