"""2.0.0 ``login``, ``heartbeat`` and ``logout`` (docs/api-2.md, "Sessions").

The same sessions as 1.1.0: a token from either login works on either path, and failed logins
count toward the same lockout. What 2.0.0 changes: ``port`` is optional (8260 when absent),
login answers ``transport`` (the PBX's report method, ``reports.transport``), heartbeat calls
its flag ``urltag`` (``urlflag`` is read too) and may change the session's report format with
``version``, and every field may come in the query string as well as the body.
"""

from __future__ import annotations

from yspbx.api.registry import V2, ApiRequest, ApiRouter, Field, Reply
from yspbx.errors import Errno
from yspbx.sessions.manager import HeartbeatRequest, LoginRequest

router = ApiRouter("auth", V2)

DEFAULT_PORT = "8260"
_TOKEN = {
    "token": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
    "transport": {"type": "string", "enum": ["HTTP", "TCP"]},
}


def _field(request: ApiRequest, name: str) -> str | None:
    """A field from the body, else from the query string (clients send both ways)."""
    value = request.params.text(name)
    return value if value is not None else request.query.get(name)


@router.endpoint(
    "login",
    summary="Log in; answers the token and how events are delivered (HTTP or TCP).",
    needs_token=False,
    uses_engine=False,
    fields=(
        Field("username", True, "the API user name"),
        Field("password", True, "MD5 of the API password, 32 lowercase hex digits"),
        Field("port", False, "HTTP events: port on the application server (default 8260)"),
        Field("version", False, 'event format: "2.0.0"; absent: the 1.0.0 (legacy) format'),
        Field("url", False, "HTTP events: report path, or an absolute URL"),
        Field("urltag", False, "0: url is relative; 1: url is absolute", enum=("0", "1")),
    ),
    response=_TOKEN,
    errors=(Errno.LOCKED_OUT, Errno.BAD_CREDENTIALS, Errno.BAD_PORT, Errno.ALLOWED_IP_INVALID),
    example={
        "username": "api",
        "password": "8dc34f93e849dab027e77e05a7da40ac",
        "port": "8260",
        "version": "2.0.0",
    },
)
async def login(request: ApiRequest) -> Reply:
    tcp = request.sessions.report_transport == "tcp"
    port = _field(request, "port")
    if tcp or port is None or not port.strip():
        # With TCP events the HTTP target is unused; clients send the TCP port or nothing.
        port = DEFAULT_PORT
    session = await request.sessions.login(
        request.client_ip,
        LoginRequest(
            username=_field(request, "username") or "",
            password=_field(request, "password") or "",
            port=port,
            version=_field(request, "version"),
            url=None if tcp else _field(request, "url"),
            urltag=None if tcp else _field(request, "urltag"),
        ),
    )
    return {"token": session.token, "transport": "TCP" if tcp else "HTTP"}


@router.endpoint(
    "heartbeat",
    summary="Keep the token alive; may move the HTTP event target or change the event format.",
    fields=(
        Field("ipaddr", False, "new IP of the application server"),
        Field("port", False, "new report port (1-65535)"),
        Field("url", False, "new report URL"),
        Field("urltag", False, "0: url is relative; 1: url is absolute", enum=("0", "1")),
        Field("version", False, 'event format from now on: "2.0.0", "1.0.2", or "" legacy'),
    ),
    errors=(Errno.HEARTBEAT_FAILED, Errno.BAD_PORT, Errno.ALLOWED_IP_INVALID),
    uses_engine=False,
)
async def heartbeat(request: ApiRequest) -> Reply:
    assert request.session is not None
    flag = _field(request, "urltag")
    if flag is None:
        flag = _field(request, "urlflag")
    session = await request.sessions.heartbeat(
        request.session,
        HeartbeatRequest(
            ipaddr=_field(request, "ipaddr"),
            port=_field(request, "port"),
            url=_field(request, "url"),
            urlflag=flag,
        ),
        request.client_ip,
    )
    version = _field(request, "version")
    if version is not None:
        await request.sessions.change_version(session, version)
    return {}


@router.endpoint(
    "logout",
    summary="End the session: the token stops working, HTTP events stop.",
    uses_engine=False,
)
async def logout(request: ApiRequest) -> Reply:
    assert request.session is not None
    await request.sessions.logout(request.session)
    return {}
