"""``paginggrouplist/query`` and ``paginggroup/query|add|update|delete``
(docs/pbx-api/ivrs-queues-paging.md).

The vendor documents no errno for these endpoints. yspbx answers ``10011`` (the number does not
exist) for an unknown paging group, ``10006`` for a member extension that does not exist, and
``10004`` for any other value the PBX would not accept.
"""

from __future__ import annotations

from yspbx.api.registry import ApiRequest, ApiRouter, Field, Reply
from yspbx.api.wire import (
    LIST,
    TEXT,
    YES_NO,
    WireField,
    array_of,
    choice,
    declare,
    object_schema,
    read_changes,
    read_id,
    selection,
    write,
)
from yspbx.errors import Errno
from yspbx.pbx.models import PagingGroup
from yspbx.pbx.vocabulary import PAGING_DUPLEX

router = ApiRouter("paging groups")

FIELDS: tuple[WireField, ...] = (
    WireField("number", "number", TEXT, "the group's number"),
    WireField("name", "name", TEXT, "1-31 characters, no spaces or punctuation"),
    WireField("duplex", "duplex", choice(*PAGING_DUPLEX), "one-way, two-way, or multicast"),
    WireField("allowexten", "allowexten", LIST, "member extensions (paging, intercom)"),
    WireField("allowextengroup", "allowextengroup", LIST, "member extension groups"),
    WireField("enablekeyhanup", "enablekeyhanup", YES_NO, "members may press * to answer"),
    WireField("multicastip", "multicastip", TEXT, "multicast: 224.0.0.0/4 address[:port]"),
)
_KEYS = tuple(f.wire for f in FIELDS if f.wire != "multicastip")
_ERRORS = (Errno.MISSING_PARAMETER, Errno.EXTENSION_NOT_FOUND)


def paging_info(group: PagingGroup) -> dict[str, str]:
    info = {"id": str(group.id), **write(group, FIELDS[:-1])}
    if group.duplex == "multicast":
        info["multicastip"] = group.multicastip
    return info


@router.endpoint(
    "paginggrouplist/query",
    summary="Every paging and intercom group: id, number and name.",
    response={"paginggrouplist": array_of(object_schema(("id", "number", "name")))},
)
async def paginggrouplist_query(request: ApiRequest) -> Reply:
    groups = await request.engine.config.list_paging_groups()
    return {
        "paginggrouplist": [{"id": str(g.id), "number": g.number, "name": g.name} for g in groups]
    }


@router.endpoint(
    "paginggroup/query",
    summary="The settings of the paging groups named in number (comma-separated), or all.",
    fields=(Field("number", required=True, description="numbers, comma-separated, or all"),),
    response={"paginggroup": array_of(object_schema(("id", *_KEYS), ("multicastip",)))},
    errors=(Errno.NUMBER_NOT_FOUND,),
    example={"number": "all"},
)
async def paginggroup_query(request: ApiRequest) -> Reply:
    groups = await request.engine.config.query_paging_groups(selection(request.params, "number"))
    return {"paginggroup": [paging_info(group) for group in groups]}


@router.endpoint(
    "paginggroup/add",
    summary="Add a paging, intercom or multicast group; its id is assigned by the PBX.",
    fields=declare(FIELDS, required=("number", "name", "duplex", "enablekeyhanup")),
    errors=_ERRORS,
    example={
        "number": "6401",
        "name": "Workshop",
        "duplex": "intercom",
        "allowexten": "1001,1002",
        "allowextengroup": "",
        "enablekeyhanup": "no",
    },
)
async def paginggroup_add(request: ApiRequest) -> Reply:
    fields = read_changes(request.params, FIELDS, Errno.MISSING_PARAMETER)
    await request.engine.config.add_paging_group(fields)
    return {}


@router.endpoint(
    "paginggroup/update",
    summary="Change a paging group, found by its id; only the fields sent change.",
    fields=(Field("id", required=True, description="the group's id"), *declare(FIELDS)),
    errors=(*_ERRORS, Errno.NUMBER_NOT_FOUND),
    example={"id": "1", "name": "Floor-1", "duplex": "intercom", "enablekeyhanup": "yes"},
)
async def paginggroup_update(request: ApiRequest) -> Reply:
    group_id = read_id(request.params, "id", Errno.NUMBER_NOT_FOUND)
    changes = read_changes(request.params, FIELDS, Errno.MISSING_PARAMETER)
    await request.engine.config.update_paging_group(group_id, changes)
    return {}


@router.endpoint(
    "paginggroup/delete",
    summary="Delete the paging groups named in number (comma-separated), or all.",
    fields=(Field("number", required=True, description="numbers, comma-separated, or all"),),
    errors=(Errno.NUMBER_NOT_FOUND,),
    example={"number": "6400"},
)
async def paginggroup_delete(request: ApiRequest) -> Reply:
    await request.engine.config.delete_paging_groups(selection(request.params, "number"))
    return {}
