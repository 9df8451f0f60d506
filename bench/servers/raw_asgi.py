"""The Python ceiling: the same two endpoints as a bare ASGI callable, no framework at all."""

from __future__ import annotations

import hmac
import json
from typing import Any

from bench.servers.reference_answers import (
    FAILED_JSON,
    FAILED_LOGIN,
    FAILED_TOKEN,
    PASSWORD_MD5,
    USERNAME,
    extension_list_body,
    new_token,
)

TOKENS: dict[str, float] = {}
EXTENSIONS = extension_list_body()
HEADERS = [
    (b"content-type", b"application/json"),
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, POST, OPTIONS, PUT, DELETE"),
]


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(send: Any, body: bytes, status: int = 200) -> None:
    headers = [*HEADERS, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    path = scope["path"]
    body = await _body(receive)
    if path == "/api/v1.1.0/login":
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            await _answer(send, FAILED_JSON)
            return
        user_ok = hmac.compare_digest(str(data.get("username", "")), USERNAME)
        password_ok = hmac.compare_digest(str(data.get("password", "")), PASSWORD_MD5)
        if not (user_ok and password_ok):
            await _answer(send, FAILED_LOGIN)
            return
        token = new_token()
        TOKENS[token] = 0.0
        await _answer(send, b'{"status":"Success","token":"' + token.encode() + b'"}')
    elif path == "/api/v1.1.0/extensionlist/query":
        query = scope["query_string"].decode()
        token = query[6:] if query.startswith("token=") else ""
        await _answer(send, EXTENSIONS if token in TOKENS else FAILED_TOKEN)
    else:
        await _answer(send, b'{"status":"Failed","errno":"10003"}')
