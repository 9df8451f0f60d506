"""``/openapi.json``: the S-Series endpoints this server answers, built from their declarations.

Generated rather than written by hand, so it can never fall out of step with what the server
serves. Request fields accept strings or integers (the PBX reads both); every answer is HTTP 200
with either the endpoint's success shape or the common failure shape whose ``errno`` is one of
the errno table's codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yspbx.api.registry import DIALECTS, Dialect, Endpoint, Field
from yspbx.errors import Errno

FAILURE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "status": {"const": "Failed"},
        "errno": {"type": "string", "enum": [e.value for e in Errno]},
    },
    "required": ["status", "errno"],
}


def _field_schema(field: Field) -> dict[str, Any]:
    schema: dict[str, Any]
    if field.kind == "array":
        schema = {"type": "array", "items": {"type": "object"}}
    elif field.kind == "object":
        schema = {"type": "object"}
    elif field.enum:
        schema = {"type": "string", "enum": list(field.enum)}
    else:
        schema = {"type": ["string", "integer"]}
    if field.description:
        schema["description"] = field.description
    return schema


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    body_schema: dict[str, Any] = {
        "type": "object",
        "properties": {f.name: _field_schema(f) for f in endpoint.fields},
    }
    if endpoint.required:
        body_schema["required"] = list(endpoint.required)
    media: dict[str, Any] = {"schema": body_schema}
    if endpoint.example is not None:
        media["example"] = dict(endpoint.example)
    success: dict[str, Any] = {
        "type": "object",
        "properties": {"status": {"const": "Success"}, **endpoint.response},
        "required": ["status"],
    }
    operation: dict[str, Any] = {
        "operationId": endpoint.path.replace("/", "_"),
        "summary": endpoint.summary,
        "tags": [endpoint.tag] if endpoint.tag else [],
        "requestBody": {"required": False, "content": {"application/json": media}},
        "responses": {
            "200": {
                "description": "Success, or Failed with an errno (always HTTP 200)",
                "content": {"application/json": {"schema": {"oneOf": [success, FAILURE_SCHEMA]}}},
            }
        },
    }
    if endpoint.errors:
        codes = ", ".join(f"{e.value} ({e.meaning})" for e in endpoint.errors)
        operation["description"] = f"Errors besides the envelope's: {codes}."
    if endpoint.needs_token:
        operation["parameters"] = [
            {
                "name": "token",
                "in": "query",
                "required": True,
                "description": "the token from login (32 lowercase hex)",
                "schema": {"type": "string"},
            }
        ]
    return operation


def build_openapi(
    endpoints: Iterable[Endpoint], server_version: str, dialect: Dialect = DIALECTS[0]
) -> dict[str, Any]:
    """The OpenAPI document of one dialect: ``/openapi.json`` for 1.1.0,
    ``/api/v2.0.0/openapi.json`` for 2.0.0."""
    paths: dict[str, Any] = {}
    chosen = [e for e in endpoints if e.dialect == dialect.version]
    for endpoint in sorted(chosen, key=lambda e: e.path):
        operation = _operation(endpoint)
        item = {method.lower(): operation for method in sorted(endpoint.methods)}
        if len(item) > 1:
            item = {
                method: {**operation, "operationId": f"{operation['operationId']}_{method}"}
                for method, operation in item.items()
            }
        paths[dialect.prefix + endpoint.path] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Yeastar S-Series PBX API (yspbx)",
            "version": dialect.version,
            "description": f"Served by yspbx {server_version}.",
        },
        "paths": paths,
        "components": {"schemas": {"Failure": FAILURE_SCHEMA}},
    }
