"""The requests a process hands to the engine's process, and their answers, as messages.

Two kinds. An **API call** is an S-Series request the receiving process has already checked;
the API layer says how it travels (:mod:`yspbx.api.handover`), the fleet only carries it. A
**control-plane request** is a ``/sim/v1`` HTTP request, passed on whole (the guard already let
it in) and answered with status, headers and body (here). Either way the engine's process runs
the very code it would run for a request of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yspbx.fleet.links import EngineUnavailable
from yspbx.fleet.messages import Message

SIM = "sim"
# Set in a forwarded control-plane request's scope: the guard let it in where it arrived.
FORWARDED = "yspbx.forwarded"

Headers = list[tuple[bytes, bytes]]


def unavailable(detail: str) -> Message:
    return Message({"kind": "unavailable", "detail": detail})


def sim_message(scope: Mapping[str, Any], body: bytes) -> Message:
    client = scope.get("client") or ("0.0.0.0", 0)
    header = {
        "kind": SIM,
        "method": scope["method"],
        "path": scope["path"],
        "query": bytes(scope.get("query_string", b"")).decode("latin-1"),
        "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
        "client": [str(client[0]), int(client[1])],
    }
    return Message(header, body)


def sim_scope(message: Message) -> dict[str, Any]:
    """The ASGI scope of a forwarded control-plane request, as the engine's process runs it."""
    header = message.header
    path = str(header["path"])
    client = header.get("client") or ["0.0.0.0", 0]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": str(header["method"]),
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": str(header.get("query", "")).encode("latin-1"),
        "headers": [
            (str(k).encode("latin-1"), str(v).encode("latin-1")) for k, v in header["headers"]
        ],
        "client": (str(client[0]), int(client[1])),
        "server": None,
        "state": {},
        FORWARDED: True,
    }


def http_answer(status: int, headers: Headers, body: bytes) -> Message:
    listed = [[k.decode("latin-1"), v.decode("latin-1")] for k, v in headers]
    return Message({"kind": "http", "status": status, "headers": listed}, body)


def read_http_answer(message: Message) -> tuple[int, Headers, bytes]:
    if message.kind != "http":
        raise EngineUnavailable(str(message.header.get("detail", "the engine could not answer")))
    headers = [
        (str(k).encode("latin-1"), str(v).encode("latin-1")) for k, v in message.header["headers"]
    ]
    return int(message.header["status"]), headers, message.payload


async def run_asgi(app: Any, scope: dict[str, Any], body: bytes) -> Message:
    """Run an HTTP request through an ASGI app in this process and capture its answer."""
    sent = False
    status = 500
    headers: Headers = []
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(event: dict[str, Any]) -> None:
        nonlocal status, headers
        if event["type"] == "http.response.start":
            status = int(event["status"])
            headers = [(bytes(k), bytes(v)) for k, v in event.get("headers", [])]
        elif event["type"] == "http.response.body":
            chunks.append(bytes(event.get("body", b"")))

    await app(scope, receive, send)
    return http_answer(status, headers, b"".join(chunks))
