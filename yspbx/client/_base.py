"""Everything the two clients share: request building, answer decoding, and the session flows.

A *flow* is a generator that says what to do next and is told what happened, in the style of
httpx's ``Auth.auth_flow``. It yields a :class:`Send` (send this request, give me the response)
or a :class:`Login` (make sure we are logged in and give me the token), and returns the result.
:class:`~yspbx.client.Client` and :class:`~yspbx.client.AsyncClient` only run flows: one with
plain calls and a thread lock, the other with ``await`` and an async lock. So "log in lazily,
and when the PBX says the token is unknown or expired, log in again once and resend" is written
once, here, for both.
"""

from __future__ import annotations

import enum
import json
import logging
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from yspbx.client._auth import (
    RELOGIN_ERRNOS,
    AuthState,
    HeartbeatFields,
    ReportTarget,
    password_hash,
    report_url_fields,
)
from yspbx.client._endpoint import Download, Endpoint, nothing
from yspbx.client._exceptions import (
    ConnectError,
    ResponseError,
    TokenError,
    TransportError,
    TransportTimeout,
    api_error,
)
from yspbx.client._wire import RequestModel

log = logging.getLogger("yspbx.client")

T = TypeVar("T")

API_PATH = "/api/v1.1.0/"
API_VERSIONS = ("1.1.0", "2.0.0")
USER_AGENT = "yspbx-client"
_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

HEARTBEAT = Endpoint("heartbeat", nothing, query=True)
LOGOUT = Endpoint("logout", nothing, relogin=False)


class Retry(enum.Enum):
    """Which transport failures a request may be sent again after."""

    NEVER = "never"
    CONNECT = "connect"
    """Only when nothing reached the PBX (a login, a download ticket that is used up once read)."""
    TRANSIENT = "transient"
    """Any transient failure: for queries, which change nothing on the PBX."""


_CONNECT_FAILURES = (httpx.ConnectError, httpx.ConnectTimeout)
_TRANSIENT_FAILURES = (
    *_CONNECT_FAILURES,
    httpx.ReadTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.RemoteProtocolError,
)


@dataclass(frozen=True, slots=True)
class Send:
    request: httpx.Request
    retry: Retry


@dataclass(frozen=True, slots=True)
class Login:
    """Log in unless someone already replaced ``stale`` (the token the PBX refused, or None)."""

    stale: str | None


Step = Send | Login
Flow = Generator[Step, Any, T]


