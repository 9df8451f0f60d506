"""The framework ceiling: a bare Starlette app serving login and extensionlist/query.

It keeps tokens in a dict and answers the same bytes yspbx answers, with none of yspbx's rules
(no lockout, no expiry, no journal, no store): what Starlette on uvicorn can do at best.
"""

from __future__ import annotations

import hmac
import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

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
CORS = {
    "Access-control-allow-origin": "*",
    "Access-control-allow-methods": "GET, POST, OPTIONS, PUT, DELETE",
}


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json", headers=CORS)


async def login(request: Request) -> Response:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return _json(FAILED_JSON)
    user_ok = hmac.compare_digest(str(data.get("username", "")), USERNAME)
    password_ok = hmac.compare_digest(str(data.get("password", "")), PASSWORD_MD5)
    if not (user_ok and password_ok):
        return _json(FAILED_LOGIN)
    token = new_token()
    TOKENS[token] = 0.0
    return _json(b'{"status":"Success","token":"' + token.encode() + b'"}')


async def extension_list(request: Request) -> Response:
    if request.query_params.get("token") not in TOKENS:
        return _json(FAILED_TOKEN)
    await request.body()
    return _json(EXTENSIONS)


app = Starlette(
    routes=[
        Route("/api/v1.1.0/login", login, methods=["POST"]),
        Route("/api/v1.1.0/extensionlist/query", extension_list, methods=["POST"]),
    ]
)
