"""Reading control-plane request bodies: a JSON object or nothing, never a crash."""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request

from yspbx import jsontext
from yspbx.sim.errors import SimError, bad_request

MAX_BODY = 65536


async def json_object(request: Request) -> dict[str, Any]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise SimError(413, "too_large", f"bodies are limited to {MAX_BODY} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise SimError(413, "too_large", f"bodies are limited to {MAX_BODY} bytes")
    if not body.strip():
        return {}
    try:
        data = jsontext.loads(body)
    except (ValueError, RecursionError):
        raise bad_request("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise bad_request("the body must be a JSON object")
    return data


def number(data: dict[str, Any], key: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request(f"{key!r} must be a number")
    if not math.isfinite(value):
        raise bad_request(f"{key!r} must be finite")
    return float(value)


def optional_text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad_request(f"{key!r} must be a string")
    return str(value)