class BaseClient:
    """Configuration and flows; the subclasses add the I/O."""

    _http: httpx.Client | httpx.AsyncClient

    def __init__(
        self,
        base_url: str,
        *,
        username: str,
        password: str | None = None,
        password_md5: str | None = None,
        report_port: int = 8260,
        report_url: str | None = None,
        report_version: str | None = "1.0.2",
        keepalive_interval: float = 25 * 60.0,
        retries: int = 2,
        retry_backoff: float = 0.25,
        lockout_seconds: float = 600.0,
        lockout_threshold: int = 5,
        api_version: str = "1.1.0",
    ) -> None:
        """``api_version``: ``"2.0.0"`` logs in (and keeps the session) on the 2.0.0 path and
        asks for 2.0.0 events unless ``report_version`` says otherwise; the typed 2.0.0
        methods are on ``client.v2`` either way (the PBX shares sessions between its paths)."""
        if api_version not in API_VERSIONS:
            raise ValueError(f"api_version must be one of {API_VERSIONS}")
        if api_version == "2.0.0" and report_version == "1.0.2":
            report_version = "2.0.0"
        self.api_version = api_version
        self.api_path = f"/api/v{api_version}/"
        # The report method the PBX announced at the last 2.0.0 login ("HTTP" or "TCP").
        self.transport: str | None = None
        if not 1 <= report_port <= 65535:
            raise ValueError("report_port must be between 1 and 65535")
        if keepalive_interval <= 0:
            raise ValueError("keepalive_interval must be positive")
        self.base_url = base_url.rstrip("/")
        self.keepalive_interval = keepalive_interval
        self.retries = max(0, retries)
        self.retry_backoff = max(0.0, retry_backoff)
        self._auth = AuthState(
            username,
            password_hash(password, password_md5),
            ReportTarget(report_port, report_url, report_version),
            lockout_seconds=lockout_seconds,
            lockout_threshold=lockout_threshold,
        )
        self._last_exchange = time.monotonic()

    # -- session state --------------------------------------------------------------------

    @property
    def token(self) -> str | None:
        """The current token, or None before the first login and after logout."""
        return self._auth.token

    @property
    def username(self) -> str:
        return self._auth.username

    def set_credentials(
        self, username: str, password: str | None = None, *, password_md5: str | None = None
    ) -> None:
        """Use other credentials from the next login on; lifts a bad-credentials refusal."""
        self._auth.set_credentials(username, password_hash(password, password_md5))

    def forget_login_failures(self) -> None:
        """Allow logins again after refusals (for instance once an administrator unblocked
        this IP, or fixed the API password on the PBX)."""
        self._auth.forget_failures()

    def _idle_seconds(self) -> float:
        return time.monotonic() - self._last_exchange

    # -- requests and answers -------------------------------------------------------------

    def _post(
        self,
        path: str,
        fields: RequestModel | None,
        token: str | None,
        prefix: str | None = None,
    ) -> httpx.Request:
        # No fields to send: an empty body, as the PBX's examples send requests without fields.
        wire = fields.to_wire() if fields is not None else None
        content = json.dumps(wire).encode("utf-8") if wire else b""
        return self._http.build_request(
            "POST",
            (prefix or self._default_prefix(path)) + path,
            params={"token": token} if token is not None else None,
            content=content,
            headers=_JSON_HEADERS,
        )

    def _default_prefix(self, path: str) -> str:
        """The session's own requests go to the client's version; the rest to 1.1.0."""
        return self.api_path if path in ("login", "heartbeat", "logout") else API_PATH

    def _get(
        self, path: str, params: dict[str, str], token: str, prefix: str | None = None
    ) -> httpx.Request:
        return self._http.build_request(
            "GET", (prefix or API_PATH) + path, params={**params, "token": token}
        )

    @staticmethod
    def _envelope(response: httpx.Response, path: str) -> dict[str, Any]:
        """The JSON answer; a ``ResponseError`` when it is not the PBX's envelope."""
        try:
            data = json.loads(response.content)
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict) or data.get("status") not in ("Success", "Failed"):
            raise ResponseError(
                f"{path}: the PBX answered HTTP {response.status_code} with something that is "
                "not the S-Series API's JSON answer (is the URL that of the PBX?)",
                response.status_code,
                response.content[:2048],
            )
        if data["status"] == "Failed":
            data["errno"] = str(data.get("errno", ""))
        return data

    @staticmethod
    def _download_failure(response: httpx.Response, path: str) -> str | None:
        """The errno of a refused download, or None when the answer is the file."""
        kind = response.headers.get("content-type", "")
        if response.status_code == 200 and not kind.startswith("application/json"):
            return None
        data = BaseClient._envelope(response, path)
        if data["status"] == "Success":
            raise ResponseError(
                f"{path}: the PBX answered a JSON success instead of the file",
                response.status_code,
                response.content[:2048],
            )
        return str(data["errno"])

    # -- flows ----------------------------------------------------------------------------

    def _call_flow(self, endpoint: Endpoint[T], fields: RequestModel | None) -> Flow[T]:
        token = self._auth.token
        if token is None:
            token = yield Login(None)
        retry = Retry.TRANSIENT if endpoint.query else Retry.NEVER
        prefix = endpoint.prefix
        response = yield Send(self._post(endpoint.path, fields, token, prefix), retry)
        data = self._envelope(response, endpoint.path)
        if data["status"] == "Failed" and data["errno"] in RELOGIN_ERRNOS and endpoint.relogin:
            self._auth.token_refused(token)
            token = yield Login(token)
            response = yield Send(self._post(endpoint.path, fields, token, prefix), retry)
            data = self._envelope(response, endpoint.path)
        if data["status"] == "Failed":
            raise api_error(data["errno"], endpoint.path)
        try:
            return endpoint.parse(data)
        except (ValidationError, ValueError, TypeError) as exc:
            raise ResponseError(
                f"{endpoint.path}: unexpected answer: {exc}", 200, json.dumps(data).encode()
            ) from exc

    def _login_flow(self) -> Flow[str]:
        self._auth.check_may_login()
        request = self._post("login", self._auth.login_fields(), None)
        data = self._envelope((yield Send(request, Retry.CONNECT)), "login")
        if data["status"] == "Failed":
            error = self._auth.login_refused(data["errno"])
            log.warning("login to %s refused: %s", self.base_url, error)
            raise error
        token = data.get("token")
        transport = data.get("transport")
        self.transport = transport if isinstance(transport, str) else None
        if not isinstance(token, str) or not token:
            raise ResponseError("login: the answer has no token", 200, json.dumps(data).encode())
        self._auth.logged_in(token)
        log.debug("logged in to %s", self.base_url)
        return token

    def _heartbeat_flow(self, ip: str | None, port: int | None, url: str | None) -> Flow[None]:
        wire_url, flag = report_url_fields(url)
        fields = HeartbeatFields(
            ip=ip, port=None if port is None else str(port), url=wire_url, url_flag=flag
        )
        yield from self._call_flow(HEARTBEAT, fields)
        # A later re-login must keep sending reports where this heartbeat said.
        if port is not None:
            self._auth.target.port = port
        if url is not None:
            self._auth.target.url = url

    def _logout_flow(self) -> Flow[None]:
        token = self._auth.token
        if token is None:
            return
        self._auth.token = None
        response = yield Send(self._post("logout", None, token), Retry.NEVER)
        data = self._envelope(response, "logout")
        if data["status"] == "Failed" and not isinstance(api_error(data["errno"]), TokenError):
            raise api_error(data["errno"], "logout")

    def _download_flow(self, download: Download, params: dict[str, str]) -> Flow[bytes]:
        token = self._auth.token
        if token is None:
            token = yield Login(None)
        response = yield Send(self._get(download.path, params, token), Retry.CONNECT)
        errno = self._download_failure(response, download.path)
        if errno in RELOGIN_ERRNOS:
            self._auth.token_refused(token)
            token = yield Login(token)
            response = yield Send(self._get(download.path, params, token), Retry.CONNECT)
            errno = self._download_failure(response, download.path)
        if errno is not None:
            raise api_error(errno, download.path)
        content: bytes = response.content
        return content

    # -- transport failures ---------------------------------------------------------------

    def _may_retry(self, exc: httpx.TransportError, retry: Retry, attempt: int) -> bool:
        if attempt >= self.retries or retry is Retry.NEVER:
            return False
        failures = _CONNECT_FAILURES if retry is Retry.CONNECT else _TRANSIENT_FAILURES
        return isinstance(exc, failures)

    def _backoff(self, attempt: int) -> float:
        return float(self.retry_backoff * (2**attempt))

    def _transport_error(self, exc: httpx.TransportError, request: httpx.Request) -> TransportError:
        where = f"{request.method} {request.url.copy_remove_param('token')}"
        if isinstance(exc, _CONNECT_FAILURES):
            return ConnectError(f"cannot reach the PBX at {self.base_url} ({where}): {exc}")
        if isinstance(exc, httpx.TimeoutException):
            return TransportTimeout(f"the PBX did not answer in time ({where}): {exc}")
        return TransportError(f"exchange with the PBX failed ({where}): {exc!r}")

    def _exchanged(self) -> None:
        self._last_exchange = time.monotonic()
