"""``outroute/query|add|update|delete`` (docs/pbx-api/trunks-routes.md).

The vendor lists no "route does not exist" code for outbound routes; an unknown route answers
``10073`` (route name invalid).
"""

from __future__ import annotations

from yspbx.api.registry import ApiRequest, ApiRouter, Field, Reply
from yspbx.api.routes_common import route_ref
from yspbx.api.wire import (
    INT,
    LIST,
    TEXT,
    WireField,
    array_of,
    declare,
    object_schema,
    read_changes,
    selection,
    write,
)
from yspbx.errors import Errno

router = ApiRouter("outbound routes")

FIELDS: tuple[WireField, ...] = (
    WireField("name", "name", TEXT, "1-63 characters, no spaces", Errno.OUTROUTE_NAME_INVALID),
    WireField("prefix", "prefix", TEXT, "dial pattern", Errno.OUTROUTE_PREFIX_INVALID),
    WireField("strip", "strip", INT, "leading digits removed, 0-20", Errno.OUTROUTE_STRIP_INVALID),
    WireField("prepend", "prepend", TEXT, "digits added in front", Errno.OUTROUTE_PREPEND_INVALID),
    WireField(
        "trunks", "trunks", LIST, "trunk names, comma-separated", Errno.OUTROUTE_TRUNK_MISSING
    ),
    WireField(
        "extensions",
        "extensions",
        LIST,
        "extensions allowed, comma-separated",
        Errno.OUTROUTE_EXTENSION_MISSING,
    ),
    WireField(
        "extensionsgroup",
        "extensionsgroup",
        LIST,
        "extension groups allowed, comma-separated",
        Errno.OUTROUTE_GROUP_MISSING,
    ),
)
_KEYS = ("id", "name", "prefix", "strip", "prepend", "trunks", "extensions", "extensionsgroup")
_ERRORS = (
    Errno.OUTROUTE_NAME_INVALID,
    Errno.OUTROUTE_NAME_DUPLICATE,
    Errno.OUTROUTE_PREFIX_INVALID,
    Errno.OUTROUTE_STRIP_INVALID,
    Errno.OUTROUTE_PREPEND_INVALID,
    Errno.OUTROUTE_TRUNK_MISSING,
    Errno.OUTROUTE_EXTENSION_MISSING,
    Errno.OUTROUTE_GROUP_MISSING,
)
_SELECT = Field("name", required=True, description="names, comma-separated, or all")


@router.endpoint(
    "outroute/query",
    summary="The outbound routes named (comma-separated), or all.",
    fields=(_SELECT,),
    response={"outroutes": array_of(object_schema(_KEYS))},
    errors=(Errno.OUTROUTE_NAME_INVALID,),
    example={"name": "all"},
)
async def outroute_query(request: ApiRequest) -> Reply:
    routes = await request.engine.config.query_outroutes(selection(request.params, "name"))
    return {"outroutes": [{"id": str(r.id), **write(r, FIELDS)} for r in routes]}


@router.endpoint(
    "outroute/add",
    summary="Add an outbound route; its id is assigned by the PBX.",
    fields=declare(FIELDS, required=("name", "prefix", "trunks", "extensions")),
    errors=(*_ERRORS, Errno.OUTROUTE_LIMIT),
    example={
        "name": "national",
        "prefix": "0",
        "strip": "1",
        "prepend": "",
        "trunks": "SIP-Carrier",
        "extensions": "1001,1002",
        "extensionsgroup": "Sales",
    },
)
async def outroute_add(request: ApiRequest) -> Reply:
    fields = read_changes(request.params, FIELDS, Errno.OUTROUTE_NAME_INVALID)
    await request.engine.config.add_outroute(fields)
    return {}


@router.endpoint(
    "outroute/update",
    summary="Change an outbound route, found by id (or by name without id).",
    fields=(
        Field("id", description="the route's id; without it, name finds the route"),
        *declare(FIELDS),
    ),
    errors=_ERRORS,
    example={
        "id": "2",
        "name": "Mobile-GSM",
        "prefix": "9",
        "strip": "1",
        "trunks": "GSM1",
        "extensions": "1000,1001,1002,1003",
    },
)
async def outroute_update(request: ApiRequest) -> Reply:
    ref = route_ref(request.params, Errno.OUTROUTE_NAME_INVALID)
    changes = read_changes(request.params, FIELDS, Errno.OUTROUTE_NAME_INVALID)
    await request.engine.config.update_outroute(ref, changes)
    return {}


@router.endpoint(
    "outroute/delete",
    summary="Delete the outbound routes named (comma-separated), or all.",
    fields=(_SELECT,),
    errors=(Errno.OUTROUTE_NAME_INVALID,),
    example={"name": "Mobile-GSM"},
)
async def outroute_delete(request: ApiRequest) -> Reply:
    await request.engine.config.delete_outroutes(selection(request.params, "name"))
    return {}
