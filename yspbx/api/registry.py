"""How an API area declares its endpoints: path, fields, answer, and the handler.

Each area module (``auth``, ``system``, ``extensions``, ...) owns an :class:`ApiRouter` and
decorates its handlers. The declarations drive three things at once: the envelope's required-
field check (errno 10004), the OpenAPI description, and the dispatch table. A handler receives
an :class:`ApiRequest` (the engine and the sessions it works on, not the server's parts) and
returns the data fields of a success (the envelope adds ``"status":"Success"``), an
:class:`Encoded` answer it already serialised, or a :class:`FileReply` for the two downloads.
Failures are raised as ``PbxError``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from yspbx.errors import Errno, PbxError

if TYPE_CHECKING:
    from yspbx.api.cache import AnswerCache
    from yspbx.pbx.engine import Engine
    from yspbx.sessions.manager import SessionManager
    from yspbx.sessions.models import Session

FieldKind = Literal["string", "list", "array", "object"]

V1 = "1.1.0"
V2 = "2.0.0"


@dataclass(frozen=True, slots=True)
class Dialect:
    """One API version the PBX serves beside the others, over the same engine and sessions.

    What differs between versions at the envelope: the path prefix, how a token is found in
    the query string (2.0.0 clients send malformed ones a unit still reads), whether JSON
    numbers keep their source text (``1571620483.10`` stays a callid), and a few answer
    headers. The endpoints themselves are declared per dialect in the one registry.
    """

    version: str
    prefix: str
    aliases: frozenset[str] = frozenset()
    numbers_as_text: bool = False
    token_anywhere: bool = False
    headers: tuple[tuple[bytes, bytes], ...] = ()

    def key(self, name: str) -> str:
        """The registry key of endpoint ``name`` in this dialect."""
        return name if self.version == V1 else f"{self.version}:{name}"


# The vendor's login page spells the version "v1.10"; clients copying it must still log in.
DIALECTS: tuple[Dialect, ...] = (
    Dialect(V1, "/api/v1.1.0/", aliases=frozenset({"/api/v1.10/login"})),
    Dialect(
        V2,
        "/api/v2.0.0/",
        numbers_as_text=True,
        token_anywhere=True,
        headers=(
            (b"Server", b"Boa/0.94.14rc21"),
            (b"Accept-Ranges", b"bytes"),
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Field:
    """One request field. ``list`` is a comma-separated string; ``array``/``object`` are JSON."""

    name: str
    required: bool = False
    description: str = ""
    kind: FieldKind = "string"
    enum: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Encoded:
    """A complete JSON answer, serialised once and sent as it is."""

    body: bytes


@dataclass(frozen=True, slots=True)
class FileReply:
    """A file download (recording, CDR export) instead of a JSON answer."""

    content: bytes
    media_type: str
    filename: str


Reply = dict[str, Any] | Encoded | FileReply

_SUCCESS_PREFIX = b'{"status":"Success"'


# ``json.dumps`` with any option builds a new encoder on each call; answers use this one.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def encode_success(data: Mapping[str, Any]) -> bytes:
    """``{"status":"Success", ...data}`` in the PBX's compact form."""
    if not data:
        return _SUCCESS_PREFIX + b"}"
    rest = _COMPACT.encode(data).encode("utf-8")
    return _SUCCESS_PREFIX + b"," + rest[1:]


def scalar(value: Any) -> str | None:
    """A field value as the PBX reads it: strings as sent, numbers as their digits.

    The vendor's tables declare some fields ``Int`` while every example sends strings, so both
    are accepted. Anything else (objects, arrays, booleans, null) is not a usable value.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    return None


def is_blank(value: Any) -> bool:
    text = scalar(value)
    return text is None or not text.strip()


class Params:
    """The JSON object of a request, read field by field."""

    __slots__ = ("raw",)

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def text(self, name: str) -> str | None:
        """The field as a string, or None when absent or not a scalar."""
        return scalar(self.raw.get(name))

    def require(self, name: str) -> str:
        """The field, stripped; errno 10004 when missing or blank."""
        value = self.text(name)
        if value is None or not value.strip():
            raise PbxError(Errno.MISSING_PARAMETER, name)
        return value.strip()

    def optional(self, name: str) -> str:
        """The field, stripped; "" when absent (for fields the PBX lets a request leave out)."""
        return (self.text(name) or "").strip()

    def values(self, name: str) -> list[str] | None:
        """A comma-separated field as its items (blank items dropped), or None when absent."""
        value = self.text(name)
        if value is None:
            return None
        return [item.strip() for item in value.split(",") if item.strip()]

    def __contains__(self, name: str) -> bool:
        return name in self.raw


@dataclass(slots=True)
class ApiRequest:
    """What a handler works with: the PBX's engine and sessions, and the request itself."""

    engine: Engine
    sessions: SessionManager
    client_ip: str
    session: Session | None
    params: Params
    query: Mapping[str, str]
    answers: AnswerCache


Handler = Callable[[ApiRequest], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    path: str
    handler: Handler
    summary: str
    fields: tuple[Field, ...] = ()
    response: Mapping[str, Any] = field(default_factory=dict)
    errors: tuple[Errno, ...] = ()
    needs_token: bool = True
    methods: frozenset[str] = frozenset({"POST"})
    example: Mapping[str, Any] | None = None
    tag: str = ""
    # False for the endpoints that only touch sessions (login, heartbeat, logout): any process
    # of a fleet answers them itself. The others run where the engine runs.
    uses_engine: bool = True
    dialect: str = V1

    @property
    def key(self) -> str:
        """Unique over dialects: the path in 1.1.0, ``2.0.0:<path>`` in 2.0.0."""
        return self.path if self.dialect == V1 else f"{self.dialect}:{self.path}"

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


class ApiRouter:
    """The endpoints of one API area."""

    def __init__(self, tag: str, dialect: str = V1) -> None:
        self.tag = tag
        self.dialect = dialect
        self.endpoints: list[Endpoint] = []

    def endpoint(
        self,
        path: str,
        *,
        summary: str,
        fields: tuple[Field, ...] = (),
        response: Mapping[str, Any] | None = None,
        errors: tuple[Errno, ...] = (),
        needs_token: bool = True,
        methods: tuple[str, ...] = ("POST",),
        example: Mapping[str, Any] | None = None,
        uses_engine: bool = True,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.endpoints.append(
                Endpoint(
                    path=path,
                    handler=handler,
                    summary=summary,
                    fields=fields,
                    response=response or {},
                    errors=errors,
                    needs_token=needs_token,
                    methods=frozenset(methods),
                    example=example,
                    tag=self.tag,
                    uses_engine=uses_engine,
                    dialect=self.dialect,
                )
            )
            return handler

        return register
