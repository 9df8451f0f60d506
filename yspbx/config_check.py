"""Checking a configuration as a whole, and saying what is wrong in the words of its file.

Two kinds of mistakes, each told with what to do next:

* A value pydantic refuses (a typo in a key, a word where a number goes) is named by its path in
  the file, ``extensions[0].name``, with the nearest known key when the key is unknown.
* A PBX object that points at one that does not exist (a queue agent, a route's trunk). Most
  often the user replaced one of the default PBX's tables (``[[extensions]]``) and kept the
  others, which still name the default's objects: the message then lists every such table at
  once and the two ways out (empty them, or start from an empty PBX with ``base = "empty"``),
  instead of one reference per attempt.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import types
import typing
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from yspbx.object_tables import PBX_TABLES

if TYPE_CHECKING:
    from yspbx.settings import Settings

ENV_PREFIX = "YSPBX_"


# Beyond this many, a list of the names that exist is cut ("1000, 1001, ... (12)").
_SHOWN_NAMES = 6


class ConfigError(Exception):
    """A configuration problem, phrased for the person who wrote the file."""


def key_path(loc: Iterable[int | str]) -> str:
    """``("extensions", 0, "name")`` -> ``extensions[0].name``, as the file is read."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _fields_of(kind: Any) -> list[str] | None:
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return list(kind.model_fields)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return [f.name for f in dataclasses.fields(kind)]
    return None


def _unwrap(kind: Any) -> Any:
    """``list[Extension]`` -> ``Extension``; ``X | None`` -> ``X``."""
    origin = typing.get_origin(kind)
    if origin in (list, tuple, Sequence):
        return typing.get_args(kind)[0]
    if origin in (typing.Union, types.UnionType):
        choices = [a for a in typing.get_args(kind) if a is not type(None)]
        return choices[0] if len(choices) == 1 else kind
    return kind


def _kind_at(root: type[BaseModel], loc: Sequence[int | str]) -> Any:
    """The model or dataclass that holds the last key of ``loc`` (None when not one)."""
    kind: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            field = kind.model_fields.get(part)
            kind = None if field is None else _unwrap(field.annotation)
        elif dataclasses.is_dataclass(kind) and isinstance(kind, type):
            hints = typing.get_type_hints(kind)
            kind = _unwrap(hints[part]) if part in hints else None
        else:
            return None
        while typing.get_origin(kind) is typing.Annotated:
            kind = typing.get_args(kind)[0]
        kind = _unwrap(kind)
    return kind


def suggestion(root: type[BaseModel], loc: Sequence[int | str]) -> str:
    """``; did you mean 'username'?`` for an unknown key, or nothing when none is close."""
    known = _fields_of(_kind_at(root, loc[:-1]))
    if not known:
        return ""
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def describe(error: Mapping[str, Any], origin: str, root: type[BaseModel]) -> str:
    """One refused value: where it came from, its key, and what is wrong."""
    loc = tuple(error["loc"])
    top = [str(part) for part in loc[:2]]
    env_name = (ENV_PREFIX + "_".join(top)).upper()
    source = f"environment variable {env_name}" if env_name in os.environ else origin
    message = str(error["msg"])
    if error["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        message = "unknown key" + suggestion(root, loc)
    elif error["type"] in ("missing", "missing_argument"):
        message = "missing: this key is required"
    return f"{source}: {key_path(loc)}: {message}"


@dataclass(frozen=True)
class Dangling:
    """The references of one key to objects that do not exist."""

    table: str
    key: str
    what: str
    plural: str
    missing: tuple[str, ...]
    known: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.brief()} (the {self.plural}: {_names(self.known)})"

    def brief(self) -> str:
        return f"{self.key}: no {self.what} {_names(self.missing, ordered=False)}"


def _names(names: Collection[str], ordered: bool = True) -> str:
    shown = sorted(names) if ordered else list(names)
    if not shown:
        return "none"
    if len(shown) > _SHOWN_NAMES:
        return ", ".join(shown[:_SHOWN_NAMES]) + f", ... ({len(shown)} in all)"
    return ", ".join(shown)


