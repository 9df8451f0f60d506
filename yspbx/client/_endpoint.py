"""What the client needs to know about one endpoint: its path, whether it only reads, and how
to read its answer.

Each model module declares its endpoints with these, next to the models they return, so an
area method is no more than "this endpoint, these fields".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

Parser = Callable[[dict[str, Any]], T]


@dataclass(frozen=True, slots=True)
class Endpoint(Generic[T]):
    """``POST /api/v1.1.0/<path>?token=...``.

    ``query`` marks a request that only reads: a transient transport failure is retried for
    these and never for the others (a dial must not ring twice). ``relogin`` is off only for
    ``logout``, which has nothing to resend once the token is gone.
    """

    path: str
    parse: Parser[T]
    query: bool = False
    relogin: bool = True
    # The API version's path, when not the client's own (2.0.0 endpoints: "/api/v2.0.0/").
    prefix: str | None = None


@dataclass(frozen=True, slots=True)
class Download:
    """A file link (``recording/download``, ``cdr/download``): fetched with GET, answers bytes."""

    path: str


def nothing(data: dict[str, Any]) -> None:
    """For answers that carry only ``{"status":"Success"}``."""
    return None


def one(key: str, model: type[M]) -> Parser[M]:
    def parse(data: dict[str, Any]) -> M:
        return model.model_validate(data.get(key) or {})

    return parse


def many(key: str, model: type[M]) -> Parser[list[M]]:
    """A list under ``key``; an absent key is an empty list (the PBX omits empty results)."""

    def parse(data: dict[str, Any]) -> list[M]:
        items = data.get(key)
        if items is None:
            return []
        if isinstance(items, dict):
            items = [items]
        return [model.model_validate(item) for item in items]

    return parse


def whole(model: type[M]) -> Parser[M]:
    """The answer's own fields, beside ``status`` (``recording/get_random``,
    ``cdr/get_random``); ``status`` is the envelope's, not the model's."""

    def parse(data: dict[str, Any]) -> M:
        return model.model_validate({k: v for k, v in data.items() if k != "status"})

    return parse


def text(key: str) -> Parser[str]:
    """One string field (``callid``, ``smsid``)."""

    def parse(data: dict[str, Any]) -> str:
        value = data.get(key)
        if value is None:
            raise ValueError(f"the answer has no {key!r}")
        return str(value)

    return parse


def first(key: str, model: type[M]) -> Parser[M]:
    """The only element of a one-element list (one queue's status)."""
    parse_all = many(key, model)

    def parse(data: dict[str, Any]) -> M:
        items = parse_all(data)
        if not items:
            raise ValueError(f"the answer's {key!r} is empty")
        return items[0]

    return parse
