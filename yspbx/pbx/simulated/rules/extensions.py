"""Extension settings (``extension/update``): every failure is ``10017``."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from yspbx.errors import Errno
from yspbx.pbx.models import Extension
from yspbx.pbx.simulated.rules import common as c
from yspbx.pbx.vocabulary import FORWARD_TARGETS, MAX_DURATIONS, MONITOR_MODES, RING_TIMEOUTS

if TYPE_CHECKING:
    from yspbx.pbx.simulated.tables import ConfigTables

ON_OFF = c.one_of(True, False)
# (switch, destination type, extension, prefix, number) for always / no answer / busy.
FORWARDS = (
    ("alwaysforward", "atransferto", "atransferext", "atransferprefix", "atransfernum"),
    ("noanswerforward", "ntransferto", "ntransferext", "ntransferprefix", "ntransfernum"),
    ("busyforward", "btransferto", "btransferext", "btransferprefix", "btransfernum"),
)

CHECKER = c.Checker(
    Errno.EXTENSION_CONFIG_FAILED,
    {
        "number": c.text_rule(c.number),
        "username": c.text_rule(lambda v: c.free_text(v, 31)),
        "callerid": c.text_rule(lambda v: c.letters_digits(v, 31)),
        "registername": c.text_rule(lambda v: c.letters_digits(v, 31, 1)),
        "registerpassword": c.text_rule(lambda v: c.password(v, 31, 1)),
        "maxregistrations": c.in_range(1, 5),
        "loginpassword": c.text_rule(lambda v: c.password(v, 63, 6)),
        "email": c.text_rule(c.email),
        "mobile": c.text_rule(lambda v: c.digits(v, 31)),
        "hasvoicemail": ON_OFF,
        "vmsecret": c.text_rule(lambda v: c.digits(v, 63)),
        "enablevmtoemail": ON_OFF,
        "enablemobile": ON_OFF,
        "ringsimultaneous": ON_OFF,
        "mobileprefix": c.text_rule(lambda v: c.digits(v, 7)),
        "allowbeingmonitored": ON_OFF,
        "monitormode": c.one_of(*MONITOR_MODES),
        "ringtimeout": c.one_of(*RING_TIMEOUTS),
        "maxduration": c.one_of(*MAX_DURATIONS),
        "dnd": ON_OFF,
        "callrestriction": ON_OFF,
        "agentid": c.text_rule(lambda v: c.digits(v, 31)),
        **{switch: ON_OFF for switch, *_ in FORWARDS},
        **{to: c.one_of(*FORWARD_TARGETS) for _, to, *_ in FORWARDS},
        **{ext: c.text_rule(lambda v: v == "" or c.number(v)) for _, _, ext, *_ in FORWARDS},
        **{prefix: c.text_rule(lambda v: c.digits(v, 7)) for *_, prefix, _ in FORWARDS},
        **{num: c.text_rule(lambda v: c.digits(v, 15)) for *_, num in FORWARDS},
    },
)


def check_extension(
    config: ConfigTables,
    extension: Extension,
    current: Extension | None,
    changed: Collection[str],
) -> None:
    CHECKER.fields(extension, changed)
    if c.renamed(extension, current, "number", changed):
        owner = config.number_owner(extension.number)
        if owner is not None:
            raise CHECKER.fail(f"number {extension.number} is already used by {owner}")
    for switch, to, ext, _, num in FORWARDS:
        if not getattr(extension, switch) or not c.touched(changed, switch, to, ext, num, "mobile"):
            continue
        target = getattr(extension, to)
        if target == "Extension":
            destination = getattr(extension, ext)
            if destination not in config.extensions or destination == extension.number:
                raise CHECKER.fail(f"{ext}: no other extension {destination!r}")
        elif target == "Custom Number" and not getattr(extension, num):
            raise CHECKER.fail(f"{num} is required to forward to a custom number")
        elif target == "Mobile Number" and not extension.mobile:
            raise CHECKER.fail(f"{switch} to the mobile number needs a mobile number")
    mobile_fields = ("enablemobile", "ringsimultaneous", "mobile")
    if extension.enablemobile and c.touched(changed, *mobile_fields) and not extension.mobile:
        raise CHECKER.fail("the mobility extension needs a mobile number")
