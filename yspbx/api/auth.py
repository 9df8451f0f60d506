"""``login``, ``heartbeat`` and ``logout``: the session life cycle on the wire.

The wire: docs/pbx-api/sessions.md.
"""

from __future__ import annotations

from yspbx.api.registry import ApiRequest, ApiRouter, Encoded, Field, Reply
from yspbx.errors import Errno
from yspbx.sessions.manager import HeartbeatRequest, LoginRequest

router = ApiRouter("auth")

_TOKEN = {"token": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}


@router.endpoint(
    "login",
    summary="Log in with the API user and the MD5 of its password; returns the token.",
    needs_token=False,
    uses_engine=False,
    fields=(
        Field("username", True, "the API user name"),
        Field("password", True, "MD5 of the API password, 32 lowercase hex digits"),
        Field("port", True, "port on the application server for event reports (1-65535)"),
        Field("version", False, 'report format: "1.0.2" for well-formed JSON; absent: legacy'),
        Field("url", False, "report path (relative) or host:port/path (absolute)"),
        Field("urltag", False, "0: url is relative; 1: url is absolute", enum=("0", "1")),
    ),
    response=_TOKEN,
    errors=(Errno.LOCKED_OUT, Errno.BAD_CREDENTIALS, Errno.BAD_PORT, Errno.ALLOWED_IP_INVALID),
    example={
        "username": "api",
        "password": "8dc34f93e849dab027e77e05a7da40ac",
        "port": "8260",
        "version": "1.0.2",
    },
)
async def login(request: ApiRequest) -> Reply:
    params = request.params
    session = await request.sessions.login(
        request.client_ip,
        LoginRequest(
            username=params.text("username") or "",
            password=params.text("password") or "",
            port=params.text("port") or "",
            version=params.text("version"),
            url=params.text("url"),
            urltag=params.text("urltag"),
        ),
    )
    # The token is 32 hex digits: nothing in it needs escaping, so the answer is spelt out
    # rather than run through the JSON encoder (this is the hottest write path).
    return Encoded(b'{"status":"Success","token":"' + session.token.encode("ascii") + b'"}')


@router.endpoint(
    "heartbeat",
    summary="Keep the token alive for another lifetime and update the report target.",
    fields=(
        Field("ipaddr", False, "new IP of the application server"),
        Field("port", False, "new report port (1-65535)"),
        Field("url", False, "new report URL"),
        Field("urlflag", False, "0: url is relative; 1: url is absolute", enum=("0", "1")),
    ),
    errors=(Errno.HEARTBEAT_FAILED, Errno.BAD_PORT, Errno.ALLOWED_IP_INVALID),
    uses_engine=False,
)
async def heartbeat(request: ApiRequest) -> Reply:
    assert request.session is not None
    params = request.params
    await request.sessions.heartbeat(
        request.session,
        HeartbeatRequest(
            ipaddr=params.text("ipaddr"),
            port=params.text("port"),
            url=params.text("url"),
            urlflag=params.text("urlflag"),
        ),
        request.client_ip,
    )
    return {}


@router.endpoint(
    "logout",
    summary="End the session: the token stops working, reports stop.",
    uses_engine=False,
)
async def logout(request: ApiRequest) -> Reply:
    assert request.session is not None
    await request.sessions.logout(request.session)
    return {}