def dangling_references(settings: Settings) -> list[Dangling]:
    """Every key that refers to an object that is not there, in file order."""
    Kind = tuple[str, str, tuple[str, ...], bool]  # (one, several, those that exist, quoted)
    trunks: Kind = ("trunk named", "trunks", tuple(t.name for t in settings.trunks), True)
    groups: Kind = (
        "extension group",
        "extension groups",
        tuple(g.name for g in settings.extensiongroups),
        True,
    )
    extensions: Kind = (
        "extension",
        "extensions",
        tuple(e.number for e in settings.extensions),
        False,
    )
    # (table, key, the lists of names it refers to, what they name)
    references: list[tuple[str, str, list[list[str]], Kind]] = [
        ("extensiongroups", "members", [g.members for g in settings.extensiongroups], extensions),
        ("inroutes", "trunks", [r.trunks for r in settings.inroutes], trunks),
        ("outroutes", "trunks", [r.trunks for r in settings.outroutes], trunks),
        ("outroutes", "extensions", [r.extensions for r in settings.outroutes], extensions),
        ("outroutes", "extensionsgroup", [r.extensionsgroup for r in settings.outroutes], groups),
        ("queues", "agents", [q.agents for q in settings.queues], extensions),
        ("ringgroups", "members", [g.members for g in settings.ringgroups], extensions),
        ("paginggroups", "allowexten", [g.allowexten for g in settings.paginggroups], extensions),
        (
            "paginggroups",
            "allowextengroup",
            [g.allowextengroup for g in settings.paginggroups],
            groups,
        ),
        ("conferences", "moderators", [r.moderators for r in settings.conferences], extensions),
    ]
    found: list[Dangling] = []
    for table, key, lists, (what, plural, known, quoted) in references:
        shown_known = tuple(repr(name) if quoted else name for name in known)
        for index, names in enumerate(lists):
            missing = tuple(repr(name) if quoted else name for name in names if name not in known)
            if missing:
                found.append(
                    Dangling(table, f"{table}[{index}].{key}", what, plural, missing, shown_known)
                )
    return found


def check_unique(settings: Settings, origin: str, from_default: Collection[str]) -> None:
    """Refuse numbers used twice (across kinds), names and ids used twice (within a kind)."""

    def fail(key: str, message: str) -> None:
        raise ConfigError(f"config error in {origin}: {key}: {message}")

    def advice(*places: str) -> str:
        tables = [p.split("[", 1)[0] for p in places if p.split("[", 1)[0] in from_default]
        if not tables:
            return ""
        return (
            f" ({tables[0]} come from the packaged default PBX: choose another number, empty "
            f'them with {tables[0]} = [], or start from an empty PBX with base = "empty")'
        )

    numbers: dict[str, str] = {}
    numbered: list[tuple[str, list[str]]] = [
        ("extensions", [e.number for e in settings.extensions]),
        ("ivrs", [i.number for i in settings.ivrs]),
        ("queues", [q.number for q in settings.queues]),
        ("ringgroups", [r.number for r in settings.ringgroups]),
        ("paginggroups", [g.number for g in settings.paginggroups]),
        ("conferences", [r.number for r in settings.conferences]),
    ]
    for kind, kind_numbers in numbered:
        for index, number in enumerate(kind_numbers):
            if not number.isdigit():
                fail(f"{kind}[{index}].number", f"{number!r} is not a number")
            if number in numbers:
                here, there = f"{kind}[{index}]", numbers[number]
                fail(
                    f"{here}.number",
                    f"{number} is already used by {there}" + advice(here, there),
                )
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


def _tables_to_empty(settings: Settings, from_default: Collection[str]) -> list[str]:
    """The default PBX's tables to empty so that none of them points at a missing object.

    Emptying a table can leave others dangling (routes naming an extension group that is
    gone), so this repeats until nothing taken from the default dangles.
    """
    emptied: list[str] = []
    current = settings
    while True:
        tables = {d.table for d in dangling_references(current) if d.table in from_default}
        if not tables:
            return [t for t in PBX_TABLES if t in emptied]
        emptied.extend(tables)
        current = current.model_copy(update={table: [] for table in tables})


def check_references(
    settings: Settings, origin: str, replaced: Collection[str], from_default: Collection[str]
) -> None:
    """Refuse a PBX whose objects point at objects that do not exist.

    ``replaced``: the object tables the user's file (or environment) gave; ``from_default``:
    the ones still taken from the packaged default PBX.
    """
    found = dangling_references(settings)
    yours = [d for d in found if d.table not in from_default]
    if yours:
        raise ConfigError(f"config error in {origin}: " + "; ".join(str(d) for d in yours))
    if not found:
        return
    to_empty = _tables_to_empty(settings, from_default)
    first_each = [next(d for d in found if d.table == table) for table in to_empty]
    replacing = ", ".join(f"[[{t}]]" for t in PBX_TABLES if t in replaced) or "some tables"
    kept = ", ".join(f"[[{t}]]" for t in to_empty)
    emptying = ", ".join(f"{t} = []" for t in to_empty)
    raise ConfigError(
        f"config error in {origin}: your file replaces {replacing}, but {kept} still come from "
        "the packaged default PBX and refer to its objects ("
        + "; ".join(d.brief() for d in first_each)
        + '). Either start from an empty PBX, with base = "empty" at the top of the file '
        f"(then only the objects your file lists exist), or empty those tables: {emptying} "
        "(or write your own)."
    )
