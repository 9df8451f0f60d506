"""2.0.0 endpoints that are 1.1.0 endpoints under new names (docs/api-2.md, "Carried over").

2.0.0 renamed the fields that name objects (``extid``, ``queueid``, ``ivrid`` become
``number``) and a few answer keys, and kept the rules. Such an endpoint is declared here as the
1.1.0 one seen through a renaming: the request's fields are renamed back, the 1.1.0 handler
runs (same checks, same errnos, same engine call), and the answer's keys are renamed forward.
One rule, written once, for both dialects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from yspbx.api.registry import V2, ApiRequest, Encoded, Endpoint, Field, Params, Reply

Answer = Callable[[dict[str, Any]], dict[str, Any]]


def renamed_keys(data: Any, names: Mapping[str, str]) -> Any:
    """``data`` with every object key in ``names`` renamed, at any depth."""
    if isinstance(data, dict):
        return {names.get(k, k): renamed_keys(v, names) for k, v in data.items()}
    if isinstance(data, list):
        return [renamed_keys(item, names) for item in data]
    return data


def carried(
    v1: Endpoint,
    path: str | None = None,
    *,
    fields: Mapping[str, str] | None = None,
    answer: Mapping[str, str] | Answer | None = None,
    response: Mapping[str, Any] | None = None,
    summary: str | None = None,
) -> Endpoint:
    """The 2.0.0 endpoint ``path`` (default: the same path) that runs ``v1``.

    ``fields``: 2.0.0 field name -> 1.1.0 name, in the body and the query string; ``answer``:
    key renames (or a function) applied to a success's data.
    """
    back = dict(fields or {})
    rename_answer: Answer | None
    if answer is None or callable(answer):
        rename_answer = answer
    else:
        names = dict(answer)

        def rename_answer(data: dict[str, Any]) -> dict[str, Any]:
            result: dict[str, Any] = renamed_keys(data, names)
            return result

    async def handler(request: ApiRequest) -> Reply:
        raw = dict(request.params.raw)
        query = dict(request.query)
        for new, old in back.items():
            if new in raw:
                raw[old] = raw.pop(new)
            if new in query:
                query[old] = query.pop(new)
        reply = await v1.handler(replace(request, params=Params(raw), query=query))
        if rename_answer is None:
            return reply
        if isinstance(reply, Encoded):
            # A cached answer, serialised already: read back to rename its keys.
            data = json.loads(reply.body)
            data.pop("status", None)
            return rename_answer(data)
        if isinstance(reply, dict):
            return rename_answer(reply)
        return reply

    forward = {old: new for new, old in back.items()}
    declared = tuple(replace(f, name=forward.get(f.name, f.name)) for f in v1.fields)
    example = None
    if v1.example is not None:
        example = {forward.get(k, k): v for k, v in v1.example.items()}
    shown_response = v1.response if response is None else response
    if response is None and isinstance(answer, Mapping):
        shown_response = renamed_schema(dict(v1.response), dict(answer))
    return replace(
        v1,
        path=path or v1.path,
        handler=handler,
        fields=declared,
        example=example,
        response=shown_response,
        summary=summary or v1.summary,
        dialect=V2,
    )


def renamed_schema(schema: Any, names: Mapping[str, str]) -> Any:
    """A JSON schema (or a mapping of them) with property names renamed, ``required`` too."""
    if isinstance(schema, list):
        return [renamed_schema(item, names) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            result[key] = {names.get(k, k): renamed_schema(v, names) for k, v in value.items()}
        elif key == "required" and isinstance(value, list):
            result[key] = [names.get(k, k) for k in value]
        else:
            result[names.get(key, key) if key not in _SCHEMA_WORDS else key] = renamed_schema(
                value, names
            )
    return result


_SCHEMA_WORDS = frozenset(
    {"type", "items", "enum", "const", "additionalProperties", "pattern", "oneOf", "anyOf"}
)


def declared(endpoint: Endpoint) -> tuple[Field, ...]:
    return endpoint.fields
