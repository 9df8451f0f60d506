"""What the wire-contract tests compare: the server's endpoint declarations, and the wire names
of the SDK's models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from yspbx.api import all_endpoints
from yspbx.api.registry import Endpoint

ENDPOINTS = {e.path: e for e in all_endpoints() if e.dialect == "1.1.0"}


def wire_names(model: type[BaseModel]) -> set[str]:
    """The keys ``model`` reads or writes on the wire."""
    return {info.alias or name for name, info in model.model_fields.items()}


def answered_keys(endpoint: Endpoint, key: str) -> set[str]:
    """The keys of the objects the server declares under ``key`` in its answer."""
    schema: dict[str, Any] = endpoint.response[key]
    if schema.get("type") == "array":
        schema = schema["items"]
    return set(schema["properties"])
