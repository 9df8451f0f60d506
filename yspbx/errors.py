"""The S-Series errno table, written once for the server and the client alike.

The PBX answers every failure with HTTP 200 and ``{"status":"Failed","errno":"<digits>"}``.
Both halves of yspbx need the same table: the server to raise a failure by name, the SDK to
turn an errno back into a meaningful exception. Keeping it as data here means a new code is
added in one place and shows up in the OpenAPI errno enum, the server and the client at once.
"""

from __future__ import annotations

from enum import StrEnum


class Errno(StrEnum):
    """Every errno the S-Series API v1.1.0 documents (plus the v2 validation codes it may use)."""

    XML_NOT_SUPPORTED = "10002"
    UNSUPPORTED_REQUEST = "10003"
    MISSING_PARAMETER = "10004"
    CALLID_NOT_FOUND = "10005"
    EXTENSION_NOT_FOUND = "10006"
    CALL_NOT_FOUND = "10007"
    EXTENSION_NOT_IDLE = "10008"
    MONITOR_NOT_ALLOWED = "10009"
    MONITOR_MODE_MISMATCH = "10010"
    NUMBER_NOT_FOUND = "10011"
    IVR_NOT_FOUND = "10012"
    QUEUE_NOT_FOUND = "10013"
    RINGGROUP_NOT_FOUND = "10014"
    CALL_NOT_CONNECTED = "10015"
    INBOUND_CONTROL_TIMEOUT = "10016"
    EXTENSION_CONFIG_FAILED = "10017"
    IVR_CONFIG_FAILED = "10018"
    QUEUE_CONFIG_FAILED = "10019"
    ALARM_CONFIG_FAILED = "10020"
    ALARM_NOT_FOUND = "10021"
    ALARM_EXISTS = "10022"
    PROMPT_NOT_FOUND = "10023"
    NO_OUTBOUND_PERMISSION = "10024"
    APPLY_TOO_FREQUENT = "10025"
    GSM_MODULE_NOT_FOUND = "10026"
    GSM_MODULE_BUSY = "10027"
    SMS_NUMBER_BLANK = "10028"
    SMS_FILE_ERROR = "10029"
    SMS_CONTENT_BLANK = "10030"
    SMS_NUMBER_INVALID = "10031"
    WRONG_PASSWORD = "10032"
    OUTROUTE_SAVE_FAILED = "10033"
    TRUNK_NAME_INVALID = "10042"
    TRUNK_NAME_DUPLICATE = "10043"
    TRUNK_TYPE_INVALID = "10044"
    TRUNK_HOST_INVALID = "10045"
    TRUNK_PORT_INVALID = "10046"
    TRUNK_DOMAIN_INVALID = "10047"
    TRUNK_USERNAME_INVALID = "10048"
    TRUNK_USERNAME_DUPLICATE = "10049"
    TRUNK_AUTHNAME_INVALID = "10050"
    TRUNK_FROMUSER_INVALID = "10051"
    TRUNK_PASSWORD_INVALID = "10052"
    TRUNK_DOD_EXTENSION_MISSING = "10053"
    TRUNK_DOD_GROUP_MISSING = "10054"
    TRUNK_DOD_NUMBER_INVALID = "10055"
    TRUNK_DOD_NUMBER_LENGTH = "10056"
    TRUNK_DOD_NAME_INVALID = "10057"
    TRUNK_DOD_NAME_LENGTH = "10058"
    TRUNK_DOD_FORMAT = "10059"
    TRUNK_LIMIT = "10060"
    TRUNK_DELETE_FAILED = "10061"
    TRUNK_NOT_FOUND = "10062"
    INROUTE_NAME_INVALID = "10063"
    INROUTE_NAME_DUPLICATE = "10064"
    INROUTE_DID_INVALID = "10065"
    INROUTE_CALLERID_INVALID = "10066"
    INROUTE_TRUNK_MISSING = "10067"
    INROUTE_DESTTYPE_INVALID = "10068"
    INROUTE_DEST_INVALID = "10069"
    INROUTE_LIMIT = "10070"
    INROUTE_DELETE_FAILED = "10071"
    INROUTE_NOT_FOUND = "10072"
    OUTROUTE_NAME_INVALID = "10073"
    OUTROUTE_NAME_DUPLICATE = "10074"
    OUTROUTE_PREFIX_INVALID = "10075"
    OUTROUTE_STRIP_INVALID = "10076"
    OUTROUTE_PREPEND_INVALID = "10077"
    OUTROUTE_TRUNK_MISSING = "10078"
    OUTROUTE_EXTENSION_MISSING = "10079"
    OUTROUTE_GROUP_MISSING = "10080"
    OUTROUTE_LIMIT = "10081"
    JSON_ONLY = "20000"
    POST_ONLY = "20001"
    LOCKED_OUT = "20002"
    BAD_CREDENTIALS = "20003"
    TOKEN_UNKNOWN = "20004"
    TOKEN_BLANK = "20005"
    TOKEN_EXPIRED = "20006"
    DATA_BLANK = "20007"
    BAD_PORT = "20008"
    BLANK_REQUEST = "20009"
    FORWARD_FAILED = "20010"
    HEARTBEAT_FAILED = "20011"
    RECORDING_RANDOM_INVALID = "20012"
    CAPTCHA_WRONG = "20013"
    RECORDING_NOT_FOUND = "20014"
    ALLOWED_IP_INVALID = "20015"
    VOICEMAIL_STATUS_INVALID = "20016"
    VOICEMAIL_RANDOM_INVALID = "20017"
    VOICE_FILE_NOT_FOUND = "20018"
    CDR_TIME_INVALID = "20019"
    CDR_RANDOM_INVALID = "20020"
    CDR_NOT_FOUND = "20021"
    INTERNAL = "30001"
    APISRV_DOWN = "30003"

    @property
    def meaning(self) -> str:
        return MEANINGS[self]


