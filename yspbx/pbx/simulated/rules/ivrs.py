"""IVR settings (``ivr/update``): every failure is ``10018``."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from yspbx.errors import Errno
from yspbx.pbx.models import Ivr
from yspbx.pbx.simulated.rules import common as c

if TYPE_CHECKING:
    from yspbx.pbx.simulated.tables import ConfigTables

ON_OFF = c.one_of(True, False)

CHECKER = c.Checker(
    Errno.IVR_CONFIG_FAILED,
    {
        "number": c.text_rule(c.number),
        "name": c.text_rule(c.object_name),
        "promptrepeat": c.in_range(1, 5),
        "responsetimeout": c.in_range(1, 10),
        "digittimeout": c.in_range(1, 10),
        "dialext": ON_OFF,
        "dialtocheckvoicemail": ON_OFF,
    },
)


def check_ivr(
    config: ConfigTables, ivr: Ivr, current: Ivr | None, changed: Collection[str]
) -> None:
    CHECKER.fields(ivr, changed)
    if c.renamed(ivr, current, "number", changed):
        owner = config.number_owner(ivr.number)
        if owner is not None:
            raise CHECKER.fail(f"number {ivr.number} is already used by {owner}")
