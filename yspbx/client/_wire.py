"""How Python values travel as the PBX's strings, and the two base classes of every model.

On the wire every scalar is a JSON string: ``"on"``/``"off"``, ``"yes"``/``"no"``, numbers as
digits, lists as comma-separated text (sometimes with a trailing comma). The annotated types
below turn those into ``bool``, ``int`` and ``list[str]`` on the way in and back into the PBX's
strings on the way out, so models read as plain Python and still serialise byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer

_TRUE = frozenset({"on", "yes", "true", "1", "enable", "enabled"})
_FALSE = frozenset({"off", "no", "false", "0", "disable", "disabled", "", "none"})


def _flag(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return value  # pydantic reports it as not a bool


def to_int(value: Any) -> Any:
    """Digits as an int; anything else as it is (for pydantic to judge)."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


def _optional_integer(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_int(value)


def split_list(value: Any) -> Any:
    """``"2001,2002,"`` -> ``["2001", "2002"]``; a list stays a list (of strings)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, Iterable) and not isinstance(value, bytes | dict):
        return [str(part) for part in value]
    return value


def join_list(value: str | Iterable[str | int]) -> str:
    """One item, several, or the PBX's own comma-separated text, as the PBX wants it."""
    if isinstance(value, str):
        return value
    return ",".join(str(part) for part in value)


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _optional_text(value: int | None) -> str | None:
    return None if value is None else str(value)


# Answers: the PBX's strings read as Python values (and dumped as such).

Flag = Annotated[bool, BeforeValidator(_flag)]
"""``on``/``off`` or ``yes``/``no`` in an answer."""

Int = Annotated[int, BeforeValidator(to_int)]
"""Digits in an answer."""

OptionalInt = Annotated[int | None, BeforeValidator(_optional_integer)]
"""Digits, or blank (``None``), in an answer."""

Items = Annotated[list[str], BeforeValidator(split_list)]
"""A comma-separated list in an answer; a trailing comma is tolerated."""

# Requests: Python values written as the PBX's strings.

OnOff = Annotated[bool, BeforeValidator(_flag), PlainSerializer(_on_off, return_type=str)]
"""``"on"``/``"off"`` on the wire."""

YesNo = Annotated[bool, BeforeValidator(_flag), PlainSerializer(_yes_no, return_type=str)]
"""``"yes"``/``"no"`` on the wire."""

Number = Annotated[int, BeforeValidator(to_int), PlainSerializer(str, return_type=str)]
"""An integer the PBX writes as digits."""

OptionalNumber = Annotated[
    int | None, BeforeValidator(_optional_integer), PlainSerializer(_optional_text)
]
"""An integer written as digits, or blank (``None``)."""

TextList = Annotated[
    list[str], BeforeValidator(split_list), PlainSerializer(join_list, return_type=str)
]
"""A comma-separated list (``"2001,2002"``); a trailing comma is tolerated."""

IdList = str | Iterable[str]
"""What a caller may pass where the PBX takes one id or several: ``"1000"``, ``"1000,1001"``,
``["1000", "1001"]`` or ``"all"`` where the endpoint allows it."""

WIRE_TIME = "%Y-%m-%d %H:%M:%S"


def wire_time(value: datetime | str) -> str:
    """``yyyy-mm-dd hh:mm:ss``, the PBX's time format (a string is passed as it is)."""
    return value if isinstance(value, str) else value.strftime(WIRE_TIME)


class RequestModel(BaseModel):
    """The fields of one request, named for Python, serialised with the PBX's names.

    Unknown keyword arguments are refused: a typo must not silently send nothing.
    """

    model_config = ConfigDict(
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
        coerce_numbers_to_str=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON body: only the fields that were given, every scalar a string."""
        return self.model_dump(mode="json", exclude_none=True)


class ResponseModel(BaseModel):
    """One object of an answer, with Python names; fields the SDK does not know are kept.

    A newer firmware may add keys: they stay readable in ``model_extra`` instead of being lost
    or failing validation. Every documented field has a default, because the PBX omits fields
    that do not apply. ``model_dump()`` gives the Python names and values;
    ``model_dump(by_alias=True)`` the PBX's names.
    """

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, extra="allow")
