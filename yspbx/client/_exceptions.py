"""Everything the SDK raises, as one tree, so callers never need to catch a lower library's errors.

    YspbxError
    ├── ApiError                    the PBX answered {"status":"Failed","errno":...}
    │   ├── LoginError              a login was refused
    │   │   ├── BadCredentialsError     20003: wrong user name or password (never retried)
    │   │   └── LockoutError            20002: this IP is locked out; carries ``retry_at``
    │   ├── TokenError              20004 / 20005 / 20006, still failing after one re-login
    │   ├── NotFoundError           the extension, call, IVR, queue, trunk, file... does not exist
    │   ├── InvalidValueError       a value of the request was refused (missing, malformed, taken)
    │   ├── NotPermittedError       the PBX's settings forbid it (outbound permission, monitoring)
    │   └── BusyError               not now: something is busy or in a call, or not connected yet
    ├── TransportError              the PBX could not be reached or did not answer in time
    │   ├── ConnectError                nothing reached the PBX (refused, no route, TLS, DNS)
    │   └── TransportTimeout            no answer in time
    └── ResponseError               the answer is not the S-Series API's (HTML, bad JSON, ...)

``ApiError.errno`` is the errno string exactly as the PBX sent it (``"20003"``) and
``ApiError.meaning`` its meaning from the one errno table, :mod:`yspbx.errors`. Which subclass an
errno raises is decided by :func:`api_error`, and nowhere else.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from yspbx.errors import Errno, meaning_of


class YspbxError(Exception):
    """The root of every error the SDK raises."""


class ApiError(YspbxError):
    """The PBX refused a request: ``{"status":"Failed","errno":"<digits>"}``."""

    def __init__(self, errno: str, endpoint: str = "", message: str = "") -> None:
        self.errno = errno
        self.meaning = meaning_of(errno)
        self.endpoint = endpoint
        where = f" ({endpoint})" if endpoint else ""
        super().__init__(message or f"errno {errno}: {self.meaning}{where}")


class LoginError(ApiError):
    """The PBX refused to log in."""


class BadCredentialsError(LoginError):
    """20003: the user name or the password is wrong.

    The client does not try these credentials again: every later call fails fast with this
    error until :meth:`~yspbx.Client.set_credentials` gives new ones. Five failed logins in a
    row lock the client's IP out for ten minutes, so retrying would only make things worse.
    """


class LockoutError(LoginError):
    """20002: the PBX blocks logins from this IP (after 5 failed logins, for 10 minutes).

    The PBX does not say when the block ends. ``retry_at`` is the latest it can end: the
    failure's time plus the lockout duration (600 s unless the client was told otherwise).
    An administrator can end it sooner by deleting the IP from the PBX's blocked list.
    """

    def __init__(self, errno: str, endpoint: str, retry_at: float) -> None:
        self.retry_at = retry_at
        when = datetime.fromtimestamp(retry_at, UTC).strftime("%H:%M:%S UTC")
        super().__init__(
            errno,
            endpoint,
            f"errno {errno}: {meaning_of(errno)}; logins from this IP are refused until "
            f"{when} at the latest (or until an administrator unblocks it)",
        )

    @property
    def retry_after(self) -> float:
        """Seconds from now until ``retry_at`` (0 once it has passed)."""
        return max(0.0, self.retry_at - time.time())


class TokenError(ApiError):
    """The token is blank, unknown or expired, and logging in again did not help."""


class NotFoundError(ApiError):
    """The object the request names does not exist on the PBX."""


class InvalidValueError(ApiError):
    """The PBX refused a value the request carries: a required field missing or blank, a value
    out of range or badly formed, a name already taken, or a reference (a route's trunk, a
    DOD's extension, a destination) to something that does not exist.

    Nothing changed on the PBX. Which field was wrong the PBX says only through the errno
    (``10017`` covers every field of an extension; the trunk and route codes are per field).
    """


class NotPermittedError(ApiError):
    """The PBX's settings forbid what was asked: the extension may not dial that number
    (``10024``: no outbound route it may use, or call restriction on), the extension may not
    be monitored or already is (``10009``), the monitor's mode does not allow this kind of
    monitoring (``10010``), or a prompt cannot be played to a number whose route goes out on an
    analog trunk (``10015`` from ``outbound/playprompt``). Asking again will not help until the
    settings change."""


class BusyError(ApiError):
    """The PBX cannot do it now: the extension is not idle (``10008``), the call is not
    connected yet (``10015``), the trunk carries a call (``10061``), no GSM module is free
    (``10027``), settings were applied too often (``10025``). It may work later."""


class TransportError(YspbxError):
    """The exchange with the PBX failed below the API (the original error is ``__cause__``)."""


class ConnectError(TransportError):
    """The PBX could not be reached: nothing was sent."""


class TransportTimeout(TransportError):
    """The PBX did not answer in time."""


class ResponseError(YspbxError):
    """The PBX answered something that is not the S-Series API's JSON envelope."""

    def __init__(self, message: str, status_code: int | None = None, body: bytes = b"") -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


_TOKEN_ERRNOS = frozenset({Errno.TOKEN_UNKNOWN, Errno.TOKEN_BLANK, Errno.TOKEN_EXPIRED})
_NOT_FOUND_ERRNOS = frozenset(
    {
        Errno.CALLID_NOT_FOUND,
        Errno.EXTENSION_NOT_FOUND,
        Errno.CALL_NOT_FOUND,
        Errno.NUMBER_NOT_FOUND,
        Errno.IVR_NOT_FOUND,
        Errno.QUEUE_NOT_FOUND,
        Errno.RINGGROUP_NOT_FOUND,
        Errno.ALARM_NOT_FOUND,
        Errno.PROMPT_NOT_FOUND,
        Errno.GSM_MODULE_NOT_FOUND,
        Errno.TRUNK_NOT_FOUND,
        Errno.INROUTE_NOT_FOUND,
        Errno.RECORDING_NOT_FOUND,
        Errno.VOICE_FILE_NOT_FOUND,
        Errno.CDR_NOT_FOUND,
    }
)
_INVALID_VALUE_ERRNOS = frozenset(
    {
        Errno.MISSING_PARAMETER,
        Errno.EXTENSION_CONFIG_FAILED,
        Errno.IVR_CONFIG_FAILED,
        Errno.QUEUE_CONFIG_FAILED,
        Errno.ALARM_CONFIG_FAILED,
        Errno.ALARM_EXISTS,  # the extension has an alarm at that time already
        Errno.SMS_NUMBER_BLANK,
        Errno.SMS_FILE_ERROR,  # the message: emoji, too long, not text
        Errno.SMS_CONTENT_BLANK,
        Errno.SMS_NUMBER_INVALID,
        # Downloads: the allowed IP, the CDR time range, a ticket (random) that is unknown,
        # spent, expired or not for this file or client.
        Errno.ALLOWED_IP_INVALID,
        Errno.CDR_TIME_INVALID,
        Errno.RECORDING_RANDOM_INVALID,
        Errno.CDR_RANDOM_INVALID,
        # siptrunk/*: every field's own code, from the name to the DODs (10042-10059).
        *(Errno(str(code)) for code in range(10042, 10060)),
        # inroute/*: name, patterns, trunks, destination (10063-10069).
        *(Errno(str(code)) for code in range(10063, 10070)),
        # outroute/*: name, prefix, strip, prepend, trunks, extensions, groups (10073-10080).
        *(Errno(str(code)) for code in range(10073, 10081)),
    }
)
_NOT_PERMITTED_ERRNOS = frozenset(
    {Errno.MONITOR_NOT_ALLOWED, Errno.MONITOR_MODE_MISMATCH, Errno.NO_OUTBOUND_PERMISSION}
)
_BUSY_ERRNOS = frozenset(
    {
        Errno.EXTENSION_NOT_IDLE,
        Errno.CALL_NOT_CONNECTED,
        Errno.TRUNK_DELETE_FAILED,
        Errno.GSM_MODULE_BUSY,
        Errno.APPLY_TOO_FREQUENT,
    }
)


# Where an errno means something else for one endpoint. ``outbound/playprompt`` answers 10015
# when the number's route goes out on an analog trunk, which reports a call established before
# anyone answers: asking again cannot help until the routes change.
_BY_ENDPOINT: dict[tuple[str, str], type[ApiError]] = {
    ("outbound/playprompt", Errno.CALL_NOT_CONNECTED): NotPermittedError,
}


def api_error(errno: str, endpoint: str = "") -> ApiError:
    """The exception for a failed answer to any request but ``login`` (see ``login_error``)."""
    special = _BY_ENDPOINT.get((endpoint, errno))
    if special is not None:
        return special(errno, endpoint)
    if errno in _TOKEN_ERRNOS:
        return TokenError(errno, endpoint)
    if errno in _NOT_FOUND_ERRNOS:
        return NotFoundError(errno, endpoint)
    if errno in _INVALID_VALUE_ERRNOS:
        return InvalidValueError(errno, endpoint)
    if errno in _NOT_PERMITTED_ERRNOS:
        return NotPermittedError(errno, endpoint)
    if errno in _BUSY_ERRNOS:
        return BusyError(errno, endpoint)
    return ApiError(errno, endpoint)


def login_error(errno: str, retry_at: float) -> LoginError:
    """The exception for a refused login; ``retry_at`` is used only for a lockout."""
    if errno == Errno.BAD_CREDENTIALS:
        return BadCredentialsError(errno, "login")
    if errno == Errno.LOCKED_OUT:
        return LockoutError(errno, "login", retry_at)
    return LoginError(errno, "login")
