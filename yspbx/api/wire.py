"""Turning configuration fields into wire strings and back.

The PBX sends every value as a string: switches as ``on``/``off`` (paging groups: ``yes``/
``no``), numbers as digits, lists as comma-separated strings. A :class:`WireField` ties one wire
name to one model field and a :class:`Codec`; an area module lists its fields once and uses the
list to read a request's changes, to write an object out, and to declare the endpoint (so the
OpenAPI description shows the same names and value sets the code accepts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from yspbx.api.registry import Field, Params
from yspbx.errors import Errno, PbxError
from yspbx.pbx.vocabulary import canonical, spellings


class CodecError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Codec:
    """How one kind of value reads from and writes to the wire."""

    parse: Callable[[str], Any]
    show: Callable[[Any], str]
    enum: tuple[str, ...] = ()
    kind: str = "string"


def _switch(on: str, off: str) -> Codec:
    def parse(text: str) -> bool:
        if text == on:
            return True
        if text == off:
            return False
        raise CodecError(f"expected {on!r} or {off!r}")

    return Codec(parse, lambda value: on if value else off, (on, off))


def _parse_int(text: str) -> int:
    if not text.isdigit() or len(text) > 9:
        raise CodecError("expected a whole number")
    return int(text)


def split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def choice(*choices: str) -> Codec:
    """A value from a fixed set; other spellings of a choice are read as the choice itself."""
    return Codec(lambda text: canonical(text, choices), str, spellings(choices))


def int_choice(*choices: int) -> Codec:
    return Codec(_parse_int, str, tuple(str(c) for c in choices))


TEXT = Codec(lambda text: text, str)
INT = Codec(_parse_int, str)
ON_OFF = _switch("on", "off")
YES_NO = _switch("yes", "no")
LIST = Codec(split_list, ",".join, kind="list")


@dataclass(frozen=True, slots=True)
class WireField:
    wire: str
    attr: str
    codec: Codec = TEXT
    description: str = ""
    # The errno for a value that cannot be read, when it differs from the area's.
    errno: Errno | None = None

    def declare(self, required: bool = False) -> Field:
        return Field(
            self.wire,
            required=required,
            description=self.description,
            kind="list" if self.codec.kind == "list" else "string",
            enum=self.codec.enum,
        )

    def show(self, obj: Any) -> str:
        return self.codec.show(getattr(obj, self.attr))


def declare(fields: Iterable[WireField], required: Iterable[str] = ()) -> tuple[Field, ...]:
    needed = set(required)
    return tuple(f.declare(f.wire in needed) for f in fields)


def read_changes(params: Params, fields: Sequence[WireField], errno: Errno) -> dict[str, Any]:
    """The model changes a request asks for: the fields it sent, parsed; ``errno`` for a value
    that cannot be read (a word where a number belongs, an object where a string does)."""
    changes: dict[str, Any] = {}
    for f in fields:
        if f.wire not in params:
            continue
        text = params.text(f.wire)
        if text is None:
            raise PbxError(f.errno or errno, f"{f.wire} is not a string")
        try:
            changes[f.attr] = f.codec.parse(text.strip())
        except CodecError as exc:
            raise PbxError(f.errno or errno, f"{f.wire}: {exc}") from None
    return changes


def write(obj: Any, fields: Iterable[WireField]) -> dict[str, str]:
    return {f.wire: f.show(obj) for f in fields}


def selection(params: Params, name: str) -> list[str] | None:
    """A "which objects" field: comma-separated keys, or None for all (absent, blank, ``all``)."""
    items = params.values(name)
    if not items or any(item.lower() == "all" for item in items):
        return None
    return items


def read_id(params: Params, name: str, errno: Errno) -> int:
    """A required numeric id (``10004`` when missing, ``errno`` when not a number)."""
    text = params.require(name)
    if not text.isdigit() or len(text) > 9:
        raise PbxError(errno, f"{name} {text!r} is not an id")
    return int(text)


def strings(*names: str) -> dict[str, Any]:
    """JSON-schema properties for string-valued keys."""
    return {name: {"type": "string"} for name in names}


def object_schema(required: Sequence[str], optional: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": strings(*required, *optional),
        "required": list(required),
        "additionalProperties": False,
    }


def array_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}
