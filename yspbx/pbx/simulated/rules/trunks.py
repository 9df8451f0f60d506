"""SIP trunk settings (``siptrunk/add``, ``siptrunk/update``): the v2 codes 10042-10062.

A register trunk logs in to a provider (host, port, domain and an account); a peer trunk is
addressed by host alone; an account trunk is one the other side registers to (an account, no
host). Fields that do not apply to the trunk's type are kept but not required.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yspbx.errors import Errno
from yspbx.pbx.models import Trunk
from yspbx.pbx.simulated.rules import common as c
from yspbx.pbx.vocabulary import TRUNK_TYPES

if TYPE_CHECKING:
    from yspbx.pbx.simulated.tables import ConfigTables

# Which connection fields each trunk type needs (docs/pbx-api/trunks-routes.md, siptrunk/add).
REQUIRED = {
    "register": ("host", "port", "domain", "username", "authname", "password"),
    "peer": ("host", "port", "domain"),
    "account": ("username", "authname", "password"),
}
MAX_DOD_NUMBER = 32
MAX_DOD_NAME = 31
_DOD_NAME = re.compile(r"[A-Za-z0-9_. ]+")

CHECKER = c.Checker(
    Errno.TRUNK_NAME_INVALID,
    {
        "name": c.text_rule(c.object_name),
        "trunktype": c.FieldRule(c.one_of(*TRUNK_TYPES), Errno.TRUNK_TYPE_INVALID),
        "host": c.FieldRule(c.text_rule(lambda v: v == "" or c.host(v)), Errno.TRUNK_HOST_INVALID),
        "port": c.FieldRule(c.text_rule(lambda v: v == "" or c.port(v)), Errno.TRUNK_PORT_INVALID),
        "domain": c.FieldRule(
            c.text_rule(lambda v: v == "" or c.host(v)), Errno.TRUNK_DOMAIN_INVALID
        ),
        "username": c.FieldRule(
            c.text_rule(lambda v: c.password(v, 63)), Errno.TRUNK_USERNAME_INVALID
        ),
        "authname": c.FieldRule(
            c.text_rule(lambda v: c.password(v, 63)), Errno.TRUNK_AUTHNAME_INVALID
        ),
        "fromuser": c.FieldRule(
            c.text_rule(lambda v: c.password(v, 63)), Errno.TRUNK_FROMUSER_INVALID
        ),
        "password": c.FieldRule(
            c.text_rule(lambda v: c.password(v, 63)), Errno.TRUNK_PASSWORD_INVALID
        ),
    },
)
_MISSING_ERRNO = {
    "host": Errno.TRUNK_HOST_INVALID,
    "port": Errno.TRUNK_PORT_INVALID,
    "domain": Errno.TRUNK_DOMAIN_INVALID,
    "username": Errno.TRUNK_USERNAME_INVALID,
    "authname": Errno.TRUNK_AUTHNAME_INVALID,
    "password": Errno.TRUNK_PASSWORD_INVALID,
}


@dataclass(frozen=True, slots=True)
class Dod:
    """One ``{dod_number}-{dod_name}-{target}`` entry of a trunk's DOD list."""

    number: str
    name: str
    target: str


def parse_dods(value: str) -> list[Dod]:
    """The entries of a DOD list; ``10059`` when one is not ``number-name-target``."""
    dods = []
    for entry in (item.strip() for item in value.split(",")):
        if not entry:
            continue
        parts = entry.split("-")
        if len(parts) < 3:
            raise CHECKER.fail(f"DOD {entry!r} is not number-name-target", Errno.TRUNK_DOD_FORMAT)
        dods.append(Dod(parts[0], "-".join(parts[1:-1]), parts[-1]))
    return dods


def _check_dods(value: str, targets: Collection[str], missing_errno: Errno) -> None:
    for dod in parse_dods(value):
        if not dod.number.isdigit():
            raise CHECKER.fail(f"DOD number {dod.number!r}", Errno.TRUNK_DOD_NUMBER_INVALID)
        if len(dod.number) > MAX_DOD_NUMBER:
            raise CHECKER.fail(f"DOD number {dod.number!r}", Errno.TRUNK_DOD_NUMBER_LENGTH)
        if not _DOD_NAME.fullmatch(dod.name):
            raise CHECKER.fail(f"DOD name {dod.name!r}", Errno.TRUNK_DOD_NAME_INVALID)
        if len(dod.name) > MAX_DOD_NAME:
            raise CHECKER.fail(f"DOD name {dod.name!r}", Errno.TRUNK_DOD_NAME_LENGTH)
        if dod.target not in targets:
            raise CHECKER.fail(f"DOD target {dod.target!r} does not exist", missing_errno)


def check_sip_trunk(
    config: ConfigTables, trunk: Trunk, current: Trunk | None, changed: Collection[str]
) -> None:
    CHECKER.fields(trunk, changed)
    if c.renamed(trunk, current, "name", changed) and trunk.name in config.trunks:
        raise CHECKER.fail(f"trunk {trunk.name!r} exists", Errno.TRUNK_NAME_DUPLICATE)
    for name in REQUIRED[trunk.trunktype]:
        if c.touched(changed, "trunktype", name) and not getattr(trunk, name):
            raise CHECKER.fail(f"a {trunk.trunktype} trunk needs {name}", _MISSING_ERRNO[name])
    if trunk.trunktype == "account" and c.touched(changed, "trunktype", "username"):
        for other in config.trunks.values():
            same_account = other.trunktype == "account" and other.username == trunk.username
            if same_account and other is not current and other.type == "SIP":
                raise CHECKER.fail(
                    f"account {trunk.username!r} is used", Errno.TRUNK_USERNAME_DUPLICATE
                )
    if "extensionsdod" in changed:
        _check_dods(trunk.extensionsdod, config.extensions, Errno.TRUNK_DOD_EXTENSION_MISSING)
    if "extensionsgroupdod" in changed:
        _check_dods(trunk.extensionsgroupdod, config.extensiongroups, Errno.TRUNK_DOD_GROUP_MISSING)
