"""Inbound (10063-10072) and outbound (10073-10081) route settings."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from yspbx.errors import Errno, PbxError
from yspbx.pbx.models import InboundRoute, OutboundRoute
from yspbx.pbx.simulated.calls.patterns import NumberRange
from yspbx.pbx.simulated.rules import common as c
from yspbx.pbx.vocabulary import INBOUND_DEST_TYPES

if TYPE_CHECKING:
    from yspbx.pbx.simulated.tables import ConfigTables

ROUTE_NAME_LENGTH = 63
MAX_STRIP = 20
MAX_PREPEND = 20

INBOUND = c.Checker(
    Errno.INROUTE_NAME_INVALID,
    {
        "name": c.text_rule(lambda v: c.object_name(v, ROUTE_NAME_LENGTH)),
        "did": c.FieldRule(c.text_rule(c.dial_pattern), Errno.INROUTE_DID_INVALID),
        "caller_id": c.FieldRule(c.text_rule(c.dial_pattern), Errno.INROUTE_CALLERID_INVALID),
        "desttype": c.FieldRule(c.one_of(*INBOUND_DEST_TYPES), Errno.INROUTE_DESTTYPE_INVALID),
        "dest": c.FieldRule(c.text_rule(lambda v: c.free_text(v, 63)), Errno.INROUTE_DEST_INVALID),
    },
)

OUTBOUND = c.Checker(
    Errno.OUTROUTE_NAME_INVALID,
    {
        "name": c.text_rule(lambda v: c.object_name(v, ROUTE_NAME_LENGTH)),
        "prefix": c.FieldRule(
            c.text_rule(lambda v: v != "" and c.dial_pattern(v)), Errno.OUTROUTE_PREFIX_INVALID
        ),
        "strip": c.FieldRule(c.in_range(0, MAX_STRIP), Errno.OUTROUTE_STRIP_INVALID),
        "prepend": c.FieldRule(
            c.text_rule(lambda v: len(v) <= MAX_PREPEND and all(ch in "0123456789+*#" for ch in v)),
            Errno.OUTROUTE_PREPEND_INVALID,
        ),
    },
)


def _inbound_destination_exists(config: ConfigTables, desttype: str, dest: str) -> bool:
    if desttype in ("extension", "voicemail", "faxtoemail"):
        return dest in config.extensions
    if desttype == "ivr":
        return dest in config.ivrs
    if desttype == "ringgroup":
        return dest in config.ringgroups
    if desttype == "queue":
        return dest in config.queues
    if desttype == "outroute":
        return dest in config.outroutes
    if desttype == "extrange":
        return NumberRange.parse(dest) is not None
    if desttype == "conference":
        return c.number(dest)
    return True  # disa, callback: named services this simulator does not model


def check_inroute(
    config: ConfigTables,
    route: InboundRoute,
    current: InboundRoute | None,
    changed: Collection[str],
) -> None:
    INBOUND.fields(route, changed)
    if c.renamed(route, current, "name", changed) and route.name in config.inroutes:
        raise INBOUND.fail(f"route {route.name!r} exists", Errno.INROUTE_NAME_DUPLICATE)
    if "trunks" in changed:
        unknown = c.missing(route.trunks, config.trunks)
        if unknown or not route.trunks:
            raise INBOUND.fail(f"no trunk {unknown}", Errno.INROUTE_TRUNK_MISSING)
    if c.touched(changed, "desttype", "dest") and route.desttype != "hangup":
        if not route.dest:
            raise PbxError(Errno.MISSING_PARAMETER, "dest")
        if not _inbound_destination_exists(config, route.desttype, route.dest):
            raise INBOUND.fail(f"no {route.desttype} {route.dest!r}", Errno.INROUTE_DEST_INVALID)
    if route.desttype == "extrange" and c.touched(changed, "desttype", "dest", "did"):
        _check_one_to_one(route)


def _check_one_to_one(route: InboundRoute) -> None:
    """An extension range is reached DID by DID: the route's DID must be a range of as many
    numbers as the extension range, so DID n rings extension n."""
    dids, extensions = NumberRange.parse(route.did), NumberRange.parse(route.dest)
    if dids is None or extensions is None or len(dids) != len(extensions):
        raise INBOUND.fail(
            f"DID {route.did!r} does not map one to one onto extensions {route.dest!r}",
            Errno.INROUTE_DEST_INVALID,
        )


def check_outroute(
    config: ConfigTables,
    route: OutboundRoute,
    current: OutboundRoute | None,
    changed: Collection[str],
) -> None:
    OUTBOUND.fields(route, changed)
    if c.renamed(route, current, "name", changed) and route.name in config.outroutes:
        raise OUTBOUND.fail(f"route {route.name!r} exists", Errno.OUTROUTE_NAME_DUPLICATE)
    if "trunks" in changed:
        unknown = c.missing(route.trunks, config.trunks)
        if unknown or not route.trunks:
            raise OUTBOUND.fail(f"no trunk {unknown}", Errno.OUTROUTE_TRUNK_MISSING)
    if "extensions" in changed and (unknown := c.missing(route.extensions, config.extensions)):
        raise OUTBOUND.fail(f"no extension {unknown}", Errno.OUTROUTE_EXTENSION_MISSING)
    if "extensionsgroup" in changed:
        unknown = c.missing(route.extensionsgroup, config.extensiongroups)
        if unknown:
            raise OUTBOUND.fail(f"no extension group {unknown}", Errno.OUTROUTE_GROUP_MISSING)
