"""Conference rooms (2.0.0 ``conference/update``).

The vendor gives no errno for a refused value; yspbx answers ``10004`` (a parameter is missing
or unusable) for each, and ``10006`` for a moderator that is no extension. A name may not hold
``& ' < > ` | $ ] \\ "``; passwords are digits and ``*``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TYPE_CHECKING

from yspbx.errors import Errno
from yspbx.pbx.models import Conference
from yspbx.pbx.simulated.rules import common as c

if TYPE_CHECKING:
    from yspbx.pbx.simulated.tables import ConfigTables

_FORBIDDEN_IN_NAME = frozenset("&'<>`|$]\\\"")
_PASSWORD = re.compile(r"[0-9*]{0,31}")


def room_name(value: str) -> bool:
    return len(value) <= 63 and not (_FORBIDDEN_IN_NAME & set(value))


CHECKER = c.Checker(
    Errno.MISSING_PARAMETER,
    {
        "number": c.text_rule(c.number),
        "name": c.text_rule(room_name),
        "participantepassword": c.text_rule(lambda v: bool(_PASSWORD.fullmatch(v))),
        "moderatorpassword": c.text_rule(lambda v: bool(_PASSWORD.fullmatch(v))),
        "waitformoderator": c.one_of(True, False),
        "allowinvite": c.one_of(True, False),
        "moderators": c.list_rule(c.number),
        "musiconhold": c.one_of(True, False),
        "mute": c.one_of(True, False),
        "prompt": c.one_of("default", "exten", "none"),
    },
)


def check_conference(
    config: ConfigTables,
    room: Conference,
    current: Conference | None,
    changed: Collection[str],
) -> None:
    CHECKER.fields(room, changed)
    if c.renamed(room, current, "number", changed):
        owner = config.number_owner(room.number)
        if owner is not None:
            raise CHECKER.fail(f"number {room.number} is already used by {owner}")
    if "moderators" in changed and (unknown := c.missing(room.moderators, config.extensions)):
        raise CHECKER.fail(f"no extension {unknown}", Errno.EXTENSION_NOT_FOUND)
