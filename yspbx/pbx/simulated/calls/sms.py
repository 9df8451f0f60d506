"""``sms/send`` through a GSM trunk (docs/pbx-api/call-services.md), and its ``sms-send`` report.

The request is checked at once; a message that passes is handed to the trunk's GSM module,
answered with its ``smsid`` (``<phonenumber>-<unix seconds>``), and sent: the outcome is
reported ``calls.sms_seconds`` later on the server clock, ``Success`` unless the simulator
settled it otherwise first (``POST /sim/v1/sms/{smsid}/result``). A module sends one message at
a time.

Errnos, in this order: ``10026`` the trunk is no GSM/3G/4G trunk of the PBX; ``10028`` the
number is blank; ``10031`` it is not 3-20 digits with an optional leading ``+``; ``10030`` the
message is blank; ``10029`` the message cannot be read: bad URL-encoding (``%`` not followed by
two hex digits, or bytes that are not UTF-8), characters outside the Basic Multilingual Plane
(emoji), or longer than 2000 characters (1000 when it holds characters beyond Latin-1);
``10027`` the module is busy: it is sending another message, its trunk carries a call, or the
trunk's status is not ``Idle``.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

from yspbx.errors import Errno, PbxError
from yspbx.pbx.events import SmsResult
from yspbx.pbx.simulated.calls.errors import NotFound, NotPossible
from yspbx.pbx.simulated.calls.switch import Switch
from yspbx.scheduler import Timer

GSM_TYPES = frozenset({"GSM", "CDMA", "UMTS", "LTE"})
PHONE_NUMBER = re.compile(r"\+?[0-9]{3,20}")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
MAX_LATIN, MAX_WIDE = 2000, 1000
# Messages kept for the control plane's list.
HISTORY = 1000

SmsState = Literal["sending", "Success", "Failed"]


@dataclass(eq=False)
class Sms:
    smsid: str
    trunk: str
    phonenumber: str
    message: str
    sent_at: float
    state: SmsState = "sending"
    timer: Timer | None = field(default=None, repr=False)

    def describe(self) -> dict[str, Any]:
        return {
            "smsid": self.smsid,
            "trunk": self.trunk,
            "phonenumber": self.phonenumber,
            "message": self.message,
            "sent_at": self.sent_at,
            "status": self.state,
        }


def decode_message(raw: str) -> str:
    """The text of a URL-encoded message; 10030 when blank, 10029 when unreadable."""
    if not raw.strip():
        raise PbxError(Errno.SMS_CONTENT_BLANK)
    if _BAD_ESCAPE.search(raw):
        raise PbxError(Errno.SMS_FILE_ERROR, "a % that starts no escape")
    try:
        text = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise PbxError(Errno.SMS_FILE_ERROR, "not UTF-8 once decoded") from None
    if not text.strip():
        raise PbxError(Errno.SMS_CONTENT_BLANK)
    if any(ord(ch) > 0xFFFF for ch in text):
        raise PbxError(Errno.SMS_FILE_ERROR, "characters a GSM module cannot send (emoji)")
    limit = MAX_LATIN if all(ord(ch) < 0x100 for ch in text) else MAX_WIDE
    if len(text) > limit:
        raise PbxError(Errno.SMS_FILE_ERROR, f"longer than {limit} characters")
    return text


class SmsGateway:
    def __init__(self, switch: Switch) -> None:
        self._switch = switch
        self._config = switch.config
        self._sent: deque[Sms] = deque(maxlen=HISTORY)

    def send(self, trunk_name: str, phonenumber: str, message: str) -> str:
        trunk = self._config.trunks.get(trunk_name)
        if trunk is None or trunk.type not in GSM_TYPES:
            raise PbxError(Errno.GSM_MODULE_NOT_FOUND, trunk_name)
        number = phonenumber.strip()
        if not number:
            raise PbxError(Errno.SMS_NUMBER_BLANK)
        if not PHONE_NUMBER.fullmatch(number):
            raise PbxError(Errno.SMS_NUMBER_INVALID, number)
        text = decode_message(message)
        busy = any(sms.trunk == trunk.name and sms.state == "sending" for sms in self._sent)
        if busy or self._switch.trunk_in_use(trunk.name) or trunk.status.lower() != "idle":
            raise PbxError(Errno.GSM_MODULE_BUSY, trunk.name)
        now = self._switch.now()
        sms = Sms(f"{number}-{int(now)}", trunk.name, number, text, now)
        when = now + float(self._switch.settings.calls.sms_seconds)
        sms.timer = self._switch.at(when, lambda: self._settle(sms, "Success"), "sms")
        self._sent.append(sms)
        return sms.smsid

    def messages(self) -> list[dict[str, Any]]:
        return [sms.describe() for sms in self._sent]

    def settle(self, smsid: str, status: Literal["Success", "Failed"]) -> dict[str, Any]:
        """The simulator decides a message's outcome now (the oldest one sending with that id)."""
        found = [sms for sms in self._sent if sms.smsid == smsid]
        if not found:
            raise NotFound(f"no SMS {smsid}")
        sending = [sms for sms in found if sms.state == "sending"]
        if not sending:
            raise NotPossible(f"SMS {smsid} was already {found[-1].state}")
        self._settle(sending[0], status)
        return sending[0].describe()

    def _settle(self, sms: Sms, status: Literal["Success", "Failed"]) -> None:
        if sms.state != "sending":
            return
        sms.state = status
        if sms.timer is not None:
            sms.timer.cancel()
        self._switch.effects.emit(SmsResult(sms.smsid, status))