MEANINGS: dict[Errno, str] = {
    Errno.XML_NOT_SUPPORTED: "XML data packets are not supported",
    Errno.UNSUPPORTED_REQUEST: "API request not supported",
    Errno.MISSING_PARAMETER: "a required parameter is missing or empty",
    Errno.CALLID_NOT_FOUND: "callid does not exist",
    Errno.EXTENSION_NOT_FOUND: "extension does not exist",
    Errno.CALL_NOT_FOUND: "call does not exist",
    Errno.EXTENSION_NOT_IDLE: "extension is not idle",
    Errno.MONITOR_NOT_ALLOWED: "extension may not be monitored",
    Errno.MONITOR_MODE_MISMATCH: "monitor mode does not match",
    Errno.NUMBER_NOT_FOUND: "called number does not exist",
    Errno.IVR_NOT_FOUND: "IVR does not exist",
    Errno.QUEUE_NOT_FOUND: "queue does not exist",
    Errno.RINGGROUP_NOT_FOUND: "ring group does not exist",
    Errno.CALL_NOT_CONNECTED: "call is not connected",
    Errno.INBOUND_CONTROL_TIMEOUT: "accepting or refusing the inbound call timed out",
    Errno.EXTENSION_CONFIG_FAILED: "extension configuration failed",
    Errno.IVR_CONFIG_FAILED: "IVR configuration failed",
    Errno.QUEUE_CONFIG_FAILED: "queue configuration failed",
    Errno.ALARM_CONFIG_FAILED: "adding or modifying the alarm failed",
    Errno.ALARM_NOT_FOUND: "alarm does not exist",
    Errno.ALARM_EXISTS: "alarm already exists",
    Errno.PROMPT_NOT_FOUND: "prompt file does not exist",
    Errno.NO_OUTBOUND_PERMISSION: "extension has no outbound call permission",
    Errno.APPLY_TOO_FREQUENT: "configuration applied too frequently",
    Errno.GSM_MODULE_NOT_FOUND: "GSM module does not exist",
    Errno.GSM_MODULE_BUSY: "GSM module busy or no idle GSM module",
    Errno.SMS_NUMBER_BLANK: "number must not be blank",
    Errno.SMS_FILE_ERROR: "SMS file could not be opened",
    Errno.SMS_CONTENT_BLANK: "SMS content must not be blank",
    Errno.SMS_NUMBER_INVALID: "callee number does not meet requirements",
    Errno.WRONG_PASSWORD: "wrong password",
    Errno.OUTROUTE_SAVE_FAILED: "saving the extension's outbound route settings failed",
    Errno.TRUNK_NAME_INVALID: "trunk name is invalid",
    Errno.TRUNK_NAME_DUPLICATE: "trunk name already exists",
    Errno.TRUNK_TYPE_INVALID: "trunk type is invalid",
    Errno.TRUNK_HOST_INVALID: "trunk host is invalid",
    Errno.TRUNK_PORT_INVALID: "trunk port is invalid",
    Errno.TRUNK_DOMAIN_INVALID: "trunk domain is invalid",
    Errno.TRUNK_USERNAME_INVALID: "trunk user name is invalid",
    Errno.TRUNK_USERNAME_DUPLICATE: "trunk user name already exists",
    Errno.TRUNK_AUTHNAME_INVALID: "trunk authentication name is invalid",
    Errno.TRUNK_FROMUSER_INVALID: "trunk from-user is invalid",
    Errno.TRUNK_PASSWORD_INVALID: "trunk password is invalid",
    Errno.TRUNK_DOD_EXTENSION_MISSING: "DOD extension does not exist",
    Errno.TRUNK_DOD_GROUP_MISSING: "DOD extension group does not exist",
    Errno.TRUNK_DOD_NUMBER_INVALID: "DOD number is invalid",
    Errno.TRUNK_DOD_NUMBER_LENGTH: "DOD number is too long",
    Errno.TRUNK_DOD_NAME_INVALID: "DOD name is invalid",
    Errno.TRUNK_DOD_NAME_LENGTH: "DOD name is too long",
    Errno.TRUNK_DOD_FORMAT: "DOD format is invalid",
    Errno.TRUNK_LIMIT: "trunk limit reached",
    Errno.TRUNK_DELETE_FAILED: "deleting the trunk failed",
    Errno.TRUNK_NOT_FOUND: "trunk does not exist",
    Errno.INROUTE_NAME_INVALID: "inbound route name is invalid",
    Errno.INROUTE_NAME_DUPLICATE: "inbound route name already exists",
    Errno.INROUTE_DID_INVALID: "DID pattern is invalid",
    Errno.INROUTE_CALLERID_INVALID: "caller ID pattern is invalid",
    Errno.INROUTE_TRUNK_MISSING: "inbound route trunk does not exist",
    Errno.INROUTE_DESTTYPE_INVALID: "inbound route destination type is invalid",
    Errno.INROUTE_DEST_INVALID: "inbound route destination is invalid",
    Errno.INROUTE_LIMIT: "inbound route limit reached",
    Errno.INROUTE_DELETE_FAILED: "deleting the inbound route failed",
    Errno.INROUTE_NOT_FOUND: "inbound route does not exist",
    Errno.OUTROUTE_NAME_INVALID: "outbound route name is invalid",
    Errno.OUTROUTE_NAME_DUPLICATE: "outbound route name already exists",
    Errno.OUTROUTE_PREFIX_INVALID: "outbound route prefix is invalid",
    Errno.OUTROUTE_STRIP_INVALID: "outbound route strip is invalid",
    Errno.OUTROUTE_PREPEND_INVALID: "outbound route prepend is invalid",
    Errno.OUTROUTE_TRUNK_MISSING: "outbound route trunk does not exist",
    Errno.OUTROUTE_EXTENSION_MISSING: "outbound route extension does not exist",
    Errno.OUTROUTE_GROUP_MISSING: "outbound route extension group does not exist",
    Errno.OUTROUTE_LIMIT: "outbound route limit reached",
    Errno.JSON_ONLY: "only JSON is supported",
    Errno.POST_ONLY: "only POST is supported",
    Errno.LOCKED_OUT: "login failed: the client IP is locked out",
    Errno.BAD_CREDENTIALS: "login failed: invalid username or password",
    Errno.TOKEN_UNKNOWN: "no such token",
    Errno.TOKEN_BLANK: "token is blank",
    Errno.TOKEN_EXPIRED: "token timed out",
    Errno.DATA_BLANK: "data is blank",
    Errno.BAD_PORT: "wrong port",
    Errno.BLANK_REQUEST: "blank request",
    Errno.FORWARD_FAILED: "the request could not be handed to the PBX engine",
    Errno.HEARTBEAT_FAILED: "heartbeat configuration request failed",
    Errno.RECORDING_RANDOM_INVALID: "recording random string invalid",
    Errno.CAPTCHA_WRONG: "wrong verification code",
    Errno.RECORDING_NOT_FOUND: "recording file does not exist",
    Errno.ALLOWED_IP_INVALID: "allowed IP invalid",
    Errno.VOICEMAIL_STATUS_INVALID: "voicemail status parameter invalid",
    Errno.VOICEMAIL_RANDOM_INVALID: "voicemail random string invalid",
    Errno.VOICE_FILE_NOT_FOUND: "voice file does not exist",
    Errno.CDR_TIME_INVALID: "CDR time format invalid",
    Errno.CDR_RANDOM_INVALID: "CDR random string invalid",
    Errno.CDR_NOT_FOUND: "CDR does not exist",
    Errno.INTERNAL: "internal error",
    Errno.APISRV_DOWN: "API service not running",
}


def meaning_of(errno: str) -> str:
    """The meaning of an errno string, even one this table does not know (a newer firmware's)."""
    try:
        return Errno(errno).meaning
    except ValueError:
        return f"unknown errno {errno}"


class PbxError(Exception):
    """A failure the PBX reports as ``{"status":"Failed","errno":...}``.

    Raised by the engine and the session rules; the API envelope is the only place that turns
    it into bytes. ``detail`` is for logs and the journal, never for the wire.
    """

    def __init__(self, errno: Errno, detail: str = "") -> None:
        super().__init__(f"{errno.value} {errno.meaning}" + (f": {detail}" if detail else ""))
        self.errno = errno
        self.detail = detail
