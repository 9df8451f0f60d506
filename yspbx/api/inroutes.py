"""``inroute/query|add|update|delete`` (docs/pbx-api/trunks-routes.md)."""

from __future__ import annotations

from yspbx.api.registry import ApiRequest, ApiRouter, Field, Reply
from yspbx.api.routes_common import route_ref
from yspbx.api.wire import (
    LIST,
    TEXT,
    WireField,
    array_of,
    choice,
    declare,
    object_schema,
    read_changes,
    selection,
    write,
)
from yspbx.errors import Errno
from yspbx.pbx.vocabulary import INBOUND_DEST_TYPES

router = ApiRouter("inbound routes")

FIELDS: tuple[WireField, ...] = (
    WireField("name", "name", TEXT, "1-63 characters, no spaces", Errno.INROUTE_NAME_INVALID),
    WireField("did", "did", TEXT, "DID pattern; empty: any", Errno.INROUTE_DID_INVALID),
    WireField(
        "caller_id",
        "caller_id",
        TEXT,
        "caller ID pattern; empty: any",
        Errno.INROUTE_CALLERID_INVALID,
    ),
    WireField(
        "trunks", "trunks", LIST, "trunk names, comma-separated", Errno.INROUTE_TRUNK_MISSING
    ),
    WireField(
        "desttype", "desttype", choice(*INBOUND_DEST_TYPES), errno=Errno.INROUTE_DESTTYPE_INVALID
    ),
    WireField(
        "dest", "dest", TEXT, "the destination (number, range, route)", Errno.INROUTE_DEST_INVALID
    ),
)
_KEYS = ("id", "name", "did", "caller_id", "trunks", "desttype", "dest")
_ERRORS = (
    Errno.INROUTE_NAME_INVALID,
    Errno.INROUTE_NAME_DUPLICATE,
    Errno.INROUTE_DID_INVALID,
    Errno.INROUTE_CALLERID_INVALID,
    Errno.INROUTE_TRUNK_MISSING,
    Errno.INROUTE_DESTTYPE_INVALID,
    Errno.INROUTE_DEST_INVALID,
)
_SELECT = Field("name", required=True, description="names, comma-separated, or all")


@router.endpoint(
    "inroute/query",
    summary="The inbound routes named (comma-separated), or all.",
    fields=(_SELECT,),
    response={"inroutes": array_of(object_schema(_KEYS))},
    errors=(Errno.INROUTE_NOT_FOUND,),
    example={"name": "all"},
)
async def inroute_query(request: ApiRequest) -> Reply:
    routes = await request.engine.config.query_inroutes(selection(request.params, "name"))
    return {"inroutes": [{"id": str(r.id), **write(r, FIELDS)} for r in routes]}


@router.endpoint(
    "inroute/add",
    summary="Add an inbound route; its id is assigned by the PBX.",
    fields=declare(FIELDS, required=("name", "trunks", "desttype")),
    errors=(*_ERRORS, Errno.INROUTE_LIMIT),
    example={
        "name": "Sales-DID",
        "did": "5503304",
        "trunks": "SIP-Carrier",
        "desttype": "ringgroup",
        "dest": "6300",
    },
)
async def inroute_add(request: ApiRequest) -> Reply:
    fields = read_changes(request.params, FIELDS, Errno.INROUTE_NAME_INVALID)
    await request.engine.config.add_inroute(fields)
    return {}


@router.endpoint(
    "inroute/update",
    summary="Change an inbound route, found by id (or by name without id).",
    fields=(
        Field("id", description="the route's id; without it, name finds the route"),
        *declare(FIELDS),
    ),
    errors=(*_ERRORS, Errno.INROUTE_NOT_FOUND),
    example={
        "id": "1",
        "name": "Main-IVR",
        "trunks": "SIP-Carrier",
        "desttype": "ivr",
        "dest": "6200",
    },
)
async def inroute_update(request: ApiRequest) -> Reply:
    ref = route_ref(request.params, Errno.INROUTE_NOT_FOUND)
    changes = read_changes(request.params, FIELDS, Errno.INROUTE_NAME_INVALID)
    await request.engine.config.update_inroute(ref, changes)
    return {}


@router.endpoint(
    "inroute/delete",
    summary="Delete the inbound routes named (comma-separated), or all.",
    fields=(_SELECT,),
    errors=(Errno.INROUTE_NOT_FOUND,),
    example={"name": "Support-Line"},
)
async def inroute_delete(request: ApiRequest) -> Reply:
    await request.engine.config.delete_inroutes(selection(request.params, "name"))
    return {}
