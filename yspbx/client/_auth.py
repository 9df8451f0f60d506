"""The session rules both clients follow, written once and doing no I/O.

What the client must never do is lock its own IP out: five failed logins in a row from one IP
make the PBX refuse every login from it for ten minutes, production traffic included. So:

* a login refused with 20003 (bad credentials) is never sent again with the same credentials;
  every later call fails fast with the same error until :meth:`AuthState.set_credentials`;
* after ``lockout_threshold - 1`` failed logins in a row (4 by default), whatever the
  credentials, the client refuses to send another one: the next would lock the IP;
* a login refused with 20002 (locked out) is not tried again before the block must have ended
  (``retry_at``: the failure's time plus the lockout duration).

:meth:`AuthState.forget_failures` lifts all three, for when an administrator has fixed things.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import Field

from yspbx.client._exceptions import BadCredentialsError, LockoutError, LoginError, login_error
from yspbx.client._wire import RequestModel
from yspbx.errors import Errno

_MD5 = re.compile(r"[0-9a-f]{32}")

RELOGIN_ERRNOS = frozenset({Errno.TOKEN_UNKNOWN.value, Errno.TOKEN_EXPIRED.value})
"""A request refused with one of these is resent once, after a fresh login."""


def hash_password(plain: str) -> str:
    """The PBX wants the MD5 of the API password, as 32 lowercase hex digits."""
    return hashlib.md5(plain.encode("utf-8")).hexdigest()


def password_hash(password: str | None, password_md5: str | None) -> str:
    if (password is None) == (password_md5 is None):
        raise TypeError("give exactly one of password= (plain text) or password_md5=")
    if password_md5 is not None:
        digest = password_md5.strip().lower()
        if not _MD5.fullmatch(digest):
            raise ValueError("password_md5 must be an MD5 digest: 32 hexadecimal digits")
        return digest
    assert password is not None
    return hash_password(password)


def report_url_fields(url: str | None) -> tuple[str | None, str | None]:
    """``url`` and its relative/absolute flag as login and heartbeat send them.

    ``http://host:port/path`` is absolute (sent as ``host:port/path`` with flag ``1``); anything
    else is a path on the application server, relative to ``http://<its ip>:<port>/`` (flag
    ``0``).
    """
    if url is None:
        return None, None
    if url.lower().startswith("http://"):
        return url[len("http://") :], "1"
    return url.lstrip("/"), "0"


class LoginFields(RequestModel):
    username: str
    password: str
    port: str
    version: str | None = None
    url: str | None = None
    url_flag: str | None = Field(None, alias="urltag")


class HeartbeatFields(RequestModel):
    ip: str | None = Field(None, alias="ipaddr")
    port: str | None = None
    url: str | None = None
    url_flag: str | None = Field(None, alias="urlflag")


@dataclass(slots=True)
class ReportTarget:
    """Where the PBX is told to send event reports, and in which format."""

    port: int = 8260
    url: str | None = None
    version: str | None = "1.0.2"


class AuthState:
    def __init__(
        self,
        username: str,
        password_md5: str,
        target: ReportTarget,
        *,
        lockout_seconds: float = 600.0,
        lockout_threshold: int = 5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.username = username
        self.password_md5 = password_md5
        self.target = target
        self.lockout_seconds = lockout_seconds
        self.lockout_threshold = lockout_threshold
        self.token: str | None = None
        self._clock = clock
        self._refusal: LoginError | None = None
        self._failures = 0

    def check_may_login(self) -> None:
        """Raise instead of sending a login that cannot succeed or would lock the IP."""
        refusal = self._refusal
        if isinstance(refusal, LockoutError) and self._clock() >= refusal.retry_at:
            self._refusal = refusal = None
        if refusal is not None:
            raise refusal
        if 0 < self.lockout_threshold - 1 <= self._failures:
            raise BadCredentialsError(
                Errno.BAD_CREDENTIALS.value,
                "login",
                f"{self._failures} logins in a row were refused (errno 20003); one more "
                "would lock this IP out, so the client will not send it. Fix the "
                "credentials, then call forget_login_failures().",
            )

    def login_fields(self) -> LoginFields:
        url, flag = report_url_fields(self.target.url)
        return LoginFields(
            username=self.username,
            password=self.password_md5,
            port=str(self.target.port),
            version=self.target.version,
            url=url,
            url_flag=flag,
        )

    def logged_in(self, token: str) -> None:
        self.token = token
        self._failures = 0
        self._refusal = None

    def login_refused(self, errno: str) -> LoginError:
        """Record a refused login and return the error to raise."""
        error = login_error(errno, self._clock() + self.lockout_seconds)
        if isinstance(error, BadCredentialsError):
            self._failures += 1
            self._refusal = error
        elif isinstance(error, LockoutError):
            self._refusal = error
        return error

    def token_refused(self, token: str) -> None:
        """The PBX no longer knows ``token``: forget it, unless a newer login replaced it."""
        if self.token == token:
            self.token = None

    def set_credentials(self, username: str, password_md5: str) -> None:
        if (username, password_md5) != (self.username, self.password_md5):
            # A live token stays in use: it was issued already and stays valid.
            self.username, self.password_md5 = username, password_md5
            if isinstance(self._refusal, BadCredentialsError):
                self._refusal = None

    def forget_failures(self) -> None:
        self._refusal = None
        self._failures = 0
